#!/bin/sh
# demo_output: `make demo` shows the weakest fields beside the strongest, so
# what needs a person is not hidden: for every document, its least confident
# field of two or more digits (from the database) is among the rows printed.
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
[ -f models/lenet5-reject.model ] || { echo "no models/lenet5-reject.model"; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

DIGITD_DEMO_RUN=$T/run sh scripts/demo.sh >"$T/out" 2>&1 || { cat "$T/out"; fail "demo exited $?"; }
grep -q " weak " "$T/out" || fail "no weak fields printed"
grep -q " top " "$T/out" || fail "no top fields printed"
n=0
sqlite3 "$T/run/digitd.db" "SELECT name, field_id FROM (SELECT t.*, row_number() OVER (PARTITION BY document_id
	ORDER BY confidence ASC, idx) AS lo FROM document_text t WHERE length(t.text) >= 2) WHERE lo = 1" >"$T/weakest"
while IFS='|' read -r name fid; do
	grep -Eq "^$name +$fid .* weak " "$T/out" || fail "the weakest field ($fid) of $name is not shown"
	n=$((n + 1))
done <"$T/weakest"
[ $n -gt 0 ] || fail "no fields in the demo's database"
echo "demo_output: the weakest field of each of $n documents is shown"
