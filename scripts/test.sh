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
go test -race -count=1 -timeout 25m ./... "$@"
