#!/bin/sh
# daemon_requeue: `digitctl retry` and `digitctl reprocess` send documents back
# through the running daemon, and nothing is lost.  Before, a document that
# failed stayed failed (a content failure settled its bytes forever) and a done
# document could not be read again with a newer model.  Now retry moves a
# failed original from failed/ back into incoming/ (a .jfif under a name
# `accept` takes), reprocess a done one from done/; each new reading is a new
# row, the old row kept with its error or its digits and linked to it
# (superseded_by), shown by list and show; a document whose original was
# deleted is refused with a clear message.
. "$(dirname "$0")/lib/daemon_lib.sh"
CTL=$BUILD/digitctl
[ -x "$CTL" ] || skip "no $CTL"
export DIGITD_CONFIG=$CONF
IN=$SPOOL/incoming
mkconf
start
"$MKDIGITS" "$T" 3 r 40 || fail "mkdigits"

cp "$T/r-00040.png" "$IN/scan.jfif"                 # fails by name
printf 'not an image at all\n' > "$IN/notes.png"   # fails by content
cp "$SAMPLES/cheque-01.png" "$IN/good.png"          # done, with digits
wait_for "SELECT count(*) FROM documents" 3 20
wait_empty work 20
jfif=$(sql "SELECT id FROM documents WHERE name = 'scan.jfif' AND failure = 'name'")
notes=$(sql "SELECT id FROM documents WHERE name = 'notes.png' AND failure = 'content'")
good=$(sql "SELECT id FROM documents WHERE name = 'good.png' AND status = 'done'")
[ -n "$jfif" ] && [ -n "$notes" ] && [ -n "$good" ] || fail "setup: $(sql "SELECT id, name, status, failure FROM documents")"
ngood=$(sql "SELECT count(*) FROM digits WHERE document_id = $good")
[ "$ngood" -gt 0 ] || fail "good.png: no digits read"

# --- usage and refusals -----------------------------------------------------
"$CTL" retry > "$T/out" 2> "$T/err"; [ $? -eq 2 ] || fail "retry with nothing: not a usage error"
"$CTL" retry "$good" > "$T/out" 2> "$T/err" && fail "retry of a done document succeeded"
grep -q "is done, not failed" "$T/err" || fail "retry of a done document: $(cat "$T/err")"
"$CTL" reprocess "$jfif" > "$T/out" 2> "$T/err" && fail "reprocess of a failed document succeeded"
"$CTL" retry --dry-run "$jfif" > "$T/out" 2>&1 || fail "dry run: $(cat "$T/out")"
grep -q "incoming/scan.jpg\|incoming/scan.png" "$T/out" || fail "dry run says: $(cat "$T/out")"
[ -f "$SPOOL/failed/scan.jfif" ] || fail "dry run moved the file"
ok "usage errors, wrong status and --dry-run change nothing"

# --- retry by name: back under an accepted name, read, old row linked --------
"$CTL" retry "$jfif" > "$T/out" 2> "$T/err" || fail "retry $jfif: $(cat "$T/err")"
wait_for "SELECT count(*) FROM documents WHERE superseded_by IS NOT NULL AND id = $jfif" 1 20
new=$(sql "SELECT superseded_by FROM documents WHERE id = $jfif")
got=$(sql "SELECT status || ' ' || name FROM documents WHERE id = $new")
[ "$got" = "done scan.png" ] || fail "retried .jfif read as '$got'"
got=$(sql "SELECT status || ' ' || failure || ' ' || (error IS NOT NULL) FROM documents WHERE id = $jfif")
[ "$got" = "failed name 1" ] || fail "old row changed: '$got'"
[ -f "$SPOOL/failed/scan.jfif" ] && fail "failed/scan.jfif still there"
[ -f "$SPOOL/failed/scan.jfif.error" ] && fail "failed/scan.jfif.error left behind"
[ -f "$SPOOL/done/scan.png" ] || fail "the retried file is not in done/"
"$CTL" show "$jfif" > "$T/show" || fail "show $jfif"
grep -q "superseded by document $new" "$T/show" || fail "show of the old row: $(cat "$T/show")"
"$CTL" show "$new" > "$T/show" || fail "show $new"
grep -q "supersedes document $jfif" "$T/show" || fail "show of the new row: $(cat "$T/show")"
"$CTL" list > "$T/list" || fail "list"
grep -Eq "^ *$jfif .* failed>$new " "$T/list" || fail "list does not mark the old row: $(cat "$T/list")"
"$CTL" retry "$jfif" > "$T/out" 2> "$T/err" && fail "a superseded row was retried again"
grep -q "superseded by document $new" "$T/err" || fail "second retry: $(cat "$T/err")"
ok "retry: failed/scan.jfif read again as scan.png (document $new), the failed row $jfif kept and linked"

# --- retry --failed: a content failure is read again and fails again ---------
"$CTL" retry --failed > "$T/out" 2> "$T/err" || fail "retry --failed: $(cat "$T/err")"
grep -q "document $notes: failed/notes.png -> incoming/notes.png" "$T/out" || fail "retry --failed said: $(cat "$T/out")"
wait_for "SELECT count(*) FROM documents WHERE superseded_by IS NOT NULL AND id = $notes" 1 20
nn=$(sql "SELECT superseded_by FROM documents WHERE id = $notes")
got=$(sql "SELECT status || ' ' || failure FROM documents WHERE id = $nn")
[ "$got" = "failed content" ] || fail "notes.png read again as '$got'"
[ -f "$SPOOL/failed/notes.png" ] && [ -f "$SPOOL/failed/notes.png.error" ] || fail "notes.png not back in failed/ with its .error"
ok "retry --failed: a content failure is read again (document $nn), fails again, old row $notes kept"

# --- reprocess: a done document read again, the old results kept ------------
"$CTL" reprocess "$good" > "$T/out" 2> "$T/err" || fail "reprocess: $(cat "$T/err")"
wait_for "SELECT count(*) FROM documents WHERE superseded_by IS NOT NULL AND id = $good" 1 20
ng=$(sql "SELECT superseded_by FROM documents WHERE id = $good")
[ "$(sql "SELECT status FROM documents WHERE id = $ng")" = done ] || fail "reprocessed row is not done"
[ "$(sql "SELECT count(*) FROM digits WHERE document_id = $good")" -eq "$ngood" ] || fail "old digits lost"
[ "$(sql "SELECT count(*) FROM digits WHERE document_id = $ng")" -eq "$ngood" ] || fail "new reading differs in digit count"
[ "$(sql "SELECT count(*) FROM document_text WHERE document_id = $good")" -eq 0 ] || fail "document_text shows the superseded row"
[ "$(sql "SELECT count(*) FROM review_queue WHERE document_id = $good")" -eq 0 ] || fail "review_queue shows the superseded row"
[ -f "$SPOOL/done/good.png" ] || fail "good.png not back in done/"
ok "reprocess: document $good read again as $ng with the same digits; the old row and its $ngood digits kept, out of the queues"

# --- reprocess --since, and with originals = "delete" ------------------------
"$CTL" reprocess --since 1h > "$T/out" 2> "$T/err" || fail "reprocess --since: $(cat "$T/err")"
n=$(grep -c "done/.* -> incoming/" "$T/out")
[ "$n" -eq 2 ] || fail "reprocess --since 1h sent back $n documents, expected 2 (scan.png and good.png's new row): $(cat "$T/out")"
wait_for "SELECT count(*) FROM documents WHERE superseded_by IS NOT NULL" 5 20
wait_empty incoming 20
wait_empty work 20

mkconf 'originals = "delete";'
kill -HUP "$PID"
sleep 0.5
cp "$T/r-00042.png" "$IN/gone.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'gone.png'" 1 20
gone=$(sql "SELECT id FROM documents WHERE name = 'gone.png'")
"$CTL" reprocess "$gone" > "$T/out" 2> "$T/err" && fail "reprocess of a deleted original succeeded"
grep -q "original was not kept" "$T/err" || fail "reprocess of a deleted original: $(cat "$T/err")"
ok "reprocess --since sends back each current done row; a deleted original is refused clearly"

stop
# every input accounted for: one current row per content, nothing stuck
n=$(sql "SELECT count(*) FROM (SELECT sha256 FROM documents WHERE status IN ('done','failed') AND superseded_by IS NULL GROUP BY sha256 HAVING count(*) > 1)")
[ "$n" -eq 0 ] || fail "$n contents with two current rows"
[ "$(nfiles incoming)" -eq 0 ] && [ "$(nfiles work)" -eq 0 ] || fail "files left in incoming/ or work/"
integrity
