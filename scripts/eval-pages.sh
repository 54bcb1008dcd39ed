#!/bin/sh
# eval-pages.sh: `make eval-heldout`.  Run the recogniser over a directory of
# pages made by tests/tools/mkpages and score them with scripts/score-pages.js
# (overall, per family, per factor bin, trust figures, threshold curve;
# docs/evaluation.md).
#
#   scripts/eval-pages.sh [--json] DIR [-- RECOGNIZE-OPTIONS...]
#
# DIGITD_BUILD picks the build directory (default build).  The raw output is
# kept in DIR.jsonl for a closer look (or to score again without rerunning).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${DIGITD_BUILD:-build}
JSON=""
[ "${1:-}" = "--json" ] && { JSON=--json; shift; }
DIR=${1:-}
[ -n "$DIR" ] && [ -d "$DIR" ] || { echo "usage: eval-pages.sh [--json] DIR [-- RECOGNIZE-OPTIONS...]" >&2; exit 2; }
shift
[ "${1:-}" = "--" ] && shift
[ -x "$BUILD/digitctl" ] || { echo "eval-pages: $BUILD/digitctl is missing: run make first" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "eval-pages: node is missing (apt-get install nodejs)" >&2; exit 1; }
# The scans only: not the truth files, nor MKPAGES_OVERLAY=1's overlays.
FILES=$(ls "$DIR"/*.png "$DIR"/*.jpg "$DIR"/*.tif 2>/dev/null | grep -v '\.overlay\.png$')
[ -n "$FILES" ] || { echo "eval-pages: no scans in $DIR/ (build/tests/mkpages data/mnist $DIR)" >&2; exit 1; }
OUT="${DIR%/}.jsonl"
# shellcheck disable=SC2086  # FILES are mkpages' names, without spaces
"$BUILD/digitctl" recognize --json "$@" $FILES >"$OUT"
rc=$?
# Exit 1 means some file could not be read: it is scored as failed, not fatal.
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
	echo "eval-pages: digitctl recognize exited with $rc" >&2
	exit 1
fi
exec node scripts/score-pages.js $JSON --truth-dir "$DIR" "$OUT"
