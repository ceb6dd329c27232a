#!/usr/bin/env bash
# Installs what `make run` / `make test` need and the machine lacks.
#   scripts/ensure-deps.sh run   — build and run dependencies
#   scripts/ensure-deps.sh test  — plus the test tools (xmlsec1 CLI, Chromium)
# System packages come from Debian's apt (only when running as root; otherwise the
# missing packages are listed with the command to install them).
set -euo pipefail
mode=${1:-run}

packages=(pkg-config libssl-dev libxml2-dev libxmlsec1-dev libxmlsec1-openssl libclang-dev clang)
if [ "$mode" = test ]; then
  packages+=(xmlsec1 chromium chromium-driver postgresql-client python3-venv curl)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is required (Rust via rustup, Node.js 20 with npm)" >&2; exit 1; }
done
