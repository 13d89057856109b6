#!/usr/bin/env bash
# Runs heidi's performance benchmarks (issue 7) and prints a markdown table on
# stdout; the raw `go test` output goes to stderr.
#
#   bench/run.sh                      all figures
#   BENCH=Startup bench/run.sh        only the benchmarks matching a regexp
#   HEIDI_BENCH_ROUNDS=3 bench/run.sh fixed number of rounds per figure
#
# Figure 1 needs the real opencode: HEIDI_REAL_OPENCODE, or the copy that
# scripts/install-clients.sh puts in .cache/clients (used when present).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${HEIDI_REAL_OPENCODE:-}" ] && [ -x .cache/clients/node_modules/.bin/opencode ]; then
  export HEIDI_REAL_OPENCODE="$PWD/.cache/clients/node_modules/.bin/opencode"
fi

go=go
[ -x "$(go env GOROOT 2>/dev/null)/bin/go" ] && go="$(go env GOROOT)/bin/go"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
"$go" test -bench "${BENCH:-.}" -run '^$' -benchtime 1x -count 1 -timeout 30m -v ./bench/ 2>&1 | tee "$log" >&2
rc=${PIPESTATUS[0]}
set -e
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
secs=$(( $(date +%s) - start ))

echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') · $(uname -sm) · nproc $(nproc) · $("$go" env GOVERSION) · load average ${load_before} before, ${load_after} after · ${secs} s"
echo
awk '
function v(b, u) { return ((b SUBSEP u) in m) ? m[b, u] : "" }
function f(x, d) { return x == "" ? "?" : sprintf("%." d "f", x) }
function yes(c) { return c ? "yes" : "**no**" }
/^Benchmark[A-Za-z\/]+(-[0-9]+)?[ \t]+[0-9]+[ \t]/ {
  name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
  seen[name] = 1
  for (i = 3; i < NF; i += 2) m[name, $(i + 1)] = $i
}
/^--- SKIP: Benchmark/ { s = $3; sub(/^Benchmark/, "", s); skip[s] = 1 }
/^--- FAIL: Benchmark/ { s = $3; sub(/^Benchmark/, "", s); fail[s] = 1 }
END {
  print "| # | Figure | heidi | Reference (same run) | Ratio | Target | Met |"
  print "|---|---|---|---|---|---|---|"
  b = "StatusCost"
  if (b in seen)
    printf "| 1 | `heidi connect status` vs one `opencode models openai` (real opencode, warm) | %s ms wall · %s ms CPU | %s ms wall · %s ms CPU | %s× wall · %s× CPU | ≤ 1.10× | %s |\n",
      f(v(b, "status-ms"), 0), f(v(b, "status-cpu-ms"), 0), f(v(b, "models-ms"), 0), f(v(b, "models-cpu-ms"), 0),
      f(v(b, "ratio"), 2), f(v(b, "cpu-ratio"), 2), yes(v(b, "ratio") <= 1.10) " (wall)"
  else
    printf "| 1 | Status cost | %s | | | ≤ 1.10× | |\n", (b in skip) ? "skipped: set HEIDI_REAL_OPENCODE" : ((b in fail) ? "FAILED (see log)" : "not run")
  b = "Startup"
  if (b in seen) {
    printf "| 2a | exec → first wizard frame (pty, fake opencode) | %s ms wall · %s ms CPU | hello-world %s ms wall · %s ms CPU | %s× wall · %s× CPU | ≤ 50 ms | %s |\n",
      f(v(b, "firstframe-ms"), 1), f(v(b, "firstframe-cpu-ms"), 1), f(v(b, "hello-ms"), 1), f(v(b, "hello-cpu-ms"), 1),
      f(v(b, "firstframe/hello"), 1), f(v(b, "firstframe-cpu-ms") / v(b, "hello-cpu-ms"), 1), yes(v(b, "firstframe-ms") <= 50)
    printf "| 2b | `heidi --version` | %s ms wall · %s ms CPU | hello-world %s ms wall · %s ms CPU | %s× wall · %s× CPU | none (issue 17) | %s |\n",
      f(v(b, "version-ms"), 1), f(v(b, "version-cpu-ms"), 1), f(v(b, "hello-ms"), 1), f(v(b, "hello-cpu-ms"), 1),
      f(v(b, "version/hello"), 2), f(v(b, "version-cpu-ms") / v(b, "hello-cpu-ms"), 2), "—"
  } else
    printf "| 2 | Start-up | %s | | | | |\n", (b in fail) ? "FAILED (see log)" : "not run"
  b = "Throughput"
  if (b in seen)
    printf "| 3 | a render while a child floods 20 MB of mixed ANSI (ptyrun.Session + redact; p95, worst) | %s ms p95 · %s ms worst | frame 16 ms (flood %s MB/s; bare pty %s MB/s) | | p95 ≤ 16 ms | %s |\n",
      f(v(b, "render-p95-ms"), 1), f(v(b, "render-max-ms"), 1), f(v(b, "session-MB/s"), 1), f(v(b, "bare-MB/s"), 1), yes(v(b, "render-p95-ms") <= 16)
  else
    printf "| 3 | Throughput | %s | | | | |\n", (b in fail) ? "FAILED (see log)" : "not run"
  b = "KeyEcho"
  if (b in seen) {
    slow = v(b, "redact-keys>16ms") + 0
    printf "| 4 | key → echo visible in `Text()` (cat; median, with redact; without: %s ms; p95 %s ms) | %s ms | bare pty %s ms | +%s ms | ≤ bare + 16 ms | %s |\n",
      f(v(b, "session-ms"), 2), f(v(b, "redact-p95-ms"), 2), f(v(b, "redact-ms"), 2), f(v(b, "bare-ms"), 3), f(v(b, "redact-minus-bare-ms"), 2),
      yes(v(b, "redact-minus-bare-ms") <= 16) (slow > 0 ? sprintf(" (median); **%d keys > 16 ms**", slow) : "")
  } else
    printf "| 4 | Key echo | %s | | | | |\n", (b in fail) ? "FAILED (see log)" : "not run"
  b = "Memory"
  if (b in seen) {
    printf "| 5a | peak RSS (VmHWM) of heidi, full wizard run (fake opencode) | %s MB | | | ≤ 40 MB | %s |\n", f(v(b, "wizard-peak-MB"), 1), yes(v(b, "wizard-peak-MB") <= 40)
    printf "| 5b | peak RSS of a process streaming 20 MB through ptyrun | %s MB | | | ≤ 40 MB | %s |\n", f(v(b, "stream-peak-MB"), 1), yes(v(b, "stream-peak-MB") <= 40)
  } else
    printf "| 5 | Memory | %s | | | ≤ 40 MB | |\n", (b in fail) ? "FAILED (see log)" : "not run"
  b = "TimeToURL"
  if (b in seen)
    printf "| 6 | exec → authorization URL: `connect … --plain --browser` vs bare `opencode auth login -p openai -m …` (real opencode, stand-in) | %s ms | %s ms | %s× | ≤ 1.15× | %s |\n",
      f(v(b, "heidi-ms"), 0), f(v(b, "bare-ms"), 0), f(v(b, "ratio"), 2), yes(v(b, "ratio") <= 1.15)
  else
    printf "| 6 | Time to the URL | %s | | | ≤ 1.15× | |\n", (b in skip) ? "skipped: set HEIDI_REAL_OPENCODE" : ((b in fail) ? "FAILED (see log)" : "not run")
  b = "HealthyRerun/open"
  if (b in seen)
    printf "| 7 | healthy re-run `--plain --yes --skip-test` vs one `opencode models openai` (real opencode) | %s ms | %s ms | %s× | ≤ 1.2× | %s |\n",
      f(v(b, "heidi-ms"), 0), f(v(b, "models-ms"), 0), f(v(b, "ratio"), 2), yes(v(b, "ratio") <= 1.2)
  else
    printf "| 7 | Healthy re-run | %s | | | ≤ 1.2× | |\n", ((b in fail) || ("HealthyRerun" in fail)) ? "FAILED (see log)" : "not run or skipped"
  b = "HealthyRerunTested"
  if (b in seen)
    printf "| 8 | healthy re-run with the test vs `models` + `run` (real opencode, stand-in) | %s ms | %s ms | %s× | ≤ 1.1× | %s |\n",
      f(v(b, "heidi-ms"), 0), f(v(b, "bare-ms"), 0), f(v(b, "ratio"), 2), yes(v(b, "ratio") <= 1.1)
  else
    printf "| 8 | Healthy re-run, tested | %s | | | ≤ 1.1× | |\n", (b in fail) ? "FAILED (see log)" : "not run or skipped"
  b = "HealthyRerun/blackholed"
  if (b in seen)
    printf "| 9 | figure 7 on a network that drops packets (proxy that never answers) | %s ms | %s ms | +%s ms | ≤ models + 5000 ms | %s |\n",
      f(v(b, "heidi-ms"), 0), f(v(b, "models-ms"), 0), f(v(b, "extra-ms"), 0), yes(v(b, "extra-ms") <= 5000)
  else
    printf "| 9 | Blackholed re-run | %s | | | ≤ models + 5 s | |\n", ((b in fail) || ("HealthyRerun" in fail)) ? "FAILED (see log)" : "not run or skipped"
}' "$log"
exit "$rc"
