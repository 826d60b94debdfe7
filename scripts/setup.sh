#!/usr/bin/env bash
# Installs everything the repo needs on a fresh machine: Node 22 and pnpm (under .tools/,
# from the npm registry), the workspace dependencies, then the local OpenSearch and DynamoDB Local
# the integration tests run (from Maven Central into .tools/opensearch/ and .tools/dynamodb-local/;
# both need Java 17 and Maven). Safe to run again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

NODE_VERSION=22.23.3
PNPM_VERSION="$(node -p "require('./package.json').packageManager.split('@')[1]")"

have_version() { [ -x "$ROOT/.tools/node_modules/.bin/$1" ] && [ "$("$ROOT/.tools/node_modules/.bin/$1" --version)" = "$2" ]; }
if ! have_version node "v$NODE_VERSION" || ! have_version pnpm "$PNPM_VERSION"; then
  echo "setup: installing node@$NODE_VERSION and pnpm@$PNPM_VERSION into .tools/"
  mkdir -p .tools
  # --prefix keeps them out of the workspace; the `node` package ships the real binary.
  npm install --prefix "$ROOT/.tools" --no-audit --no-fund --loglevel=error \
    "node@$NODE_VERSION" "pnpm@$PNPM_VERSION"
fi
echo "setup: $(node --version), pnpm $(pnpm --version)"

if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile
else
  pnpm install
fi

# Once unpacked it is reused. Without Java 17 or Maven this warns (the OpenSearch tests will fail
# until they are installed or OPENSEARCH_URL is set) instead of failing setup for everyone else.
pnpm --silent --filter @central-logging/testkit opensearch fetch
# The same for DynamoDB Local (the alerts tests; or DYNAMODB_ENDPOINT): warns, never fails, without them.
pnpm --silent --filter @central-logging/testkit dynamodb fetch
echo "setup: done. Run the tests with: ./scripts/test.sh"
