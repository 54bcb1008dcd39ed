#!/bin/sh
# daemon_faults: make the Nth write, fsync, rename or sqlite3_step fail while
# `digitd --once` processes a small batch, for N = 1, 2, ... up to the number
# of such calls the batch makes.  After every faulty run: each input is in
# exactly one of incoming/ work/ done/ failed/, has at most one document row,
# and PRAGMA integrity_check is ok.  Then a clean run must finish the batch:
# every input in done/ or failed/ with exactly the rows it should have.
. "$(dirname "$0")/lib/daemon_lib.sh"

SHIM=$BUILD/tests/libfaultinj.so
[ -f "$SHIM" ] || skip "no $SHIM (make unit builds it)"
"$MKDIGITS" "$T" 4 batch || fail "mkdigits"
INPUTS="batch-00000.png batch-00001.png batch-00002.png batch-00003.png junk.png copy.png"
NIN=6

fresh() {
	rm -rf "$SPOOL" "$T/db"
	mkdir -p "$SPOOL/incoming" "$T/db"
	cp "$T"/batch-*.png "$SPOOL/incoming/"
	printf 'not an image' > "$SPOOL/incoming/junk.png"
	cp "$T/batch-00000.png" "$SPOOL/incoming/copy.png"
	rm -f "$T/mark"
}

where() { # name -> the directories holding it
	for d in incoming work done failed; do [ -e "$SPOOL/$d/$1" ] && printf '%s ' "$d"; done
}

check_state() { # label
	for f in $INPUTS; do
		w=$(where "$f")
		[ "$(echo $w | wc -w)" -eq 1 ] || fail "$1: $f is in '$w'"
	done
	if [ -f "$DB" ]; then
		integrity
		[ "$(sql "SELECT count(*) FROM sqlite_master WHERE name = 'documents'")" -eq 1 ] || return 0
		m=$(sql "SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM documents GROUP BY name)")
		[ "$m" -le 1 ] || fail "$1: an input has $m document rows"
	fi
}

check_finished() { # label
	check_state "$1"
	[ "$(nfiles incoming)" -eq 0 ] && [ "$(nfiles work)" -eq 0 ] || fail "$1: not finished: $(ls -A "$SPOOL/incoming" "$SPOOL/work")"
	got=$(sql "SELECT group_concat(name || ':' || status, ' ') FROM (SELECT name, status FROM documents ORDER BY name)")
	want="batch-00000.png:done batch-00001.png:done batch-00002.png:done batch-00003.png:done copy.png:duplicate junk.png:failed"
	# whichever of the two copies was committed first is the original
	want2="batch-00000.png:duplicate batch-00001.png:done batch-00002.png:done batch-00003.png:done copy.png:done junk.png:failed"
	[ "$got" = "$want" ] || [ "$got" = "$want2" ] || fail "$1: rows are '$got'"
	[ -s "$SPOOL/failed/junk.png.error" ] || fail "$1: no junk.png.error"
	grep -q "recognition failed" "$SPOOL/failed/junk.png.error" && fail "$1: junk.png.error lost the reason"
}

mkconf
runs=0; fired=0; exit_nonzero=0
# one_run LABEL ENV...: a faulty run, the checks, a clean run, the checks
one_run() {
	label=$1; shift
	fresh
	env "$@" FAULT_MARK="$T/mark" timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1
	rc=$?
	[ $rc -eq 124 ] && fail "$label: digitd hung"
	[ $rc -gt 1 ] && fail "$label: digitd exited $rc (crash?)"
	[ $rc -ne 0 ] && exit_nonzero=$((exit_nonzero + 1))
	runs=$((runs + 1))
	check_state "$label"
	timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "$label: clean rerun exited $?"
	check_finished "$label then clean rerun"
}

for op in rename fsync write; do
	fresh
	env FAULT_OP=$op FAULT_N=0 FAULT_COUNT="$T/count" LD_PRELOAD="$SHIM" "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 \
		|| fail "digitd failed under the shim without a fault"
	total=$(cat "$T/count")
	n=1; tried=0
	while [ $n -le "$total" ]; do
		one_run "$op #$n" FAULT_OP=$op FAULT_N=$n LD_PRELOAD="$SHIM"
		[ -f "$T/mark" ] && fired=$((fired + 1))
		tried=$((tried + 1))
		# every call up to 30, then a spread over the rest
		if [ $n -lt 30 ]; then n=$((n + 1)); else n=$((n + total / 20 + 1)); fi
	done
	echo "   $op: $tried runs over $total calls"
done

n=1; tried=0
while :; do
	fresh
	one_run "step #$n" DIGITD_FAULT_STEP=$n
	tried=$((tried + 1))
	tail -n 40 "$LOG" | grep -q "sqlite3_step #$n fails" || break   # past the last step
	fired=$((fired + 1))
	if [ $n -lt 30 ]; then n=$((n + 1)); else n=$((n + 7)); fi
	[ $n -gt 400 ] && break
done
echo "   sqlite3_step: $tried runs"

# --- a running daemon whose move out of work/ fails -------------------------
# The 2nd rename is the move of the first file out of work/: it stays there
# with its row committed.  A new file of the same name must wait (no busy
# loop), the stuck one is handed back at the next rescan, then both finish.
fresh
rm -f "$SPOOL/incoming"/*
mkconf
FAULT_OP=rename FAULT_N=2 LD_PRELOAD="$SHIM" "$DIGITD" -f -c "$CONF" >> "$LOG" 2>&1 &
PID=$!
i=0; while ! grep -q ' ready: ' "$LOG"; do sleep 0.1; i=$((i + 1)); [ $i -gt 100 ] && fail "not ready"; done
cp "$T/batch-00001.png" "$SPOOL/incoming/same.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'same.png'" 1 10
sleep 0.3
[ -f "$SPOOL/work/same.png" ] || fail "the failed move did not leave same.png in work/"
cp "$T/batch-00002.png" "$SPOOL/incoming/same.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'same.png'" 2 20
wait_empty work 10
[ -f "$SPOOL/done/same.png" ] && [ -f "$SPOOL/done/same.1.png" ] || fail "done/ has: $(ls "$SPOOL/done")"
ticks=$(awk '{ print $14 + $15 }' "/proc/$PID/stat")
[ "$ticks" -lt 300 ] || fail "daemon used $ticks ticks of CPU: busy loop while a name was blocked?"
stop
ok "a failed move out of work/ is retried by the running daemon; a same-named newcomer waited ($ticks CPU ticks in all)"

ok "$runs faulty runs ($fired faults fired, $exit_nonzero exited non-zero): every input in exactly one directory, at most one row, integrity ok, and a clean rerun always finished the batch"
echo "FAULT_FIGURES runs=$runs fired=$fired nonzero_exits=$exit_nonzero"
