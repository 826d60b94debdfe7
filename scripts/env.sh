# Sourced by the other scripts: puts the project's own Node 22 and pnpm first on PATH.
# The machine may have an older Node; setup.sh installs pinned ones under .tools/.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
export PATH="$ROOT/.tools/node_modules/.bin:$ROOT/node_modules/.bin:$PATH"
# Nx's daemon outlives the command and is of no use to one-shot runs.
export NX_DAEMON=false
export NX_NO_CLOUD=true
export NX_TUI=false
