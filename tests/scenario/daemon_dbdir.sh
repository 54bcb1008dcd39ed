#!/bin/sh
# daemon_dbdir: what an operator sees when the database cannot be used:
# read-only directory or file system, a full file system (at start, and
# filling up while running: intake pauses, then resumes), a database from a
# newer digitd, another program's SQLite file, a corrupt file, a broken
# configuration.  Each must be a clear message and a non-zero exit, never a
# half-processed spool.
. "$(dirname "$0")/lib/daemon_lib.sh"

mkconf
"$MKDIGITS" "$SPOOL/incoming" 3 x

expect_refusal() { # label pattern
	out=$(timeout 30 "$DIGITD" --once -c "$CONF" 2>&1); rc=$?
	[ $rc -eq 1 ] || fail "$1: exit $rc, expected 1: $out"
	echo "$out" | grep -q -- "$2" || fail "$1: message does not match '$2': $out"
	[ "$(nfiles incoming)" -eq 3 ] || fail "$1: files were taken from incoming/"
	echo "   $1: $(echo "$out" | head -n 1)"
}

# --- not a database, another program's, newer, corrupt ------------------------
printf 'hello, I am a text file that is long enough to look like something\n' > "$DB"
expect_refusal "text file as database" "not a digitd database"
rm -f "$DB"; sqlite3 "$DB" "CREATE TABLE mine(x); INSERT INTO mine VALUES (1)"
expect_refusal "another program's SQLite file" "not a digitd database"
rm -f "$DB"
timeout 30 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "first run failed"
mkdir -p "$SPOOL/incoming"; "$MKDIGITS" "$SPOOL/incoming" 3 x 10
sql "PRAGMA user_version = 42"
expect_refusal "newer schema" "newer than this digitd knows"
cp "$DB" "$T/good.db"
dd if=/dev/urandom of="$DB" bs=1024 seek=1 count=8 conv=notrunc 2>/dev/null
expect_refusal "corrupt database" "digitd database\|corrupt\|malformed"
rm -f "$DB" "$DB-wal" "$DB-shm"
ok "foreign, newer and corrupt databases refused with clear messages; incoming/ untouched"

# --- broken configuration -----------------------------------------------------
printf 'spool = "%s";\ndatabase = "%s";\nmodel = "%s";\nworkers = "many";\n' "$SPOOL" "$DB" "$MODEL" > "$T/bad.conf"
out=$("$DIGITD" --check-config -c "$T/bad.conf" 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "bad.conf:4" || fail "--check-config on a bad file: rc=$rc: $out"
"$DIGITD" --check-config -c "$CONF" >/dev/null 2>&1 || fail "--check-config rejects a good file"
"$DIGITD" --bogus >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option is not exit 2"
"$DIGITD" --help | grep -q "EXIT STATUS" || fail "--help lacks EXIT STATUS"
ok "configuration errors name file:line; usage errors exit 2"

# --- read-only and full file systems (needs a private mount namespace) --------
if ! unshare -m true 2>/dev/null; then
	echo "no mount namespaces here: read-only/full checks skipped"
	exit 0
fi
export DIGITD CONF DB T SPOOL
out=$(unshare -m sh -c 'mount --bind "$T/db" "$T/db" && mount -o remount,ro,bind "$T/db" &&
	timeout 30 "$DIGITD" --once -c "$CONF"' 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "read-only" || fail "read-only database directory: rc=$rc: $out"
echo "   read-only: $(echo "$out" | head -n 1)"
[ "$(nfiles incoming)" -eq 3 ] || fail "read-only: files were taken"

out=$(unshare -m sh -c 'mount -t tmpfs -o size=256k tmpfs "$T/db" &&
	dd if=/dev/zero of="$T/db/fill" bs=4k 2>/dev/null; timeout 30 "$DIGITD" --once -c "$CONF"' 2>&1); rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "full" || fail "full database file system: rc=$rc: $out"
echo "   full: $(echo "$out" | head -n 1)"
[ "$(nfiles incoming)" -eq 3 ] || fail "full: files were taken"
ok "read-only and full database directories refused with clear messages"

# --- filling up while running: intake pauses, resumes when space is back ------
mkconf 'min_free_space = "2M";'
out=$(unshare -m sh -c '
	mount -t tmpfs -o size=8m tmpfs "$T/db" || exit 3
	"$DIGITD" -f -c "$CONF" 2>"$T/run.log" & pid=$!
	i=0; while ! grep -q "ready:" "$T/run.log"; do sleep 0.1; i=$((i+1)); [ $i -gt 100 ] && exit 4; done
	i=0; while [ -n "$(ls -A "$SPOOL/incoming")" ]; do sleep 0.1; i=$((i+1)); [ $i -gt 100 ] && exit 5; done
	dd if=/dev/zero of="$T/db/fill" bs=64k count=100 2>/dev/null   # leaves < 2 MiB free
	sleep 1.2
	"'"$MKDIGITS"'" "$SPOOL/incoming" 2 late 77
	sleep 2
	n=$(ls -A "$SPOOL/incoming" | wc -l)
	rm -f "$T/db/fill"
	i=0; while [ -n "$(ls -A "$SPOOL/incoming")" ]; do sleep 0.1; i=$((i+1)); [ $i -gt 100 ] && exit 6; done
	kill -TERM $pid; wait $pid || exit 7
	echo "waiting=$n"' 2>&1); rc=$?
cat "$T/run.log" >> "$LOG"
[ $rc -eq 0 ] || fail "disk-full run: rc=$rc: $out"
echo "$out" | grep -q "waiting=2" || fail "intake did not pause while full: $out"
grep -q "intake paused" "$T/run.log" || fail "no 'intake paused' line"
grep -q "intake resumed" "$T/run.log" || fail "no 'intake resumed' line"
echo "   $(grep 'intake paused' "$T/run.log" | head -n 1)"
ok "a filling disk pauses intake with a clear line; files wait in incoming/ and go through once space is back"
