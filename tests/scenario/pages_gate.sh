#!/bin/sh
# pages_gate: the mkpages evaluation as a regression gate.
#
# 1. tests/tools/mkpages is deterministic: two runs, byte-identical files.
# 2. Its truth boxes are tight on the written pixels (tests/tools/pagecheck:
#    ink inside every digit box, reaching each side).
# 3. `--digits test` uses only t10k images and `--digits train` only train
#    images: the split and index recorded per digit match that split's label
#    file, and no image is used twice.
# 4. The recogniser on 12 fixed pages stays above floors set a few points
#    under what it scored when the gate was written (December, commit
#    a346dab: recall 40.3 %, precision 74.3 %, end-to-end 39.1 %, field
#    exact 29.9 %, accepted-wrong 53.8 %, silent misses 54.8 %), raised
#    with the shipped verifier (58.8, 99.4, 55.3, 45.8, 12.9, 29.4 %) to a
#    few points under those; accepted-wrong lowered to 10 % when faint ink
#    beside a digit began to flag its field (0 of 23 accepted fields wrong;
#    one wrong field is 4 points at that count).  This is a gate against regressions, not
#    a tuning target: tune on one family, judge on the others and on the
#    full `make eval-heldout` (docs/evaluation.md).  When the recogniser
#    improves, raise the floors.
set -u
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${DIGITD_BUILD:-build}
cd "$ROOT" || exit 1
MK=$BUILD/tests/mkpages
CHECK=$BUILD/tests/pagecheck
[ -x "$MK" ] && [ -x "$CHECK" ] || { echo "no $MK or $CHECK (make unit builds the test tools)"; exit 77; }
[ -x "$BUILD/digitctl" ] || { echo "no $BUILD/digitctl (make)"; exit 77; }
command -v node >/dev/null 2>&1 || { echo "node is missing"; exit 77; }
for s in t10k train; do
	[ -f data/mnist/$s-labels-idx1-ubyte ] || { echo "no MNIST $s set (make data)"; exit 77; }
done
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

SEED=11
COUNT=12
"$MK" --seed $SEED --count $COUNT data/mnist "$T/a" >/dev/null || { echo "FAIL mkpages exited non-zero"; exit 1; }
"$MK" --seed $SEED --count $COUNT data/mnist "$T/b" >/dev/null || { echo "FAIL mkpages exited non-zero"; exit 1; }
n=$(ls "$T/a" | wc -l)
[ "$n" -eq $((2 * COUNT)) ] || bad "expected $COUNT scans and $COUNT truth files, got $n files"
if diff -r "$T/a" "$T/b" >/dev/null; then ok "deterministic: two runs byte-identical ($n files)"; else bad "two runs with seed $SEED differ"; fi

# Truth boxes against the pixels.
node -e '
const fs = require("fs"), d = process.argv[1];
for (const f of fs.readdirSync(d).filter((f) => f.endsWith(".truth.json"))) {
	const t = JSON.parse(fs.readFileSync(d + "/" + f, "utf8"));
	for (const p of t.pages) for (const g of p.digits) console.log(d + "/" + t.file, p.page, g.x, g.y, g.w, g.h);
}' "$T/a" >"$T/boxes"
if "$CHECK" <"$T/boxes" >"$T/check.log"; then ok "truth boxes tight: $(tail -n 1 "$T/check.log")"
else cat "$T/check.log"; bad "truth boxes"; fi

# The MNIST split: recorded split and index agree with the label files; no reuse.
"$MK" --seed $SEED --count 4 --digits train data/mnist "$T/train" >/dev/null || bad "mkpages --digits train exited non-zero"
splitcheck() { # dir split labels-file
	node -e '
const fs = require("fs"), [d, split, lf] = process.argv.slice(1);
const lab = fs.readFileSync(lf).subarray(8), seen = new Set();
let n = 0, bad = 0;
for (const f of fs.readdirSync(d).filter((f) => f.endsWith(".truth.json"))) {
	const t = JSON.parse(fs.readFileSync(d + "/" + f, "utf8"));
	if (t.mnist_split !== split) bad++;
	for (const p of t.pages) for (const g of p.digits) {
		n++;
		const i = g.mnist_index;
		if (g.mnist_split !== split || !(i >= 0 && i < lab.length) || lab[i] !== g.label || seen.has(i)) bad++;
		if ((split === "test") !== (g.mnist_test_index === i)) bad++;
		seen.add(i);
	}
}
console.log(`${n} digits, ${bad} not from the ${split} split or reused`);
process.exit(bad === 0 && n > 0 ? 0 : 1);' "$1" "$2" "$3"
}
if r=$(splitcheck "$T/a" test data/mnist/t10k-labels-idx1-ubyte); then ok "--digits test: $r"; else bad "--digits test: $r"; fi
if r=$(splitcheck "$T/train" train data/mnist/train-labels-idx1-ubyte); then ok "--digits train: $r"; else bad "--digits train: $r"; fi

# The recogniser against the floors.
DIGITD_BUILD=$BUILD scripts/eval-pages.sh --json "$T/a" >"$T/score.json" || { echo "FAIL eval-pages"; exit 1; }
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const m = r.total.metrics, t = r.total.trust_metrics;
const floors = [  // [figure, value, floor or ceiling, direction]
	["recall", m.recall, 0.54, ">="], ["precision", m.precision, 0.95, ">="],
	["end-to-end accuracy", m.e2e_accuracy, 0.50, ">="], ["field exact", m.field_exact, 0.40, ">="],
	["accepted fields wrong", t.accepted_wrong, 0.10, "<="], ["silent misses", t.silent_misses, 0.35, "<="],
];
let bad = 0;
for (const [k, v, lim, dir] of floors) {
	const pass = dir === ">=" ? v >= lim : v <= lim;
	console.log(`${pass ? "ok  " : "FAIL"} ${k} ${(v * 100).toFixed(1)} % (gate ${dir} ${(lim * 100).toFixed(0)} %)`);
	if (!pass) bad++;
}
if (r.reflag_mismatch) { console.log(`FAIL the threshold curve does not reproduce ${r.reflag_mismatch} flags (score-pages.js STRUCTURAL_FLAGS)`); bad++; }
process.exit(bad ? 1 : 0);' "$T/score.json" || fail=1
exit $fail
