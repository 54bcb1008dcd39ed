#!/usr/bin/env node
// verifier-data.js: label the candidates of `digitctl recognize --explain
// --json` against the pages' truth, as rows for `digitctl train-verifier`.
//
//   node scripts/verifier-data.js --truth-dir DIR RESULTS.jsonl > rows.tsv
//
// One row per candidate the verifier judges (not those the model's reject
// class, a slash or the other side of a split took out): "label family f0
// .. f15", label 1 when the candidate's box overlaps a handwritten digit of
// the truth by IoU >= 0.4 (the scorer's own criterion, without its
// centre-inside escape: half a digit, or two digits read as one, is not a
// digit).  family: the truth's "family" (tests/tools/mkpages.c), else its
// "kind".
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
let truthDir = null, population = null;
const files = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--truth-dir') truthDir = args[++i];
	else if (args[i] === '--population') population = args[++i];
	else files.push(args[i]);
}
if (!truthDir || files.length !== 1) {
	console.error('usage: verifier-data.js --truth-dir DIR RESULTS.jsonl > rows.tsv');
	process.exit(2);
}
const JUDGED_ELSEWHERE = ['model-reject', 'slash', 'other-split'];

function iou(a, b) {
	const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
	const x1 = Math.min(a.x + a.w, b.x + b.w), y1 = Math.min(a.y + a.h, b.y + b.h);
	const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
	return inter / (a.w * a.h + b.w * b.h - inter);
}

const out = ['label\tfamily\tfeatures'];
let pos = 0, neg = 0;
for (const line of fs.readFileSync(files[0], 'utf8').split('\n')) {
	if (!line.trim()) continue;
	const r = JSON.parse(line);
	if (r.error || !r.candidates) continue;
	const stem = path.basename(r.file).replace(/\.[^.]+$/, '');
	const truth = JSON.parse(fs.readFileSync(path.join(truthDir, stem + '.truth.json'), 'utf8'));
	const family = truth.family || truth.kind || 'unknown';
	for (const c of r.candidates) {
		if (c.dropped.some((w) => JUDGED_ELSEWHERE.includes(w))) continue;
		if (population && (population === 'kept') !== (c.dropped.length === 0)) continue;
		const page = truth.pages[c.page];
		const y = page && page.digits.some((t) => iou(c, t) >= 0.4) ? 1 : 0;
		y ? pos++ : neg++;
		out.push(`${y}\t${family}\t${c.features.join('\t')}`);
	}
}
process.stdout.write(out.join('\n') + '\n');
console.error(`verifier-data: ${pos} digits, ${neg} other candidates`);
