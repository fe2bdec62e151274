#!/usr/bin/env bash
# Starts or stops aksim's embedded cluster: etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler and kwok-controller as local processes run by kwokctl (no container engine).
#   scripts/cluster.sh up | down | status | kubeconfig
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
source "$here/versions.sh"
export GOTOOLCHAIN=local

NAME=${AKSIM_CLUSTER_NAME:-aksim}
export KWOK_WORKDIR=${KWOK_WORKDIR:-$AKSIM_CACHE/kwok}
KUBECONFIG_OUT=${AKSIM_KUBECONFIG:-$AKSIM_CACHE/kubeconfig}
KWOKCTL=$AKSIM_BIN/kwok-v$KWOK_VERSION/kwokctl
K8S_BIN=$AKSIM_BIN/kubernetes-v$K8S_VERSION
# Heartbeats in real seconds. A node stops reporting "no status" only after the grace period,
# so a simulated "no heartbeat for N minutes" can never be shorter than this (docs/architecture.md).
# kwok renews each node's Lease every quarter of its duration, NODE_LEASE_PARALLELISM at a time
# (kwok's default, 4, cannot keep 2,000 Leases of 20 s renewed once the API server is busy).
# AKSIM_CLUSTER_PROFILE=large (5,000 nodes): longer Leases and grace, fewer renewals, slower
# detection of a dead node; see docs/architecture.md "Cluster profiles".
PROFILE=${AKSIM_CLUSTER_PROFILE:-default}
case $PROFILE in
  default) lease=20 monitor=2000 grace=20000 parallel=32 ;;
  large) lease=100 monitor=5000 grace=120000 parallel=64 ;;
  *) printf 'cluster: AKSIM_CLUSTER_PROFILE must be default or large, not %s\n' "$PROFILE" >&2; exit 2 ;;
esac
LEASE_SECONDS=${AKSIM_NODE_LEASE_SECONDS:-$lease}
MONITOR_PERIOD_MS=${AKSIM_NODE_MONITOR_PERIOD_MS:-$monitor}
GRACE_PERIOD_MS=${AKSIM_NODE_GRACE_PERIOD_MS:-$grace}
NODE_LEASE_PARALLELISM=${AKSIM_NODE_LEASE_PARALLELISM:-$parallel}

fail() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

kwok_stage_dir() {
  local dir
  dir=$(cd "$AKSIM_CACHE" && go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [[ -d $dir/kustomize/stage ]] || fail "kwok v$KWOK_VERSION stages not found in the Go module cache (run make setup)"
  echo "$dir/kustomize/stage"
}

up() {
  for b in "$KWOKCTL" "$K8S_BIN/kube-apiserver" "$AKSIM_BIN/etcd-v$ETCD_VERSION/etcd"; do
    [[ -x $b ]] || fail "missing $b: run 'make setup' first"
  done
  if "$KWOKCTL" get clusters 2>/dev/null | grep -qx "$NAME"; then
    local have
    have=$(sed -n 's/^ *nodeLeaseDurationSeconds: *\([0-9]*\).*/\1/p' "$KWOK_WORKDIR/clusters/$NAME/kwok.yaml" 2>/dev/null | head -1)
    [[ -z $have || $have == "$LEASE_SECONDS" ]] \
      || fail "cluster $NAME runs with ${have}s Leases, profile $PROFILE wants ${LEASE_SECONDS}s: run '$0 down' first"
    if kubectl --kubeconfig "$KUBECONFIG_OUT" get --raw /readyz >/dev/null 2>&1; then
      echo "cluster $NAME is already running; KUBECONFIG=$KUBECONFIG_OUT"; return
    fi
    echo "cluster $NAME exists but is not answering: starting it again"
    "$KWOKCTL" --name "$NAME" start cluster --wait 180s || { "$KWOKCTL" --name "$NAME" delete cluster; up; return; }
    "$KWOKCTL" --name "$NAME" get kubeconfig >"$KUBECONFIG_OUT"
    return
  fi
  local stages cfg
  stages=$(kwok_stage_dir)
  cfg=$AKSIM_CACHE/kwokctl-$NAME.yaml
  mkdir -p "$AKSIM_CACHE"
  cat >"$cfg" <<YAML
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  kubeVersion: v$K8S_VERSION
  bindAddress: 127.0.0.1
  kubeApiserverBinary: $K8S_BIN/kube-apiserver
  kubeControllerManagerBinary: $K8S_BIN/kube-controller-manager
  kubeSchedulerBinary: $K8S_BIN/kube-scheduler
  kwokControllerBinary: $AKSIM_BIN/kwok-v$KWOK_VERSION/kwok
  etcdBinary: $AKSIM_BIN/etcd-v$ETCD_VERSION/etcd
  heartbeatFactor: 1
  nodeLeaseDurationSeconds: $LEASE_SECONDS
  kubeControllerManagerNodeMonitorPeriodMilliseconds: $MONITOR_PERIOD_MS
  kubeControllerManagerNodeMonitorGracePeriodMilliseconds: $GRACE_PERIOD_MS
  disableQPSLimits: true
componentsPatches:
  - name: kube-apiserver
    extraArgs:
      - { key: advertise-address, value: 127.0.0.1 }
  - name: kwok-controller
    extraArgs:
      # kwok keeps every node alive except those aksim marks with a stopped kubelet
      # (KubeletStopped, HostHardwareFailure...): those lose their Lease and turn Unknown.
      - { key: manage-all-nodes, value: "false" }
      - { key: manage-nodes-with-label-selector, value: "aksim.io/kubelet!=stopped" }
---
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  # A KwokConfiguration given to kwokctl is not defaulted: kwok's own defaults, but the Leases
  # and the node Stages (kwok's 4 workers post new Nodes' first status at ~5/s on a busy machine).
  manageAllNodes: false
  # Pod IPs come from this range (kwok's default is a /24, too small for 50,000 pods; with no
  # range at all Pods run without an IP and aksim never sees an ACI container group started).
  cidr: 10.0.0.0/16
  enableDebuggingHandlers: true
  enableProfilingHandler: true
  podPlayStageParallelism: 4
  nodePlayStageParallelism: 16
  podsOnNodeSyncParallelism: 1
  enablePodsOnNodeSyncListPager: true
  nodeLeaseParallelism: $NODE_LEASE_PARALLELISM
YAML
  local args=(-c "$cfg")
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml node/chaos/node-not-ready.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    args+=(-c "$stages/$f")
  done
  args+=(-c "$repo/manifests/kwok/aksim-stages.yaml")
  echo "==> starting cluster $NAME (kube v$K8S_VERSION, etcd v$ETCD_VERSION, kwok v$KWOK_VERSION; profile $PROFILE: Lease ${LEASE_SECONDS}s, grace $((GRACE_PERIOD_MS / 1000))s)"
  "$KWOKCTL" --name "$NAME" "${args[@]}" create cluster --wait 180s --kubeconfig "" \
    || fail "kwokctl could not create the cluster; logs: $KWOK_WORKDIR/clusters/$NAME/logs/"
  "$KWOKCTL" --name "$NAME" get kubeconfig >"$KUBECONFIG_OUT"
  echo "==> waiting for the default ServiceAccount"
  for _ in $(seq 1 120); do
    kubectl --kubeconfig "$KUBECONFIG_OUT" -n default get serviceaccount default >/dev/null 2>&1 && break
    sleep 1
  done
  echo "cluster $NAME is up; KUBECONFIG=$KUBECONFIG_OUT"
}

down() {
  if [[ -x $KWOKCTL ]] && "$KWOKCTL" get clusters 2>/dev/null | grep -qx "$NAME"; then
    "$KWOKCTL" --name "$NAME" delete cluster
  else
    echo "cluster $NAME is not running"
  fi
  rm -f "$KUBECONFIG_OUT"
}

# PROVIDER=kind: for machines with a Docker engine (not these; this path is not exercised here).
# A kind cluster with kwok deployed into it from the same kwok module; the rest (CRDs, operator,
# tests) only needs the kubeconfig.
kind_up() {
  command -v kind >/dev/null && command -v docker >/dev/null || fail "PROVIDER=kind needs kind and a Docker engine"
  kind get clusters 2>/dev/null | grep -qx "$NAME" || kind create cluster --name "$NAME" --kubeconfig "$KUBECONFIG_OUT"
  local stages kwokdir
  stages=$(kwok_stage_dir)
  kwokdir=$(dirname "$stages")
  kubectl --kubeconfig "$KUBECONFIG_OUT" apply -k "$kwokdir/kwok"
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml node/chaos/node-not-ready.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    kubectl --kubeconfig "$KUBECONFIG_OUT" apply -f "$stages/$f"
  done
  kubectl --kubeconfig "$KUBECONFIG_OUT" apply -f "$repo/manifests/kwok/aksim-stages.yaml"
  # kwok must leave nodes alone whose kubelet aksim stopped (faults): same selector as the embedded cluster.
  kubectl --kubeconfig "$KUBECONFIG_OUT" -n kube-system patch deployment kwok-controller --type=json -p \
    '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--manage-all-nodes=false"},
      {"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--manage-nodes-with-label-selector=aksim.io/kubelet!=stopped"}]'
  echo "kind cluster $NAME with kwok is up; KUBECONFIG=$KUBECONFIG_OUT"
}

if [[ ${PROVIDER:-kwokctl} == kind ]]; then
  case "${1:-}" in
    up) kind_up; exit 0 ;;
    down) kind delete cluster --name "$NAME"; rm -f "$KUBECONFIG_OUT"; exit 0 ;;
  esac
fi

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) "$KWOKCTL" get clusters; kubectl --kubeconfig "$KUBECONFIG_OUT" get --raw /readyz && echo ;;
  kubeconfig) echo "$KUBECONFIG_OUT" ;;
  *) echo "usage: $0 up|down|status|kubeconfig" >&2; exit 2 ;;
esac
