#!/bin/sh
# bench_tesseract: what many users would try first, on the very pages
# bench_page recognised (it leaves them in $DIGITD_BUILD/bench/ with its
# pages/s in page-figures.txt): tesseract-ocr from Debian, digits whitelist,
# one thread (OMP_THREAD_LIMIT=1).  Like bench_page, speed is CPU time per
# page (user + system), so a busy machine does not skew the comparison.
# Prints BENCH lines for Tesseract and our speed-up over it.  Skipped with a
# note when tesseract is not installed (make bench-deps).
BUILD=${DIGITD_BUILD:-build}
FIG="$BUILD/bench/page-figures.txt"
if ! command -v tesseract >/dev/null 2>&1; then
	echo "bench_tesseract: tesseract is not installed (apt-get install tesseract-ocr, or make bench-deps): skipped"
	exit 0
fi
if ! command -v bash >/dev/null 2>&1; then
	echo "bench_tesseract: bash is needed to time tesseract: skipped"
	exit 0
fi
if [ ! -s "$FIG" ]; then
	echo "bench_tesseract: $FIG missing (bench_page did not run): skipped"
	exit 0
fi
RUNS=${TESSERACT_RUNS:-3}
export OMP_THREAD_LIMIT=1 RUNS
while read -r name img ours; do
	[ -f "$img" ] || continue
	# CPU seconds for RUNS runs, from bash's time builtin (user+system).
	cpu=$(bash -c 'TIMEFORMAT="%U %S"; { time for i in $(seq "$RUNS"); do
		tesseract "$1" - --psm 6 -c tessedit_char_whitelist=0123456789 >/dev/null 2>&1; done; } 2>&1' _ "$img" | tail -n 1)
	text=$(tesseract "$img" - --psm 6 -c tessedit_char_whitelist=0123456789 2>/dev/null | tr -s ' \n' ' ' | cut -c1-60)
	echo "tesseract $name: $text..."
	echo "$cpu" | awk -v runs="$RUNS" -v ours="$ours" -v n="$name" '{
		ms = ($1 + $2) * 1000.0 / runs
		if (ms <= 0) ms = 1
		t = 1000.0 / ms
		printf "BENCH tesseract_%s_cpu_ms %.1f ms\n", n, ms
		printf "BENCH tesseract_%s_pages_per_s %.2f pages/s\n", n, t
		if (ours > 0) printf "BENCH page_%s_speedup_vs_tesseract %.1f x\n", n, ours / t
	}'
done < "$FIG"
