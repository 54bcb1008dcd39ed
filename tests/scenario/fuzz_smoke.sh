#!/bin/sh
# fuzz_smoke: a bounded libFuzzer run over load + clean + segment (60 s by
# default, FUZZ_SMOKE_SECONDS to change).  Skipped (77) without clang.
cd "${DIGITD_ROOT:-$(dirname "$0")/../..}" || exit 1
exec scripts/fuzz.sh "${FUZZ_SMOKE_SECONDS:-60}"
