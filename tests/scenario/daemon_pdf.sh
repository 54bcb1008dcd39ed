#!/bin/sh
# daemon_pdf: PDF intake with the real daemon.  PDFs are made here from the
# sample scans (tests/tools/mkpdf; no binary PDF is committed): a two-page
# PDF is read with both pages (pages, rows per page, digits on each); a
# "bomb" declaring a huge page and one with 300 pages fail as 'limit'
# before anything is rendered; an encrypted and a damaged PDF fail as
# 'content' with the reason; every file ends in done/ or failed/, none lost.
# digitctl recognize reads the same PDF and names its overlays by 0-based page.
. "$(dirname "$0")/lib/daemon_lib.sh"
MKPDF=$BUILD/tests/mkpdf
CTL=$BUILD/digitctl
[ -x "$MKPDF" ] || skip "no $MKPDF (make unit builds the test tools)"
S1=$SAMPLES/cheque-01.png
S2=$SAMPLES/cheque-02.png
[ -f "$S1" ] && [ -f "$S2" ] || skip "no sample scans"

mkconf
"$MKPDF" "$T/two.pdf" "$S1" "$S2" || fail "mkpdf two.pdf"
"$MKPDF" --mediabox 20000x20000 "$T/bomb.pdf" "$S1" || fail "mkpdf bomb.pdf"
"$MKPDF" --pages 300 "$T/many.pdf" "$S1" || fail "mkpdf many.pdf"
"$MKPDF" --encrypt "$T/locked.pdf" "$S1" || fail "mkpdf locked.pdf"
{ printf '%%PDF-1.4\n'; head -c 20000 /dev/urandom; } > "$T/damaged.pdf"
[ "$(stat -c %s "$T/bomb.pdf")" -lt 1000000 ] || fail "the bomb is not small"
for f in two bomb many locked damaged; do cp "$T/$f.pdf" "$SPOOL/incoming/$f.PDF"; done

timeout 120 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd --once exited $?"
[ "$(nfiles incoming)" -eq 0 ] || fail "files left in incoming/"
[ "$(ls "$SPOOL/done" | wc -l)" -eq 1 ] && [ -f "$SPOOL/done/two.PDF" ] || fail "two.PDF not in done/: $(ls "$SPOOL/done")"
[ "$(ls "$SPOOL/failed" | grep -vc '\.error$')" -eq 4 ] || fail "failed/ holds $(ls "$SPOOL/failed")"

# the two-page PDF: both pages, each with digits, as many as the scans give
[ "$(sql "SELECT status || ' ' || pages FROM documents WHERE name = 'two.PDF'")" = "done 2" ] ||
	fail "two.PDF: $(sql "SELECT status, pages, error FROM documents WHERE name = 'two.PDF'")"
[ "$(sql "SELECT group_concat(page || ':' || width || 'x' || height, ' ') FROM (SELECT p.* FROM pages p
	JOIN documents d ON d.id = p.document_id WHERE d.name = 'two.PDF' ORDER BY page)")" = "0:1260x610 1:1512x732" ] ||
	fail "two.PDF pages: $(sql "SELECT page, width, height FROM pages")"
for p in 0 1; do
	n=$(sql "SELECT count(*) FROM digits g JOIN documents d ON d.id = g.document_id WHERE d.name = 'two.PDF' AND g.page = $p")
	[ "$n" -ge 10 ] || fail "page $p of two.PDF: $n digits"
done
want=$("$CTL" recognize --model "$MODEL" --json "$S1" "$S2" | sed -n 's/.*"digits": \[\(.*\)\], "fields".*/\1/p' | grep -o '"label"' | wc -l)
got=$(sql "SELECT count(*) FROM digits g JOIN documents d ON d.id = g.document_id WHERE d.name = 'two.PDF'")
[ $((got * 10)) -ge $((want * 9)) ] && [ $((got * 10)) -le $((want * 11)) ] ||
	fail "two.PDF gives $got digits, the two scans $want"
ok "a two-page PDF: pages of 1260x610 and 1512x732 (300 dpi: the scans' own grids), $got digits (the scans: $want)"

# the refusals: kind and reason, before rendering
check_failed() { # name failure pattern
	row=$(sql "SELECT status || '|' || coalesce(failure, '') || '|' || coalesce(error, '') FROM documents WHERE name = '$1'")
	case "$row" in "failed|$2|"*) ;; *) fail "$1: $row, expected failed|$2" ;; esac
	echo "$row" | grep -q "$3" || fail "$1: reason '$row' lacks '$3'"
	grep -q "$3" "$SPOOL/failed/$1.error" || fail "$1.error lacks '$3'"
	echo "   $1: $(echo "$row" | cut -d'|' -f2-)"
}
check_failed bomb.PDF limit "at 300 dpi total [0-9]* pixels, over the limit of 100000000"
check_failed many.PDF limit "PDF has 300 pages, over the limit of 256"
check_failed locked.PDF content "PDF is encrypted and needs a password"
check_failed damaged.PDF content "not a readable PDF"
ok "bomb and page-count PDFs fail as 'limit', encrypted and damaged ones as 'content', each with its reason"
[ "$(ndocs)" -eq 5 ] || fail "$(ndocs) documents, expected 5"
integrity

# recognize: the same pages, overlays named by page from 0
"$CTL" recognize --debug-dir "$T/ov" "$T/two.pdf" > "$T/table" || fail "recognize two.pdf: exit $?"
grep -q "2 pages, 1260x610" "$T/table" || fail "recognize: $(head -1 "$T/table")"
[ -s "$T/ov/two.pdf.p0.overlay.png" ] && [ -s "$T/ov/two.pdf.p1.overlay.png" ] || fail "overlays: $(ls "$T/ov")"
ok "digitctl recognize reads the PDF's 2 pages; overlays two.pdf.p0 and .p1"
