#!/usr/bin/env bash
# Installs Debian's chromium for the console's browser tests (test/e2e/console.test.ts drives it
# through playwright-core; no browser is ever downloaded). Only as root and only when missing:
# elsewhere the browser tests skip with one line saying why.
set -euo pipefail
CHROMIUM=${AKSIM_CHROMIUM:-/usr/bin/chromium}
if [[ -x $CHROMIUM ]]; then
  echo "==> chromium: $("$CHROMIUM" --version 2>/dev/null || echo present) ($CHROMIUM)"
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "==> chromium: not installed and not root with apt-get; the console browser tests will skip"
  exit 0
fi
echo "==> chromium: apt-get install chromium (Debian's package, for the console browser tests)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 chromium fonts-liberation >/dev/null
echo "==> chromium: $("$CHROMIUM" --version 2>/dev/null)"
