#!/usr/bin/env bash
# Installs the Azure CLI (Debian's azure-cli) that the az e2e tests drive against `aksim serve`.
# Only where it is missing and apt-get works as root; elsewhere it says so and the az tests skip.
set -uo pipefail
if command -v az >/dev/null 2>&1; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "==> azure-cli not installed (needs root and apt-get): the az e2e tests will be skipped"
  exit 0
fi
echo "==> apt-get install azure-cli (for the az e2e tests; about a minute)"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -q azure-cli >/tmp/aksim-apt-az.log 2>&1; then
  apt-get update -q >>/tmp/aksim-apt-az.log 2>&1
  apt-get install -y -q azure-cli >>/tmp/aksim-apt-az.log 2>&1 || { echo "==> azure-cli could not be installed (see /tmp/aksim-apt-az.log): the az e2e tests will be skipped"; exit 0; }
fi
echo "==> $(az version --query '"azure-cli"' -o tsv 2>/dev/null | sed 's/^/azure-cli /')"
