#!/bin/sh
# `make bench`: runs every benchmark binary ($DIGITD_BUILD/bench/*, default build/) and script
# (bench/bench_*.sh).  Each prints human lines plus machine-readable
# "BENCH <name> <value> <unit>" lines.  A summary of all BENCH lines closes.
cd "$(dirname "$0")/.." || exit 1
export DIGITD_ROOT="$(pwd)" DIGITD_BUILD="${DIGITD_BUILD:-build}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for b in "$DIGITD_BUILD"/bench/*; do
	[ -x "$b" ] || continue
	echo "== $(basename "$b")"
	"$b" 2>&1 | tee -a "$out"
done
for s in bench/bench_*.sh; do
	[ -f "$s" ] || continue
	echo "== $(basename "$s")"
	sh "$s" 2>&1 | tee -a "$out"
done
echo "== summary"
grep '^BENCH ' "$out"
