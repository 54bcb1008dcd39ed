#!/bin/sh
# daemon_spool: a real digitd -f on a temporary spool, fed the ways producers
# really write: slow chunked copies, rename-in, corrupt and non-image files,
# duplicates, links, FIFOs, directories, odd names, ignored temporaries; then
# SIGHUP with a good and a broken configuration, and SIGTERM.
. "$(dirname "$0")/lib/daemon_lib.sh"

IN=$SPOOL/incoming
CHEQUE=$(ls "$SAMPLES"/cheque-*.png 2>/dev/null | head -n 1)
[ -f "$CHEQUE" ] || skip "no samples/cheque-*.png"
mkconf
start

# --- a slow writer: chunks 0.4 s apart on one open descriptor ---------------
size=$(stat -c %s "$CHEQUE")
chunk=$(( size / 4 + 1 ))
(
	for i in 0 1 2 3; do
		dd if="$CHEQUE" bs="$chunk" skip=$i count=1 2>/dev/null
		sleep 0.4
	done
) > "$IN/slow cheque.png"
# it was open for ~1.6 s (longer than stable_time) and must not have been
# claimed half-written: the row's size is the whole file
wait_for "SELECT count(*) FROM documents WHERE name = 'slow cheque.png'" 1 30
got=$(sql "SELECT size || ' ' || status FROM documents WHERE name = 'slow cheque.png'")
[ "$got" = "$size done" ] || fail "slow write recorded as '$got', expected '$size done'"
ok "slow chunked write claimed only when complete ($size bytes, done)"

# --- a writer that keeps the file open past stable_time and a rescan -------
# on a local disk the daemon sees it is still open for writing (a read lease
# is refused) and waits for the close; the mtime rule alone would claim it
"$MKDIGITS" "$T" 1 held 5
exec 3> "$IN/held.png"
cat "$T/held-00005.png" >&3
sleep 2.5   # > stable_time (1 s) and the rescan interval (2 s)
[ -f "$IN/held.png" ] || fail "held.png was claimed while its writer still had it open"
exec 3>&-
wait_for "SELECT count(*) FROM documents WHERE name = 'held.png' AND status = 'done'" 1 15
ok "a file held open is claimed only after its writer closes it"

# --- rename-in from a temporary name ------------------------------------------
"$MKDIGITS" "$T" 1 renamed 7
cp "$T/renamed-00007.png" "$IN/.upload.tmp"
sleep 0.3
[ -f "$IN/.upload.tmp" ] || fail "a dotfile temporary was touched"
mv "$IN/.upload.tmp" "$IN/renamed.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'renamed.png' AND status = 'done'" 1 10
ok "renamed-in file processed"

# --- corrupt and non-image files: failed/ + .error + row; daemon goes on ------
printf 'this is not an image\n' > "$IN/notes.png"
head -c 2000 "$CHEQUE" > "$IN/truncated.png"
: > "$IN/empty.jpg"
printf 'plain text\n' > "$IN/readme.txt"
wait_for "SELECT count(*) FROM documents WHERE status = 'failed'" 4 20
for f in notes.png truncated.png empty.jpg readme.txt; do
	[ -f "$SPOOL/failed/$f" ] || fail "$f not in failed/"
	[ -s "$SPOOL/failed/$f.error" ] || fail "no failed/$f.error"
	e=$(sql "SELECT error FROM documents WHERE name = '$f' AND status = 'failed'")
	[ -n "$e" ] || fail "no error row for $f"
	echo "   $f: $e"
done
kill -0 "$PID" || fail "daemon died on bad input"
ok "4 bad files in failed/ with .error and a failed row"

# --- duplicates ------------------------------------------------------------
"$MKDIGITS" "$T" 1 dup 42
cp "$T/dup-00042.png" "$IN/first.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'first.png'" 1 10
cp "$T/dup-00042.png" "$IN/second.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'second.png'" 1 10
got=$(sql "SELECT d.status || ' of ' || f.name FROM documents d JOIN documents f ON f.id = d.duplicate_of WHERE d.name = 'second.png'")
[ "$got" = "duplicate of first.png" ] || fail "second copy recorded as '$got'"
n=$(sql "SELECT count(*) FROM digits d JOIN documents doc ON doc.id = d.document_id WHERE doc.name = 'second.png'")
[ "$n" -eq 0 ] || fail "duplicate got its own digits"
ok "second copy recorded as a duplicate of the first, not re-recognised"

# --- links, FIFOs, devices, directories: refused, never followed --------------
secret=$T/secret.png
cp "$CHEQUE" "$secret"
ln -s "$secret" "$IN/link.png"
ln -s /etc/shadow "$IN/shadow.png"
mkfifo "$IN/fifo.png"
mkdir "$IN/subdir.png"
cp "$CHEQUE" "$IN/subdir.png/inner.png"
mknod "$IN/null.png" c 1 3 2>/dev/null || true
sleep 0.3; kill -HUP "$PID"   # a reload forces a scan (links send no close event)
end=$(( $(date +%s) + 10 ))
while [ -e "$IN/link.png" ] || [ -e "$IN/fifo.png" ] || [ -L "$IN/shadow.png" ]; do
	[ "$(date +%s)" -ge "$end" ] && fail "links/FIFO not refused: $(ls -A "$IN")"
	sleep 0.1
done
[ -L "$SPOOL/failed/link.png" ] || fail "link.png not moved to failed/ as a link"
[ -p "$SPOOL/failed/fifo.png" ] || fail "fifo.png not moved to failed/"
grep -q "refused" "$SPOOL/failed/link.png.error" || fail "no .error for link.png"
cmp -s "$secret" "$CHEQUE" || fail "the link's target was modified"
[ -f "$IN/subdir.png/inner.png" ] || fail "a sub-directory's content was touched"
n=$(sql "SELECT count(*) FROM documents WHERE name IN ('link.png', 'shadow.png', 'fifo.png', 'null.png', 'inner.png')")
[ "$n" -eq 0 ] || fail "a refused entry got a document row"
grep -q 'subdir.png.*directory' "$LOG" || fail "sub-directory not reported"
ok "symlinks, FIFO, device moved to failed/ unread; directory left and reported"

# --- odd names -----------------------------------------------------------------
long=$(printf 'x%.0s' $(seq 1 240)).png
nl='new
line.png'
"$MKDIGITS" "$T" 4 odd 100
cp "$T/odd-00100.png" "$IN/with space.png"
cp "$T/odd-00101.png" "$IN/$nl"
cp "$T/odd-00102.png" "$IN/ütf8 – ✓ 數字.png"
cp "$T/odd-00103.png" "$IN/$long"
wait_for "SELECT count(*) FROM documents WHERE name IN ('with space.png', 'ütf8 – ✓ 數字.png', '$long') OR name = 'new' || char(10) || 'line.png'" 4 20
[ -f "$SPOOL/done/$nl" ] || fail "newline name not in done/"
[ -f "$SPOOL/done/$long" ] || fail "long name not in done/"
ok "spaces, newline, UTF-8 and a 244-byte name processed under their own names"

# a long name colliding in failed/: the .error must still fit
printf 'junk' > "$IN/$long"
wait_for "SELECT count(*) FROM documents WHERE name = '$long' AND status = 'failed'" 1 10
n=$(ls "$SPOOL/failed" | grep -c '^xxxx.*\.error$')
[ "$n" -eq 1 ] || fail "long failed name has $n .error files"
ok "long name in failed/ got a .error beside it"

# --- ignored temporaries stay -----------------------------------------------
for f in .hidden.png part.png.part x.tmp '~lock.png'; do cp "$CHEQUE" "$IN/$f"; done
sleep 2.5   # > stable_time and a rescan
for f in .hidden.png part.png.part x.tmp '~lock.png'; do
	[ -f "$IN/$f" ] || fail "ignored name $f was taken"
done
ok "dotfiles, .part, .tmp, ~ names left alone"

# --- SIGHUP: good, then broken ---------------------------------------------------
mkconf 'threshold = 0.5;'
kill -HUP "$PID"
sleep 0.5
grep -q 'configuration reloaded' "$LOG" || fail "good reload not logged"
printf 'spool = "%s";\nthreshhold = 0.7;\n' "$SPOOL" > "$CONF"
kill -HUP "$PID"
sleep 0.5
grep -q 'reload failed, keeping the settings in force:.*threshhold' "$LOG" || fail "broken reload not reported"
kill -0 "$PID" || fail "daemon died on a broken reload"
"$MKDIGITS" "$IN" 1 after-reload 9
wait_for "SELECT count(*) FROM documents WHERE name = 'after-reload-00009.png' AND status = 'done'" 1 10
ok "SIGHUP: good config applied, broken one reported and the old settings kept working"

# --- policies, changed by SIGHUP: originals = delete, duplicates = reject ----
mkconf 'originals = "delete";' 'duplicates = "reject";'
kill -HUP "$PID"
sleep 0.5
"$MKDIGITS" "$T" 1 pol 300
cp "$T/pol-00300.png" "$IN/deleted.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'deleted.png' AND status = 'done'" 1 10
sleep 0.2
[ -e "$SPOOL/done/deleted.png" ] || [ -e "$SPOOL/work/deleted.png" ] && fail "originals = delete kept the file"
cp "$T/pol-00300.png" "$IN/rejected.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'rejected.png' AND status = 'duplicate'" 1 10
sleep 0.2
grep -q "duplicate of document" "$SPOOL/failed/rejected.png.error" || fail "duplicates = reject: no .error in failed/"
ok "originals = delete removes the committed original; duplicates = reject sends the copy to failed/"

# --- a person holds the write lock longer than the busy timeout --------------
printf 'BEGIN IMMEDIATE;\n.shell sleep 7\nCOMMIT;\n' | sqlite3 "$DB" &
LOCKER=$!
sleep 0.5
"$MKDIGITS" "$IN" 1 locked 11
wait_for "SELECT count(*) FROM documents WHERE name = 'locked-00011.png'" 1 30
wait "$LOCKER"
grep -q 'locked by another connection; waiting' "$LOG" || fail "no wait logged while locked"
kill -0 "$PID" || fail "daemon died while the database was locked"
ok "a 7 s foreign write lock: the document waited and was committed"

# --- every committed document's rows are complete ---------------------------
n=$(sql "SELECT count(*) FROM documents d WHERE status = 'done' AND pages != (SELECT count(*) FROM pages p WHERE p.document_id = d.id)")
[ "$n" -eq 0 ] || fail "$n documents with missing pages"
integrity
[ "$(nfiles work)" -eq 0 ] || fail "files left in work/"

mkconf
stop
ok "SIGTERM: exited 0 in $STOP_MS ms"
echo "documents: $(ndocs) ($(ndocs "WHERE status = 'done'") done, $(ndocs "WHERE status = 'failed'") failed, $(ndocs "WHERE status = 'duplicate'") duplicate)"
