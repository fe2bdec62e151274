#!/usr/bin/env bash
# The demo: runs the operator in the background on the embedded cluster, creates a cluster with a
# system pool of 3 nodes (three zones) and a spot user pool of 2, and shows the result.
#   scripts/demo.sh        start (idempotent)
#   scripts/demo.sh stop   stop the operator
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
source "$here/versions.sh"
export KUBECONFIG=${KUBECONFIG:-$AKSIM_CACHE/kubeconfig}
PIDFILE=$AKSIM_CACHE/operator.pid
LOG=$AKSIM_CACHE/operator.log
TIME_SCALE=${TIME_SCALE:-60}
cd "$repo"

running() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if [[ ${1:-} == stop ]]; then
  if running; then kill "$(cat "$PIDFILE")" && echo "operator stopped"; else echo "operator not running"; fi
  rm -f "$PIDFILE"
  exit 0
fi

if running; then
  echo "==> operator already running (pid $(cat "$PIDFILE")); log: $LOG"
else
  echo "==> starting the aksim operator (timeScale $TIME_SCALE: one real second is $TIME_SCALE simulated seconds)"
  nohup node bin/aksim.js operator --time-scale "$TIME_SCALE" --metrics-port 18080 >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do
    grep -q 'Caches synced' "$LOG" 2>/dev/null && break
    running || { echo "the operator exited; see $LOG" >&2; tail -5 "$LOG" >&2; exit 1; }
    sleep 0.5
  done
fi

echo "==> kubectl apply -f manifests/samples/demo-cluster.yaml"
kubectl apply -f manifests/samples/demo-cluster.yaml
echo "==> waiting for SimCluster demo-rg/contoso to be Ready"
kubectl wait --for=condition=Ready simcluster/contoso -n demo-rg --timeout=180s
echo
kubectl get simclusters,simnodepools -n demo-rg
echo
kubectl get nodes -l aksim.io/cluster=contoso -L kubernetes.azure.com/agentpool,kubernetes.azure.com/mode,topology.kubernetes.io/zone,kubernetes.azure.com/scalesetpriority
echo
echo "==> aksim aks operation show-latest -g demo-rg -n contoso"
node bin/aksim.js aks operation show-latest -g demo-rg -n contoso
cat <<MSG

The demo cluster is running. Explore it:
  export KUBECONFIG=$KUBECONFIG
  kubectl get simclusters,simnodepools,simmachines,simoperations -n demo-rg
  kubectl get nodes --show-labels
  bin/aksim.js aks nodepool scale -g demo-rg --cluster-name contoso -n nodepool1 -c 6
  bin/aksim.js aks operation list -g demo-rg -n contoso --nodepool-name nodepool1 -o table
  bin/aksim.js aks nodepool upgrade -g demo-rg --cluster-name contoso -n spotpool -k 1.35.1   # after: bin/aksim.js aks upgrade -g demo-rg -n contoso -k 1.35.1 --control-plane-only
Operator log: $LOG   metrics: http://127.0.0.1:18080/metrics
Stop everything: make demo-down
MSG
