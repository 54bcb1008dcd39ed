#!/bin/sh
# review_fixture: digitctl's output on a small database whose every value is
# known (tests/tools/review_fixture: real MNIST crops, fixed confidences,
# names with commas, quotes and a newline), so the golden files here change
# only when digitctl's output does, never with the model or the samples.
. "$(dirname "$0")/lib/review_lib.sh"
FIX=$BUILD/tests/review_fixture
[ -x "$FIX" ] || skip "no $FIX (make unit builds the test tools)"
[ -f "$DIGITD_ROOT/data/mnist/t10k-images-idx3-ubyte" ] || skip "no MNIST (make data)"
export DIGITD_CONFIG=$T/no-config   # the host's config must not leak in
DB=$T/fx.db
"$FIX" "$DIGITD_ROOT/sql/schema.sql" "$DIGITD_ROOT/data/mnist" "$T/spool" "$DB" || fail "review_fixture"

expect_exit 0 "$CTL" list --db "$DB"
golden fixture-list.txt
grep -q 'multi?line.tif' "$T/out" || fail "a newline in a name reached the table"
expect_exit 0 "$CTL" list --db "$DB" --json
json_ok "$T/out"
golden fixture-list.json
grep -q '"name": "multi\\nline.tif"' "$T/out" || fail "JSON does not escape the newline"
grep -q "$(printf '\033')" "$T/out" && fail "an escape character in a name reached the terminal"
expect_exit 0 "$CTL" list --db "$DB" --json
grep -qF '"name": "esc\u001b[31m\tred\ufffd.png"' "$T/out" || fail "JSON does not escape control characters and invalid UTF-8"
expect_exit 0 "$CTL" show --db "$DB" 1
golden fixture-show-1.txt
expect_exit 0 "$CTL" show --db "$DB" --json 'cheque, "big" #2.png'
json_ok "$T/out"
golden fixture-show-2.json
expect_exit 0 "$CTL" export --db "$DB"
golden fixture-export.csv
# the newline inside a quoted name is part of the record (RFC 4180)
grep -q "$(printf '^3,"multi$')" "$T/out" || fail "the name with a newline is not quoted"
sqlite3 "$T/csv.db" ".import --csv $T/out x" || fail "sqlite3 cannot import the CSV"
[ "$(sqlite3 "$T/csv.db" "SELECT count(*) || ' ' || sum(name = 'multi' || char(10) || 'line.tif') || ' ' || sum(name = 'cheque, \"big\" #2.png') FROM x")" = "5 1 1" ] ||
	fail "CSV does not read back: $(sqlite3 "$T/csv.db" 'SELECT name FROM x')"
expect_exit 0 "$CTL" export --db "$DB" --format json
json_ok "$T/out"
golden fixture-export.json
expect_exit 0 "$CTL" review --db "$DB" --list
golden fixture-review-list.txt
expect_exit 0 "$CTL" stats --db "$DB" --threshold 0.9 --target-error 5%
golden fixture-stats.txt
ok "fixture outputs match their golden files"

# the fixture's known answers
expect_exit 0 "$CTL" stats --db "$DB" --threshold 0.9 --json
[ "$(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$T/out') AS TEXT), '\$.backlog') || ' ' || json_extract(CAST(readfile('$T/out') AS TEXT), '\$.errors_seen')")" = "7 1" ] ||
	fail "stats: backlog/errors: $(cat "$T/out")"
expect_exit 0 "$CTL" show --db "$DB" --spool "$T/spool" --overlay "$T/o1.png" 'form-0001.png'
expect_err "original scan"
expect_exit 0 "$CTL" show --db "$DB" --spool "$T/spool" --overlay "$T/o2.png" 'form-0001 copy.png'
expect_err "original scan"
ok "fixture figures"

# --since: the fixture's documents were received at 03:00:00, 03:10:03,
# 03:20:06, 03:30:09, 03:40:12 and 03:50:15 UTC on 2026-11-26
since_count() {
	expect_exit 0 "$CTL" list --db "$DB" --json --since "$1"
	sqlite3 :memory: "SELECT json_array_length(CAST(readfile('$T/out') AS TEXT))"
}
[ "$(since_count 2026-11-26T03:15Z)" = 4 ] || fail "--since 03:15Z"
[ "$(since_count '2026-11-26 04:15:00+01:00')" = 4 ] || fail "--since with a +01:00 offset"
[ "$(since_count 2026-11-25T23:15-04:00)" = 4 ] || fail "--since with a -04:00 offset across midnight"
[ "$(since_count 2026-11-26T03:20:06.000Z)" = 4 ] || fail "--since the exact received time"
[ "$(since_count 2026-11-26T03:20:06.001Z)" = 3 ] || fail "--since a millisecond later"
[ "$(since_count 2026-11-26)" = 6 ] || fail "--since a date"
[ "$(since_count 2026-11-27)" = 0 ] || fail "--since the next day"
[ "$(since_count 100w)" = 6 ] || fail "--since 100w"
for bad in 2026-02-30 2026-11-26T25:00 26-11-2026 3x '' 2026-11-26T03:15+1; do
	expect_exit 2 "$CTL" list --db "$DB" --since "$bad"
	expect_err "cannot read time"
done
ok "--since forms and offsets"
