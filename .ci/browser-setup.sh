#!/usr/bin/env bash
# Installs what `npm run test:browser` needs from Debian: Chromium at /usr/bin/chromium, driven by the
# playwright-core dev dependency (which downloads no browser of its own). Idempotent and quick: when
# /usr/bin/chromium is there it does nothing, and `apt-get update` runs only when it is missing.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "browser-setup: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) is installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "browser-setup: installing chromium"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "browser-setup: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
