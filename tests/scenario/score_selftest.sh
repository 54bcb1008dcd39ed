#!/bin/sh
# score_selftest: scripts/score-samples.js must score a perfect answer 100 %,
# and a perturbed one exactly as the perturbation predicts.  The "answers"
# are the committed truth files of samples/ turned into recognize --json
# lines, plus a tiny hand-made case for the matching rules (IoU, centre
# inside, one-to-one, flagged false positives, failed files).
set -u
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
command -v node >/dev/null 2>&1 || { echo "node is missing"; exit 77; }
ls samples/*.truth.json >/dev/null 2>&1 || { echo "no samples/*.truth.json"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
fail=0
check() { # description, then a node expression over the parsed --json result `r`
	if node -e "const r = JSON.parse(require('fs').readFileSync('$T/score.json', 'utf8')); process.exit(($2) ? 0 : 1)"; then
		echo "ok   $1"
	else
		echo "FAIL $1"; fail=1
	fi
}

# 1. Truth -> output; mode "perfect" or "perturbed".  The perturbed answer
# drops every 10th digit, relabels every 7th (flagging every other one of
# those), shifts every 5th by 30 % of its width (still a match), and adds
# per page one unflagged and one flagged report on printed text.  It writes
# the expected counts beside, computed from what it did.
cat >"$T/mk.js" <<'JS'
const fs = require('fs'), path = require('path');
const [mode, outFile, expFile] = process.argv.slice(2);
const files = fs.readdirSync('samples').filter((f) => f.endsWith('.truth.json')).sort();
const exp = { truth_digits: 0, reported: 0, matched: 0, correct: 0, fp: 0, fp_flagged: 0, flagged: 0, truth_fields: 0, fields_exact: 0, errors: 0, errors_flagged: 0 };
let lines = '', k = 0;
for (const f of files) {
	const t = JSON.parse(fs.readFileSync(path.join('samples', f), 'utf8'));
	const o = { file: 'samples/' + t.file, sha256: '0', pages: t.pages.length, width: t.pages[0].width, height: t.pages[0].height, ms: 1, digits: [], fields: [], error: null };
	for (const p of t.pages) {
		const bad = new Set();
		p.digits.forEach((d, i) => {
			exp.truth_digits++;
			const n = k++;
			const r = { page: p.page, x: d.x, y: d.y, w: d.w, h: d.h, label: d.label, confidence: 0.99, alt_label: (d.label + 3) % 10, alt_confidence: 0.01, field: d.field, flagged: false };
			if (mode === 'perturbed') {
				if (n % 10 === 0) { bad.add(d.field); return; }
				if (n % 7 === 0) { r.label = (d.label + 1) % 10; r.flagged = n % 2 === 0; bad.add(d.field); exp.errors++; if (r.flagged) exp.errors_flagged++; }
				else exp.correct++;
				if (n % 5 === 0) r.x += Math.round(d.w * 0.3);
			} else exp.correct++;
			exp.matched++; exp.reported++; if (r.flagged) exp.flagged++;
			o.digits.push(r);
		});
		p.fields.forEach((fl, i) => {
			exp.truth_fields++;
			if (!bad.has(i)) exp.fields_exact++;
			o.fields.push({ page: p.page, x: fl.x, y: fl.y, w: fl.w, h: fl.h, text: bad.has(i) ? fl.text + 'x' : fl.text, confidence: 0.9, flagged: false });
		});
		if (mode === 'perturbed') {
			const pr = p.nondigits.filter((m) => m.kind === 'printed' && !p.digits.some((d) => d.x < m.x + m.w && m.x < d.x + d.w && d.y < m.y + m.h && m.y < d.y + d.h));
			for (const [j, fl] of [[0, false], [1, true]]) {
				const m = pr[j];
				if (!m) continue;
				o.digits.push({ page: p.page, x: m.x + 2, y: m.y + 2, w: Math.max(4, Math.min(30, m.w - 4)), h: Math.max(4, m.h - 4), label: 1, confidence: 0.5, alt_label: 7, alt_confidence: 0.3, field: -1, flagged: fl });
				exp.reported++; exp.fp++; exp.errors++;
				if (fl) { exp.fp_flagged++; exp.flagged++; exp.errors_flagged++; }
			}
		}
	}
	lines += JSON.stringify(o) + '\n';
}
fs.writeFileSync(outFile, lines);
fs.writeFileSync(expFile, JSON.stringify(exp));
JS

node "$T/mk.js" perfect "$T/perfect.jsonl" "$T/perfect.exp" || exit 1
node scripts/score-samples.js --json --strict "$T/perfect.jsonl" >"$T/score.json"
rc=$?
[ $rc -eq 0 ] && echo "ok   perfect answer passes --strict" || { echo "FAIL perfect answer: exit $rc"; fail=1; }
check "perfect: every metric 100 %" "['recall','precision','precision_strict','class_accuracy','e2e_accuracy','field_exact','errors_flagged'].every((k) => r.total.metrics[k] === 1) && r.total.metrics.digits_flagged === 0 && r.all_met"
check "perfect: counts equal the truth" "(() => { const e = JSON.parse(require('fs').readFileSync('$T/perfect.exp', 'utf8')); return r.total.counts.truth_digits === e.truth_digits && r.total.counts.matched === e.matched && r.total.counts.truth_fields === e.truth_fields && r.total.counts.truth_digits > 300; })()"

node "$T/mk.js" perturbed "$T/bad.jsonl" "$T/bad.exp" || exit 1
node scripts/score-samples.js --json --strict "$T/bad.jsonl" >"$T/score.json"
rc=$?
[ $rc -eq 1 ] && echo "ok   perturbed answer fails --strict" || { echo "FAIL perturbed answer: exit $rc"; fail=1; }
check "perturbed: counts as predicted" "(() => { const e = JSON.parse(require('fs').readFileSync('$T/bad.exp', 'utf8')); const c = r.total.counts; return ['truth_digits','reported','matched','correct','fp','fp_flagged','flagged','truth_fields','fields_exact','errors','errors_flagged'].every((k) => { if (c[k] !== e[k]) console.error(k, c[k], '!=', e[k]); return c[k] === e[k]; }); })()"
check "perturbed: metrics below 100 %" "r.total.metrics.recall < 0.95 && r.total.metrics.e2e_accuracy < 0.9 && r.total.metrics.field_exact < 0.9 && r.total.metrics.precision < 1 && r.total.metrics.precision_strict < r.total.metrics.precision"
check "perturbed: false positives land on printed text" "r.total.counts.fp_by_kind.printed_digits + r.total.counts.fp_by_kind.printed_text === r.total.counts.fp"

# 2. The matching rules on a hand-made page: truth digits A (0,0,10x20),
# B (40,0,10x20), C (80,0,10x20); reports: A' shifted so IoU < 0.4 but the
# centre is inside A (a match), two reports on B (one match, one duplicate),
# one overlapping C a little with its centre outside (no match, unlisted),
# and a second file that failed.
mkdir -p "$T/t"
cat >"$T/t/x.truth.json" <<'J'
{"file": "x.png", "pages": [{"page": 0, "width": 200, "height": 50,
 "digits": [{"x": 0, "y": 0, "w": 10, "h": 20, "label": 1, "field": 0},
            {"x": 40, "y": 0, "w": 10, "h": 20, "label": 2, "field": 1},
            {"x": 80, "y": 0, "w": 10, "h": 20, "label": 3, "field": 2}],
 "fields": [{"x": 0, "y": 0, "w": 10, "h": 20, "text": "1"}, {"x": 40, "y": 0, "w": 10, "h": 20, "text": "2"},
            {"x": 80, "y": 0, "w": 10, "h": 20, "text": "3"}],
 "nondigits": []}]}
J
cp "$T/t/x.truth.json" "$T/t/y.truth.json"
cat >"$T/hand.jsonl" <<'J'
{"file": "x.png", "ms": 5, "digits": [{"page": 0, "x": 4, "y": 2, "w": 4, "h": 30, "label": 1, "flagged": false}, {"page": 0, "x": 40, "y": 0, "w": 10, "h": 20, "label": 2, "flagged": false}, {"page": 0, "x": 41, "y": 1, "w": 10, "h": 20, "label": 2, "flagged": true}, {"page": 0, "x": 88, "y": 15, "w": 10, "h": 20, "label": 3, "flagged": false}], "fields": [{"page": 0, "x": 40, "y": 0, "w": 10, "h": 20, "text": "2"}, {"page": 0, "x": 0, "y": 0, "w": 10, "h": 30, "text": "7"}], "error": null}
{"file": "y.png", "ms": 0, "digits": [], "fields": [], "error": "truncated PNG"}
J
node scripts/score-samples.js --json --truth-dir "$T/t" "$T/hand.jsonl" >"$T/score.json" || { echo "FAIL scorer on hand-made case"; fail=1; }
check "hand: centre inside matches, one-to-one, counts" "(() => { const c = r.files[0].counts; return c.matched === 2 && c.correct === 2 && c.fp === 2 && c.fp_flagged === 1 && c.fp_by_kind.duplicate === 1 && c.fp_by_kind.unlisted === 1; })()"
check "hand: precision counts only unflagged false positives" "Math.abs(r.files[0].metrics.precision - 2 / 3) < 1e-9 && Math.abs(r.files[0].metrics.precision_strict - 2 / 4) < 1e-9"
check "hand: field exact by best overlap" "r.files[0].counts.fields_exact === 1"
check "hand: failed file counts its digits as missed" "r.files[1].counts.failed === 1 && r.total.counts.truth_digits === 6 && Math.abs(r.total.metrics.recall - 2 / 6) < 1e-9"
node scripts/score-samples.js --truth-dir "$T/t" "$T/hand.jsonl" >"$T/human.txt" || fail=1
grep -q "ERROR: truncated PNG" "$T/human.txt" && grep -q "detection recall" "$T/human.txt" && echo "ok   human-readable report" || { echo "FAIL human-readable report"; cat "$T/human.txt"; fail=1; }
node scripts/score-samples.js --oneline --truth-dir "$T/t" "$T/hand.jsonl" >"$T/one.txt" || fail=1
grep -q "^recall 33.3 %\*  precision 66.7 %\*" "$T/one.txt" && echo "ok   one-line summary" || { echo "FAIL one-line summary"; cat "$T/one.txt"; fail=1; }
exit $fail
