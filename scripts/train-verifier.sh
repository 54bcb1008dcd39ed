#!/bin/sh
# train-verifier.sh: `make verifier`.  Train the candidate verifier that ships
# beside the default model, from pages written with MNIST *training* digits
# only (tests/tools/mkpages --digits train), in two stages on two separate
# page sets, so that the second stage sees the network's outputs on pages it
# never trained on:
#
#  1. the verifier network: an 11-output LeNet-5 trained on MNIST, the
#     synthetic negatives and the candidates cut from NET_PAGES pages by our
#     own page path (scripts/page-crops.js: handwritten digits with their
#     labels, everything touching no digit -- print included -- as class 10);
#  2. the verifier: a logistic regression (digitctl train-verifier) over the
#     candidates' context features and that network's "not a handwritten
#     digit" output, on LR_PAGES other pages.
#
#   scripts/train-verifier.sh [OUT_DIR]     (default models/)
#
# EXCLUDE_FAMILY=F leaves family F out of both stages (leave one family out:
# then judge the result on F's pages of make eval-heldout).  Deterministic:
# the same seeds give the same files.  About 15 minutes on two cores.
set -eu
cd "$(dirname "$0")/.." || exit 1
BUILD=${DIGITD_BUILD:-build}
OUT=${1:-models}
NET_SEED=${NET_SEED:-1000}
NET_PAGES=${NET_PAGES:-300}
LR_SEED=${LR_SEED:-3000}
LR_PAGES=${LR_PAGES:-160}
EXCLUDE_FAMILY=${EXCLUDE_FAMILY:-}
MODEL=${MODEL:-models/lenet5-reject.model}
stem=$(basename "$MODEL" .model)
tag=${EXCLUDE_FAMILY:+-no-$EXCLUDE_FAMILY}
W=$BUILD/verifier$tag
mkdir -p "$W" "$OUT"
for t in digitctl tests/mkpages; do
	[ -x "$BUILD/$t" ] || { echo "train-verifier: $BUILD/$t is missing: make all $BUILD/tests/mkpages" >&2; exit 1; }
done
[ -f data/negatives-idx3-ubyte ] || { echo "train-verifier: data/negatives-idx3-ubyte is missing: make negatives" >&2; exit 1; }
excl=${EXCLUDE_FAMILY:+--exclude-family $EXCLUDE_FAMILY}

scans() { ls "$1"/*.png "$1"/*.jpg "$1"/*.tif 2>/dev/null | grep -v '\.overlay\.png$'; }

echo "== 1. the verifier network: $NET_PAGES pages (seed $NET_SEED, MNIST train digits)"
rm -rf "$W/net-pages"
"$BUILD/tests/mkpages" --seed "$NET_SEED" --count "$NET_PAGES" --digits train data/mnist "$W/net-pages"
# shellcheck disable=SC2046  # mkpages' names have no spaces
"$BUILD/digitctl" recognize --json --explain --no-verifier --model "$MODEL" $(scans "$W/net-pages") >"$W/net-pages.jsonl"
# shellcheck disable=SC2086
node scripts/page-crops.js $excl --truth-dir "$W/net-pages" "$W/net-pages.jsonl" "$W/crops"
NET="$OUT/$stem-verifier-net$tag.model"
"$BUILD/digitctl" train --data data/mnist --arch classic-reject --negatives data/negatives-idx3-ubyte \
	--pages "$W/crops" --epochs 24 --seed 1 --threads 2 \
	--augment rot=10,scale=0.1,shear=0.1,shift=2,elastic=1.0,thick=0.5,blur=1.0,binar=0.9,gamma=0.3,noise=0.2 \
	--quiet --out "$NET"

echo "== 2. the verifier: $LR_PAGES other pages (seed $LR_SEED, MNIST train digits)"
rm -rf "$W/lr-pages"
"$BUILD/tests/mkpages" --seed "$LR_SEED" --count "$LR_PAGES" --digits train data/mnist "$W/lr-pages"
# shellcheck disable=SC2046
"$BUILD/digitctl" recognize --json --explain --model "$MODEL" --verifier-network "$NET" $(scans "$W/lr-pages") \
	>"$W/lr-pages.jsonl"
node scripts/verifier-data.js --truth-dir "$W/lr-pages" "$W/lr-pages.jsonl" >"$W/rows.tsv"
# shellcheck disable=SC2086
"$BUILD/digitctl" train-verifier --data "$W/rows.tsv" $excl --network "$NET" --model "$MODEL" \
	--out "$OUT/$stem$tag.verifier"
