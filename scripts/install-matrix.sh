#!/usr/bin/env bash
# Installs several real OpenCode releases side by side from the npm registry,
# each in its own prefix .cache/opencode-versions/<version>/ (git ignores
# .cache), for the version-matrix tests (e2e/matrix_test.go, docs/versions.md).
# Idempotent: a stamp file per version skips versions already installed.
#
# Usage: scripts/install-matrix.sh [version...]
#   default versions: see DEFAULT_VERSIONS (or $HEIDI_MATRIX_VERSIONS, space
#   separated). Prints the line to eval:
#   export HEIDI_OPENCODE_MATRIX=<v1>=<path1>,<v2>=<path2>,...
#
# Measured here: a cold install of the default set took 151 s (21-29 s per
# release; each is a ~150-190 MB native binary, ~530 MB on disk with its
# platform variants); a warm re-run only checks each release's --version
# (1-6 s each, ~30 s for the five on a loaded two-core machine).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm is required (install Node.js)" >&2; exit 1; }

# Kept small for CI (6): the oldest release served (no -p/-m on
# `auth login`), the first with ChatGPT Plus/Pro login built in, a 1.2 line
# release, a 1.14 one, one of the known-bad 1.14.49–1.15.x (heidi names the
# bug and goes on; issue 21), and the current one.
DEFAULT_VERSIONS="1.0.185 1.1.11 1.2.27 1.14.41 1.15.4 1.18.33"

if [ $# -gt 0 ]; then
  versions="$*"
else
  versions="${HEIDI_MATRIX_VERSIONS:-$DEFAULT_VERSIONS}"
fi

root=.cache/opencode-versions
mkdir -p "$root"
pairs=()
start=$(date +%s)
for v in $versions; do
  case "$v" in
    *[!0-9.]*|'') echo "install-matrix: not a version: $v" >&2; exit 2 ;;
  esac
  dir="$root/$v"
  bin="$dir/node_modules/.bin/opencode"
  want="opencode-ai@$v"
  stamp="$dir/.installed"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x "$bin" ]; then
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || echo '{"name":"heidi-opencode-matrix","private":true}' > "$dir/package.json"
    echo "install-matrix: installing $want into $dir" >&2
    t0=$(date +%s)
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error "$want" >&2)
    echo "$want" > "$stamp"
    echo "install-matrix: $want installed in $(( $(date +%s) - t0 )) s" >&2
  fi
  # the binary must run and report the version it was installed as
  # (with a throwaway HOME, removed afterwards)
  home="$(mktemp -d)"
  got="$(env -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME -u XDG_STATE_HOME \
    HOME="$home" timeout 60 "$bin" --version 2>/dev/null | tr -d '\r' | tail -n 1 || true)"
  rm -rf "$home"
  if [ "$got" != "$v" ]; then
    echo "install-matrix: $bin --version printed '$got', want '$v'" >&2
    exit 1
  fi
  pairs+=("$v=$(pwd)/$bin")
done
echo "install-matrix: ${#pairs[@]} versions ready in $(( $(date +%s) - start )) s" >&2
(IFS=,; echo "export HEIDI_OPENCODE_MATRIX=${pairs[*]}")
