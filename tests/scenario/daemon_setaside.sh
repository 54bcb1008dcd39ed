#!/bin/sh
# daemon_setaside: no crash loop.  A file that every run ends on (a decoder
# crash, a decode longer than WatchdogSec=) sat in work/ and was read again
# at every restart, forever.  Now each start counts the files it finds in
# work/ (SPOOL/digitd.recovered); the third start in a row that finds the
# same one fails it unread, to failed/ with the reason, as a transient
# failure (dropped again once the cause is fixed, it is read again).  The
# runs here are ended with kill -9 while a large page is being read.
. "$(dirname "$0")/lib/daemon_lib.sh"

# 64 MP of noise: about a second to read, long enough to be killed in
(printf 'P5\n8000 8000\n255\n'; head -c 64000000 /dev/urandom) > "$T/big.pgm"
mkconf
start
cp "$T/big.pgm" "$SPOOL/incoming/big.pgm"
i=0
while [ "$(nfiles work)" = 0 ]; do
	i=$((i + 1)); [ $i -gt 500 ] && fail "big.pgm never claimed"
	sleep 0.01
done
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
for round in 1 2; do
	start      # recovery runs before "ready": the page is being read now
	kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
	[ "$(nfiles work)" = 1 ] || fail "round $round: big.pgm left work/ before the kill (a faster machine? a larger page)"
	[ "$(cat "$SPOOL/digitd.recovered" | cut -d' ' -f1)" = "$round" ] ||
		fail "round $round: digitd.recovered says '$(cat "$SPOOL/digitd.recovered")'"
done
ok "two starts in a row ended while big.pgm was in flight"

start
wait_for "SELECT count(*) FROM documents WHERE name = 'big.pgm'" 1 20
got=$(sql "SELECT status || ' ' || failure FROM documents WHERE name = 'big.pgm'")
[ "$got" = "failed transient" ] || fail "big.pgm recorded as '$got', expected 'failed transient'"
sql "SELECT error FROM documents WHERE name = 'big.pgm'" | grep -q "ended 3 times in a row" || fail "no reason recorded"
wait_empty work 10
[ -f "$SPOOL/failed/big.pgm" ] || fail "big.pgm not in failed/"
grep -q "set aside" "$SPOOL/failed/big.pgm.error" || fail "failed/big.pgm.error does not say why"
stop
ok "the third start set it aside: failed/, with the reason, database row 'failed transient'"

# The count is only for files still in work/: a clean start forgets it.
start
stop
[ ! -e "$SPOOL/digitd.recovered" ] || fail "digitd.recovered kept with work/ empty"
ok "no count left once work/ is empty"
