#!/bin/sh
# daemon_hardlink: a hard link of an already processed file dropped in
# incoming/ has the same inode and mtime, hence the same claim token, as the
# committed original.  Before, it was taken for restart recovery ("already
# committed as document N before a restart"): no row, a misleading line.  Now
# only files taken up from work/ can be recoveries; the link is recorded as
# the duplicate it is.
. "$(dirname "$0")/lib/daemon_lib.sh"

mkconf
start
"$MKDIGITS" "$T" 1 h 50 || fail "mkdigits"
cp "$T/h-00050.png" "$SPOOL/incoming/first.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'first.png' AND status = 'done'" 1 15
first=$(sql "SELECT id FROM documents WHERE name = 'first.png'")
ln "$SPOOL/done/first.png" "$SPOOL/incoming/linked.png" || fail "cannot hard-link"
wait_for "SELECT count(*) FROM documents WHERE name = 'linked.png'" 1 10
got=$(sql "SELECT status || ' of ' || duplicate_of FROM documents WHERE name = 'linked.png'")
[ "$got" = "duplicate of $first" ] || fail "hard link recorded as '$got', expected 'duplicate of $first'"
grep -q 'already committed' "$LOG" && fail "a hard link was logged as restart recovery"
[ -f "$SPOOL/done/first.png" ] || fail "the original left done/"
ok "a hard link of a processed file is recorded as a duplicate, not taken for a recovery"

# a real recovery still works: a committed file put back in work/ by hand is
# taken up at the next start and only moved on
stop
mv "$SPOOL/done/first.png" "$SPOOL/work/first.png"
start
wait_empty work 10
stop
grep -q '"first.png" .*already committed as document' "$LOG" || fail "a committed file in work/ was not recognised as committed"
[ "$(ndocs)" -eq 2 ] || fail "$(ndocs) rows after the recovery, expected 2"
ok "a committed file in work/ at start is still recognised as committed (no new row)"
