#!/bin/sh
# review_train: `digitctl train --extra-db` takes the digits people reviewed
# in a database filled by the real digitd (crop28 + reviewed label) into the
# training set, and refuses a database it cannot read.
. "$(dirname "$0")/lib/review_lib.sh"
MNIST=$DIGITD_ROOT/data/mnist
[ -f "$MNIST/train-images-idx3-ubyte" ] || skip "no MNIST training set (make data)"

W=$T/w
mkdir -p "$W"
mkdb "$W" cheque-02.png=cheque-02.png
set -- $(sql "SELECT id || ':' || label FROM digits ORDER BY confidence LIMIT 3")
[ $# -eq 3 ] || fail "need 3 digits"
expect_exit 0 "$CTL" review --db "$DB" --reviewer trainer --set "${1%:*}=$(( (${1#*:} + 1) % 10 ))" "${2%:*}=${2#*:}" "${3%:*}=${3#*:}"
n=$(sql "SELECT count(*) FROM digits WHERE reviewed_label IS NOT NULL AND length(crop28) = 784")
[ "$n" -eq 3 ] || fail "3 reviewed digits with crops expected, got $n"

expect_exit 0 "$CTL" train --data "$MNIST" --extra-db "$DB" --limit 128 --val 64 --epochs 1 --threads 1 \
	--out "$T/m.model"
grep -q "added 3 reviewed digits from $DB" "$T/err" || { cat "$T/err"; fail "train did not report the reviewed digits"; }
grep -q " on 131 images" "$T/err" || { cat "$T/err"; fail "the training set is not 128 MNIST + 3 reviewed images"; }
[ -s "$T/m.model" ] || fail "no model written"
ok "train --extra-db added the 3 reviewed digits to 128 MNIST images"

expect_exit 1 "$CTL" train --data "$MNIST" --extra-db "$T/none.db" --limit 64 --val 16 --epochs 1 --out "$T/x.model"
expect_err "no such database"
[ ! -e "$T/x.model" ] || fail "a model was written without the extra database"
head -c 2048 /dev/urandom > "$T/bad.db"
expect_exit 1 "$CTL" train --data "$MNIST" --extra-db "$T/bad.db" --limit 64 --val 16 --epochs 1 --out "$T/x.model"
expect_err "not a digitd database"
ok "train --extra-db refuses missing and corrupt databases"
