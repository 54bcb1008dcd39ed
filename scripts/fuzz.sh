#!/bin/sh
# fuzz.sh: `make fuzz`, `make fuzz-load`.  Build a libFuzzer target with
# clang, ASan and UBSan into build-fuzz/, and run it for a bounded time:
# page (default) is tests/fuzz/fuzz_page.c, load + clean + segment; load is
# tests/fuzz/fuzz_load.cpp, the fast PNG and JPEG decoders alone, checked
# against OpenCV.
#
#   scripts/fuzz.sh [SECONDS] [page|load]   default: $FUZZ_SECONDS or 300, $FUZZ_TARGET or page
#
# The corpus grows in build-fuzz/corpus[-load] (seeded from tests/fuzz/seeds).  A
# crash stops the run with exit 1 and leaves build-fuzz/artifacts/crash-*:
# fix the bug, then copy the file into tests/fuzz/crashers/, where
# test_badinput replays it on every `make check`.
# Exit 77 (skipped) when clang or its libFuzzer/sanitizer runtimes
# (libclang-rt-dev) are not installed.
set -u
cd "$(dirname "$0")/.." || exit 1
SECS=${1:-${FUZZ_SECONDS:-300}}
TARGET=${2:-${FUZZ_TARGET:-page}}
B=build-fuzz
case "$TARGET" in
page) CORPUS=$B/corpus MAXLEN=65536 ;;
load) CORPUS=$B/corpus-load MAXLEN=16384 ;;
*) echo "fuzz: unknown target '$TARGET' (page or load)" >&2; exit 1 ;;
esac
if ! command -v clang >/dev/null 2>&1 || ! command -v clang++ >/dev/null 2>&1; then
	echo "fuzz: clang is not installed (apt-get install clang): skipped"
	exit 77
fi
# clang without compiler-rt links nothing with -fsanitize=fuzzer.
probe=$(mktemp -d) || exit 1
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
	rm -rf "$probe"
	echo "fuzz: clang cannot link libFuzzer with ASan/UBSan (apt-get install libclang-rt-dev): skipped"
	exit 77
fi
rm -rf "$probe"
CV_CFLAGS=$(pkg-config --cflags opencv4 poppler-cpp) || { echo "fuzz: opencv4 or poppler-cpp not found by pkg-config" >&2; exit 1; }
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-O1 -g -Isrc -D_GNU_SOURCE $SAN -fsanitize=fuzzer-no-link"
mkdir -p $B/obj $CORPUS $B/artifacts || exit 1

# Only the layers the target reaches: imaging and segment.  An object is
# rebuilt when its source or any header of src/ is newer (a struct that
# changed size must not meet objects compiled with the old one).
newest_h=$(ls -t src/*/*.h | head -n 1)
objs=""
# util/order.c: the segmenter sorts with its comparators; util/log.c: the
# decoders' messages (imaging/tiff_msg.c)
for src in src/util/order.c src/util/log.c src/imaging/*.c src/segment/*.c src/imaging/*.cpp; do
	obj=$B/obj/$(echo "$src" | tr / _).o
	objs="$objs $obj"
	[ "$obj" -nt "$src" ] && [ "$obj" -nt "$newest_h" ] && continue
	case "$src" in
	*.cpp) clang++ -std=c++17 $CFLAGS $CV_CFLAGS -c -o "$obj" "$src" ;;
	*) clang -std=c11 $CFLAGS -c -o "$obj" "$src" ;;
	esac || { echo "fuzz: compiling $src failed" >&2; exit 1; }
done
if [ "$TARGET" = page ]; then
	clang -std=c11 $CFLAGS -c -o $B/obj/fuzz_page.o tests/fuzz/fuzz_page.c || exit 1
else
	clang++ -std=c++17 $CFLAGS $CV_CFLAGS -c -o $B/obj/fuzz_load.o tests/fuzz/fuzz_load.cpp || exit 1
fi
# OpenCV is C++: link with clang++.
# shellcheck disable=SC2086
clang++ $SAN -fsanitize=fuzzer -o $B/fuzz_$TARGET $B/obj/fuzz_$TARGET.o $objs \
	-lopencv_imgcodecs -lopencv_imgproc -lopencv_core -lpoppler-cpp -ldeflate -ljpeg -lpng16 -ltiff -lm -pthread ||
	{ echo "fuzz: link failed" >&2; exit 1; }

echo "fuzz: running fuzz_$TARGET for ${SECS}s (corpus $CORPUS)"
# Leaks inside OpenCV's codec caches are not ours to chase here.
ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" \
$B/fuzz_$TARGET -max_total_time="$SECS" -max_len=$MAXLEN -timeout=20 -rss_limit_mb=2048 \
	-artifact_prefix=$B/artifacts/ -print_final_stats=1 $CORPUS tests/fuzz/seeds
rc=$?
if [ $rc -ne 0 ]; then
	echo "fuzz: FAILED (exit $rc); the input is in $B/artifacts/" >&2
	echo "fuzz: after fixing, keep it: cp $B/artifacts/crash-* tests/fuzz/crashers/" >&2
	exit 1
fi
echo "fuzz: no crash in ${SECS}s"
