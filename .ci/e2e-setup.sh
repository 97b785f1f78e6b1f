#!/usr/bin/env bash
# Installs what `npm run test:e2e` needs from Debian: nginx (auth_request), Caddy (forward_auth) and
# Prometheus (agent mode). Idempotent and quick: when every binary is already there it does nothing,
# and `apt-get update` runs only when something is missing. Packages only; no service is enabled or
# started here (the suite starts its own copies on loopback ports and stops them).
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)

if [ "${#need[@]}" -eq 0 ]; then
  echo "e2e-setup: nginx, caddy and prometheus are installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "e2e-setup: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d exit code 101: packages must not start their own nginx/caddy/prometheus services.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then $SUDO rm -f "$policy"; fi; }
trap cleanup EXIT

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "e2e-setup: installed ${need[*]}"
