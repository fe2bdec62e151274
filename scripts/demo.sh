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
SERVE_PIDFILE=$AKSIM_CACHE/serve.pid
SERVE_LOG=$AKSIM_CACHE/serve.log
SERVE_PORT=${AKSIM_SERVE_PORT:-8443}
TIME_SCALE=${TIME_SCALE:-60}
cd "$repo"

running() { [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
serving() { [[ -f $SERVE_PIDFILE ]] && kill -0 "$(cat "$SERVE_PIDFILE")" 2>/dev/null; }

if [[ ${1:-} == stop ]]; then
  if serving; then kill "$(cat "$SERVE_PIDFILE")" && echo "aksim serve (ARM endpoint and console) stopped"; fi
  rm -f "$SERVE_PIDFILE"
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

# The ARM endpoint and the web console (its URL carries a token made at start: see $SERVE_LOG).
if ! serving; then
  nohup node bin/aksim.js serve --port "$SERVE_PORT" >"$SERVE_LOG" 2>&1 &
  echo $! >"$SERVE_PIDFILE"
  for _ in $(seq 1 60); do
    grep -q 'aksim console on' "$SERVE_LOG" 2>/dev/null && break
    serving || { echo "aksim serve exited; see $SERVE_LOG" >&2; tail -5 "$SERVE_LOG" >&2; break; }
    sleep 0.5
  done
fi
CONSOLE_URL=$(sed -n 's/^aksim console on //p' "$SERVE_LOG" | tail -1)
cat <<MSG

The demo cluster is running. Explore it:
  export KUBECONFIG=$KUBECONFIG
  kubectl get simclusters,simnodepools,simmachines,simoperations -n demo-rg
  kubectl get nodes --show-labels
  bin/aksim.js aks nodepool scale -g demo-rg --cluster-name contoso -n nodepool1 -c 6
  bin/aksim.js aks operation list -g demo-rg -n contoso --nodepool-name nodepool1 -o table
  bin/aksim.js aks nodepool upgrade -g demo-rg --cluster-name contoso -n spotpool -k 1.35.1   # after: bin/aksim.js aks upgrade -g demo-rg -n contoso -k 1.35.1 --control-plane-only
Operator log: $LOG   metrics: http://127.0.0.1:18080/metrics

Web console (live): ${CONSOLE_URL:-not started, see $SERVE_LOG}#/cluster/demo-rg/contoso
Stop everything: make demo-down
MSG
