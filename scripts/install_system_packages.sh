#!/usr/bin/env bash
# Install the Debian 12 packages gongfang needs, but only those that are missing: on a machine
# that has them all this does no apt work at all.
#
#   python3 python3-venv python3-dev build-essential   Python, virtualenvs, C builds
#   nodejs npm                                          npm ci for the front-end libraries
#   chromium chromium-driver                            end-to-end tests (Playwright drives it)
#   fonts-noto-cjk                                      Chinese text in browser screenshots
#   wrk                                                 HTTP load for bench/bench_load.py
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  WeasyPrint (PDF receipts and certificates)
#
# Runs apt-get as root, through sudo otherwise. Usage: scripts/install_system_packages.sh
set -euo pipefail

PACKAGES=(python3 python3-venv python3-dev build-essential nodejs npm chromium chromium-driver
  fonts-noto-cjk wrk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)

installed() {
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = "installed" ]
}

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" && continue
  case "$package" in
    # NodeSource's nodejs bundles npm (and conflicts with Debian's npm package).
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "System packages: all present."
  exit 0
fi

echo "System packages to install: ${missing[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: this set-up expects Debian 12. Install by hand: ${missing[*]}" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "Not root and no sudo: as root run" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi
# Wait up to 10 minutes for another apt/dpkg run to release its lock instead of failing.
apt_get=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
"${apt_get[@]}" update
"${apt_get[@]}" install -y --no-install-recommends "${missing[@]}"
