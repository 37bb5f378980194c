#!/usr/bin/env bash
# Installs everything Revela needs on a Debian machine: LibRaw's command-line tools (the fast native
# RAW decoder; without them the worker falls back to LibRaw compiled to WebAssembly), ImageMagick
# (the benchmark baseline), redis-server (tests of the shared rate-limit store), Chromium (the web
# console's browser tests drive it with playwright-core), and the npm packages from the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v dcraw_emu >/dev/null 2>&1 || missing+=(libraw-bin)
[ -x /usr/bin/convert ] || missing+=(imagemagick)
command -v zip >/dev/null 2>&1 || missing+=(zip)
# The multi-instance tests start their own Redis (the shared rate-limit store).
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: optional system packages not installed (${missing[*]}); need root and apt-get. Continuing." >&2
  fi
fi

npm ci --no-audit --no-fund
