#!/usr/bin/env bash
# Runs every project's lint, typecheck and tests (unit and integration).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
if [ ! -d node_modules ]; then
  echo "test: dependencies are not installed; run ./scripts/setup.sh first" >&2
  exit 1
fi
exec pnpm run test "$@"
