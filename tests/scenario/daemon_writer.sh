#!/bin/sh
# daemon_writer: a producer that pauses mid-file (a scanner between pages, a
# slow copy) for longer than stable_time.  Before, the periodic rescan claimed
# the file on its mtime alone: the partial bytes were hashed and recorded, the
# rest landed in the same inode in done/, and the next start processed the
# full file again (two rows for one input).  Now a file is claimed only when
# no process holds it open for writing; --once leaves such a file for the
# next run.
. "$(dirname "$0")/lib/daemon_lib.sh"

IN=$SPOOL/incoming
CHEQUE=$(ls "$SAMPLES"/cheque-*.png 2>/dev/null | head -n 1)
[ -f "$CHEQUE" ] || skip "no samples/cheque-*.png"
size=$(stat -c %s "$CHEQUE")
half=$(( size / 2 ))
RESCAN=1.0 mkconf
start

# --- write half, pause 3 s (three rescans, > stable_time), write the rest -------
exec 3> "$IN/paused.png"
head -c "$half" "$CHEQUE" >&3
sleep 3
n=$(ndocs "WHERE name = 'paused.png'")
[ "$n" -eq 0 ] || fail "a half-written file open for writing was claimed ($n row(s): $(sql "SELECT status, size, error FROM documents"))"
[ -f "$IN/paused.png" ] || fail "paused.png left incoming/ while still open for writing"
tail -c +$(( half + 1 )) "$CHEQUE" >&3
exec 3>&-
wait_for "SELECT count(*) FROM documents WHERE name = 'paused.png'" 1 15
got=$(sql "SELECT status || ' ' || size FROM documents WHERE name = 'paused.png'")
[ "$got" = "done $size" ] || fail "paused write recorded as '$got', expected 'done $size'"
ok "paused writer: claimed after the close, one row of the whole file ($size bytes)"

# a restart finds nothing to redo: still one row for the one input
stop
start
sleep 1.5
stop
[ "$(ndocs)" -eq 1 ] || fail "after a restart: $(ndocs) rows for one input: $(sql "SELECT id, status, size FROM documents")"
ok "restart: still one row"

# --- --once with a file still open for writing: left for the next run ----------
"$MKDIGITS" "$T" 1 later 8
exec 3> "$IN/later.png"
head -c 100 "$T/later-00008.png" >&3
timeout 20 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd --once failed or hung on a file held open"
[ -f "$IN/later.png" ] || fail "--once took a file still open for writing"
grep -q '"later.png" is still open for writing; left for the next run' "$LOG" || fail "--once did not say why it left later.png"
tail -c +101 "$T/later-00008.png" >&3
exec 3>&-
timeout 20 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd --once failed"
got=$(sql "SELECT status || ' ' || size FROM documents WHERE name = 'later.png'")
[ "$got" = "done $(stat -c %s "$T/later-00008.png")" ] || fail "later.png recorded as '$got'"
ok "--once leaves a file held open for the next run, which takes it whole"
