#!/bin/sh
# Test runner for `make check`.  Runs every unit-test binary (normal build, then
# the ASan+UBSan build), then every scenario script in tests/scenario/.  Each
# test is a process: exit 0 passes, 77 skips, anything else fails.  A sanitizer
# report makes the process exit non-zero (halt_on_error), so it fails the test.
# The last line is the summary CI reads: "N passed, N failed, N skipped".
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
export DIGITD_ROOT="$ROOT"
LOGDIR="$ROOT/build/test-logs"
mkdir -p "$LOGDIR"
pass=0; fail=0; skip=0; failed=""
ONLY="${TESTS:-}"   # TESTS=pattern limits the run

run() { # name timeout cmd...
	name=$1; limit=$2; shift 2
	case "$name" in *"$ONLY"*) ;; *) return ;; esac
	log="$LOGDIR/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	timeout -k 10 "$limit" "$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then pass=$((pass+1)); echo "PASS  $name (${secs}s)"
	elif [ $rc -eq 77 ]; then skip=$((skip+1)); echo "SKIP  $name: $(tail -n 1 "$log")"
	else
		fail=$((fail+1)); failed="$failed $name"
		[ $rc -eq 124 ] && echo "FAIL  $name (timed out after ${limit}s)" || echo "FAIL  $name (exit $rc, ${secs}s)"
		tail -n 30 "$log" | sed 's/^/      | /'
	fi
}

for t in build/tests/test_*; do
	[ -x "$t" ] || continue
	DIGITD_BUILD=build run "unit/$(basename "$t")" 900 "$t"
done
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=87"
for t in build-asan/tests/test_*; do
	[ -x "$t" ] || continue
	DIGITD_SANITIZED=1 DIGITD_BUILD=build-asan run "asan/$(basename "$t")" 900 "$t"
done
unset ASAN_OPTIONS UBSAN_OPTIONS
for s in tests/scenario/*.sh; do
	[ -f "$s" ] || continue
	DIGITD_BUILD=build run "scenario/$(basename "$s" .sh)" 900 sh "$s"
done

[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
