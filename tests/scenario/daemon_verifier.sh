#!/bin/sh
# daemon_verifier: the daemon with the shipped reject model and its verifier,
# on a generated cheque (mkpages, MNIST test digits) where small writing and
# print stand side by side.  What the verifier doubts reaches the database
# with its reasons: flagged digits carry why bits, fields their own reasons
# (gap, beside), and ink that may be a number but was not read is an unread
# row in the document's transaction, listed by `digitctl show`.  A damaged
# verifier file stops the start with the reason, nothing claimed.
DIGITD_MODEL=${DIGITD_MODEL:-$(cd "$(dirname "$0")/../.." && pwd)/models/lenet5-reject.model}
. "$(dirname "$0")/lib/daemon_lib.sh"

VER=${MODEL%.model}.verifier
[ -f "$VER" ] || skip "no verifier beside $MODEL"
MKPAGES=$BUILD/tests/mkpages
[ -x "$MKPAGES" ] || skip "no $MKPAGES (make unit builds the test tools)"

[ -f "$DIGITD_ROOT/data/mnist/t10k-images-idx3-ubyte" ] || skip "no MNIST (make data)"
"$MKPAGES" --seed 20251207 --count 1 --family cheque "$DIGITD_ROOT/data/mnist" "$T/pages" >/dev/null || fail "mkpages"
SCAN=$(ls "$T/pages"/cheque-000.* | grep -v truth)
NAME=$(basename "$SCAN")
mkconf
start
grep -q "with its verifier" "$LOG" || fail "digitd did not say it loaded the verifier"
cp "$SCAN" "$SPOOL/incoming/"
wait_for "SELECT count(*) FROM documents WHERE status = 'done'" 1 30
stop
ok "cheque recognised with the verifier"

n=$(sql "SELECT count(*) FROM digits WHERE flagged = 1 AND why = 0")
[ "$n" = 0 ] || fail "$n flagged digits without a reason"
n=$(sql "SELECT count(*) FROM fields WHERE flagged = 1 AND why = 0")
[ "$n" = 0 ] || fail "$n flagged fields without a reason"
nu=$(sql "SELECT count(*) FROM unread")
n=$(sql "SELECT count(*) FROM unread WHERE (why & 262144) = 0 OR w <= 0 OR h <= 0")
[ "$n" = 0 ] || fail "$n unread rows without the unread bit or with an empty box"
n=$(sql "SELECT count(*) FROM unread_queue")
[ "$n" = "$nu" ] || fail "unread_queue lists $n of $nu regions"
# The daemon and digitctl read the same page the same way.
json=$("$BUILD/digitctl" recognize --json --model "$MODEL" "$SCAN") || fail "recognize"
want=$(printf '%s' "$json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).unread.length))')
[ "$want" = "$nu" ] || fail "digitd stored $nu unread regions, digitctl recognize reports $want"
"$BUILD/digitctl" show --db "$DB" "$NAME" > "$T/show" || fail "show"
if [ "$nu" -gt 0 ]; then
	grep -q "^unread (ink that may be a number" "$T/show" || fail "show does not list the unread regions"
	# a person types what is there: the region leaves the queue, with who and when
	"$BUILD/digitctl" review --db "$DB" --unread --json > "$T/unread.json" || fail "review --unread"
	[ "$(grep -c '"id": ' "$T/unread.json")" = "$nu" ] || fail "review --unread lists $(grep -c '"id": ' "$T/unread.json") of $nu"
	id=$(sql "SELECT min(id) FROM unread")
	"$BUILD/digitctl" review --db "$DB" --reviewer clerk --set-unread "$id=907" > /dev/null || fail "review --set-unread"
	[ "$(sql "SELECT reviewed_text || ' ' || reviewed_by FROM unread WHERE id = $id")" = "907 clerk" ] ||
		fail "the typed text was not stored"
	[ "$(sql "SELECT count(*) FROM unread_queue")" = $((nu - 1)) ] || fail "the typed region is still queued"
	if "$BUILD/digitctl" review --db "$DB" --set-unread "$id=9O7" 2>/dev/null; then fail "letters accepted as a number"; fi
fi
ok "$nu unread region(s) stored and shown; every flag has a reason"

# A damaged verifier: the start is refused with the reason, nothing is claimed.
mkdir -p "$T/m"
cp "$MODEL" "$T/m/x.model"
sed '1s/.*/digitd-verifier 1 (edited)/' "$VER" > "$T/m/x.verifier"
cp "$(dirname "$MODEL")/$(sed -n 's/^network \([^ ]*\) .*/\1/p' "$VER")" "$T/m/" 2>/dev/null
MODEL=$T/m/x.model
mkconf
cp "$SCAN" "$SPOOL/incoming/again-$NAME"
"$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "digitd with a damaged verifier exited $rc, expected 1 (start-up failed)"
grep -q "x.verifier: checksum mismatch" "$LOG" || fail "no checksum message in the log"
[ "$(nfiles incoming)" -ge 1 ] || fail "a file was claimed although the start failed"
ok "a damaged verifier stops the start, naming it"

# A verifier beside a model it was not fitted with (a model retrained or
# replaced): refused the same way.
cp "$VER" "$T/m/x.verifier"
cp "$DIGITD_ROOT/models/lenet5.model" "$T/m/x.model"
mkconf
"$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "digitd with another model's verifier exited $rc, expected 1"
grep -q "the verifier was fitted with model" "$LOG" || fail "no model mismatch message in the log"
ok "a verifier beside another model stops the start"
