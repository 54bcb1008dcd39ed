#!/bin/sh
# daemon_burst: 1,000 files dropped at once into a running daemon, with a
# sqlite3 reader polling throughout; then files dropped while it is down.
# Checks: every file done exactly once, back-pressure bounds work/, a reader
# never sees half a document and is never blocked, nothing left behind.
. "$(dirname "$0")/lib/daemon_lib.sh"

N=${BURST:-1000}
[ "${DIGITD_SANITIZED:-0}" = 1 ] && N=200
WORKERS=2
mkconf
start

# make the files beside the spool (same file system), then rename them all in
mkdir -p "$T/stage"
"$MKDIGITS" "$T/stage" "$N" burst || fail "mkdigits"

# a reader beside the daemon: a committed document always has all its pages
# and as many digits as its fields' texts have characters; the query must
# never fail with "database is locked".  It waits as docs/operations.md tells
# readers to (a busy timeout): the daemon's TRUNCATE checkpoint refuses new
# readers for a moment, and without one that failed about once in 20 runs
# on a loaded 2-core machine.
(
	while [ ! -f "$T/stop-reader" ]; do
		r=$(sqlite3 -batch -cmd ".timeout 5000" "$DB" "SELECT count(*) FROM documents d WHERE d.status = 'done' AND (d.pages != (SELECT count(*) FROM pages p WHERE p.document_id = d.id) OR (SELECT count(*) FROM digits g WHERE g.document_id = d.id) != (SELECT coalesce(sum(length(text)), 0) FROM fields f WHERE f.document_id = d.id))" 2>&1)
		[ "$r" = "0" ] || echo "reader saw: $r" >> "$T/reader-errors"
		echo x >> "$T/reader-count"
		sleep 0.05
	done
) &
READER=$!

maxwork=0
t0=$(now_ms)
mv "$T/stage"/*.png "$SPOOL/incoming/" 2>/dev/null  # the daemon claims while mv runs
end=$(( $(date +%s) + 120 ))
while [ "$(sql "SELECT count(*) FROM documents")" -lt "$N" ]; do
	w=$(nfiles work)
	[ "$w" -gt "$maxwork" ] && maxwork=$w
	[ "$(date +%s)" -ge "$end" ] && fail "burst not done after 120 s: $(ndocs) of $N"
	sleep 0.05
done
t1=$(now_ms)
touch "$T/stop-reader"
wait "$READER"
wait_empty work 10

ms=$((t1 - t0))
[ "$(ndocs "WHERE status = 'done'")" -eq "$N" ] || fail "expected $N done rows, got $(ndocs "WHERE status = 'done'")"
[ "$(sql "SELECT count(DISTINCT sha256) FROM documents")" -eq "$N" ] || fail "duplicate rows"
[ "$(nfiles done)" -eq "$N" ] || fail "done/ has $(nfiles done) files"
[ "$(nfiles incoming)" -eq 0 ] || fail "incoming/ not empty"
# capacity is 3 jobs per worker (2 queued + 1 being recognised)
[ "$maxwork" -le $((WORKERS * 3)) ] || fail "work/ held $maxwork files: no back-pressure"
[ -f "$T/reader-errors" ] && fail "reader: $(head -3 "$T/reader-errors")"
reads=$(wc -l < "$T/reader-count")
ok "$N files in $ms ms ($(( N * 1000 / (ms + 1) )) files/s); work/ peaked at $maxwork; $reads consistent reads, none blocked"

# --- inotify queue overflow: events lost, the rescan finds the file ---------
qmax=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 16384)
if [ "$qmax" -le 100000 ]; then
	kill -STOP "$PID"
	i=0
	while [ $i -le "$qmax" ]; do : > "$SPOOL/incoming/.ev$i"; i=$((i + 1)); done   # ignored names
	"$MKDIGITS" "$SPOOL/incoming" 1 overflow 8000          # its event is lost
	kill -CONT "$PID"
	wait_for "SELECT count(*) FROM documents WHERE name = 'overflow-08000.png'" 1 30
	grep -q 'inotify overflow' "$LOG" || fail "no overflow logged"
	rm -f "$SPOOL/incoming"/.ev*
	ok "IN_Q_OVERFLOW after $qmax events: full rescan found the file whose event was lost"
fi

# --- files dropped while the daemon is down ----------------------------------
stop
"$MKDIGITS" "$SPOOL/incoming" 50 offline 5000
start
wait_for "SELECT count(*) FROM documents WHERE name LIKE 'offline-%'" 50 30
wait_empty incoming 10
ok "50 files dropped while down processed at start-up"

integrity
stop
echo "BURST_FIGURES files=$N ms=$ms peak_work=$maxwork reader_queries=$reads"
