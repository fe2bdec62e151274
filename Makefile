# aksim: every entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export GOTOOLCHAIN := local
AKSIM_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/aksim
export AKSIM_CACHE
KUBECONFIG_EMBEDDED := $(AKSIM_CACHE)/kubeconfig
# The embedded cluster unless the caller points KUBECONFIG elsewhere.
export KUBECONFIG ?= $(KUBECONFIG_EMBEDDED)
TIME_SCALE ?= 60
MOCHA := node_modules/.bin/mocha --reporter test/support/reporter.cjs

.PHONY: help setup deps binaries clients chromium build gen lint fmt verify install uninstall run demo demo-down test test-unit test-controller test-e2e bench bench-scale-2000 bench-scale-5000 bench-sdk bench-cli bench-console chaos cluster-up cluster-down clean

help: ## show this help
	@awk 'BEGIN{FS=":.*## "} /^[a-z0-9-]+:.*## /{printf "  \033[1m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: deps binaries clients chromium ## install npm packages, build/reuse the control-plane binaries, install the Azure CLI and Chromium the tests drive

deps: node_modules/.stamp
node_modules/.stamp: package.json package-lock.json
	@echo "==> npm ci"
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

binaries: ## build or reuse kube-apiserver, controller-manager, scheduler, etcd, kwok, kwokctl
	@scripts/setup-binaries.sh all

clients: ## install Debian's azure-cli for the az e2e tests (when root; skipped otherwise)
	@scripts/setup-az.sh

chromium: ## install Debian's chromium for the console's browser tests (when root and missing; skipped otherwise)
	@scripts/setup-chromium.sh

build: deps ## type-check and compile to dist/, bundle the CLI into dist/cli/ (bin/aksim.js runs it), and the web console to dist/console
	@rm -rf dist && node_modules/.bin/tsc -p tsconfig.json
	@node_modules/.bin/tsx scripts/build-cli.ts
	@node_modules/.bin/tsc -p web/console/tsconfig.json
	@node_modules/.bin/vite build --config web/console/vite.config.ts --logLevel warn

gen: deps ## regenerate src/api/generated.ts from crds/
	@node_modules/.bin/tsx scripts/gen-types.ts

lint: deps ## eslint (floors, pure deciders, size limits) and the TypeScript compiler
	@node_modules/.bin/eslint .
	@node_modules/.bin/tsc --noEmit -p tsconfig.json
	@node_modules/.bin/tsc -p web/console/tsconfig.json

fmt: deps ## format the sources with Prettier (.prettierrc.json)
	@node_modules/.bin/prettier --write --log-level warn .

verify: lint ## lint, and fail when generated files are stale or sources are not formatted
	@node_modules/.bin/tsx scripts/gen-types.ts --check
	@node_modules/.bin/prettier --check --log-level warn . || { echo "run make fmt"; exit 1; }

cluster-up: binaries ## start the embedded cluster (kwokctl, binary runtime, 127.0.0.1)
	@scripts/cluster.sh up

cluster-down: ## stop and remove the embedded cluster
	@scripts/cluster.sh down

install: deps ## install the CRDs (and the aksim-system namespace) into $KUBECONFIG's cluster
	@kubectl apply -f crds/ -f manifests/deploy/namespace.yaml >/dev/null
	@kubectl apply -f manifests/catalog/node-images.yaml >/dev/null
	@kubectl wait --for=condition=Established crd --all --timeout=60s >/dev/null
	@echo "CRDs installed"

run: build install ## run the operator in the foreground against $KUBECONFIG
	@bin/aksim.js operator --time-scale $(TIME_SCALE)

demo: setup build cluster-up install ## set up, start the cluster and the operator, create the demo cluster
	@scripts/demo.sh

demo-down: ## stop the demo operator and the embedded cluster
	@scripts/demo.sh stop; scripts/cluster.sh down

test: setup build cluster-up install ## all tests: unit, controller and end-to-end on the embedded cluster
	@scripts/demo.sh stop >/dev/null
	@$(MOCHA) 'test/unit/**/*.test.ts' 'test/controller/**/*.test.ts' 'test/e2e/**/*.test.ts'

test-unit: deps ## unit tests only (no cluster)
	@$(MOCHA) 'test/unit/**/*.test.ts'

test-controller: deps cluster-up install ## controller tests: each reconciler on the embedded cluster, fake clock, no operator
	@scripts/demo.sh stop >/dev/null
	@$(MOCHA) 'test/controller/**/*.test.ts'

test-e2e: setup build cluster-up install ## end-to-end tests only
	@scripts/demo.sh stop >/dev/null
	@$(MOCHA) 'test/e2e/**/*.test.ts'

bench: setup build cluster-up install ## benchmarks against kwokctl on the same control plane; writes bench/results/ (BENCH_NODES=2000|5000: the scale benchmark only)
ifneq ($(BENCH_NODES),)
	@BENCH_NODES=$(BENCH_NODES) node_modules/.bin/tsx bench/scale.ts
else
	@node_modules/.bin/tsx bench/run.ts
	@node_modules/.bin/tsx bench/operations.ts
	@node_modules/.bin/tsx bench/repair.ts
	@node_modules/.bin/tsx bench/drain.ts
	@node_modules/.bin/tsx bench/ngroups.ts
	@node_modules/.bin/tsx bench/sdk.ts
	@node_modules/.bin/tsx bench/cli.ts
	@$(MOCHA) --timeout 0 bench/console.test.ts
endif

bench-scale-2000: ## 2,000 nodes (10 pools, auto-repair on) against kwokctl: Ready, stable, idle, +10, faults (bench/results/scale-2000-latest.json)
	@$(MAKE) --no-print-directory bench BENCH_NODES=2000

bench-scale-5000: ## 5,000 nodes on the large cluster profile (cluster-down first if it runs on another profile; bench/results/scale-5000-latest.json)
	@AKSIM_CLUSTER_PROFILE=large $(MAKE) --no-print-directory bench BENCH_NODES=5000

bench-sdk: setup build cluster-up install ## the Azure SDK's pollers against aksim serve (bench/results/sdk-latest.json)
	@node_modules/.bin/tsx bench/sdk.ts

bench-console: setup build cluster-up install ## the web console with 1,000 nodes: first paint, update latency (bench/results/console-latest.json)
	@$(MOCHA) --timeout 0 bench/console.test.ts

bench-cli: build cluster-up install ## CLI start-up: aksim --version, aksim aks show, kubectl get (bench/results/cli-latest.json)
	@node_modules/.bin/tsx bench/cli.ts

chaos: setup build cluster-up install ## seeded chaos run: every scenario, 20 faults each; results in bench/results/chaos-*.json (CHAOS_ARGS="--seed N ...")
	@scripts/demo.sh stop >/dev/null
	@bin/aksim.js chaos $(CHAOS_ARGS)

clean: ## remove build output (keeps the binary cache)
	@rm -rf dist
