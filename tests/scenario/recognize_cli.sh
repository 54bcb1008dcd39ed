#!/bin/sh
# recognize_cli: `digitctl recognize` as a user runs it: the table, JSON
# lines with the contract's keys, the overlay, and the exit statuses (0 all
# read, 1 some file unreadable while the others are still processed, 2 usage).
# Skipped (77) without the shipped model.
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${DIGITD_BUILD:-build}
cd "$ROOT" || exit 1
CTL="$BUILD/digitctl"
[ -x "$CTL" ] || { echo "no $CTL"; exit 1; }
[ -f models/lenet5.model ] || { echo "no models/lenet5.model"; exit 77; }
SCAN=$(ls samples/*.png 2>/dev/null | grep -v overlay | head -n 1)
[ -n "$SCAN" ] || { echo "no scan in samples/"; exit 77; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$CTL" recognize "$SCAN" >"$T/table" 2>"$T/err" || fail "table run exited $?"
grep -q "page" "$T/table" || fail "no table"
# pages are counted from 0 everywhere (docs/operations.md): the table's page
# column for this one-page scan says 0, as the JSON's "page" does
awk '$1 ~ /^[0-9]+$/ && $2 != 0 { bad = 1 } END { exit bad }' "$T/table" || fail "table pages are not 0-based"
awk '$1 ~ /^[0-9]+$/ { n++ } END { exit !n }' "$T/table" || fail "no field rows in the table"

"$CTL" recognize --json --debug-dir "$T/ov" "$SCAN" >"$T/json" || fail "json run exited $?"
[ "$(wc -l <"$T/json")" -eq 1 ] || fail "one line per file expected"
for k in '"file": ' '"sha256": "' '"pages": 1' '"width": ' '"height": ' '"ms": ' '"digits": [' \
	'"label": ' '"confidence": ' '"alt_label": ' '"alt_confidence": ' '"field": ' '"flagged": ' \
	'"fields": [' '"text": "' '"error": null}'; do
	grep -qF "$k" "$T/json" || fail "JSON lacks $k"
done
[ -s "$T/ov/$(basename "$SCAN").overlay.png" ] || fail "no overlay written"

printf 'not an image\n' >"$T/fake.png"
"$CTL" recognize --json "$T/fake.png" "$SCAN" >"$T/mixed"
rc=$?
[ $rc -eq 1 ] || fail "unreadable file: exit $rc, 1 expected"
[ "$(wc -l <"$T/mixed")" -eq 2 ] || fail "the readable file must still be processed"
grep -q '"error": "[^"]*not a supported image' "$T/mixed" || fail "error message missing"

# the model comes from --model, else the configuration (-c, $DIGITD_CONFIG)
printf 'spool = "%s";\ndatabase = "%s";\nmodel = "%s";\n' "$T/spool" "$T/db" "$T/elsewhere.model" >"$T/c.conf"
DIGITD_CONFIG=$T/c.conf "$CTL" recognize "$SCAN" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "$T/elsewhere.model" "$T/err" || fail "\$DIGITD_CONFIG's model not used: $(cat "$T/err")"
DIGITD_CONFIG=/nonexistent "$CTL" recognize -c "$T/c.conf" "$SCAN" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "$T/elsewhere.model" "$T/err" || fail "-c's model not used: $(cat "$T/err")"
cp models/lenet5.model "$T/elsewhere.model"
DIGITD_CONFIG=$T/c.conf "$CTL" recognize --json "$SCAN" >"$T/cfg.json" || fail "config's model: exit $?"
"$CTL" recognize --json --model models/lenet5.model "$SCAN" >"$T/plain.json" || fail "--model lenet5: exit $?"
sed -E 's/"ms[a-z_]*": [0-9.]+//g' "$T/cfg.json" >"$T/a"; sed -E 's/"ms[a-z_]*": [0-9.]+//g' "$T/plain.json" >"$T/b"
cmp -s "$T/a" "$T/b" || fail "the config's model does not read as --model with the same file"
DIGITD_CONFIG=$T/c.conf "$CTL" recognize --model /nonexistent.model "$SCAN" >/dev/null 2>"$T/err"
grep -q "/nonexistent.model" "$T/err" || fail "--model does not override the config"
printf 'treshold = 1;\n' >"$T/bad.conf"
DIGITD_CONFIG=$T/bad.conf "$CTL" recognize "$SCAN" >/dev/null 2>"$T/err"
[ $? -eq 1 ] && grep -q "bad.conf:1: unknown key" "$T/err" || fail "an invalid config named by DIGITD_CONFIG must stop: $(cat "$T/err")"

"$CTL" recognize >/dev/null 2>&1; [ $? -eq 2 ] || fail "no FILE: exit 2 expected"
"$CTL" recognize --threshold 7 "$SCAN" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad threshold: exit 2 expected"
"$CTL" recognize --nonsense "$SCAN" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad option: exit 2 expected"
"$CTL" recognize --help | grep -q -- "--debug-dir" || fail "--help incomplete"
echo "recognize_cli: ok"
