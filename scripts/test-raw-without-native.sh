#!/usr/bin/env bash
# The RAW suites as on a machine where `npm run setup` ran without root and could not install
# libraw-bin: PATH becomes one directory of links to everything on it except LibRaw's tools, so
# dcraw_emu, raw-identify and simple_dcraw are not found and RAW files decode with libraw-wasm (the
# API's worker gets the same PATH). Expects a build in dist/ (npm test, or npx nest build api).
#   npm run test:raw-wasm                  the RAW unit specs and the studio flow
#   npm run test:raw-wasm -- worker-recovery
set -euo pipefail
cd "$(dirname "$0")/.."
hidden=" 4channels dcraw_emu dcraw_half half_mt mem_image multirender_test postprocessing_benchmark raw-identify rawtextdump simple_dcraw unprocessed_raw "
shadow="$(mktemp -d)"
chmod 755 "$shadow" # the decoder sandbox runs tools as nobody
trap 'rm -rf "$shadow"' EXIT
IFS=: read -ra dirs <<< "$PATH"
for dir in "${dirs[@]}"; do
  for file in "$dir"/*; do
    name="${file##*/}"
    [[ -x "$file" && "$hidden" != *" $name "* && ! -e "$shadow/$name" ]] && ln -s "$file" "$shadow/$name"
  done
done
node="$(command -v node)"
if [[ $# -eq 0 ]]; then set -- imaging/src/raw/ studio/jobs-flow; fi
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=NodeVersionSupportWarning"
PATH="$shadow" "$node" -e "import('./dist/libs/imaging/src/raw/testing/installed-decoder.js').then((m) => { if (m.NATIVE_RAW) { console.error('dcraw_emu is still on PATH'); process.exit(1); } })"
PATH="$shadow" exec "$node" dist/test/support/run-tests.js "$@"
