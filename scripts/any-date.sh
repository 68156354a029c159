#!/usr/bin/env bash
# The suite on other days (issue 21): jest again with the clock of every process it starts — jest and its workers,
# the built CLI, the sandbox, sync, the demo — moved a year ahead, then a year back, by libfaketime (Debian's
# `faketime` package). Tests must never depend on the calendar: the connector and the sandbox run on one clock.
#
#   scripts/any-date.sh                 both shifts (+365d, -365d), the whole suite
#   scripts/any-date.sh +30d -2y        other shifts (libfaketime's offsets: s, m, h, d, y)
#   ANY_DATE_PATHS="test/e2e integration_tests" scripts/any-date.sh    a part of the suite only
#
# Expects dist/ built (npm run build; npm test does it) and the faketime package installed (.ci/run installs it).
# What is moved and what is not:
# - the wall clock (Date.now, new Date, time(), gettimeofday, CLOCK_REALTIME) of every process, children included:
#   LD_PRELOAD and FAKETIME are in the environment they inherit (a container run by the image test is not, which is
#   why every run of the connector gets its clock from the sandbox's, CIO_TEST_CLOCK);
# - not the monotonic clock (FAKETIME_DONT_FAKE_MONOTONIC=1): timers, performance.now and process.hrtime keep real
#   time. libfaketime would otherwise shift it too, and a year back from the boot is before zero;
# - not `npm ci`: run it on the real clock, before (TLS certificates look expired, or not yet valid, a year away).
set -euo pipefail
cd "$(dirname "$0")/.."

shifts=("$@")
[ ${#shifts[@]} -gt 0 ] || shifts=(+365d -365d)
paths=${ANY_DATE_PATHS:-}

if ! command -v faketime >/dev/null 2>&1; then
  echo "any-date: the faketime command is missing: install Debian's faketime package (apt-get install faketime; .ci/run does)" >&2
  exit 1
fi
if [ ! -f dist/main.js ]; then
  echo "any-date: dist/main.js is missing: run npm run build first" >&2
  exit 1
fi

export FAKETIME_DONT_FAKE_MONOTONIC=1
# The multi-threaded variant (-m): node runs threads (libuv's pool, V8's platform, DuckDB's).
moved() { faketime -m -f "$1" "${@:2}"; }

# The mechanism first: a moved node, and a child it starts, must both be on libfaketime's moved clock (`date`'s),
# away from the real one, and its timers must keep real time.
check_mechanism() {
  local shift=$1 real moved_date seen
  real=$(date -u +%s)
  moved_date=$(moved "$shift" date -u +%s)
  seen=$(moved "$shift" node -e '
    const { execFileSync } = require("node:child_process");
    const t0 = performance.now();
    setTimeout(() => {
      const child = execFileSync(process.execPath, ["-e", "process.stdout.write(String(Math.floor(Date.now() / 1000)))"], { env: { ...process.env, NODE_OPTIONS: "" } }).toString();
      const waited = performance.now() - t0;
      process.stdout.write(`${Math.floor(Date.now() / 1000)} ${child} ${waited >= 190 && waited < 5000 ? "ok" : "broken"}`);
    }, 200);')
  local node_s child_s timers
  read -r node_s child_s timers <<<"$seen"
  local far=$(( moved_date - real )); far=${far#-}
  local off_node=$(( node_s - moved_date )); off_node=${off_node#-}
  local off_child=$(( child_s - moved_date )); off_child=${off_child#-}
  if [ "$far" -le 60 ] || [ "$off_node" -gt 30 ] || [ "$off_child" -gt 30 ] || [ "$timers" != ok ]; then
    echo "any-date: libfaketime does not move node's clock as asked ($shift): date $moved_date (real $real), node $node_s, its child $child_s, timers $timers" >&2
    exit 1
  fi
  echo "any-date: $shift: node and its children at $(date -u -d "@$node_s" +%FT%TZ) (real $(date -u -d "@$real" +%FT%TZ)); timers on real time"
}

status=0
for shift in "${shifts[@]}"; do
  check_mechanism "$shift"
  started=$SECONDS
  # jest directly (not npx: nothing may ask a registry on a moved clock); --ci: no snapshot is written.
  if moved "$shift" env NODE_OPTIONS=--experimental-vm-modules node node_modules/jest/bin/jest.js --ci $paths; then
    echo "any-date: the suite passed with the clock moved $shift ($((SECONDS - started)) s)"
  else
    echo "any-date: the suite FAILED with the clock moved $shift ($((SECONDS - started)) s)" >&2
    status=1
  fi
done
exit $status
