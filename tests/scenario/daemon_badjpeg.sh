#!/bin/sh
# daemon_badjpeg: truncated or corrupt JPEGs are refused, not read as whole.
# Before, the fast path declined a JPEG libjpeg warned about and OpenCV's
# decoder accepted it ("Premature end of JPEG file"), filling the rest with
# grey: a done row, exit status 0, and libjpeg's raw line on stderr.  Now
# such a file goes to failed/ with a NAME.error that says so, and nothing of
# libjpeg's reaches the log unformatted.
. "$(dirname "$0")/lib/daemon_lib.sh"

J=$(ls "$SAMPLES"/*.jpg 2>/dev/null | head -n 1)
[ -f "$J" ] || skip "no samples/*.jpg"
size=$(stat -c %s "$J")
IN=$SPOOL/incoming
mkdir -p "$T/stage"
head -c $(( size * 2 / 3 )) "$J" > "$T/stage/truncated.jpg"
# bit flips in the middle of the entropy-coded data
cp "$J" "$T/stage/flipped.jpg"
printf '\377\377\377\377\377\377\377\377\000\000\000\000' | dd of="$T/stage/flipped.jpg" bs=1 seek=$(( size / 2 )) conv=notrunc 2>/dev/null
# an EXIF block sends a JPEG down OpenCV's path: truncated there too
{ printf '\377\330\377\341\000\016Exif\000\000MM\000\052\000\000'; tail -c +3 "$J" | head -c $(( size / 2 )); } > "$T/stage/exif-truncated.jpg"
cp "$J" "$T/stage/whole.jpg"
mkconf
mv "$T/stage"/*.jpg "$IN/"
timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd --once failed"

for f in truncated.jpg flipped.jpg exif-truncated.jpg; do
	got=$(sql "SELECT status FROM documents WHERE name = '$f'")
	[ "$got" = failed ] || fail "$f recorded as '$got', expected failed"
	[ -f "$SPOOL/failed/$f" ] || fail "$f not in failed/"
	grep -q "corrupt or truncated JPEG" "$SPOOL/failed/$f.error" || fail "$f.error: $(cat "$SPOOL/failed/$f.error")"
	echo "   $f: $(cat "$SPOOL/failed/$f.error")"
done
[ "$(sql "SELECT status FROM documents WHERE name = 'whole.jpg'")" = done ] || fail "the whole JPEG was not read"
# every log line comes from digitd's logger: "digitd: ..."
if grep -v '^digitd' "$LOG" | grep -qi 'jpeg'; then
	fail "libjpeg wrote to stderr directly: $(grep -v '^digitd' "$LOG" | head -3)"
fi
ok "truncated, bit-flipped and EXIF-truncated JPEGs refused with a clear error; no raw libjpeg line"
