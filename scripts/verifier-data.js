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
// "kind".  --population kept|dropped: only the candidates the rules kept,
// or only those they dropped (to study either side alone).
'use strict';
const { eachCandidate } = require('./candidates.js');

const args = process.argv.slice(2);
let truthDir = null, population = null;
const files = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--truth-dir') truthDir = args[++i];
	else if (args[i] === '--population') population = args[++i];
	else files.push(args[i]);
}
if (!truthDir || files.length !== 1) {
	console.error('usage: verifier-data.js [--population kept|dropped] --truth-dir DIR RESULTS.jsonl > rows.tsv');
	process.exit(2);
}
const JUDGED_ELSEWHERE = ['model-reject', 'slash', 'other-split'];

const out = ['label\tfamily\tfeatures'];
let pos = 0, neg = 0;
eachCandidate(files[0], truthDir, (c, best, bv, truth) => {
	if (c.dropped.some((w) => JUDGED_ELSEWHERE.includes(w))) return;
	if (population && (population === 'kept') !== (c.dropped.length === 0)) return;
	const y = bv >= 0.4 ? 1 : 0;
	y ? pos++ : neg++;
	out.push(`${y}\t${truth.family || truth.kind || 'unknown'}\t${c.features.join('\t')}`);
});
process.stdout.write(out.join('\n') + '\n');
console.error(`verifier-data: ${pos} digits, ${neg} other candidates`);
