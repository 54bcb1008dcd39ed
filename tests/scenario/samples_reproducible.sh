#!/bin/sh
# samples_reproducible: tests/tools/mksamples, run afresh, must give exactly
# the committed ground truth of samples/ (same seed, own PRNG), and the same
# set of files.  A change to the generator that is not followed by
# `make samples` (or a truth file edited by hand) fails here.  The images are
# compared too, but only reported: a different OpenCV/libjpeg may encode the
# same pixels into different bytes.
set -u
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${DIGITD_BUILD:-build}
cd "$ROOT" || exit 1
MK="$BUILD/tests/mksamples"
[ -x "$MK" ] || { echo "no $MK (make $MK)"; exit 77; }
[ -f data/mnist/t10k-images-idx3-ubyte ] || { echo "no MNIST test set (make data)"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
"$MK" data/mnist "$T" >"$T.log" 2>&1 || { cat "$T.log"; rm -f "$T.log"; echo "FAIL mksamples exited non-zero"; exit 1; }
rm -f "$T.log"
fail=0
want=$(cd samples && ls | grep -E '\.(png|jpg|tif|truth\.json)$' | grep -v '\.overlay\.png$' | sort)
got=$(cd "$T" && ls | sort)
if [ "$want" != "$got" ]; then
	echo "FAIL the generator makes other files than samples/ holds:"
	echo "$want" >"$T/.want"; echo "$got" >"$T/.got"; diff "$T/.want" "$T/.got"
	fail=1
fi
n=0
for f in "$T"/*.truth.json; do
	b=$(basename "$f")
	n=$((n + 1))
	if ! cmp -s "$f" "samples/$b"; then echo "FAIL samples/$b differs from a fresh run (make samples?)"; fail=1; fi
done
[ $n -ge 12 ] || { echo "FAIL only $n samples"; fail=1; }
same=0; diff_img=0
for f in "$T"/*.png "$T"/*.jpg "$T"/*.tif; do
	if cmp -s "$f" "samples/$(basename "$f")"; then same=$((same + 1)); else diff_img=$((diff_img + 1)); fi
done
echo "$n truth files checked; images: $same byte-identical, $diff_img differ (encoder versions)"
[ $fail -eq 0 ] && echo "ok   samples reproducible"
exit $fail
