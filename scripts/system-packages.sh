#!/usr/bin/env bash
# Installs the system packages youthbridge's tests need, through apt, when missing.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -n "$(command -v pg_isready || true)" ] || need+=(postgresql-client)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "youthbridge: these system packages are missing: ${need[*]}" >&2
  echo "install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
