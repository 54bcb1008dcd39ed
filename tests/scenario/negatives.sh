#!/bin/sh
# negatives: tests/tools/mknegatives writes a valid IDX3 file, the same bytes
# on every run, and every image is normalised the MNIST way (ink present, at
# most 20x20, centre of mass near the middle of 28x28).
set -u
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${DIGITD_BUILD:-build}
cd "$ROOT" || exit 1
MK="$BUILD/tests/mknegatives"
[ -x "$MK" ] || { echo "no $MK"; exit 77; }
command -v node >/dev/null 2>&1 || { echo "node is missing"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
"$MK" "$T/a" 400 >/dev/null && "$MK" "$T/b" 400 >/dev/null || { echo "FAIL mknegatives exited non-zero"; exit 1; }
cmp "$T/a" "$T/b" || { echo "FAIL two runs differ"; exit 1; }
"$MK" "$T/c" 0 2>/dev/null && { echo "FAIL a count of 0 was accepted"; exit 1; }
[ -e "$T/c" ] && { echo "FAIL a refused run left a file"; exit 1; }
node - "$T/a" <<'JS' || exit 1
const b = require('fs').readFileSync(process.argv[2]);
const fail = (m) => { console.log('FAIL ' + m); process.exit(1); };
if (b.readUInt32BE(0) !== 0x803) fail('magic');
const n = b.readUInt32BE(4);
if (n !== 400 || b.readUInt32BE(8) !== 28 || b.readUInt32BE(12) !== 28) fail('header ' + n);
if (b.length !== 16 + n * 784) fail('size ' + b.length);
let off = 0, big = 0, dark = 0;
for (let i = 0; i < n; i++) {
	const im = b.subarray(16 + i * 784, 16 + (i + 1) * 784);
	let s = 0, sx = 0, sy = 0, x0 = 28, x1 = -1, y0 = 28, y1 = -1, mx = 0;
	for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
		const v = im[y * 28 + x];
		if (v > mx) mx = v;
		if (!v) continue;
		s += v; sx += v * (x + 0.5); sy += v * (y + 0.5);
		x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
	}
	if (mx < 128) dark++;
	if (x1 - x0 + 1 > 20 || y1 - y0 + 1 > 20) big++;
	if (s && Math.hypot(sx / s - 14, sy / s - 14) > 2.5) off++;
}
if (dark) fail(`${dark} images without ink`);
if (big) fail(`${big} images larger than 20x20`);
if (off > n * 0.05) fail(`${off} images off centre`);
console.log(`ok   ${n} negatives: valid IDX3, deterministic, normalised (${off} a little off centre)`);
JS
