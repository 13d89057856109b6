#!/usr/bin/env bash
# Installs the real clients the tests run against, from the npm registry, into
# .cache/clients (git ignores it). Exact versions: the tests assert their
# measured behaviour. Prints the lines to export.
set -euo pipefail
cd "$(dirname "$0")/.."
OPENCODE_VERSION=1.18.33
CODEX_VERSION=0.169.0
PLUGIN_VERSION=4.4.0
dir=.cache/clients
want="opencode-ai@$OPENCODE_VERSION @openai/codex@$CODEX_VERSION opencode-openai-codex-auth@$PLUGIN_VERSION"
stamp="$dir/.installed"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x "$dir/node_modules/.bin/opencode" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"heidi-test-clients","private":true}' > "$dir/package.json"
  echo "installing $want from the npm registry into $dir" >&2
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error $want >&2)
  echo "$want" > "$stamp"
fi
bin="$(pwd)/$dir/node_modules/.bin"
"$bin/opencode" --version >/dev/null
echo "export HEIDI_REAL_OPENCODE=$bin/opencode"
echo "export HEIDI_REAL_CODEX=$bin/codex"
echo "export HEIDI_REAL_PLUGIN=$bin/opencode-openai-codex-auth"
