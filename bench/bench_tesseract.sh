#!/bin/sh
# bench_tesseract: what many users would try first, on the very pages
# bench_page recognised (it leaves them in $DIGITD_BUILD/bench/ with its
# pages/s in page-figures.txt): tesseract-ocr from Debian, digits whitelist,
# one thread.  Prints BENCH lines for Tesseract and our speed-up over it.
# Skipped with a note when tesseract is not installed (make bench-deps).
BUILD=${DIGITD_BUILD:-build}
FIG="$BUILD/bench/page-figures.txt"
if ! command -v tesseract >/dev/null 2>&1; then
	echo "bench_tesseract: tesseract is not installed (apt-get install tesseract-ocr, or make bench-deps): skipped"
	exit 0
fi
if [ ! -s "$FIG" ]; then
	echo "bench_tesseract: $FIG missing (bench_page did not run): skipped"
	exit 0
fi
RUNS=${TESSERACT_RUNS:-3}
export OMP_THREAD_LIMIT=1
while read -r name img ours; do
	[ -f "$img" ] || continue
	start=$(date +%s%N)
	i=0
	while [ $i -lt "$RUNS" ]; do
		tesseract "$img" - --psm 6 -c tessedit_char_whitelist=0123456789 >/dev/null 2>&1 || {
			echo "bench_tesseract: tesseract failed on $img"; break; }
		i=$((i + 1))
	done
	end=$(date +%s%N)
	ms=$(( (end - start) / 1000000 / RUNS ))
	[ "$ms" -gt 0 ] || ms=1
	echo "tesseract $name: $(tesseract "$img" - --psm 6 -c tessedit_char_whitelist=0123456789 2>/dev/null | tr -s ' \n' ' ' | cut -c1-60)..."
	echo "BENCH tesseract_${name}_ms $ms ms"
	awk -v ms="$ms" -v ours="$ours" -v n="$name" 'BEGIN {
		t = 1000.0 / ms
		printf "BENCH tesseract_%s_pages_per_s %.2f pages/s\n", n, t
		if (t > 0 && ours > 0) printf "BENCH page_%s_speedup_vs_tesseract %.1f x\n", n, ours / t
	}'
done < "$FIG"
