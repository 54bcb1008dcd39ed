# review_lib.sh: shared set-up for digitctl's database scenario tests
# (review_*.sh; sourced, POSIX sh).
#
# mkdb fills a database the real way: the real digitd, run with --once on a
# private spool, one sample at a time so document ids and times come out in a
# fixed order.  golden compares a command's output, with the volatile parts
# (timestamps, milliseconds, the model id) normalised, to tests/golden/; run
# with UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
set -u
: "${DIGITD_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${DIGITD_BUILD:=build}"
case "$DIGITD_BUILD" in /*) BUILD=$DIGITD_BUILD ;; *) BUILD=$DIGITD_ROOT/$DIGITD_BUILD ;; esac
DIGITD=$BUILD/digitd
CTL=$BUILD/digitctl
MODEL=${DIGITD_MODEL:-$DIGITD_ROOT/models/lenet5.model}
SAMPLES=$DIGITD_ROOT/samples
GOLDEN=$DIGITD_ROOT/tests/golden

skip() { echo "$*"; exit 77; }
[ -x "$CTL" ] || skip "no $CTL (make first)"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed"

T=$(mktemp -d /tmp/digitctl-scenario.XXXXXX)
FAILED=0
cleanup() {
	if [ "$FAILED" -eq 0 ]; then rm -rf "$T"; else echo "kept $T for inspection"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { FAILED=1; echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# expect_exit N CMD...: run CMD (stdout to $T/out, stderr to $T/err), check its status.
expect_exit() {
	_want=$1; shift
	"$@" > "$T/out" 2> "$T/err"
	_got=$?
	[ "$_got" -eq "$_want" ] || { cat "$T/err"; fail "exit $_got, expected $_want: $*"; }
}
# expect_err PATTERN: stderr of the last expect_exit matched PATTERN (grep -E).
expect_err() {
	grep -Eq "$1" "$T/err" || { echo "stderr was:"; cat "$T/err"; fail "stderr lacks /$1/"; }
}

# mkdb DIR NAME=SAMPLE...: a spool and database in DIR filled by digitd --once,
# each SAMPLE (a file in samples/) dropped in incoming/ as NAME, in order.
# Sets SPOOL, DB, CONF.
mkdb() {
	dir=$1; shift
	[ -x "$DIGITD" ] || skip "no $DIGITD (make first)"
	[ -f "$MODEL" ] || skip "no model at $MODEL"
	SPOOL=$dir/spool
	DB=$dir/digitd.db
	CONF=$dir/digitd.conf
	mkdir -p "$SPOOL/incoming"
	{
		echo "spool = \"$SPOOL\";"
		echo "database = \"$DB\";"
		echo "model = \"$MODEL\";"
		echo "workers = 1;"
		echo "threshold = 0.9;"
		echo "review_error_rate = 0.001;"
	} > "$CONF"
	for pair in "$@"; do
		name=${pair%%=*}
		cp "$SAMPLES/${pair#*=}" "$SPOOL/incoming/$name" || fail "no sample ${pair#*=}"
		"$DIGITD" --once -c "$CONF" 2>> "$dir/digitd.log" || fail "digitd --once failed on $name: $(tail -3 "$dir/digitd.log")"
	done
}

sql() { sqlite3 -batch -cmd ".timeout 5000" "$DB" "$@"; }

# json_ok FILE: the file is one valid JSON value (SQLite's own parser).
json_ok() {
	[ "$(sqlite3 :memory: "SELECT json_valid(CAST(readfile('$1') AS TEXT))")" = 1 ] || fail "$1 is not valid JSON: $(head -c 300 "$1")"
}

normalise() {
	sed -E -e 's/20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?Z/TIME/g' \
	       -e 's/\(([0-9]+\.[0-9]+) ms\)/(MS ms)/g' \
	       -e 's/"ms": [0-9.]+/"ms": MS/g' \
	       -e 's/lenet5:[0-9a-f]+/MODEL/g'
}

# golden NAME: compare normalised $T/out with tests/golden/NAME.
golden() {
	normalise < "$T/out" > "$T/out.norm"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$T/out.norm" "$GOLDEN/$1"
		echo "updated tests/golden/$1"
		return 0
	fi
	[ -f "$GOLDEN/$1" ] || fail "no tests/golden/$1 (run with UPDATE_GOLDEN=1 to create it)"
	if ! cmp -s "$GOLDEN/$1" "$T/out.norm"; then
		diff -u "$GOLDEN/$1" "$T/out.norm" | head -40
		fail "output differs from tests/golden/$1 (if the change is intended, e.g. a new model:
      UPDATE_GOLDEN=1 DIGITD_BUILD=$DIGITD_BUILD sh $0)"
	fi
	ok "golden $1"
}
