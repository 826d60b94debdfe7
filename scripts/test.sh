#!/usr/bin/env bash
# Runs every project's lint, typecheck and tests (unit and integration), then prints one total.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
if [ ! -d node_modules ]; then
  echo "test: dependencies are not installed; run ./scripts/setup.sh first" >&2
  exit 1
fi
# Reports from an earlier run must not be counted as this run's.
rm -rf packages/*/.vitest apps/*/.vitest
pnpm run test "$@"
status=$?
node scripts/test-summary.mjs
exit $status
