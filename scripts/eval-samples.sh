#!/bin/sh
# eval-samples.sh: `make eval-samples`.  Run the recogniser over every scan in
# samples/ and score it against the ground truth (samples/README.md says how).
#
#   scripts/eval-samples.sh [--json] [--strict] [--verbose] [-- RECOGNIZE-OPTIONS...]
#   scripts/eval-samples.sh --sweep ["T1 T2 ..."] [-- RECOGNIZE-OPTIONS...]
#
# --json, --strict and --verbose go to scripts/score-samples.js; anything after `--`
# goes to `digitctl recognize` (e.g. -- --threshold 0.8 --debug-dir /tmp/ov).
# --sweep runs the recogniser once per confidence threshold (default
# 0.5 0.7 0.8 0.9 0.95 0.98 0.99) and prints one line of figures for each:
# what the threshold trades between errors flagged and digits flagged.
# DIGITD_BUILD picks the build directory (default build); SAMPLES picks the
# directory of scans and truth (default samples; a held-out set made with
# `MKSAMPLES_SEED=N build/tests/mksamples data/mnist DIR` checks that tuning
# on samples/ generalises to other digits, positions and noise).  The raw output is
# kept in $DIGITD_BUILD/eval-samples.jsonl for a closer look.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${DIGITD_BUILD:-build}
SAMPLES=${SAMPLES:-samples}
SCORE_ARGS=""
SWEEP=""
while [ $# -gt 0 ]; do
	case "$1" in
	--) shift; break ;;
	--json|--strict|--verbose) SCORE_ARGS="$SCORE_ARGS $1"; shift ;;
	--sweep)
		SWEEP="0.5 0.7 0.8 0.9 0.95 0.98 0.99"; shift
		case "${1:-}" in [0-9]*) SWEEP=$1; shift ;; esac ;;
	*) echo "usage: eval-samples.sh [--json] [--strict] [--verbose] [--sweep [\"T1 T2 ...\"]] [-- RECOGNIZE-OPTIONS...]" >&2; exit 2 ;;
	esac
done
if [ ! -x "$BUILD/digitctl" ]; then
	echo "eval-samples: $BUILD/digitctl is missing: run make first" >&2
	exit 1
fi
command -v node >/dev/null 2>&1 || { echo "eval-samples: node is missing (apt-get install nodejs)" >&2; exit 1; }
# The scans only: not the truth files, nor overlays drawn by `MKSAMPLES_OVERLAY=1 make samples`.
FILES=$(ls "$SAMPLES"/*.png "$SAMPLES"/*.jpg "$SAMPLES"/*.tif 2>/dev/null | grep -v '\.overlay\.png$')
[ -n "$FILES" ] || { echo "eval-samples: no scans in $SAMPLES/ (make samples)" >&2; exit 1; }
OUT="$BUILD/eval-samples.jsonl"
if [ -n "$SWEEP" ]; then
	for t in $SWEEP; do
		# shellcheck disable=SC2086
		"$BUILD/digitctl" recognize --json --threshold "$t" "$@" $FILES >"$OUT"
		rc=$?
		[ $rc -eq 0 ] || [ $rc -eq 1 ] || { echo "eval-samples: digitctl recognize exited with $rc" >&2; exit 1; }
		printf 'threshold %-5s ' "$t"
		node scripts/score-samples.js --oneline --truth-dir "$SAMPLES" "$OUT" || exit 1
	done
	exit 0
fi
# shellcheck disable=SC2086  # FILES are our own names, without spaces
"$BUILD/digitctl" recognize --json "$@" $FILES >"$OUT"
rc=$?
# Exit 1 means some file could not be read: it is scored as failed, not fatal.
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
	echo "eval-samples: digitctl recognize exited with $rc" >&2
	exit 1
fi
# shellcheck disable=SC2086
exec node scripts/score-samples.js $SCORE_ARGS --truth-dir "$SAMPLES" "$OUT"
