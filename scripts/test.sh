#!/usr/bin/env bash
# The test suite on a fresh machine: system packages the tests use, the venv, ruff, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_packages=()
if ! command -v dnsmasq >/dev/null 2>&1 && [ ! -x /usr/sbin/dnsmasq ]; then
  apt_packages+=(dnsmasq-base)  # the deliverability tests run a real DNS server on 127.0.0.1
fi
if [ ! -x /usr/bin/chromium ]; then
  apt_packages+=(chromium)  # the UI test drives Debian's chromium (never `playwright install`)
fi
if [ ! -d /usr/share/fonts/truetype/liberation ]; then
  apt_packages+=(fonts-liberation)  # readable screenshots and report charts
fi
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  apt_packages+=(postgresql)  # the PostgreSQL-instance test starts its own server on 127.0.0.1
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  echo "== installing ${apt_packages[*]} with apt"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/pytest "$@"
