#!/bin/sh
# daemon_retry: a failure blocks its content only when it is about the bytes.
# Before, any failed row made every later copy "same content as failed
# document N" -> failed/, even when the failure was about the name (a .jfif
# not accepted, renamed and dropped again) or a limit since raised: a good
# document could never be processed.  Now a failure has a kind; a later copy
# of content that failed by name or limit is processed, and its outcome
# updates the failed row (one row per content, same id); content that is not
# an image stays settled by its failure.
. "$(dirname "$0")/lib/daemon_lib.sh"

IN=$SPOOL/incoming
mkconf
start
"$MKDIGITS" "$T" 2 r 30 || fail "mkdigits"

# --- the name: .jfif is not accepted; the same bytes renamed .png are read --------
cp "$T/r-00030.png" "$IN/scan.jfif"
wait_for "SELECT count(*) FROM documents WHERE name = 'scan.jfif'" 1 15
got=$(sql "SELECT status || ' ' || failure FROM documents WHERE name = 'scan.jfif'")
[ "$got" = "failed name" ] || fail "scan.jfif recorded as '$got', expected 'failed name'"
id=$(sql "SELECT id FROM documents WHERE name = 'scan.jfif'")
# --- a limit: over max_file_size, then the limit is raised ---------------------------
mkconf 'max_file_size = "1K";'
kill -HUP "$PID"
sleep 0.5
cp "$T/r-00031.png" "$IN/big.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'big.png'" 1 15
got=$(sql "SELECT status || ' ' || failure FROM documents WHERE name = 'big.png'")
[ "$got" = "failed limit" ] || fail "big.png recorded as '$got', expected 'failed limit'"
big=$(sql "SELECT id FROM documents WHERE name = 'big.png'")
# --- content: not an image, a final failure -------------------------------------------
printf 'not an image at all\n' > "$IN/notes.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'notes.png'" 1 15
got=$(sql "SELECT status || ' ' || failure FROM documents WHERE name = 'notes.png'")
[ "$got" = "failed content" ] || fail "notes.png recorded as '$got', expected 'failed content'"

mkconf
kill -HUP "$PID"
sleep 0.5
cp "$T/r-00030.png" "$IN/scan.png"
cp "$T/r-00031.png" "$IN/big-again.png"
printf 'not an image at all\n' > "$IN/notes-again.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'notes-again.png'" 1 15
wait_for "SELECT count(*) FROM documents WHERE name IN ('scan.png', 'big-again.png') AND status = 'done'" 2 15

new=$(sql "SELECT id FROM documents WHERE name = 'scan.png' AND status = 'done' AND failure IS NULL AND error IS NULL")
[ -n "$new" ] || fail "renamed copy: $(sql "SELECT id, name, status, error FROM documents")"
got=$(sql "SELECT status || ' ' || failure || ' ' || superseded_by FROM documents WHERE id = $id")
[ "$got" = "failed name $new" ] || fail "the failed row $id is '$got', expected kept and superseded by $new"
n=$(sql "SELECT count(*) FROM documents WHERE superseded_by IS NULL AND sha256 = (SELECT sha256 FROM documents WHERE id = $id)")
[ "$n" -eq 1 ] || fail "$n current rows for one content after the retry"
[ "$(sql "SELECT count(*) FROM pages WHERE document_id = $new")" -eq 1 ] || fail "the retried document has no page"
[ -f "$SPOOL/done/scan.png" ] || fail "scan.png not in done/"
ok "a copy of content that failed by name is processed: new row $new, the failed row $id kept and linked"

got=$(sql "SELECT status FROM documents WHERE name = 'big-again.png'")
[ "$got" = "done" ] || fail "copy after raising max_file_size: '$got', expected done"
[ "$(sql "SELECT superseded_by = (SELECT id FROM documents WHERE name = 'big-again.png') FROM documents WHERE id = $big")" = 1 ] ||
	fail "the limit failure $big is not linked to the copy read after raising the limit"
ok "a copy of content that failed a limit is processed once the limit is raised"

got=$(sql "SELECT status FROM documents WHERE name = 'notes-again.png'")
[ "$got" = "duplicate" ] || fail "copy of non-image content recorded as '$got', expected duplicate"
grep -q "same content as failed document" "$SPOOL/failed/notes-again.png.error" || fail "non-image copy: no 'same content as failed' .error"
ok "a copy of content that is not an image stays settled by its failure"
stop
integrity
