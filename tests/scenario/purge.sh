#!/bin/sh
# purge: `digitctl purge` on a database filled by the real daemon, while it
# runs.  Old documents go with their pages, fields, digits (crops), unread
# regions, duplicates and originals (done/, failed/ and .error), leaving no
# orphan row or file; newer ones stay whole; --dry-run deletes nothing;
# --status limits it; and a writer waiting for the write lock during the
# purge (timed by tests/tools/writeprobe, as the daemon's commit would wait)
# never waits more than 100 ms, while files dropped meanwhile are committed.
. "$(dirname "$0")/lib/daemon_lib.sh"
CTL=$BUILD/digitctl
PROBE=$BUILD/tests/writeprobe
[ -x "$PROBE" ] || skip "no $PROBE (make unit builds the test tools)"

mkconf
start
"$MKDIGITS" "$SPOOL/incoming" 400 old
printf 'not an image\n' > "$SPOOL/incoming/bad-old.png"
nscan=0
for f in "$SAMPLES"/cheque-0[1-4].png; do cp "$f" "$SPOOL/incoming/old-scan-$(basename "$f")"; nscan=$((nscan + 1)); done
wait_for "SELECT count(*) FROM documents" $((401 + nscan)) 180
cp "$SPOOL/done/old-00000.png" "$SPOOL/incoming/again-old.png"       # a duplicate of an old document
wait_for "SELECT count(*) FROM documents WHERE status = 'duplicate'" 1
# Age them: received a year ago (the only way to have old rows without waiting).
sql "UPDATE documents SET received_at = '2025-01-01T00:00:00.000Z'"
"$MKDIGITS" "$SPOOL/incoming" 20 new 5000
printf 'not an image either\n' > "$SPOOL/incoming/bad-new.png"
wait_for "SELECT count(*) FROM documents WHERE received_at > '2026'" 21
wait_empty incoming; wait_empty work
old_docs=$(ndocs "WHERE received_at < '2026'")
old_digits=$(sql "SELECT count(*) FROM digits g JOIN documents d ON d.id = g.document_id WHERE d.received_at < '2026'")
new_digits=$(sql "SELECT count(*) FROM digits g JOIN documents d ON d.id = g.document_id WHERE d.received_at > '2026'")
[ "$old_docs" -eq $((402 + nscan)) ] && [ "$old_digits" -gt 50 ] || fail "setup: $old_docs old documents, $old_digits digits"
[ -f "$SPOOL/failed/bad-old.png.error" ] || fail "setup: no failed/bad-old.png.error"

# --- no spool known: refused, nothing deleted (rows without their originals
# would have digitd re-queue the files as uncommitted work) ---------------------
DIGITD_CONFIG=$T/none.conf "$CTL" purge --db "$DB" --older-than 30 > "$T/out" 2>&1 && fail "purge without a spool ran"
grep -q "Give --spool DIR" "$T/out" || fail "purge without a spool: $(cat "$T/out")"
[ "$(ndocs)" -eq $((old_docs + 21)) ] || fail "purge without a spool deleted rows"
ok "a purge that does not know the spool is refused"

# --- dry run: counts, deletes nothing ---------------------------------------------
before_files=$(ls "$SPOOL/done" "$SPOOL/failed" | wc -l)
out=$(DIGITD_CONFIG=$CONF "$CTL" purge --older-than 30 --dry-run) || fail "dry run: exit $?"
echo "   $out"
echo "$out" | grep -q "^would purge $old_docs documents received before .*: $old_digits digits, .* $old_docs originals" ||
	fail "dry run counts: $out"
[ "$(ndocs)" -eq $((old_docs + 21)) ] && [ "$(ls "$SPOOL/done" "$SPOOL/failed" | wc -l)" -eq "$before_files" ] || fail "dry run deleted something"
ok "--dry-run counts $old_docs documents, $old_digits digits and $old_docs originals, and deletes nothing"

# --- only failed ones -------------------------------------------------------------
DIGITD_CONFIG=$CONF "$CTL" purge --older-than 30 --status failed >/dev/null || fail "purge --status failed: exit $?"
[ "$(ndocs "WHERE status = 'failed'")" -eq 1 ] || fail "--status failed left $(ndocs "WHERE status = 'failed'") failed rows"
[ ! -e "$SPOOL/failed/bad-old.png" ] && [ ! -e "$SPOOL/failed/bad-old.png.error" ] || fail "failed original or .error left"
[ -f "$SPOOL/failed/bad-new.png" ] || fail "the new failure's original was deleted"
[ "$(ndocs "WHERE status = 'done'")" -eq $((old_docs - 2 + 20)) ] || fail "--status failed removed done rows"
ok "--status failed: the old failure, its original and its .error gone; the rest stays"

# --- the purge, with a writer timing its waits and files dropped meanwhile --------
"$PROBE" "$DB" 6 > "$T/probe" 2>&1 &
probe=$!
sleep 0.3
"$MKDIGITS" "$SPOOL/incoming" 10 during 6000
t0=$(now_ms)
DIGITD_CONFIG=$CONF "$CTL" purge --older-than 30 > "$T/purge" 2>&1 || fail "purge: exit $?: $(cat "$T/purge")"
t1=$(now_ms)
wait "$probe" || fail "writeprobe: $(cat "$T/probe")"
cat "$T/purge" | sed 's/^/   /'
echo "   purge took $((t1 - t0)) ms; writer: $(cat "$T/probe")"
max=$(sed -n 's/.* max_ms \([0-9.]*\) .*/\1/p' "$T/probe")
awk -v m="$max" 'BEGIN { exit !(m < 100) }' || fail "a writer waited $max ms for the lock during the purge"
wait_for "SELECT count(*) FROM documents WHERE name LIKE 'during-%'" 10
wait_empty incoming; wait_empty work

# --- what is left -------------------------------------------------------------------
[ "$(ndocs "WHERE received_at < '2026'")" -eq 0 ] || fail "old rows left: $(ndocs "WHERE received_at < '2026'")"
[ "$(ndocs)" -eq 31 ] || fail "$(ndocs) documents left, expected 31 (21 new, 10 during)"
for t in digits fields pages unread; do
	n=$(sql "SELECT count(*) FROM $t WHERE document_id NOT IN (SELECT id FROM documents)")
	[ "$n" -eq 0 ] || fail "$n orphan rows in $t"
done
[ "$(sql "SELECT count(*) FROM digits WHERE field_id IS NOT NULL AND field_id NOT IN (SELECT id FROM fields)")" -eq 0 ] ||
	fail "digits of deleted fields left"
[ "$(sql "SELECT count(*) FROM digits g JOIN documents d ON d.id = g.document_id WHERE d.received_at > '2026'
	AND d.name NOT LIKE 'during-%'")" -eq "$new_digits" ] || fail "new documents lost digits"
ls "$SPOOL/done" | grep -q '^old-\|^again-old' && fail "old originals left in done/: $(ls "$SPOOL/done" | grep -c '^old-')"
[ "$(ls "$SPOOL/done" | wc -l)" -eq 30 ] || fail "done/ holds $(ls "$SPOOL/done" | wc -l) files, expected 30"
[ -z "$(sql "PRAGMA foreign_key_check")" ] || fail "foreign_key_check: $(sql "PRAGMA foreign_key_check")"
integrity
ok "$old_docs old documents purged with their crops, duplicate and originals; no orphan rows or files; 31 newer intact"
ok "the longest wait for the write lock during the purge: $max ms (< 100)"
stop

# --- retain_days: the daemon purges by itself at start, then daily ---------------------
sql "UPDATE documents SET received_at = '2025-06-01T00:00:00.000Z' WHERE name LIKE 'new-%'"
mkconf "retain_days = 30;"
"$DIGITD" --check-config -c "$CONF" >/dev/null || fail "retain_days refused by --check-config"
start
wait_for "SELECT 21 - count(*) FROM documents WHERE name LIKE 'new-%'" 21 30
ls "$SPOOL/done" | grep -q '^new-' && fail "retain_days left originals of purged documents"
# the line is logged once the purge's last transaction is done, a moment
# after the rows are gone
for _ in $(seq 50); do grep -q "retain_days 30: purged 20 document(s)" "$LOG" && break; sleep 0.1; done
grep -q "retain_days 30: purged 20 document(s)" "$LOG" || fail "no retain_days log line"
[ "$(ndocs)" -eq 11 ] || fail "retain_days: $(ndocs) documents left, expected 11 (bad-new and 10 during)"
stop
ok "retain_days = 30: the daemon purged the 20 documents aged past it at start, originals included"
