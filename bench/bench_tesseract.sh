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
if [ ! -s "$FIG" ] || [ ! -x "$BUILD/bench/bench_page" ]; then
	echo "bench_tesseract: $FIG missing (bench_page did not run): skipped"
	exit 0
fi
RUNS=${TESSERACT_RUNS:-5}
export OMP_THREAD_LIMIT=1
PAGE="$BUILD/bench/bench_page"
# page-figures.txt: name, image, our pages/s (median and fastest run of
# bench_page's own pass).  On a shared machine a whole minute can run half
# as fast again as the next, so the comparison is made in pairs: each
# Tesseract run (CPU time, user + system, bash's time builtin) right after
# a short run of ours on the same page (bench_page ITERS CASE, its fastest
# page); the medians and the best of the pairs are compared.
while read -r name img ours best; do
	[ -f "$img" ] || continue
	pairs=$(i=0; while [ $i -lt "$RUNS" ]; do
		o=$("$PAGE" 8 "$name" 2>/dev/null | awk '$2 ~ /_cpu_best_ms$/ { print $3 }')
		t=$(bash -c 'TIMEFORMAT="%U %S"; { time tesseract "$1" - --psm 6 \
			-c tessedit_char_whitelist=0123456789 >/dev/null 2>&1; } 2>&1' _ "$img" | tail -n 1)
		echo "${o:-0} $t"
		i=$((i + 1))
	done)
	text=$(tesseract "$img" - --psm 6 -c tessedit_char_whitelist=0123456789 2>/dev/null | tr -s ' \n' ' ' | cut -c1-60)
	echo "tesseract $name: $text..."
	echo "$pairs" | awk -v n="$name" '
		NF == 3 { k++; o[k] = $1; t[k] = ($2 + $3) * 1000.0 }
		function sort(a,   i, j, x) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x } }
		END {
			if (k == 0) exit
			sort(o); sort(t)
			m = int((k + 1) / 2)
			if (o[1] <= 0 || t[1] <= 0) exit
			printf "BENCH tesseract_%s_cpu_ms %.1f ms\n", n, t[m]
			printf "BENCH tesseract_%s_cpu_best_ms %.1f ms\n", n, t[1]
			printf "BENCH tesseract_%s_pages_per_s %.2f pages/s\n", n, 1000.0 / t[m]
			printf "BENCH page_%s_paired_cpu_ms %.1f ms\n", n, o[m]
			printf "BENCH page_%s_speedup_vs_tesseract %.1f x\n", n, t[m] / o[m]
			printf "BENCH page_%s_speedup_vs_tesseract_best %.1f x\n", n, t[1] / o[1]
		}'
done < "$FIG"
