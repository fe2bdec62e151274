#!/usr/bin/env bash
# Builds (or reuses) the control-plane binaries aksim's embedded cluster runs:
# kube-apiserver, kube-controller-manager, kube-scheduler (from k8s.io/kubernetes),
# etcd (go.etcd.io/etcd/server/v3), kwok and kwokctl (sigs.k8s.io/kwok).
# Everything lands in a per-user cache keyed by version, outside the repository.
set -euo pipefail
source "$(dirname "$0")/versions.sh"

export GOTOOLCHAIN=local
export GOFLAGS=-mod=mod
mkdir -p "$AKSIM_BIN" "$AKSIM_CACHE/build"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf 'setup-binaries: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null || fail "go is not installed (Go >= 1.24 is needed to build the control plane)"

# Runs a long build with a heartbeat line every 30 s so the user sees it is alive.
with_progress() {
  local label=$1; shift
  local start=$SECONDS
  ( while sleep 30; do printf '    ... still building %s (%ds)\n' "$label" $((SECONDS - start)); done ) &
  local ticker=$!
  local rc=0
  "$@" || rc=$?
  kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null || true
  return $rc
}

build_kubernetes() {
  local v=$K8S_VERSION minor=${K8S_VERSION#*.}
  minor=${minor%%.*}
  local out="$AKSIM_BIN/kubernetes-v$v"
  if [[ -x $out/kube-apiserver && -x $out/kube-controller-manager && -x $out/kube-scheduler ]]; then
    step "kubernetes v$v: cached in $out"; return
  fi
  step "kubernetes v$v: building kube-apiserver, kube-controller-manager, kube-scheduler (first time: 10-30 min on 2 cores)"
  local dir="$AKSIM_CACHE/build/kubernetes-v$v"
  mkdir -p "$dir"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@v$v" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  [[ -f $gomod ]] || fail "could not download k8s.io/kubernetes@v$v from the Go module proxy"
  {
    echo "module aksim.local/kubernetes-build"
    echo
    echo "go 1.24.0"
    echo
    echo "godebug default=go1.$((minor - 10))"
    echo
    echo "require k8s.io/kubernetes v$v"
    echo
    echo "replace ("
    # Every staging module k8s.io/<m> => ./staging/... becomes the published k8s.io/<m> v0.<minor>.<patch>.
    grep -E '^\s*k8s\.io/[a-z0-9-]+ => \./staging/' "$gomod" | awk -v ver="v0.${v#*.}" '{print "\t" $1 " => " $1 " " ver}'
    echo ")"
  } >"$dir/go.mod"
  # godebug default must match the upstream go.mod's setting.
  local upstream_godebug
  upstream_godebug=$(sed -n 's/^godebug default=\(.*\)$/\1/p' "$gomod")
  [[ -n $upstream_godebug ]] && sed -i "s/^godebug default=.*/godebug default=$upstream_godebug/" "$dir/go.mod"
  (cd "$dir" && with_progress "module graph" go get "k8s.io/kubernetes/cmd/kube-apiserver@v$v" "k8s.io/kubernetes/cmd/kube-controller-manager@v$v" "k8s.io/kubernetes/cmd/kube-scheduler@v$v") \
    || fail "go get of k8s.io/kubernetes@v$v failed"
  local date pkg ld=""
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=v$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=$date"
  done
  mkdir -p "$out.tmp"
  (cd "$dir" && CGO_ENABLED=0 with_progress "kubernetes v$v" go build -trimpath -ldflags "-s -w$ld" -o "$out.tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler) \
    || fail "building kubernetes v$v failed (see the output above)"
  rm -rf "$out"; mv "$out.tmp" "$out"
}

build_etcd() {
  local out="$AKSIM_BIN/etcd-v$ETCD_VERSION/etcd"
  if [[ -x $out ]]; then step "etcd v$ETCD_VERSION: cached"; return; fi
  step "etcd v$ETCD_VERSION: building"
  local dir="$AKSIM_CACHE/build/etcd-v$ETCD_VERSION"
  mkdir -p "$dir" "$(dirname "$out")"
  printf 'module aksim.local/etcd-build\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 v%s\n' "$ETCD_VERSION" >"$dir/go.mod"
  (cd "$dir" && go get "go.etcd.io/etcd/server/v3@v$ETCD_VERSION" >/dev/null && \
    CGO_ENABLED=0 with_progress etcd go build -trimpath -ldflags "-s -w" -o "$out" go.etcd.io/etcd/server/v3) \
    || fail "building etcd v$ETCD_VERSION failed"
}

build_kwok() {
  local out="$AKSIM_BIN/kwok-v$KWOK_VERSION"
  if [[ -x $out/kwok && -x $out/kwokctl ]]; then step "kwok v$KWOK_VERSION: cached"; return; fi
  step "kwok and kwokctl v$KWOK_VERSION: building"
  mkdir -p "$out"
  GOBIN="$out" CGO_ENABLED=0 with_progress kwok go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/kwok/cmd/kwok@v$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@v$KWOK_VERSION" \
    || fail "building kwok v$KWOK_VERSION failed"
}

case "${1:-all}" in
  kubernetes) build_kubernetes ;;
  etcd) build_etcd ;;
  kwok) build_kwok ;;
  all) build_kwok; build_etcd; build_kubernetes ;;
  *) fail "unknown component $1" ;;
esac
step "binaries ready in $AKSIM_BIN"
