#!/bin/sh
# fuzz_smoke: bounded libFuzzer runs over load + clean + segment (60 s by
# default, FUZZ_SMOKE_SECONDS to change) and over the fast PNG/JPEG
# decoders alone (half as long).  Skipped (77) without clang.
cd "${DIGITD_ROOT:-$(dirname "$0")/../..}" || exit 1
secs=${FUZZ_SMOKE_SECONDS:-60}
scripts/fuzz.sh "$secs" || exit $?
exec scripts/fuzz.sh "$((secs / 2 > 0 ? secs / 2 : 1))" load
