#!/bin/sh
# daemon_crash: kill -9 the daemon at random moments during a burst, restart
# it, and prove exactly-once: every file ends in done/ once, with exactly one
# document row, no duplicate rows, nothing stranded in work/.
. "$(dirname "$0")/lib/daemon_lib.sh"

SMALL=${CRASH_SMALL:-250}
BIG=${CRASH_BIG:-40}
ROUNDS=${CRASH_ROUNDS:-12}
[ "${DIGITD_SANITIZED:-0}" = 1 ] && { SMALL=60; BIG=8; ROUNDS=4; }
CHEQUE=$(ls "$SAMPLES"/cheque-*.png 2>/dev/null | head -n 1)
[ -f "$CHEQUE" ] || skip "no samples/cheque-*.png"
TOTAL=$((SMALL + BIG))
mkconf

mkdir -p "$T/stage"
"$MKDIGITS" "$T/stage" "$SMALL" small || fail "mkdigits"
# slower documents, so kills also land mid-recognition; distinct content
# (a trailer after the image data) so none is a duplicate
i=0
while [ $i -lt $BIG ]; do
	{ cat "$CHEQUE"; printf 'variant %d' $i; } > "$T/stage/cheque-$i.png"
	i=$((i + 1))
done
mv "$T/stage"/* "$SPOOL/incoming/"

rand_ms() { echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 )); }

# at every instant each file is in exactly one spool directory
check_files() {
	n=$(( $(nfiles incoming) + $(nfiles work) + $(nfiles done) + $(nfiles failed) ))
	[ "$n" -eq "$TOTAL" ] || fail "$1: $n files in the spool, expected $TOTAL"
	d=$(sql "SELECT count(*) FROM (SELECT sha256 FROM documents GROUP BY sha256 HAVING count(*) > 1)" 2>/dev/null || echo 0)
	[ "$d" -eq 0 ] || fail "$1: $d contents with more than one row"
}

kills=0
round=1
while [ $round -le $ROUNDS ]; do
	start
	sleep "0.$(printf '%03d' "$(rand_ms 700)")"
	kill -9 "$PID"
	wait "$PID" 2>/dev/null
	PID=
	kills=$((kills + 1))
	rows=$(ndocs 2>/dev/null || echo 0)
	check_files "after kill $kills"
	echo "   kill -9 #$kills: $rows rows, work/ $(nfiles work), incoming/ $(nfiles incoming)"
	[ "$rows" -ge "$TOTAL" ] && break
	round=$((round + 1))
done

start
wait_for "SELECT count(*) FROM documents" "$TOTAL" 120
wait_empty work 10
wait_empty incoming 10
stop

check_files "at the end"
[ "$(ndocs)" -eq "$TOTAL" ] || fail "$(ndocs) rows for $TOTAL files"
[ "$(ndocs "WHERE status = 'done'")" -eq "$TOTAL" ] || fail "not all done: $(sql "SELECT status, count(*) FROM documents GROUP BY status")"
[ "$(sql "SELECT count(DISTINCT sha256) FROM documents")" -eq "$TOTAL" ] || fail "duplicate rows"
[ "$(nfiles done)" -eq "$TOTAL" ] || fail "done/ has $(nfiles done)"
n=$(sql "SELECT count(*) FROM documents d WHERE pages != (SELECT count(*) FROM pages WHERE document_id = d.id)")
[ "$n" -eq 0 ] || fail "$n documents with missing pages"
integrity
# the database lost (restored from nothing): every original in done/ has no
# document any more, so the next start re-queues and re-processes them all
mv "$DB" "$T/old.db"; rm -f "$DB-wal" "$DB-shm"
start
wait_for "SELECT count(*) FROM documents WHERE status = 'done'" "$TOTAL" 120
wait_empty incoming 10
wait_empty work 10
stop
[ "$(ndocs)" -eq "$TOTAL" ] && [ "$(nfiles done)" -eq "$TOTAL" ] || fail "after losing the database: $(ndocs) rows, $(nfiles done) in done/"
grep -q 're-queued as incoming' "$LOG" || fail "no re-queue logged"
ok "database lost: all $TOTAL originals in done/ re-queued and committed again, once each"

# SIGTERM in the middle of a burst: in-flight documents finish, queued ones
# stay in work/, exit within 5 s; the next start completes them, once each
i=0
while [ $i -lt 10 ]; do
	{ cat "$CHEQUE"; printf 'term %d' $i; } > "$T/stage/term-$i.png"
	i=$((i + 1))
done
start
mv "$T/stage"/term-*.png "$SPOOL/incoming/"
sleep 0.3
stop
term_ms=$STOP_MS
left=$(( $(nfiles work) + $(nfiles incoming) ))
echo "   SIGTERM mid-burst: exited in $STOP_MS ms; $(nfiles work) in work/, $(nfiles incoming) in incoming/ for the next start"
start
wait_for "SELECT count(*) FROM documents" $((TOTAL + 10)) 60
wait_empty work 10
stop
[ "$(ndocs)" -eq $((TOTAL + 10)) ] && [ "$(nfiles done)" -eq $((TOTAL + 10)) ] || fail "after SIGTERM: $(ndocs) rows, $(nfiles done) in done/"
ok "SIGTERM mid-burst: stopped in $term_ms ms, $left file(s) left for the restart, all done once"

recovered=$(grep -c 'already committed' "$LOG")
requeued=$(grep 'recovering' "$LOG" | sed 's/.*recovering \([0-9]*\).*/\1/' | awk '{s += $1} END {print s + 0}')
ok "$kills kill -9 during a $TOTAL-file burst: $TOTAL rows, $TOTAL in done/, none lost or doubled"
echo "CRASH_FIGURES kills=$kills files=$TOTAL recovered_from_work=$requeued committed_before_kill_then_moved=$recovered"
