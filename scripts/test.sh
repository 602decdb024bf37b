#!/usr/bin/env bash
# The test suite on a fresh machine: system packages the tests use, the venv, ruff, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dnsmasq >/dev/null 2>&1 && [ ! -x /usr/sbin/dnsmasq ]; then
  echo "== installing dnsmasq (the deliverability tests run a real DNS server on 127.0.0.1)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dnsmasq-base >/dev/null
fi
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/pytest "$@"
