#!/usr/bin/env bash
# Runs ALL of heidi's tests after installing what they need: the real
# OpenCode/Codex clients from the npm registry. This is the README's test
# command; .ci/run calls it too.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "Go is required (https://go.dev/dl)"; exit 1; }
command -v npm >/dev/null || { echo "npm is required to install the real OpenCode client (install Node.js)"; exit 1; }
eval "$(bash scripts/install-clients.sh)"
export HEIDI_REAL_OPENCODE HEIDI_REAL_CODEX HEIDI_REAL_PLUGIN
# Older real releases side by side, for the version matrix (docs/versions.md).
eval "$(bash scripts/install-matrix.sh)"
export HEIDI_OPENCODE_MATRIX
# The real-browser test of `heidi serve` drives Debian's chromium (e2e/browser_test.go).
if ! command -v chromium >/dev/null; then
  echo "Installing chromium for the browser test of heidi serve..." >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1; then
    echo "could not install chromium (apt-get install chromium): the browser test will skip" >&2
    [ "${CI:-}" != "true" ] || exit 1
  fi
fi
if command -v chromium >/dev/null; then
  HEIDI_CHROMIUM="$(command -v chromium)"
  export HEIDI_CHROMIUM
fi
go test -race -count=1 -timeout 25m ./... "$@"
