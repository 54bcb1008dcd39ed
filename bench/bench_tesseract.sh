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
RUNS=${TESSERACT_RUNS:-5}
export OMP_THREAD_LIMIT=1
# page-figures.txt: name, image, our pages/s from the median and from the
# fastest run.  Tesseract's CPU time (user + system, bash's time builtin) is
# taken run by run, and its median and fastest run are compared with ours:
# on a shared machine a whole run can land on a busy core and take half as
# long again, so the best of each is what the code costs.
while read -r name img ours best; do
	[ -f "$img" ] || continue
	times=$(bash -c 'TIMEFORMAT="%U %S"; for i in $(seq "$2"); do { time tesseract "$1" - --psm 6 \
		-c tessedit_char_whitelist=0123456789 >/dev/null 2>&1; } 2>&1; done' _ "$img" "$RUNS")
	text=$(tesseract "$img" - --psm 6 -c tessedit_char_whitelist=0123456789 2>/dev/null | tr -s ' \n' ' ' | cut -c1-60)
	echo "tesseract $name: $text..."
	echo "$times" | awk -v ours="$ours" -v best="${best:-0}" -v n="$name" '
		NF == 2 { ms[++k] = ($1 + $2) * 1000.0 }
		END {
			if (k == 0) exit
			for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (ms[j] < ms[i]) { t = ms[i]; ms[i] = ms[j]; ms[j] = t }
			med = ms[int((k + 1) / 2)]; lo = ms[1]
			if (med <= 0) med = 1
			if (lo <= 0) lo = 1
			printf "BENCH tesseract_%s_cpu_ms %.1f ms\n", n, med
			printf "BENCH tesseract_%s_cpu_best_ms %.1f ms\n", n, lo
			printf "BENCH tesseract_%s_pages_per_s %.2f pages/s\n", n, 1000.0 / med
			if (ours > 0) printf "BENCH page_%s_speedup_vs_tesseract %.1f x\n", n, ours * med / 1000.0
			if (best > 0) printf "BENCH page_%s_speedup_vs_tesseract_best %.1f x\n", n, best * lo / 1000.0
		}'
done < "$FIG"
