# daemon_lib.sh: shared set-up for the daemon scenario tests (sourced, POSIX sh).
#
# Gives each test a private temporary spool, database and configuration, a
# running `digitd -f` when asked, and helpers to wait on and query the real
# database.  Everything is removed on exit unless the test failed (then the
# directory is kept and named, for a post-mortem).
set -u
: "${DIGITD_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${DIGITD_BUILD:=build}"
case "$DIGITD_BUILD" in /*) BUILD=$DIGITD_BUILD ;; *) BUILD=$DIGITD_ROOT/$DIGITD_BUILD ;; esac
DIGITD=$BUILD/digitd
MKDIGITS=$BUILD/tests/mkdigits
MODEL=${DIGITD_MODEL:-$DIGITD_ROOT/models/lenet5.model}
SAMPLES=$DIGITD_ROOT/samples

skip() { echo "$*"; exit 77; }
[ -x "$DIGITD" ] || skip "no $DIGITD (make first)"
[ -x "$MKDIGITS" ] || skip "no $MKDIGITS (make unit builds the test tools)"
[ -f "$MODEL" ] || skip "no model at $MODEL"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"

T=$(mktemp -d /tmp/digitd-scenario.XXXXXX)
SPOOL=$T/spool
DB=$T/db/digitd.db
CONF=$T/digitd.conf
LOG=$T/digitd.log
PID=
FAILED=0
mkdir -p "$SPOOL/incoming" "$T/db"
: > "$LOG"

cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	if [ "$FAILED" -eq 0 ]; then chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"
	else echo "kept $T for inspection"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	FAILED=1
	echo "FAIL: $*"
	echo "--- last lines of the daemon log:"
	tail -n 25 "$LOG"
	exit 1
}
ok() { echo "ok: $*"; }

# mkconf [extra libconfig lines...]: write the configuration.
mkconf() {
	{
		echo "spool = \"$SPOOL\";"
		echo "database = \"$DB\";"
		echo "model = \"$MODEL\";"
		echo "workers = ${WORKERS:-2};"
		echo "stable_time = ${STABLE:-1.0};"
		echo "rescan_interval = ${RESCAN:-2.0};"
		echo "log_level = \"info\";"
		for l in "$@"; do echo "$l"; done
	} > "$CONF"
}

# start: run digitd -f in the background and wait for its "ready" line.
start() {
	before=$(grep -c ' ready: ' "$LOG")
	"$DIGITD" -f -c "$CONF" >> "$LOG" 2>&1 &
	PID=$!
	i=0
	while [ "$(grep -c ' ready: ' "$LOG")" -le "$before" ]; do
		kill -0 "$PID" 2>/dev/null || fail "digitd exited during start-up"
		i=$((i + 1)); [ $i -gt 300 ] && fail "digitd not ready after 30 s"
		sleep 0.1
	done
}

# stop: SIGTERM, and check it exits 0 within 5 seconds.
stop() {
	kill -TERM "$PID" || fail "digitd is not running"
	t0=$(date +%s%N)
	wait "$PID"; rc=$?
	stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	PID=
	[ $rc -eq 0 ] || fail "digitd exited $rc after SIGTERM"
	[ $stop_ms -le 5000 ] || fail "digitd took $stop_ms ms to stop"
	STOP_MS=$stop_ms
}

sql() { sqlite3 -batch -cmd ".timeout 5000" "$DB" "$@"; }
nfiles() { ls -A "$SPOOL/$1" | wc -l; }
ndocs() { sql "SELECT count(*) FROM documents ${1:-}"; }

# wait_for "SQL count" N [seconds]: until the query returns >= N.
wait_for() {
	limit=${3:-60}
	end=$(( $(date +%s) + limit ))
	while :; do
		n=$(sql "$1" 2>/dev/null || echo 0)
		[ "${n:-0}" -ge "$2" ] && return 0
		[ "$(date +%s)" -ge "$end" ] && fail "waited ${limit}s for '$1' to reach $2 (is ${n:-?})"
		[ -n "$PID" ] && { kill -0 "$PID" 2>/dev/null || fail "digitd died"; }
		sleep 0.1
	done
}

# wait_empty DIR [seconds]: until SPOOL/DIR has no entries.
wait_empty() {
	limit=${2:-60}
	end=$(( $(date +%s) + limit ))
	while [ "$(nfiles "$1")" -ne 0 ]; do
		[ "$(date +%s)" -ge "$end" ] && fail "$1/ not empty after ${limit}s: $(ls -A "$SPOOL/$1" | head -5)"
		sleep 0.1
	done
}

integrity() {
	r=$(sql "PRAGMA integrity_check")
	[ "$r" = "ok" ] || fail "integrity_check: $r"
}

# now_ms: wall clock in milliseconds.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
