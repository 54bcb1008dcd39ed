#!/usr/bin/env node
// score-samples.js: score `digitctl recognize --json` output against the
// ground truth of samples/ (NAME.truth.json beside each image).
//
//   node scripts/score-samples.js [--json|--oneline] [--strict] [--verbose] [--truth-dir DIR] OUTPUT.jsonl|-
//
// OUTPUT holds one JSON object per input file (issue #3 §5).  The rules are
// written down in samples/README.md; in short: a reported digit matches a
// truth digit on the same page by IoU >= 0.4 or its centre inside the truth
// box, one-to-one, best IoU first; unmatched unflagged reports count against
// precision; flagged ones are counted apart and in the flagged share.
// --strict exits 1 when a target is missed; --verbose lists every miss, false
// positive, wrong label and wrong field (to stderr); --oneline prints only the
// six target figures on one line (for threshold sweeps).  Plain Node, no packages.
'use strict';
const fs = require('fs');
const path = require('path');

const TARGETS = {
	recall: { min: 0.99, label: 'detection recall' },
	precision: { min: 0.98, label: 'detection precision' },
	e2e_accuracy: { min: 0.98, label: 'end-to-end digit accuracy' },
	field_exact: { min: 0.90, label: 'field exact match' },
	errors_flagged: { min: 0.80, label: 'errors flagged' },
	digits_flagged: { max: 0.10, label: 'digits flagged' },
};
const FP_KINDS = ['duplicate', 'printed_digits', 'printed_text', 'script', 'signature', 'marks', 'unlisted'];

function usage(msg) {
	if (msg) process.stderr.write(`score-samples: ${msg}\n`);
	process.stderr.write('usage: score-samples.js [--json|--oneline] [--strict] [--verbose] [--truth-dir DIR] OUTPUT.jsonl|-\n');
	process.exit(2);
}

function parseArgs(argv) {
	const o = { json: false, oneline: false, strict: false, verbose: false, truthDir: null, input: null };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--json') o.json = true;
		else if (a === '--strict') o.strict = true;
		else if (a === '--verbose') o.verbose = true;
		else if (a === '--oneline') o.oneline = true;
		else if (a === '--truth-dir') { if (++i >= argv.length) usage('--truth-dir needs a directory'); o.truthDir = argv[i]; }
		else if (a === '-h' || a === '--help') usage();
		else if (a.startsWith('--')) usage(`unknown option ${a}`);
		else if (o.input === null) o.input = a;
		else usage('one output file only');
	}
	if (o.input === null) usage('no output file');
	return o;
}

const area = (b) => Math.max(0, b.w) * Math.max(0, b.h);
function inter(a, b) {
	const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
	const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
	return w > 0 && h > 0 ? w * h : 0;
}
function iou(a, b) {
	const i = inter(a, b);
	return i > 0 ? i / (area(a) + area(b) - i) : 0;
}
function centreIn(d, t) {
	const cx = d.x + d.w / 2, cy = d.y + d.h / 2;
	return cx >= t.x && cx <= t.x + t.w && cy >= t.y && cy <= t.y + t.h;
}

// One-to-one matching, best IoU first; a pair qualifies by IoU >= 0.4 or
// the reported centre inside the truth box.  Returns det index -> truth index.
function match(truth, dets) {
	const pairs = [];
	for (let t = 0; t < truth.length; t++)
		for (let d = 0; d < dets.length; d++) {
			const v = iou(truth[t], dets[d]);
			if (v >= 0.4 || centreIn(dets[d], truth[t])) pairs.push([v, t, d]);
		}
	pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
	const tUsed = new Array(truth.length).fill(false), dOf = new Array(dets.length).fill(-1);
	for (const [, t, d] of pairs)
		if (!tUsed[t] && dOf[d] < 0) { tUsed[t] = true; dOf[d] = t; }
	return dOf;
}

// What an unmatched report hit: a truth digit already taken (a split or a
// double report), a listed non-digit, or nothing listed (lines, dust...).
function fpKind(det, truthDigits, nondigits) {
	if (truthDigits.some((t) => centreIn(det, t) || iou(det, t) >= 0.4)) return 'duplicate';
	let best = null, bestOv = 0;
	for (const n of nondigits) {
		const ov = inter(det, n) / Math.max(1, area(det));
		if (centreIn(det, n) || ov > 0.5) if (ov > bestOv || best === null) { best = n; bestOv = ov; }
	}
	if (!best) return 'unlisted';
	if (best.kind === 'printed') return best.has_digits ? 'printed_digits' : 'printed_text';
	if (best.kind === 'script' || best.kind === 'signature') return best.kind;
	return 'marks';
}

function emptyCounts() {
	const c = { files: 0, truth_digits: 0, reported: 0, matched: 0, correct: 0, fp: 0, fp_flagged: 0, flagged: 0,
		    errors: 0, errors_flagged: 0, truth_fields: 0, fields_exact: 0, ms: 0, failed: 0, fp_by_kind: {} };
	for (const k of FP_KINDS) c.fp_by_kind[k] = 0;
	return c;
}

function addCounts(a, b) {
	for (const k of Object.keys(a)) {
		if (k === 'fp_by_kind') for (const f of FP_KINDS) a.fp_by_kind[f] += b.fp_by_kind[f];
		else a[k] += b[k];
	}
}

const ratio = (n, d, empty) => (d > 0 ? n / d : empty);
function metrics(c) {
	return {
		recall: ratio(c.matched, c.truth_digits, 1),
		precision: ratio(c.matched, c.matched + c.fp - c.fp_flagged, 1),
		precision_strict: ratio(c.matched, c.reported, 1),
		class_accuracy: ratio(c.correct, c.matched, 1),
		e2e_accuracy: ratio(c.correct, c.truth_digits, 1),
		field_exact: ratio(c.fields_exact, c.truth_fields, 1),
		errors_flagged: ratio(c.errors_flagged, c.errors, 1),
		digits_flagged: ratio(c.flagged, c.reported, 0),
	};
}

// --verbose: one stderr line per problem, so a tuner can go and look.
let verbose = null;
const box = (b) => `(${b.x},${b.y} ${b.w}x${b.h})`;
function note(file, page, msg) {
	if (verbose) process.stderr.write(`${file} p${page}: ${msg}\n`);
}

// detail (optional, for scripts/score-pages.js): gets one entry per truth
// digit {page, index, matched, correct} and per truth field {page, index,
// exact}, so figures can be broken down by what the truth records.
function scoreFile(out, truth, detail) {
	const c = emptyCounts();
	const name = truth.file;
	c.files = 1;
	const pages = truth.pages || [];
	for (const p of pages) {
		c.truth_digits += p.digits.length;
		c.truth_fields += p.fields.length;
	}
	if (!out || out.error) {
		c.failed = 1;
		if (detail) for (const p of pages) {
			p.digits.forEach((t, i) => detail.digits.push({ page: p.page, index: i, matched: false, correct: false }));
			p.fields.forEach((t, i) => detail.fields.push({ page: p.page, index: i, exact: false }));
		}
		return c;
	}
	c.ms = Number(out.ms) || 0;
	const digits = Array.isArray(out.digits) ? out.digits : [];
	const fields = Array.isArray(out.fields) ? out.fields : [];
	c.reported = digits.length;
	for (const d of digits) if (d.flagged) c.flagged++;
	const npages = Math.max(pages.length, ...digits.map((d) => (d.page | 0) + 1), 0);
	for (let pg = 0; pg < npages; pg++) {
		const tp = pages.find((p) => p.page === pg) || { digits: [], fields: [], nondigits: [] };
		const dets = digits.filter((d) => (d.page | 0) === pg);
		const dOf = match(tp.digits, dets);
		const taken = new Set(dOf.filter((t) => t >= 0));
		if (detail) tp.digits.forEach((t, i) => {
			const d = dets[dOf.indexOf(i)];
			detail.digits.push({ page: pg, index: i, matched: taken.has(i), correct: taken.has(i) && d.label === t.label });
		});
		tp.digits.forEach((t, i) => { if (!taken.has(i)) note(name, pg, `missed ${t.label} ${box(t)} field "${(tp.fields[t.field] || {}).text || ''}"`); });
		dets.forEach((d, i) => {
			if (dOf[i] >= 0) {
				c.matched++;
				const t = tp.digits[dOf[i]];
				if (d.label === t.label) {
					c.correct++;
					if (d.flagged) note(name, pg, `flagged ${t.label} (${Number(d.confidence).toFixed(2)}, why ${d.why | 0}) ${box(t)} mnist ${t.mnist_test_index}`);
				} else {
					c.errors++;
					if (d.flagged) c.errors_flagged++;
					note(name, pg, `read ${t.label} as ${d.label} (${Number(d.confidence).toFixed(2)}${d.flagged ? ', flagged' : ''}, why ${d.why | 0}) ${box(t)} mnist ${t.mnist_test_index}`);
				}
			} else {
				c.fp++;
				c.errors++;
				if (d.flagged) { c.fp_flagged++; c.errors_flagged++; }
				const k = fpKind(d, tp.digits, tp.nondigits || []);
				c.fp_by_kind[k]++;
				note(name, pg, `false ${d.label} (${Number(d.confidence).toFixed(2)}${d.flagged ? ', flagged' : ''}, why ${d.why | 0}, reject ${Number(d.reject || 0).toFixed(2)}) ${box(d)} on ${k}`);
			}
		});
		const of = fields.filter((f) => (f.page | 0) === pg);
		for (const tf of tp.fields) {
			let best = null, bv = 0;
			for (const f of of) { const v = iou(tf, f); if (v > bv) { bv = v; best = f; } }
			if (detail) detail.fields.push({ page: pg, index: tp.fields.indexOf(tf), exact: !!best && String(best.text) === tf.text });
			if (best && String(best.text) === tf.text) c.fields_exact++;
			else note(name, pg, `field "${tf.text}" ${box(tf)} read as ${best ? '"' + best.text + '"' : 'nothing'}`);
		}
	}
	return c;
}

function readLines(input) {
	const text = fs.readFileSync(input === '-' ? 0 : input, 'utf8');
	const outs = [];
	text.split('\n').forEach((line, i) => {
		if (!line.trim()) return;
		try { outs.push(JSON.parse(line)); } catch (e) {
			process.stderr.write(`score-samples: ${input}:${i + 1}: not JSON (${e.message})\n`);
			process.exit(1);
		}
	});
	return outs;
}

const pct = (v) => (v * 100).toFixed(1).padStart(5) + ' %';

function main() {
	const o = parseArgs(process.argv.slice(2));
	verbose = o.verbose;
	const outs = readLines(o.input);
	const perFile = [];
	const total = emptyCounts();
	for (const out of outs) {
		if (typeof out.file !== 'string') { process.stderr.write('score-samples: a line without "file"\n'); process.exit(1); }
		const dir = o.truthDir || path.dirname(out.file);
		const base = path.basename(out.file).replace(/\.[^.]*$/, '');
		const tpath = path.join(dir, base + '.truth.json');
		if (!fs.existsSync(tpath)) { process.stderr.write(`score-samples: ${out.file}: no ${tpath}, not scored\n`); continue; }
		const truth = JSON.parse(fs.readFileSync(tpath, 'utf8'));
		const c = scoreFile(out, truth);
		addCounts(total, c);
		perFile.push({ file: path.basename(out.file), error: out.error || null, counts: c, metrics: metrics(c) });
	}
	if (perFile.length === 0) { process.stderr.write('score-samples: nothing to score\n'); process.exit(1); }
	const tm = metrics(total);
	const verdict = {};
	let allMet = true;
	for (const [k, t] of Object.entries(TARGETS)) {
		verdict[k] = t.min !== undefined ? tm[k] >= t.min : tm[k] <= t.max;
		allMet = allMet && verdict[k];
	}
	if (o.oneline) {
		const f = (k) => `${k} ${pct(tm[k]).trim()}${verdict[k] === false ? '*' : ''}`;
		console.log(['recall', 'precision', 'e2e_accuracy', 'field_exact', 'errors_flagged', 'digits_flagged'].map(f).join('  ') +
			(allMet ? '  (all targets met)' : '  (* missed)'));
	} else if (o.json) {
		process.stdout.write(JSON.stringify({ files: perFile, total: { counts: total, metrics: tm }, targets: TARGETS, met: verdict, all_met: allMet }) + '\n');
	} else {
		const hdr = 'file              digits  found  recall  precis  e2e-acc  fields  flagged   ms';
		console.log(hdr);
		for (const f of perFile) {
			const c = f.counts, m = f.metrics;
			if (f.error || c.failed) { console.log(`${f.file.padEnd(17)} ${String(c.truth_digits).padStart(6)}  ERROR: ${f.error || 'no output'}`); continue; }
			console.log(`${f.file.padEnd(17)} ${String(c.truth_digits).padStart(6)} ${String(c.reported).padStart(6)} ${pct(m.recall)} ${pct(m.precision)} ${pct(m.e2e_accuracy)}  ${String(c.fields_exact).padStart(3)}/${String(c.truth_fields).padEnd(3)} ${pct(m.digits_flagged)} ${c.ms.toFixed(0).padStart(5)}`);
		}
		const c = total;
		console.log('');
		console.log(`total: ${c.files} files (${c.failed} failed), ${c.truth_digits} handwritten digits, ${c.reported} reported, ${c.matched} matched, ${c.correct} correct, ${c.truth_fields} fields`);
		const line = (k, v, extra) => {
			const t = TARGETS[k];
			const tgt = t ? (t.min !== undefined ? `target >= ${(t.min * 100).toFixed(0)} %` : `target <= ${(t.max * 100).toFixed(0)} %`) : '';
			const ok = t ? (verdict[k] ? 'ok' : 'MISSED') : '';
			console.log(`  ${(t ? t.label : k).padEnd(28)} ${pct(v)}   ${tgt.padEnd(16)} ${ok}${extra ? '   ' + extra : ''}`);
		};
		line('recall', tm.recall, `${c.truth_digits - c.matched} missed`);
		line('precision', tm.precision, `${c.fp - c.fp_flagged} unflagged + ${c.fp_flagged} flagged false positives`);
		console.log(`  ${'precision, flagged counted'.padEnd(28)} ${pct(tm.precision_strict)}`);
		console.log(`  ${'classification accuracy'.padEnd(28)} ${pct(tm.class_accuracy)}   ${c.matched - c.correct} wrong labels on matched digits`);
		line('e2e_accuracy', tm.e2e_accuracy);
		line('field_exact', tm.field_exact, `${c.fields_exact}/${c.truth_fields}`);
		line('errors_flagged', tm.errors_flagged, `${c.errors_flagged}/${c.errors}`);
		line('digits_flagged', tm.digits_flagged, `${c.flagged}/${c.reported}`);
		console.log('  false positives by what they hit: ' + FP_KINDS.map((k) => `${k} ${c.fp_by_kind[k]}`).join(', '));
		console.log(`  time: ${c.ms.toFixed(0)} ms total, ${(c.ms / Math.max(1, c.files - c.failed)).toFixed(0)} ms per file`);
		console.log(allMet ? 'all targets met' : 'targets missed: ' + Object.keys(verdict).filter((k) => !verdict[k]).join(', '));
	}
	process.exit(o.strict && !allMet ? 1 : 0);
}

// Run as a script, or lend the matching and counting to score-pages.js.
if (require.main === module) main();
else module.exports = { TARGETS, FP_KINDS, area, inter, iou, centreIn, match, scoreFile, emptyCounts, addCounts, metrics, readLines, pct };
