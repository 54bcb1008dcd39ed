#!/bin/sh
# daemon_checkconf: `digitd --check-config` lists every error at once (bad
# keys, then paths that do not exist or are not what they should be, a
# model that does not load), says "configuration ok" only for a usable
# configuration, and writes nothing; digitd creates a missing spool whose
# parent exists, and refuses one whose parent is missing.
. "$(dirname "$0")/lib/daemon_lib.sh"

check() { # label expected-rc conf
	out=$("$DIGITD" --check-config -c "$3" 2>&1); rc=$?
	echo "$out" | sed 's/^/   | /'
	[ $rc -eq "$2" ] || fail "$1: exit $rc, expected $2"
}

# --- three bad keys: all three named, with their lines -----------------------
printf 'spool = "%s";\ndatabase = "%s";\nmodel = "%s";\nworkers = "many";\ntreshold = 0.5;\noriginals = "shred";\n' \
	"$SPOOL" "$DB" "$MODEL" > "$T/keys.conf"
check "three bad keys" 1 "$T/keys.conf"
for want in "keys.conf:4: 'workers' must be an integer" "keys.conf:5: unknown key 'treshold' (did you mean 'threshold'?)" \
	    "keys.conf:6: 'originals' must be"; do
	echo "$out" | grep -qF "$want" || fail "three bad keys: '$want' missing"
done
[ "$(echo "$out" | wc -l)" -eq 3 ] || fail "three bad keys: expected 3 lines"
ok "three bad keys reported at once, each with its line"

# --- three bad paths ---------------------------------------------------------
printf 'not a model\n' > "$T/garbage.model"
printf 'spool = "%s";\ndatabase = "%s";\nmodel = "%s";\n' "$T/no/such/spool" "$T/nodir/digitd.db" "$T/garbage.model" \
	> "$T/paths.conf"
check "three bad paths" 1 "$T/paths.conf"
echo "$out" | grep -q "spool $T/no/such/spool does not exist, nor does its parent" || fail "missing spool parent not named"
echo "$out" | grep -q "database: $T/nodir/digitd.db: database directory $T/nodir" || fail "missing database directory not named"
echo "$out" | grep -q "model: $T/garbage.model" || fail "unloadable model not named"
echo "$out" | grep -q "configuration ok" && fail "'configuration ok' despite errors"
[ -e "$T/no" ] || [ -e "$T/nodir" ] && fail "--check-config created something"
ok "missing spool parent, missing database directory and a damaged model reported at once"

# --- wrong kinds: spool is a file, database is a text file or a newer schema --
: > "$T/spoolfile"
printf 'hello, I am a text file and long enough to have a header of a hundred bytes or so, yes indeed.....\n' \
	> "$T/text.db"
printf 'spool = "%s";\ndatabase = "%s";\nmodel = "%s";\n' "$T/spoolfile" "$T/text.db" "$MODEL" > "$T/kinds.conf"
check "wrong kinds" 1 "$T/kinds.conf"
echo "$out" | grep -q "spool $T/spoolfile: not a directory" || fail "spool that is a file not named"
echo "$out" | grep -q "not a digitd database" || fail "text file as database not named"
sqlite3 "$T/newer.db" "PRAGMA application_id = 1145522516; PRAGMA user_version = 42; CREATE TABLE t(x)"
printf 'spool = "%s";\ndatabase = "%s";\nmodel = "%s";\n' "$SPOOL" "$T/newer.db" "$MODEL" > "$T/newer.conf"
check "newer database" 1 "$T/newer.conf"
echo "$out" | grep -q "newer than this digitd knows" || fail "newer schema not named"
ok "a spool that is a file, a text file and a newer schema as database refused"

# --- a good configuration, with a spool to be created --------------------------
rm -rf "$SPOOL"
mkconf
check "good config, spool to create" 0 "$CONF"
echo "$out" | grep -q "configuration ok" || fail "no 'configuration ok'"
[ -e "$SPOOL" ] && fail "--check-config created the spool"
[ -e "$DB" ] && fail "--check-config created the database"
timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd --once with a spool to create failed"
for d in incoming work done failed; do [ -d "$SPOOL/$d" ] || fail "spool/$d/ not created"; done
"$MKDIGITS" "$SPOOL/incoming" 2 x
timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "second run failed"
[ "$(ndocs "WHERE status = 'done'")" -eq 2 ] || fail "documents not processed in the created spool"
check "good config, existing database" 0 "$CONF"
ok "configuration ok for a usable config; digitd created the spool tree and processed files there"

# --- a spool whose parent is missing: not created, a clear message -------------
sed "s|^spool = .*|spool = \"$T/missing/spool\";|" "$CONF" > "$T/noparent.conf"
out=$(timeout 30 "$DIGITD" --once -c "$T/noparent.conf" 2>&1); rc=$?
[ $rc -eq 1 ] || fail "spool without parent: exit $rc"
echo "$out" | grep -q "does not exist, nor does its parent directory" || fail "spool without parent: $out"
[ -e "$T/missing" ] && fail "a chain of parents was created"
ok "a spool whose parent is missing is refused, not created"
