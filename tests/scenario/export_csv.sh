#!/bin/sh
# export_csv: file names are chosen by producers, so a name like
# "=HYPERLINK(...)" or "+cmd|..." must not reach a spreadsheet as a formula:
# `digitctl export` (CSV) writes such a cell as text, with a leading single
# quote (OWASP's advice); before, it was written as is.
. "$(dirname "$0")/lib/daemon_lib.sh"
CTL=$BUILD/digitctl
[ -x "$CTL" ] || skip "no $CTL"

CHEQUE=$(ls "$SAMPLES"/cheque-*.png 2>/dev/null | head -n 1)
[ -f "$CHEQUE" ] || skip "no samples/cheque-*.png"
mkconf
# the cheque has fields (export writes one line per field); a trailer after
# the image data makes each copy distinct content
i=0
for name in '=HYPERLINK("http:x")' '+1+2' '-3' '@SUM(A1)' 'plain'; do
	{ cat "$CHEQUE"; printf 'copy %d' $i; } > "$SPOOL/incoming/$name.png"
	i=$((i + 1))
done
timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd --once failed"
[ "$(ndocs "WHERE status = 'done'")" -eq 5 ] || fail "expected 5 done documents: $(sql "SELECT name, status, error FROM documents")"
"$CTL" export --db "$DB" > "$T/out.csv" || fail "export failed"
for bad in '=HYPERLINK' '+1+2' '-3' '@SUM'; do
	if grep -F ",$bad" "$T/out.csv" >/dev/null || grep -F ",\"$bad" "$T/out.csv" >/dev/null; then
		fail "a name starting with ${bad%"${bad#?}"} is exported as a formula: $(grep -F "$bad" "$T/out.csv" | head -1)"
	fi
done
grep -F ",\"'=HYPERLINK(\"\"http:x\"\").png\"," "$T/out.csv" >/dev/null || fail "=HYPERLINK name not written as quoted text: $(grep HYPER "$T/out.csv" | head -1)"
grep -F ",\"'-3.png\"," "$T/out.csv" >/dev/null || fail "-3.png not written as text"
grep -F ",plain.png," "$T/out.csv" >/dev/null || fail "an ordinary name changed"
# the quote is only in the CSV cell: the database keeps the name as dropped
[ "$(sql "SELECT count(*) FROM documents WHERE name = '-3.png'")" -eq 1 ] || fail "the stored name changed"
ok "names starting with = + - @ exported as text ('-prefixed), ordinary names unchanged"
