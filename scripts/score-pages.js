#!/usr/bin/env node
// score-pages.js: score `digitctl recognize --json` output against pages made
// by tests/tools/mkpages (NAME.truth.json beside each image), the way
// docs/evaluation.md describes.
//
//   node scripts/score-pages.js [--json] [--truth-dir DIR] OUTPUT.jsonl|-
//
// The matching and the headline figures are score-samples.js's own (required
// from it, not copied).  On top, from what mkpages records in the truth:
//   per family      the headline figures for each family (cheque, form, ...)
//   robustness      digit recall, end-to-end digit accuracy and field exact
//                   match across bins of each factor (writing height, touching,
//                   slant, pen width, cells, pen colour, dpi, blur, JPEG, skew)
//   trust           "accepted wrong": of the reported fields with no flagged
//                   digit, the share whose text differs from the truth field
//                   they overlap best (or that overlap none); "silent misses":
//                   truth fields with no reported digit and no reported
//                   `unread` region over them (the key may be absent)
//   threshold curve the same trust figures, the read rate (accepted and right
//                   / truth fields) and the flagged shares when digits under
//                   a confidence t are flagged, for t from 0.5 to 0.99.
// Plain Node, no packages.
'use strict';
const fs = require('fs');
const path = require('path');
const S = require('./score-samples.js');

// recognize.c flags a digit when its confidence is under the threshold or
// for one of these reasons (FLAG_ALWAYS in src/recognize/recognize.c: SPLIT,
// REJECT, ODDSIZE, TEXTNEAR, SMALL, PRINTLIKE, WEAKFIELD, WORDLIKE, MARGIN,
// VERIFIER, LEANING of src/recognize/flags.h); MERGED alone does not flag.  The
// curve keeps these and moves only the confidence part (LOWCONF, bit 1).
const STRUCTURAL_FLAGS = 2 | 8 | 16 | 32 | 128 | 256 | 512 | 1024 | 2048 | 4096 | 8192;
// A field is also flagged for its own reasons (GAP, BESIDE: segmentation doubt).
const FIELD_FLAGS = 65536 | 524288;   // GAP, BESIDE (REC_FIELD_FLAGS)
const THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99];

// Bins per factor: [label, test(value)].  Page factors come from
// page.factors, field factors from field.factors (mkpages' pages_factors.h).
const abs = Math.abs;
const BINS = {
	height_ratio: [['< 0.5', (v) => v < 0.5], ['0.5-0.8', (v) => v < 0.8], ['0.8-1.2', (v) => v < 1.2], ['1.2-2', (v) => v < 2], ['>= 2', () => true]],
	touching: [['no', (v) => !v], ['yes', () => true]],
	slant: [['|s| < 5', (v) => abs(v) < 5], ['5-15', (v) => abs(v) < 15], ['>= 15', () => true]],
	stroke: [['thin < 0.8', (v) => v < 0.8], ['0.8-1.3', (v) => v < 1.3], ['1.3-2', (v) => v < 2], ['thick >= 2', () => true]],
	in_comb: [['free', (v) => v === 0], ['in cells', (v) => v === 1], ['touching', () => true]],
	pen: null, // categorical: the value itself
	dpi: [['150-199', (v) => v < 200], ['200-249', (v) => v < 250], ['250-299', (v) => v < 300], ['300-400', () => true]],
	blur: [['none', (v) => v < 0.3], ['0.3-0.8', (v) => v < 0.8], ['0.8-1.3', (v) => v < 1.3], ['>= 1.3', () => true]],
	jpeg: [['lossless', (v) => v === 0], ['q 40-59', (v) => v < 60], ['q 60-79', (v) => v < 80], ['q 80-95', () => true]],
	skew: [['|a| < 2', (v) => abs(v) < 2], ['2-4', (v) => abs(v) < 4], ['4-6', (v) => abs(v) < 6], ['6-8', () => true]],
	noise: [['< 3', (v) => v < 3], ['3-6', (v) => v < 6], ['>= 6', () => true]],
};
const FIELD_FACTORS = ['height_ratio', 'touching', 'slant', 'stroke', 'in_comb'];

function binOf(name, v) {
	if (v === undefined || v === null) return null;
	if (!BINS[name]) return String(v);
	return BINS[name].find(([, test]) => test(v))[0];
}

function usage(msg) {
	if (msg) process.stderr.write(`score-pages: ${msg}\n`);
	process.stderr.write('usage: score-pages.js [--json] [--truth-dir DIR] OUTPUT.jsonl|-\n');
	process.exit(2);
}

function parseArgs(argv) {
	const o = { json: false, truthDir: null, input: null };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--json') o.json = true;
		else if (a === '--truth-dir') { if (++i >= argv.length) usage('--truth-dir needs a directory'); o.truthDir = argv[i]; }
		else if (a === '-h' || a === '--help') usage();
		else if (a.startsWith('--')) usage(`unknown option ${a}`);
		else if (o.input === null) o.input = a;
		else usage('one output file only');
	}
	if (o.input === null) usage('no output file');
	return o;
}

// The output with flags recomputed for confidence threshold t.
function reflag(out, t) {
	const digits = (out.digits || []).map((d) => {
		const flagged = Number(d.confidence) < t || ((d.why | 0) & STRUCTURAL_FLAGS) !== 0;
		return Object.assign({}, d, { flagged });
	});
	return Object.assign({}, out, { digits });
}

// Trust counts for one file: accepted fields and how many are wrong, truth
// fields with nothing reported or flagged over them.
function trust(out, truth) {
	const c = { reported_fields: 0, accepted: 0, accepted_wrong: 0, accepted_right: 0, truth_fields: 0, silent: 0 };
	const pages = truth.pages || [];
	for (const p of pages) c.truth_fields += p.fields.length;
	if (!out || out.error) { c.silent = c.truth_fields; return c; }
	const digits = out.digits || [], fields = out.fields || [], unread = Array.isArray(out.unread) ? out.unread : [];
	const flaggedField = new Set(digits.filter((d) => d.flagged).map((d) => d.field));
	fields.forEach((f, i) => {
		c.reported_fields++;
		if (flaggedField.has(i) || ((f.why | 0) & FIELD_FLAGS) || f.flagged && !digits.some((d) => d.field === i)) return;
		c.accepted++;
		const tp = pages.find((p) => p.page === (f.page | 0));
		let best = null, bv = 0;
		for (const tf of tp ? tp.fields : []) { const v = S.iou(tf, f); if (v > bv) { bv = v; best = tf; } }
		if (best && best.text === String(f.text)) c.accepted_right++;
		else c.accepted_wrong++;
	});
	for (const p of pages)
		for (const tf of p.fields) {
			const seen = digits.some((d) => (d.page | 0) === p.page && S.inter(d, tf) > 0) ||
				unread.some((u) => (u.page | 0) === p.page && S.inter(u, tf) > 0);
			if (!seen) c.silent++;
		}
	return c;
}

function addTo(a, b) { for (const k of Object.keys(b)) a[k] = (a[k] || 0) + b[k]; }
const ratio = (n, d) => (d > 0 ? n / d : null);
function trustMetrics(t) {
	return {
		accepted_wrong: ratio(t.accepted_wrong, t.accepted),
		silent_misses: ratio(t.silent, t.truth_fields),
		read_rate: ratio(t.accepted_right, t.truth_fields),
		fields_flagged: ratio(t.reported_fields - t.accepted, t.reported_fields),
	};
}

function main() {
	const o = parseArgs(process.argv.slice(2));
	const outs = S.readLines(o.input);
	const total = S.emptyCounts(), fam = {}, bins = {}, tr = {}, curve = THRESHOLDS.map(() => ({ counts: S.emptyCounts(), trust: {} }));
	let reflagMismatch = 0;
	const bump = (factor, bin, key, n) => {
		if (bin === null) return;
		const b = ((bins[factor] = bins[factor] || {})[bin] = bins[factor][bin] || { digits: 0, matched: 0, correct: 0, fields: 0, exact: 0 });
		b[key] += n;
	};
	for (const out of outs) {
		const dir = o.truthDir || path.dirname(out.file);
		const tpath = path.join(dir, path.basename(out.file).replace(/\.[^.]*$/, '') + '.truth.json');
		if (!fs.existsSync(tpath)) { process.stderr.write(`score-pages: ${out.file}: no ${tpath}, not scored\n`); continue; }
		const truth = JSON.parse(fs.readFileSync(tpath, 'utf8'));
		const family = truth.family || truth.kind || 'other';
		const detail = { digits: [], fields: [] };
		const c = S.scoreFile(out, truth, detail);
		S.addCounts(total, c);
		if (!fam[family]) fam[family] = { counts: S.emptyCounts(), trust: {} };
		S.addCounts(fam[family].counts, c);
		const t = trust(out, truth);
		addTo(tr, t);
		addTo(fam[family].trust, t);
		// Robustness: every truth digit and field counts in one bin per factor.
		const page = (pg) => truth.pages.find((p) => p.page === pg);
		const factorsOf = (p, fieldIndex) => Object.assign({}, p.factors || {}, (p.fields[fieldIndex] || {}).factors || {});
		for (const d of detail.digits) {
			const p = page(d.page), f = factorsOf(p, p.digits[d.index].field);
			for (const k of Object.keys(BINS)) {
				const b = binOf(k, f[k]);
				bump(k, b, 'digits', 1);
				bump(k, b, 'matched', d.matched ? 1 : 0);
				bump(k, b, 'correct', d.correct ? 1 : 0);
			}
		}
		for (const d of detail.fields) {
			const p = page(d.page), f = factorsOf(p, d.index);
			for (const k of Object.keys(BINS)) {
				const b = binOf(k, f[k]);
				bump(k, b, 'fields', 1);
				bump(k, b, 'exact', d.exact ? 1 : 0);
			}
		}
		// The curve; and a check that recomputing at the run's own flags agrees.
		for (const d of out.digits || []) {
			const again = (d.why & 1) !== 0 || ((d.why | 0) & STRUCTURAL_FLAGS) !== 0;
			if (again !== !!d.flagged) reflagMismatch++;
		}
		THRESHOLDS.forEach((th, i) => {
			const r = reflag(out, th);
			S.addCounts(curve[i].counts, S.scoreFile(r, truth));
			addTo(curve[i].trust, trust(r, truth));
		});
	}
	if (total.files === 0) { process.stderr.write('score-pages: nothing to score\n'); process.exit(1); }
	const famOut = {};
	for (const [k, v] of Object.entries(fam)) famOut[k] = { counts: v.counts, metrics: S.metrics(v.counts), trust: v.trust, trust_metrics: trustMetrics(v.trust) };
	const robust = {};
	for (const [k, bs] of Object.entries(bins)) {
		robust[k] = {};
		const order = BINS[k] ? BINS[k].map(([l]) => l) : Object.keys(bs).sort();
		for (const l of order) {
			if (!bs[l]) continue;
			const b = bs[l];
			robust[k][l] = Object.assign({}, b, { recall: ratio(b.matched, b.digits), e2e_accuracy: ratio(b.correct, b.digits), field_exact: ratio(b.exact, b.fields) });
		}
	}
	const curveOut = curve.map((c, i) => Object.assign({ threshold: THRESHOLDS[i] }, trustMetrics(c.trust),
		{ errors_flagged: S.metrics(c.counts).errors_flagged, digits_flagged: S.metrics(c.counts).digits_flagged, precision: S.metrics(c.counts).precision }));
	const result = { total: { counts: total, metrics: S.metrics(total), trust: tr, trust_metrics: trustMetrics(tr) },
			 families: famOut, robustness: robust, curve: curveOut, reflag_mismatch: reflagMismatch };
	if (o.json) { process.stdout.write(JSON.stringify(result) + '\n'); return; }

	const pct = (v) => (v === null || v === undefined ? '    -  ' : S.pct(v));
	const tm = S.metrics(total), tt = trustMetrics(tr);
	console.log(`total: ${total.files} files (${total.failed} failed), ${total.truth_digits} handwritten digits, ${total.reported} reported, ${total.truth_fields} fields`);
	console.log(`  recall ${pct(tm.recall)}  precision ${pct(tm.precision)}  end-to-end ${pct(tm.e2e_accuracy)}  field exact ${pct(tm.field_exact)}  errors flagged ${pct(tm.errors_flagged)}  digits flagged ${pct(tm.digits_flagged)}`);
	console.log(`  trust: fields accepted with no flag that are wrong ${pct(tt.accepted_wrong)} (${tr.accepted_wrong}/${tr.accepted});` +
		` writing present, nothing reported or flagged ${pct(tt.silent_misses)} (${tr.silent}/${tr.truth_fields}); read rate ${pct(tt.read_rate)}; fields flagged ${pct(tt.fields_flagged)}`);
	console.log('  false positives by what they hit: ' + S.FP_KINDS.map((k) => `${k} ${total.fp_by_kind[k]}`).join(', '));
	console.log('');
	console.log('family     files  digits  recall  precis  e2e-acc  field-ex  acc-wrong  silent');
	for (const [k, v] of Object.entries(famOut).sort()) {
		const m = v.metrics, t = v.trust_metrics;
		console.log(`${k.padEnd(10)} ${String(v.counts.files).padStart(5)} ${String(v.counts.truth_digits).padStart(7)} ${pct(m.recall)} ${pct(m.precision)} ${pct(m.e2e_accuracy)}  ${pct(m.field_exact)}   ${pct(t.accepted_wrong)}  ${pct(t.silent_misses)}`);
	}
	console.log('');
	console.log('robustness   bin           digits  recall  e2e-acc  fields  field-ex');
	for (const [k, bs] of Object.entries(robust)) {
		let first = true;
		for (const [l, b] of Object.entries(bs)) {
			console.log(`${(first ? k : '').padEnd(12)} ${l.padEnd(12)} ${String(b.digits).padStart(7)} ${pct(b.recall)} ${pct(b.e2e_accuracy)} ${String(b.fields).padStart(7)}  ${pct(b.field_exact)}`);
			first = false;
		}
	}
	console.log('');
	console.log('threshold  read-rate  acc-wrong  silent  errors-flagged  digits-flagged  precision');
	for (const c of curveOut)
		console.log(`${String(c.threshold).padEnd(9)}  ${pct(c.read_rate)}   ${pct(c.accepted_wrong)}  ${pct(c.silent_misses)}   ${pct(c.errors_flagged)}        ${pct(c.digits_flagged)}      ${pct(c.precision)}`);
	if (reflagMismatch) console.log(`warning: ${reflagMismatch} digits whose flag the curve's rule does not reproduce (recognize.c's flag rule changed?)`);
}

main();
