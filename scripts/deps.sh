#!/usr/bin/env bash
# Installs the Debian packages the project needs, when missing. Run as root it installs them with
# apt-get; otherwise it prints the exact command to run. Usage: scripts/deps.sh [run|test]
set -euo pipefail

packages=(pkg-config libssl-dev libqrencode-dev libpng-dev libargon2-dev libsqlite3-dev)
if [ "${1:-run}" = "test" ]; then
    packages+=(zbar-tools postgresql)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
