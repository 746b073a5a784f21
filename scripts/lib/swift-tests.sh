# Runs the Swift Testing binary with a bounded number of tests at a time and a time limit for the whole run.
# Source it from the project root after common.sh; call run_swift_tests BIN_DIR [ARGUMENTS FOR THE BINARY...].
#
# Why not `swift test`: it starts every test at once. On two cores, 460 tests that each hold database pools
# and servers starved each other: 50 ms deadlines fired after 5 s, consumers missed 10 s polls, and one run
# hung until CI's limit with nothing said about which test. Swift Testing bounds the width itself
# (--experimental-maximum-parallelization-width), which `swift test` does not pass on.
#
#   KINSHIP_TEST_WIDTH        tests running at once (default: 4 per core)
#   KINSHIP_TEST_TIME_LIMIT   seconds the whole run may take before it is stopped as hung (default 1200)

run_swift_tests() {
  local bin_dir="$1"; shift
  local width="${KINSHIP_TEST_WIDTH:-$(( $(nproc) * 4 ))}"
  local limit="${KINSHIP_TEST_TIME_LIMIT:-1200}"
  local log="${STATE_DIR}/swift-tests.log"
  mkdir -p "$STATE_DIR"
  echo "at most ${width} tests at once; the run is stopped as hung after ${limit} s; output also in ${log}"

  "${bin_dir}/KinshipPackageTests.xctest" --testing-library swift-testing \
    --experimental-maximum-parallelization-width "$width" "$@" >"$log" 2>&1 &
  local pid=$!
  tail -n +1 -f --pid="$pid" "$log" &
  local tail_pid=$!

  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge "$limit" ]; then
      report_unfinished_tests "$log"
      kill -KILL "$pid" 2>/dev/null || true
      wait "$tail_pid" 2>/dev/null || true
      fail "the Swift tests did not finish within ${limit} s (KINSHIP_TEST_TIME_LIMIT); unfinished tests are listed above"
    fi
    sleep 5
    waited=$(( waited + 5 ))
  done
  local status=0
  wait "$pid" || status=$?
  wait "$tail_pid" 2>/dev/null || true
  return "$status"
}

# Names every test that printed "started" more often than it printed an end: what a hung run is waiting for.
# Names are function names; two suites may share one, so a count is printed with each.
report_unfinished_tests() {
  printf '\nTests started and not finished:\n' >&2
  sed -E 's/\x1b\[[0-9;]*m//g' "$1" | awk '
    / Test [^ ]+ started\.$/ { name = $0; sub(/^.* Test /, "", name); sub(/ started\.$/, "", name); open[name]++ }
    / Test [^ ]+ (passed|failed|skipped)/ { name = $0; sub(/^[^ ]* Test /, "", name); sub(/ (passed|failed|skipped).*$/, "", name); open[name]-- }
    END { for (n in open) if (open[n] > 0 && n != "run") printf "  %s (%d)\n", n, open[n] }
  ' >&2
}
