#!/bin/sh
# daemon_isolation: decoding happens in worker processes, and whatever a
# file makes its worker do costs that one document.  A worker killed with
# SIGKILL mid-document, one stopped at its CPU budget, one whose page does
# not fit under its memory limit: each time the document is recorded failed
# with the reason and its kind, moved to failed/ with a .error, the files
# after it are read, digitd keeps running and has its full set of workers.
# And by structure: no object of the parent but the worker's own calls the
# recognition (the parent only reads and hashes bytes).
. "$(dirname "$0")/lib/daemon_lib.sh"

# --- by structure -----------------------------------------------------------------
# Every daemon object except worker.c (the process that decodes) must leave
# recognition and decoding alone.
OBJ=$BUILD/src/daemon
[ -f "$OBJ/worker.o" ] || skip "no $OBJ/worker.o"
nm -u "$OBJ/worker.o" | grep -qw rec_buffer || fail "worker.o does not call rec_buffer (the check below would prove nothing)"
for o in "$OBJ"/*.o; do
	[ "$(basename "$o")" = worker.o ] && continue
	if nm -u "$o" | grep -Ew 'rec_buffer|rec_file|img_load|img_decode|nn_infer_new|nn_forward'; then
		fail "$(basename "$o") calls recognition or decoding in digitd's own process"
	fi
done
ok "only worker.o calls rec_buffer; no other daemon object decodes or recognises"

# 64 MP of noise: about a second and a half of CPU and 380 MB to read.
(printf 'P5\n8000 8000\n255\n'; head -c 64000000 /dev/urandom) > "$T/big.pgm"

workers() { pgrep -P "$PID" | wc -l; }
wait_workers() { # N
	i=0
	while [ "$(workers)" -ne "$1" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "digitd has $(workers) workers, expected $1"
		sleep 0.1
	done
}
# behind NAME: three small samples, made distinct by a trailer after the
# image data (so none is a duplicate of another round's)
behind() {
	for s in cheque-01.png form-01.jpg note-01.png; do
		{ cat "$SAMPLES/$s"; printf 'behind %s' "$1"; } > "$T/$1-$s"
		mv "$T/$1-$s" "$SPOOL/incoming/$1-$s"
	done
}
# drop_big NAME: big.pgm with a trailer of its own (each round's content is
# new: a retried transient failure would be the same row again)
drop_big() {
	{ cat "$T/big.pgm"; printf '%s' "$1"; } > "$T/$1"
	mv "$T/$1" "$SPOOL/incoming/$1"
}
# drop_after NAME: a big page, then three small samples behind it
drop_after() {
	drop_big "$1"
	behind "$1"
}
# check_failed NAME KIND PATTERN: the row, failed/ and its .error
check_failed() {
	wait_for "SELECT count(*) FROM documents WHERE name = '$1'" 1 60
	got=$(sql "SELECT status || ' ' || coalesce(failure, '') FROM documents WHERE name = '$1'")
	[ "$got" = "failed $2" ] || fail "$1 recorded as '$got', expected 'failed $2'"
	sql "SELECT error FROM documents WHERE name = '$1'" | grep -q "$3" ||
		fail "$1: error '$(sql "SELECT error FROM documents WHERE name = '$1'")' does not say '$3'"
	[ -f "$SPOOL/failed/$1" ] || fail "$1 not in failed/"
	grep -q "$3" "$SPOOL/failed/$1.error" || fail "failed/$1.error does not say '$3'"
	wait_for "SELECT count(*) FROM documents WHERE name LIKE '$1-%' AND status = 'done'" 3 60
	kill -0 "$PID" 2>/dev/null || fail "digitd died"
}

# --- SIGKILL of the worker reading a document ----------------------------------------
WORKERS=1 mkconf
start
wait_workers 1
before=$(pgrep -P "$PID")
drop_big killed.pgm
# it is being read once the worker's CPU time moves (an idle worker's stays
# put): user + system ticks, /proc/PID/stat fields 14 and 15
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
t0=$(ticks "$before")
i=0
while [ "$(ticks "$before")" -lt $((t0 + 30)) ]; do
	i=$((i + 1)); [ $i -gt 1000 ] && fail "killed.pgm never reached its worker"
	sleep 0.01
done
kill -9 "$before" || fail "no worker to kill"
behind killed.pgm
check_failed killed.pgm transient "killed by signal 9"
wait_workers 1
[ "$(pgrep -P "$PID")" != "$before" ] || fail "the killed worker was not replaced"
grep -q '"killed.pgm": .*a new worker takes the next document' "$LOG" || fail "no log line about the lost worker"
ok "a worker killed mid-document: failed transient with the signal, failed/, the next files read, a new worker"

# An idle worker's death costs no document: it is replaced before the next.
kill -9 "$(pgrep -P "$PID")"
sleep 0.2
cp "$SAMPLES/cheque-02.png" "$SPOOL/incoming/after-idle-kill.png"
wait_for "SELECT count(*) FROM documents WHERE name = 'after-idle-kill.png' AND status = 'done'" 1 60
grep -q "worker killed by signal 9 (Killed) while idle" "$LOG" || fail "the idle worker's death was not logged"
stop
ok "an idle worker killed: replaced, the next document read"

# --- the CPU budget ------------------------------------------------------------------
WORKERS=2 mkconf "worker_cpu_time = 0.3;"
start
wait_workers 2
drop_after slow.pgm
check_failed slow.pgm limit "worker_cpu_time (0.30 s of CPU)"
wait_workers 2
stop
ok "a document over worker_cpu_time: killed, failed limit, failed/, the next files read, 2 workers again"

# --- the memory limit ----------------------------------------------------------------
# 320 MiB of address space: the worker's own 200 MiB plus the samples' pages,
# not the 64 MB file and the 64 MP page decoded from it.
WORKERS=2 mkconf 'worker_memory = "320M";'
start
wait_workers 2
drop_after bomb.pgm
check_failed bomb.pgm limit "worker_memory = 320 MiB"
wait_workers 2
integrity
stop
ok "a page over worker_memory: failed limit with the limit named, the next files read, digitd alive"

# every file is accounted for: 3 failed, the rest done, nothing left behind
[ "$(nfiles work)" -eq 0 ] || fail "files left in work/"
[ "$(ndocs "WHERE status = 'failed'")" -eq 3 ] || fail "$(ndocs "WHERE status = 'failed'") failed rows, expected 3"
ok "nothing lost or left in work/"
sql "SELECT name, failure, error FROM documents WHERE status = 'failed'"
