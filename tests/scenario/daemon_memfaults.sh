#!/bin/sh
# daemon_memfaults: the fault loop extended to memory.  The Nth malloc,
# calloc or realloc made by the pipeline's threads (the workers that decode
# and recognise, the writer that commits: FAULT_THREADS=workers) returns NULL,
# for N = 1, 2, ... over the calls `digitd --once` makes on a small batch.
# After every faulty run: digitd ended by itself (exit 0 or 1: no crash, no
# hang), each input is in exactly one of incoming/ work/ done/ failed/, no
# input has two rows, integrity is ok, and a good image that failed is
# recorded as a transient failure (read again when dropped again), never as
# one about its content.  A clean run then finishes the batch.
. "$(dirname "$0")/lib/daemon_lib.sh"

SHIM=$BUILD/tests/libfaultinj.so
[ -f "$SHIM" ] || skip "no $SHIM (make unit builds it)"
"$MKDIGITS" "$T" 3 batch || fail "mkdigits"
INPUTS="batch-00000.png batch-00001.png batch-00002.png junk.png copy.png"
WORKERS=1

fresh() {
	rm -rf "$SPOOL" "$T/db"
	mkdir -p "$SPOOL/incoming" "$T/db"
	cp "$T"/batch-*.png "$SPOOL/incoming/"
	printf 'not an image' > "$SPOOL/incoming/junk.png"
	cp "$T/batch-00000.png" "$SPOOL/incoming/copy.png"
	rm -f "$T/mark"
}

where() { for d in incoming work done failed; do [ -e "$SPOOL/$d/$1" ] && printf '%s ' "$d"; done; }

check_state() { # label
	for f in $INPUTS; do
		w=$(where "$f")
		[ "$(echo $w | wc -w)" -eq 1 ] || fail "$1: $f is in '$w'"
	done
	[ -f "$DB" ] || return 0
	integrity
	[ "$(sql "SELECT count(*) FROM sqlite_master WHERE name = 'documents'")" -eq 1 ] || return 0
	m=$(sql "SELECT coalesce(max(c), 0) FROM (SELECT count(*) AS c FROM documents GROUP BY name)")
	[ "$m" -le 1 ] || fail "$1: an input has $m document rows"
	bad=$(sql "SELECT group_concat(name || ' (' || coalesce(failure, '-') || ': ' || error || ')', '; ') FROM documents
		   WHERE status = 'failed' AND name <> 'junk.png' AND coalesce(failure, '') <> 'transient'")
	[ -z "$bad" ] || fail "$1: a good image failed for its content: $bad"
}

check_finished() { # label
	check_state "$1"
	[ "$(nfiles incoming)" -eq 0 ] && [ "$(nfiles work)" -eq 0 ] || fail "$1: not finished: $(ls -A "$SPOOL/incoming" "$SPOOL/work")"
	rows=$(sql "SELECT count(*) FROM documents")
	[ "$rows" -eq 5 ] || fail "$1: $rows rows for 5 inputs: $(sql "SELECT name, status FROM documents")"
	# junk.png fails for its content, or transiently when the fault hit it first
	case "$(sql "SELECT status || ' ' || failure FROM documents WHERE name = 'junk.png'")" in
	"failed content"|"failed transient") ;;
	*) fail "$1: junk.png: $(sql "SELECT status, failure, error FROM documents WHERE name = 'junk.png'")" ;;
	esac
}

mkconf
fresh
env FAULT_OP=malloc FAULT_THREADS=workers FAULT_N=0 FAULT_COUNT="$T/count" LD_PRELOAD="$SHIM" \
	"$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "digitd failed under the shim without a fault"
total=$(cat "$T/count")
[ "$total" -gt 100 ] || fail "only $total allocations counted in the pipeline's threads"
check_finished "no fault"
runs=0; fired=0; nonzero=0; transient=0
n=1
while [ "$n" -le "$total" ]; do
	fresh
	env FAULT_OP=malloc FAULT_THREADS=workers FAULT_N=$n FAULT_MARK="$T/mark" LD_PRELOAD="$SHIM" \
		timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1
	rc=$?
	[ $rc -eq 124 ] && fail "malloc #$n: digitd hung"
	[ $rc -gt 1 ] && fail "malloc #$n: digitd ended with status $rc (a crash?)"
	[ $rc -ne 0 ] && nonzero=$((nonzero + 1))
	[ -f "$T/mark" ] && fired=$((fired + 1))
	runs=$((runs + 1))
	check_state "malloc #$n"
	[ -f "$DB" ] && transient=$((transient + $(sql "SELECT count(*) FROM documents WHERE failure = 'transient'" 2>/dev/null || echo 0)))
	timeout 60 "$DIGITD" --once -c "$CONF" >> "$LOG" 2>&1 || fail "malloc #$n: clean rerun exited $?"
	check_finished "malloc #$n then a clean run"
	# every call up to 20, then about 30 more spread over the rest
	if [ $n -lt 20 ]; then n=$((n + 1)); else n=$((n + total / 30 + 1)); fi
done
ok "$runs runs over $total allocations ($fired faults fired, $nonzero exits 1, $transient transient failures recorded): nothing lost, nothing duplicated, no good image failed for its content"
echo "MEMFAULT_FIGURES runs=$runs allocations=$total fired=$fired nonzero_exits=$nonzero transient=$transient"
