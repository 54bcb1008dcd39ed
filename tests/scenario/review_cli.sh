#!/bin/sh
# review_cli: digitctl's database commands (list, show, export, review in its
# scripted forms, stats) on a database filled by the real digitd from the
# samples, with golden outputs; bad arguments, and missing, corrupt, foreign
# and newer databases.
. "$(dirname "$0")/lib/review_lib.sh"

W=$T/w
mkdir -p "$W"
mkdb "$W" cheque-01.png=cheque-01.png 'note, "one" 01.png=note-01.png' multi-01.tif=multi-01.tif \
	'cheque-01 again.png=cheque-01.png'
printf 'this is not an image\n' > "$SPOOL/incoming/broken.png"
"$DIGITD" --once -c "$CONF" 2>> "$W/digitd.log"
[ "$(sql "SELECT group_concat(status, ' ') FROM (SELECT status FROM documents ORDER BY id)")" = "done done done duplicate failed" ] ||
	fail "unexpected documents: $(sql 'SELECT id, name, status FROM documents')"
NDIG=$(sql "SELECT count(*) FROM digits")
NFIELD=$(sql "SELECT count(*) FROM fields")
NQUEUE=$(sql "SELECT count(*) FROM review_queue")
[ "$NDIG" -gt 100 ] && [ "$NQUEUE" -gt 0 ] || fail "the daemon read too little: $NDIG digits, $NQUEUE flagged"
ok "digitd filled the database: 5 documents, $NDIG digits, $NFIELD fields, $NQUEUE to review"

# --- list --------------------------------------------------------------------
expect_exit 0 "$CTL" list --db "$DB"
[ "$(wc -l < "$T/out")" -eq 6 ] || fail "list: expected a header and 5 rows"
head -2 "$T/out" | tail -1 | grep -q '^ *5 .*broken.png .*failed' || fail "list is not newest first: $(head -3 "$T/out")"
golden list.txt
expect_exit 0 "$CTL" list --db "$DB" --json
json_ok "$T/out"
golden list.json
expect_exit 0 "$CTL" list --db "$DB" --status failed
[ "$(wc -l < "$T/out")" -eq 2 ] && grep -q broken.png "$T/out" || fail "list --status failed: $(cat "$T/out")"
expect_exit 0 "$CTL" list --db "$DB" --limit 2 --json
[ "$(sqlite3 :memory: "SELECT json_array_length(CAST(readfile('$T/out') AS TEXT))")" = 2 ] || fail "list --limit 2"
expect_exit 0 "$CTL" list --db "$DB" --flagged
nf=$(sql "SELECT count(DISTINCT document_id) FROM digits WHERE flagged = 1")
[ "$(wc -l < "$T/out")" -eq $((nf + 1)) ] || fail "list --flagged: $(cat "$T/out")"
expect_exit 0 "$CTL" list --db "$DB" --pending --json
[ "$(sqlite3 :memory: "SELECT json_array_length(CAST(readfile('$T/out') AS TEXT))")" -eq "$(sql "SELECT count(DISTINCT document_id) FROM review_queue")" ] || fail "list --pending"
expect_exit 0 "$CTL" list --db "$DB" --since 1h
[ "$(wc -l < "$T/out")" -eq 6 ] || fail "list --since 1h"
expect_exit 0 "$CTL" list --db "$DB" --since 2999-01-01T00:00Z
[ "$(wc -l < "$T/out")" -eq 1 ] || fail "list --since the future shows rows"
ok "list filters"

# --- show --------------------------------------------------------------------
expect_exit 0 "$CTL" show --db "$DB" cheque-01.png
cp "$T/out" "$T/show-by-name"
golden show-cheque-01.txt
SHA=$(sql "SELECT substr(sha256, 1, 8) FROM documents WHERE id = 1")
expect_exit 0 "$CTL" show --db "$DB" "$SHA"
cmp -s "$T/out" "$T/show-by-name" || fail "show by sha256 prefix differs from show by name (the duplicate must not win)"
expect_exit 0 "$CTL" show --db "$DB" 1
cmp -s "$T/out" "$T/show-by-name" || fail "show by id differs from show by name"
grep -q '^  model      lenet5:' "$T/out" || fail "show does not name the model"
expect_exit 0 "$CTL" show --db "$DB" --json 'note, "one" 01.png'
json_ok "$T/out"
golden show-note.json
expect_exit 0 "$CTL" show --db "$DB" 'cheque-01 again.png'
grep -q 'duplicate  of document 1' "$T/out" || fail "show of a duplicate: $(head -5 "$T/out")"
expect_exit 0 "$CTL" show --db "$DB" broken.png
grep -q 'error ' "$T/out" || fail "show of a failed document has no error line"
expect_exit 1 "$CTL" show --db "$DB" no-such-file.png
expect_err "no document 'no-such-file.png'"
ok "show by id, name and hash prefix"

# --- overlay -----------------------------------------------------------------
expect_exit 0 "$CTL" show --db "$DB" --spool "$SPOOL" --overlay "$T/ov.png" 3
expect_err "original scan"
[ "$(head -c 8 "$T/ov.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "overlay is not a PNG"
DIGITD_CONFIG=$CONF expect_exit 0 "$CTL" show --overlay "$T/ov1.png" 1
expect_err "original scan"
mv "$SPOOL/done/cheque-01.png" "$T/moved.png"
DIGITD_CONFIG=$CONF expect_exit 0 "$CTL" show --overlay "$T/ov2.png" 1
expect_err "stored crops"
[ -s "$T/ov2.png" ] || fail "no mosaic written"
mv "$T/moved.png" "$SPOOL/done/cheque-01.png"
expect_exit 1 "$CTL" show --db "$DB" --spool "$SPOOL" --overlay "$T/nodir/x.png" 1
ok "overlay over the scan (multi-page TIFF too) and, without the original, of the crops"

# --- export ------------------------------------------------------------------
expect_exit 0 "$CTL" export --db "$DB"
golden export.csv
[ "$(grep -c "$(printf '\r$')" "$T/out")" -eq "$((NFIELD + 1))" ] || fail "export: not one CRLF line per field + header"
grep -q '^2,"note, ""one"" 01.png",' "$T/out" || fail "export: the name with comma and quotes is not quoted per RFC 4180"
# a CSV reader (sqlite3's RFC 4180 importer) gets every row and the name back
sqlite3 "$T/csv.db" ".import --csv $T/out x" || fail "sqlite3 cannot import the CSV"
[ "$(sqlite3 "$T/csv.db" "SELECT count(*) FROM x")" -eq "$NFIELD" ] || fail "CSV row count"
[ "$(sqlite3 "$T/csv.db" "SELECT count(*) FROM x WHERE name = 'note, \"one\" 01.png'")" -gt 0 ] || fail "CSV name round trip"
[ "$(sqlite3 "$T/csv.db" "SELECT count(*) FROM x WHERE text != predicted")" -eq 0 ] || fail "texts differ before any review"
expect_exit 0 "$CTL" export --db "$DB" --format json
json_ok "$T/out"
[ "$(sqlite3 :memory: "SELECT json_array_length(CAST(readfile('$T/out') AS TEXT))")" -eq "$NFIELD" ] || fail "JSON row count"
expect_exit 0 "$CTL" export --db "$DB" --reviewed-only
[ "$(wc -l < "$T/out")" -eq 1 ] || fail "--reviewed-only before any review"
ok "export CSV (RFC 4180) and JSON"

# --- review, scripted ----------------------------------------------------------
expect_exit 0 "$CTL" review --db "$DB" --list
[ "$(wc -l < "$T/out")" -eq "$((NQUEUE + 1))" ] || fail "review --list rows"
expect_exit 0 "$CTL" review --db "$DB" --list --json --limit 3
json_ok "$T/out"
# the least confident first
first=$(sql "SELECT id FROM review_queue LIMIT 1")
grep -q "\"id\": $first," "$T/out" || fail "review --list --json does not start with digit $first"
# decisions: correct the first, confirm the second, and a spot check of an unflagged digit
set -- $(sql "SELECT id, label FROM review_queue LIMIT 2")
d1=$(echo "$1" | cut -d'|' -f1); l1=$(echo "$1" | cut -d'|' -f2)
d2=$(echo "$2" | cut -d'|' -f1); l2=$(echo "$2" | cut -d'|' -f2)
new1=$(( (l1 + 1) % 10 ))
d3=$(sql "SELECT id FROM digits WHERE flagged = 0 ORDER BY confidence DESC LIMIT 1")
l3=$(sql "SELECT label FROM digits WHERE id = $d3")
expect_exit 0 "$CTL" review --db "$DB" --reviewer tester --set "$d1=$new1" "$d2=$l2" "$d3=$l3"
[ "$(sql "SELECT reviewed_label || ' ' || reviewed_by FROM digits WHERE id = $d1")" = "$new1 tester" ] || fail "review --set did not store digit $d1"
sql "SELECT reviewed_at FROM digits WHERE id = $d2" | grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' || fail "reviewed_at is not ISO 8601 UTC"
[ "$(sql "SELECT count(*) FROM review_queue")" -eq "$((NQUEUE - 2))" ] || fail "the queue did not shrink by 2"
expect_exit 2 "$CTL" review --db "$DB" --set "$d1=x"
expect_err "DIGIT_ID=LABEL"
expect_exit 2 "$CTL" review --db "$DB" --set "$d1=5" "junk"
[ "$(sql "SELECT reviewed_label FROM digits WHERE id = $d1")" = "$new1" ] || fail "a --set with a syntax error stored something"
expect_exit 1 "$CTL" review --db "$DB" --set 99999999=3
expect_err "no digit with id 99999999"
# the reviewed label is in the final text
fid=$(sql "SELECT field_id FROM digits WHERE id = $d1")
final=$(sql "SELECT text FROM document_text WHERE field_id = $fid")
pred=$(sql "SELECT text FROM fields WHERE id = $fid")
[ "$final" != "$pred" ] || fail "document_text did not change"
expect_exit 0 "$CTL" export --db "$DB" --format json
grep -q "\"text\": \"$final\", \"predicted\": \"$pred\"" "$T/out" || fail "export does not carry the reviewed text $final"
# every exported field agrees with the public document_text view
expect_exit 0 "$CTL" export --db "$DB"
rm -f "$T/csv2.db"
sqlite3 "$T/csv2.db" ".import --csv $T/out x" || fail "sqlite3 cannot import the CSV"
bad=$(sqlite3 "$T/csv2.db" "ATTACH '$DB' AS m; SELECT count(*) FROM x LEFT JOIN m.document_text t
	ON t.document_id = x.document_id AND t.idx = x.field AND t.x = x.x AND t.y = x.y
	WHERE t.text IS NOT x.text OR t.reviewed != x.reviewed OR t.unreviewed_flags != x.pending
	   OR t.confidence - x.confidence > 1e-6 OR x.confidence - t.confidence > 1e-6")
[ "$bad" = 0 ] || fail "$bad exported fields disagree with the document_text view"
[ "$(sqlite3 "$T/csv2.db" "SELECT count(*) FROM x")" -eq "$(sql "SELECT count(*) FROM document_text")" ] || fail "export and document_text row counts differ"
expect_exit 0 "$CTL" export --db "$DB" --reviewed-only
golden export-reviewed.csv
expect_exit 0 "$CTL" show --db "$DB" "$(sql "SELECT document_id FROM digits WHERE id = $d1")"
grep -q "$new1 (corrected) by tester" "$T/out" || fail "show does not show the review"
ok "review --list and --set; the reviewed label reaches export and show"

expect_exit 0 "$CTL" review --db "$DB" --export-crops "$T/crops"
nflag=$(sql "SELECT count(*) FROM digits WHERE flagged = 1")
[ "$(ls "$T/crops" | wc -l)" -eq "$nflag" ] || fail "export-crops wrote $(ls "$T/crops" | wc -l), expected $nflag"
[ -f "$T/crops/$d1.png" ] || fail "no $d1.png"
expect_exit 0 "$CTL" review --db "$DB" --export-crops "$T/crops28" --pending --crop28
[ "$(ls "$T/crops28" | wc -l)" -eq "$((NQUEUE - 2))" ] || fail "--pending count"
# IHDR: width and height 28
[ "$(od -An -tx1 -j16 -N8 "$T/crops28/$first.png" 2>/dev/null | tr -d ' \n')" = "" ] || true
[ "$(od -An -tx1 -j16 -N8 "$(ls "$T/crops28"/*.png | head -1)" | tr -d ' \n')" = 0000001c0000001c ] || fail "crop28 PNG is not 28x28"
ok "review --export-crops"

# --- stats ---------------------------------------------------------------------
DIGITD_CONFIG=$CONF expect_exit 0 "$CTL" stats
grep -q "digits      $NDIG read" "$T/out" || fail "stats: digit count: $(head -5 "$T/out")"
grep -q "1 mistake found in 3 reviewed digits" "$T/out" || fail "stats: reviewed accuracy: $(cat "$T/out")"
# three reviewed digits are too few to suggest a threshold from
grep -q "suggested   none yet: 3 reviewed digits; a suggestion needs at least 100" "$T/out" ||
	fail "stats: a suggestion from 3 reviewed digits: $(grep -A1 suggested "$T/out")"
grep -q "target      0.1% error among digits nobody reviews (review_error_rate in the config)" "$T/out" || fail "stats: policy from the config"
grep -Eq "read rate   [0-9.]+ % of digits accepted without review" "$T/out" || fail "stats: no read rate"
DIGITD_CONFIG=$CONF expect_exit 0 "$CTL" stats --json --target-error 1%
json_ok "$T/out"
[ "$(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$T/out') AS TEXT), '\$.policy.target_error')")" = 0.01 ] || fail "stats --target-error 1%"
[ "$(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$T/out') AS TEXT), '\$.digits')")" -eq "$NDIG" ] || fail "stats json digits"
[ "$(sqlite3 :memory: "SELECT json_type(CAST(readfile('$T/out') AS TEXT), '\$.suggested_threshold')")" = null ] ||
	fail "stats --json: suggested_threshold from 3 reviewed digits"
expect_exit 2 "$CTL" stats --db "$DB" --target-error 2
# a person confirms the model's labels of 97 more: now there is a suggestion,
# stating its sample
[ "$NDIG" -ge 100 ] || fail "too few digits ($NDIG) to review 100"
# shellcheck disable=SC2046
expect_exit 0 "$CTL" review --db "$DB" --reviewer tester \
	--set $(sql "SELECT id || '=' || label FROM digits WHERE reviewed_label IS NULL ORDER BY id LIMIT 97")
expect_exit 0 "$CTL" stats --db "$DB"
grep -Eq "suggested   0\.[0-9]{4}: the lowest that catches >= 99 % of the 1 mistake found in" "$T/out" &&
	grep -q "100 reviewed digits" "$T/out" || fail "stats: no suggestion from 100 reviewed digits: $(cat "$T/out")"
expect_exit 0 "$CTL" stats --db "$DB" --json
[ "$(sqlite3 :memory: "SELECT json_extract(CAST(readfile('$T/out') AS TEXT), '\$.suggestion_reviewed')")" = 100 ] ||
	fail "stats --json: suggestion_reviewed"
ok "stats"

# --- the configured database is the default -------------------------------------
DIGITD_CONFIG=$CONF expect_exit 0 "$CTL" list
[ "$(wc -l < "$T/out")" -eq 6 ] || fail "list without --db did not use the configured database"
DIGITD_CONFIG=$T/none.conf expect_exit 1 "$CTL" list
expect_err "no --db FILE given"
ok "--db defaults to the configured database"

# --- usage errors, --help --------------------------------------------------------
for c in list show review export stats; do
	expect_exit 0 "$CTL" "$c" --help
	grep -q "^Usage: digitctl $c" "$T/out" || fail "$c --help has no usage"
	[ "$(wc -l < "$T/out")" -gt 15 ] || fail "$c --help is too short"
	expect_exit 2 "$CTL" "$c" --db "$DB" --no-such-option
	expect_err "Usage: digitctl $c"
done
expect_exit 2 "$CTL" list --db "$DB" --status nonsense
expect_exit 2 "$CTL" list --db "$DB" --limit -3
expect_exit 2 "$CTL" list --db "$DB" --since yesterdayish
expect_exit 2 "$CTL" list --db "$DB" extra
expect_exit 2 "$CTL" show --db "$DB"
expect_exit 2 "$CTL" show --db "$DB" 1 2
expect_exit 2 "$CTL" export --db "$DB" --format xml
expect_exit 2 "$CTL" review --db "$DB" --list --set 1=2
expect_exit 2 "$CTL" review --db "$DB" --json
expect_exit 2 "$CTL" stats --db "$DB" --hours 0
# a count too large is said to be too large, not "not a count"
expect_exit 2 "$CTL" list --db "$DB" --limit 2147483648
expect_err "'2147483648' is more than 2147483647"
expect_exit 2 "$CTL" list --db "$DB" --limit 12x
expect_err "needs a count, not '12x'"
# output that cannot be written is said, with the reason, and exits 1
if [ -w /dev/full ]; then
	for c in list "show 1" stats "export" "show 1 --json"; do
		# shellcheck disable=SC2086
		"$CTL" $c --db "$DB" > /dev/full 2> "$T/err"; rc=$?
		[ $rc -eq 1 ] || fail "$c > /dev/full: exit $rc"
		grep -q "cannot write the output: No space left on device" "$T/err" || fail "$c > /dev/full said: $(cat "$T/err")"
	done
	ok "list, show, stats, export say when their output cannot be written"
fi
expect_exit 1 "$CTL" review --db "$DB" < /dev/null
expect_err "needs a terminal"
ok "usage errors exit 2"

# --- bad databases ---------------------------------------------------------------
head -c 4096 /dev/urandom > "$T/corrupt.db"
sqlite3 "$T/foreign.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1)"
cp "$DB" "$T/newer.db"
sqlite3 "$T/newer.db" "PRAGMA user_version = 99"
for c in list "show 1" export stats "review --list"; do
	expect_exit 1 "$CTL" $c --db "$T/missing.db"
	expect_err "no such database"
	expect_exit 1 "$CTL" $c --db "$T/corrupt.db"
	expect_err "not a digitd database"
	expect_exit 1 "$CTL" $c --db "$T/foreign.db"
	expect_err "not a digitd database"
	expect_exit 1 "$CTL" $c --db "$T/newer.db"
	expect_err "schema version 99 is newer"
done
[ ! -e "$T/missing.db" ] || fail "a read created the missing database"
ok "missing, corrupt, foreign and newer databases are refused clearly"
