#!/usr/bin/env bash
# The one test command (README, CI): type-check and build, then run every spec and suite against
# real PostgreSQL (DATABASE_URL, or an embedded one) and real S3 servers.
set -euo pipefail
cd "$(dirname "$0")/.."
# Lint and format first: zero findings (typescript-eslint's type-checked rules, Prettier).
npx eslint --max-warnings 0 .
npx prettier --check . --log-level warn
rm -rf dist
npx nest build api
# The web console (apps/console) into dist/console, which the API serves at /app and the browser tests open.
npx tsc -p apps/console/tsconfig.json
npx vite build --config apps/console/vite.config.ts
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=NodeVersionSupportWarning"
node dist/test/support/run-tests.js "$@"
