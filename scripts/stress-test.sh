#!/usr/bin/env bash
# The suite under load: starts STRESS_BURNERS busy-loop processes (default 2: `node -e 'for(;;){}'`, one per
# core of a 2-core CI machine), runs `npm test` beside them with the reporters .ci/run uses, stops the
# burners and exits with the tests' status. The suite must pass like this: it has no wall-clock assertions
# and no upstream deadline a slow machine can miss (see README, Tests).
#
#   scripts/stress-test.sh                      # embedded PGlite unless DATABASE_URL is set
#   STRESS_BURNERS=4 scripts/stress-test.sh test/integration   # more load; extra arguments go to vitest
#   STRESS_REPORT=/tmp/stress.json scripts/stress-test.sh      # keep the JSON report (default: a temp file)
#
# From .ci/run, one line:  scripts/stress-test.sh
set -uo pipefail
cd "$(dirname "$0")/.."

burners="${STRESS_BURNERS:-2}"
if ! [[ "$burners" =~ ^[0-9]+$ ]]; then
  echo "STRESS_BURNERS must be a whole number (got '$burners')" >&2
  exit 2
fi
report="${STRESS_REPORT:-}"
if [[ -z "$report" ]]; then
  report_dir=$(mktemp -d)
  report="$report_dir/stress.json"
fi

pids=()
stop_burners() {
  if ((${#pids[@]})); then
    kill "${pids[@]}" 2>/dev/null
    wait "${pids[@]}" 2>/dev/null
    pids=()
  fi
}
trap stop_burners EXIT
trap 'stop_burners; exit 130' INT
trap 'stop_burners; exit 143' TERM

for ((i = 0; i < burners; i++)); do
  node -e 'for(;;){}' &
  pids+=($!)
done
echo "== npm test beside $burners CPU burner(s)${pids[*]:+ (pids ${pids[*]})}; database: ${DATABASE_URL:+PostgreSQL}${DATABASE_URL:-embedded PGlite}"
SECONDS=0
npm test -- --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
stop_burners
echo "== stress pass took ${SECONDS}s"
if [[ -f "$report" ]]; then
  node -e 'const r=require(process.argv[1]);console.log(`stress (${process.argv[2]} burners): ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$report" "$burners"
fi
exit "$status"
