#!/usr/bin/env node
// page-crops.js: the 28x28 inputs of `digitctl recognize --explain --json`
// on generated pages, labelled against the pages' truth, as an MNIST-style
// IDX pair for `digitctl train --pages PREFIX`.
//
//   node scripts/page-crops.js [--exclude-family F] --truth-dir DIR RESULTS.jsonl PREFIX
//
// Writes PREFIX-images-idx3-ubyte and PREFIX-labels-idx1-ubyte.  A
// candidate whose box overlaps a handwritten digit of the truth by IoU >= 0.5
// gets that digit's label: the model learns digits as the page path (scan,
// clean, binarise, normalise) delivers them.  One that touches no digit's
// box at all, and is not a bar (BAR_ASPECT), gets label 10, "not a
// handwritten digit": print (printed digits included: a printed 7 on a form
// is not an entry), words, stamps, signatures.  The ones between, pieces of
// a digit or two digits as one, are left out: their right answer depends on
// the split the recogniser is weighing.  --exclude-family leaves a family's
// pages out (a model judged on a family it never saw).
'use strict';
const fs = require('fs');
const { eachCandidate } = require('./candidates.js');

const args = process.argv.slice(2);
let truthDir = null, exclude = null;
const rest = [];
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--truth-dir') truthDir = args[++i];
	else if (args[i] === '--exclude-family') exclude = args[++i];
	else rest.push(args[i]);
}
if (!truthDir || rest.length !== 2) {
	console.error('usage: page-crops.js [--exclude-family F] --truth-dir DIR RESULTS.jsonl PREFIX');
	process.exit(2);
}
const [results, prefix] = rest;
const NOT_A_DIGIT = 10;
// A mark narrower than this share of its height normalises to a bar, which
// is a 1 whatever made it (a printed 1 or l, a rule's piece): as a negative
// it taught the model to reject MNIST's 1s (85 % of them read, against 99 %).
const BAR_ASPECT = 0.4;
const SIDE = 28;

const images = [], labels = [];
const counts = new Array(11).fill(0);
eachCandidate(results, truthDir, (c, best, bv, truth) => {
	if (exclude && truth.family === exclude) return;
	if (truth.mnist_split && truth.mnist_split !== 'train') {
		console.error(`page-crops: ${truth.file}: written with MNIST ${truth.mnist_split} digits; training takes train digits only`);
		process.exit(1);
	}
	let label;
	if (bv >= 0.5) label = best.label;
	else if (bv === 0 && c.w >= BAR_ASPECT * c.h) label = NOT_A_DIGIT;
	else return;
	images.push(Buffer.from(c.img, 'hex'));
	labels.push(label);
	counts[label]++;
});
const n = labels.length;
const ih = Buffer.alloc(16);
ih.writeUInt32BE(0x803, 0); ih.writeUInt32BE(n, 4); ih.writeUInt32BE(SIDE, 8); ih.writeUInt32BE(SIDE, 12);
fs.writeFileSync(`${prefix}-images-idx3-ubyte`, Buffer.concat([ih, ...images]));
const lh = Buffer.alloc(8);
lh.writeUInt32BE(0x801, 0); lh.writeUInt32BE(n, 4);
fs.writeFileSync(`${prefix}-labels-idx1-ubyte`, Buffer.concat([lh, Buffer.from(labels)]));
console.error(`page-crops: ${n} crops (digits 0-9: ${counts.slice(0, 10).join(' ')}; not a digit: ${counts[10]})`);
