#!/bin/sh
# daemon_owner: one digitd per spool.  A second `digitd -f` on the same spool
# and database, or `digitd --once` from cron while the service runs, must
# refuse at once (exit 3, naming the holder's PID) and touch nothing: before
# the lock, both started and each took up the other's files in work/.
. "$(dirname "$0")/lib/daemon_lib.sh"

mkconf
start

for mode in "-f" "--once"; do
	timeout 10 "$DIGITD" $mode -c "$CONF" > "$T/second.out" 2>&1
	rc=$?
	[ $rc -eq 124 ] && fail "a second digitd $mode kept running beside the first"
	[ $rc -eq 3 ] || { cat "$T/second.out"; fail "a second digitd $mode exited $rc, expected 3"; }
	grep -q "in use by another digitd (PID $PID " "$T/second.out" ||
		{ cat "$T/second.out"; fail "the refusal does not name the holder's PID $PID"; }
	ok "second digitd $mode refused with exit 3: $(sed 's/^.*\] //' "$T/second.out" | head -c 120)..."
done
grep -q "^$PID\$" "$SPOOL/digitd.lock" || fail "lock file does not hold the PID $PID"
kill -0 "$PID" || fail "the first digitd died"

# the first one still works, and after it stops the lock is free again
"$MKDIGITS" "$SPOOL/incoming" 1 owner 3 || fail "mkdigits"
wait_for "SELECT count(*) FROM documents WHERE status = 'done'" 1 15
stop
timeout 20 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd --once refused after the service stopped"
ok "the lock is released at exit: --once runs once the service has stopped"

# kill -9 leaves the file but not the lock: a restart is never blocked
start
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
start
stop
ok "after kill -9 the next start takes the lock"
