#!/bin/sh
# review_live: digitctl on a live database.  While a running digitd commits a
# stream of documents, reviews are stored one by one and list, show, export and
# stats read the database over and over: no command may fail (no "database is
# locked"), every review must land, and the daemon must commit every file.
. "$(dirname "$0")/lib/review_lib.sh"
MKDIGITS=$BUILD/tests/mkdigits
[ -x "$MKDIGITS" ] || skip "no $MKDIGITS (make unit builds the test tools)"
[ -x "$DIGITD" ] || skip "no $DIGITD"
[ -f "$MODEL" ] || skip "no model at $MODEL"
N=300
[ "${DIGITD_SANITIZED:-0}" = 1 ] && N=100

W=$T/w
mkdir -p "$W"
# flagged digits to review: two samples, committed before the stream starts
# (form-05: its slanted 1s are real digits the model hesitates over)
mkdb "$W" cheque-02.png=cheque-02.png form-05.jpg=form-05.jpg
NQ=$(sql "SELECT count(*) FROM review_queue")
[ "$NQ" -ge 10 ] || fail "need 10 flagged digits, have $NQ"
sed -i 's/^workers = 1;/workers = 2;/' "$CONF"
"$DIGITD" -f -c "$CONF" > "$W/daemon.log" 2>&1 &
DPID=$!
trap 'kill -9 $DPID 2>/dev/null; cleanup' EXIT

# the stream: N files in batches of 20, written beside the spool and renamed in
mkdir -p "$W/stage"
(
	i=0
	while [ $i -lt $N ]; do
		"$MKDIGITS" "$W/stage" 20 live $i > /dev/null || exit 1
		# (GNU mv may complain when digitd claims a file the instant it lands)
		mv "$W/stage"/*.png "$SPOOL/incoming/" 2> /dev/null
		i=$((i + 20))
		sleep 0.2
	done
) &
STREAM=$!

ids=$(sql "SELECT id FROM review_queue LIMIT 10")
k=0
for id in $ids; do
	k=$((k + 1))
	expect_exit 0 "$CTL" review --db "$DB" --reviewer live --set "$id=$((k % 10))"
	expect_exit 0 "$CTL" list --db "$DB" --limit 5
	expect_exit 0 "$CTL" show --db "$DB" 1
	expect_exit 0 "$CTL" export --db "$DB" --format json
	json_ok "$T/out"
	expect_exit 0 "$CTL" stats --db "$DB" --json
	json_ok "$T/out"
	expect_exit 0 "$CTL" review --db "$DB" --list --json --limit 5
	json_ok "$T/out"
done
wait $STREAM || fail "the stream of files failed"
i=0
until [ "$(sql "SELECT count(*) FROM documents")" -ge $((N + 2)) ]; do
	i=$((i + 1)); [ $i -gt 600 ] && fail "digitd committed $(sql 'SELECT count(*) FROM documents') of $((N + 2))"
	kill -0 $DPID 2>/dev/null || fail "digitd died: $(tail -5 "$W/daemon.log")"
	sleep 0.1
done
kill -TERM $DPID
wait $DPID || fail "digitd exited badly"
[ "$(sql "SELECT count(*) FROM digits WHERE reviewed_by = 'live'")" -eq 10 ] || fail "not every review landed"
for id in $ids; do
	[ -n "$(sql "SELECT reviewed_at FROM digits WHERE id = $id")" ] || fail "review of $id missing"
done
grep -qi "locked" "$W/daemon.log" && fail "the daemon saw a locked database: $(grep -i locked "$W/daemon.log" | head -3)"
expect_exit 0 "$CTL" list --db "$DB" --limit 0 --json
[ "$(sqlite3 :memory: "SELECT json_array_length(CAST(readfile('$T/out') AS TEXT))")" -eq $((N + 2)) ] || fail "list does not show every document"
ok "10 reviews and 60 reads while digitd committed $N documents; nothing locked, nothing lost"
