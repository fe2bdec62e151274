# Versions of the embedded control plane, and where their binaries are cached.
# Sourced by the setup and cluster scripts; the Makefile reads the same values.
K8S_VERSION=${K8S_VERSION:-1.34.4}
ETCD_VERSION=${ETCD_VERSION:-3.6.16}
KWOK_VERSION=${KWOK_VERSION:-0.8.0}
AKSIM_CACHE=${AKSIM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aksim}
AKSIM_BIN=$AKSIM_CACHE/bin
