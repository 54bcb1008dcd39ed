#!/bin/sh
# daemon_dbgone: the database deleted (rm of the file, -wal and -shm) or
# replaced (another file renamed over it) while digitd runs.  Before, results
# kept going into the unlinked file without a word and, with originals =
# "delete", every document processed since was lost.  Now the writer sees
# that the path no longer names the file it opened, commits nothing more,
# keeps the original in work/ and exits non-zero; the restart opens the
# database at the path and processes the file there.
. "$(dirname "$0")/lib/daemon_lib.sh"

IN=$SPOOL/incoming
mkconf 'originals = "delete";'
"$MKDIGITS" "$T" 4 g 20 || fail "mkdigits"

# wait_exit: digitd must exit by itself within 15 s; sets RC
wait_exit() {
	i=0
	while kill -0 "$PID" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 150 ] && fail "digitd kept running on a $1 database"
		sleep 0.1
	done
	wait "$PID"; RC=$?; PID=
}

first=20
# (not $n: the library's wait_for uses it)
for how in deleted replaced; do
	start
	cp "$T/g-000$first.png" "$IN/first-$how.png"
	wait_for "SELECT count(*) FROM documents WHERE name = 'first-$how.png'" 1 15
	if [ $how = deleted ]; then
		rm -f "$DB" "$DB-wal" "$DB-shm"
	else
		sqlite3 "$DB" ".backup '$T/copy.db'" && mv "$T/copy.db" "$DB" || fail "cannot replace the database"
	fi
	cp "$T/g-000$((first + 1)).png" "$IN/second-$how.png"
	wait_exit $how
	[ $RC -ne 0 ] || fail "digitd exited 0 after its database was $how"
	grep -q "the database file was $how while digitd had it open" "$LOG" || fail "no error logged for a $how database"
	[ -f "$SPOOL/work/second-$how.png" ] || fail "second-$how.png is not kept in work/ (originals = delete): $(ls -A "$SPOOL"/*)"
	ok "database $how: digitd exited $RC, the original stays in work/"

	# the restart opens the database at the path and commits it there
	start
	wait_for "SELECT count(*) FROM documents WHERE name = 'second-$how.png' AND status = 'done'" 1 15
	wait_empty work 10
	stop
	ok "restart: second-$how.png committed to the database at the path"
	first=$((first + 2))
done
integrity
