// candidates.js: the candidates of `digitctl recognize --explain --json`
// output, each with its page's truth and its best IoU against a truth digit,
// for the scripts that turn them into training data (verifier-data.js,
// page-crops.js).  Matching as score-samples.js measures it.
'use strict';
const fs = require('fs');
const path = require('path');
const S = require('./score-samples.js');

// fn(candidate, best truth digit or null, its IoU, the file's truth) for
// every candidate of every file read without error.
function eachCandidate(results, truthDir, fn) {
	for (const r of S.readLines(results)) {
		if (r.error || !r.candidates) continue;
		const stem = path.basename(r.file).replace(/\.[^.]+$/, '');
		const truth = JSON.parse(fs.readFileSync(path.join(truthDir, stem + '.truth.json'), 'utf8'));
		for (const c of r.candidates) {
			const page = truth.pages[c.page];
			let best = null, bv = 0;
			for (const t of page ? page.digits : []) { const v = S.iou(c, t); if (v > bv) { bv = v; best = t; } }
			fn(c, best, bv, truth);
		}
	}
}

module.exports = { eachCandidate };
