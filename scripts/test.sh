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
# The Windows tier runs heidi.exe under Debian's wine 8, with a ProcessPrng
# shim built by mingw (e2e/windows_test.go).
if ! command -v wine >/dev/null || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
  echo "Installing wine and mingw for the Windows tier..." >&2
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wine64 gcc-mingw-w64-x86-64; } >/dev/null 2>&1; then
    echo "could not install wine64 and gcc-mingw-w64-x86-64: the Windows tier will skip" >&2
    [ "${CI:-}" != "true" ] || exit 1
  fi
fi
if command -v wine >/dev/null && command -v x86_64-w64-mingw32-gcc >/dev/null; then
  export HEIDI_WINE=1
fi
if command -v chromium >/dev/null; then
  HEIDI_CHROMIUM="$(command -v chromium)"
  export HEIDI_CHROMIUM
fi
go test -race -count=1 -timeout 25m ./... "$@"
