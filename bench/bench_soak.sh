#!/bin/sh
# bench_soak: the daemon under a long, hostile load, killed at random.
#
# SOAK_FILES files (default 20000) are dropped into a running digitd's spool
# by a producer: 95 % distinct small number images (tests/tools/mkdigits),
# 5 % hostile, in turn truncated images, decompression bombs (a PNG header
# promising 100000 x 100000), zero-byte files and byte-for-byte duplicates
# of earlier files; one file in 50 is written by a writer that pauses
# mid-file with the file held open.  Meanwhile the daemon is killed with
# SIGKILL every SOAK_KILL_MIN..SOAK_KILL_MAX seconds and started again at
# once, as systemd would.  Hook for worker processes: with
# SOAK_KILL_WORKERS=1 each kill round also SIGKILLs one child process of the
# daemon, if it has any (decoder workers once they are processes).
#
# Then the daemon runs undisturbed until the spool is drained, and the
# accounting is printed: files in, rows, lost (an input with no row), dup
# (an input with two rows), stuck (left in incoming/ or work/),
# partial (a paused writer's file recorded with other than its full bytes),
# and the peak RSS of any daemon process.  Goal: 0 lost, 0 dup, 0 stuck,
# 0 partial.  Not part of `make check` (minutes on 2 cores); a short run:
#   SOAK_FILES=500 DIGITD_BUILD=build sh bench/bench_soak.sh
set -u
cd "${DIGITD_ROOT:-$(dirname "$0")/..}" || exit 1
B=${DIGITD_BUILD:-build}
case "$B" in /*) ;; *) B=$(pwd)/$B ;; esac
DIGITD=$B/digitd MKDIGITS=$B/tests/mkdigits MODEL=$(pwd)/models/lenet5.model
N=${SOAK_FILES:-20000}
KMIN=${SOAK_KILL_MIN:-2} KMAX=${SOAK_KILL_MAX:-6}
for x in "$DIGITD" "$MKDIGITS" "$MODEL"; do [ -e "$x" ] || { echo "bench_soak: no $x (make first)"; exit 0; }; done
command -v sqlite3 >/dev/null || { echo "bench_soak: sqlite3 not installed"; exit 0; }

T=$(mktemp -d /tmp/digitd-soak.XXXXXX)
SPOOL=$T/spool DB=$T/db/digitd.db CONF=$T/digitd.conf LOG=$T/digitd.log
mkdir -p "$SPOOL/incoming" "$T/db" "$T/src"
PID= KILLER= PRODUCER=
cleanup() {
	[ -n "$KILLER" ] && kill "$KILLER" 2>/dev/null
	[ -n "$PRODUCER" ] && kill "$PRODUCER" 2>/dev/null
	[ -f "$T/pid" ] && kill -9 "$(cat "$T/pid")" 2>/dev/null
	[ -n "${SOAK_KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cat > "$CONF" <<EOF
spool = "$SPOOL";
database = "$DB";
model = "$MODEL";
workers = 2;
stable_time = 1.0;
rescan_interval = 2.0;
log_level = "notice";
EOF

# --- the inputs: name, kind; a manifest the accounting reads ---------------
ngood=$(( N - N / 20 ))
"$MKDIGITS" "$T/src" "$ngood" g 0 >/dev/null || { echo "bench_soak: mkdigits failed"; exit 1; }
: > "$T/manifest"
i=0; g=0; h=0
while [ $i -lt "$N" ]; do
	if [ $((i % 20)) -eq 19 ] && [ $h -lt $((N / 20)) ]; then
		case $((h % 4)) in
		0) kind=truncated ;;
		1) kind=bomb ;;
		2) kind=zero ;;
		3) kind=dup ;;
		esac
		h=$((h + 1))
	else
		kind=good
		[ $((g % 50)) -eq 25 ] && kind=paused
		g=$((g + 1))
	fi
	echo "$i $kind $g" >> "$T/manifest"
	i=$((i + 1))
done

bomb() { # a PNG signature and IHDR claiming 100000 x 100000, then junk
	printf '\211PNG\r\n\032\n\000\000\000\015IHDR\000\001\206\240\000\001\206\240\010\000\000\000\000'
	head -c 200 /dev/zero
}

produce() {
	while read -r i kind g; do
		src=$T/src/g-$(printf '%05d' $((g - 1))).png
		name=s$(printf '%06d' "$i").png
		case $kind in
		good) cp "$src" "$SPOOL/incoming/.$name" && mv "$SPOOL/incoming/.$name" "$SPOOL/incoming/$name" ;;
		paused) # held open across a pause: must not be claimed half-written
			sz=$(stat -c %s "$src")
			{ head -c $((sz / 2)) "$src"; sleep 1.5; tail -c +$((sz / 2 + 1)) "$src"; } > "$SPOOL/incoming/$name" & ;;
		truncated) head -c 300 "$src" > "$SPOOL/incoming/.$name" && mv "$SPOOL/incoming/.$name" "$SPOOL/incoming/$name" ;;
		bomb) bomb > "$SPOOL/incoming/.$name" && mv "$SPOOL/incoming/.$name" "$SPOOL/incoming/$name" ;;
		zero) : > "$SPOOL/incoming/.$name" && mv "$SPOOL/incoming/.$name" "$SPOOL/incoming/$name" ;;
		dup) cp "$T/src/g-00000.png" "$SPOOL/incoming/.$name" && mv "$SPOOL/incoming/.$name" "$SPOOL/incoming/$name" ;;
		esac
	done < "$T/manifest"
	wait
}

start_daemon() {
	"$DIGITD" -f -c "$CONF" >> "$LOG" 2>&1 &
	echo $! > "$T/pid"
}

echo 0 > "$T/peak"
note_rss() { # the daemon's (and its children's) peak RSS so far, in kB (in $T/peak:
	# the killer and the main shell both note it)
	peak=$(cat "$T/peak" 2>/dev/null || echo 0)
	p=$(cat "$T/pid" 2>/dev/null) || return
	for q in $p $(pgrep -P "$p" 2>/dev/null); do
		r=$(awk '/^VmHWM:/ { print $2 }' "/proc/$q/status" 2>/dev/null)
		[ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
	done
	echo "$peak" > "$T/peak"
}

killer() {
	kills=0
	while :; do
		sleep "$(awk -v a="$KMIN" -v b="$KMAX" 'BEGIN { srand(); printf "%.1f", a + rand() * (b - a) }')"
		note_rss
		p=$(cat "$T/pid")
		if [ "${SOAK_KILL_WORKERS:-0}" = 1 ]; then
			c=$(pgrep -P "$p" 2>/dev/null | head -n 1)
			[ -n "$c" ] && kill -9 "$c" 2>/dev/null
		fi
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		kills=$((kills + 1))
		echo "$kills" > "$T/kills"
		start_daemon
	done
}

t0=$(date +%s)
start_daemon
killer & KILLER=$!
produce & PRODUCER=$!
wait "$PRODUCER"; PRODUCER=
kill "$KILLER" 2>/dev/null; wait "$KILLER" 2>/dev/null; KILLER=
note_rss
# the last daemon (maybe just restarted) drains the spool undisturbed
sleep 1
p=$(cat "$T/pid")
kill -0 "$p" 2>/dev/null || start_daemon
i=0
while [ "$(ls -A "$SPOOL/incoming" | wc -l)" -ne 0 ] || [ "$(ls -A "$SPOOL/work" | wc -l)" -ne 0 ]; do
	i=$((i + 1)); [ $i -gt 600 ] && break
	note_rss
	sleep 1
done
sleep 2
note_rss
kill -TERM "$(cat "$T/pid")"; wait "$(cat "$T/pid")" 2>/dev/null
secs=$(( $(date +%s) - t0 ))

# --- accounting -------------------------------------------------------------
sql() { sqlite3 -batch -cmd ".timeout 5000" "$DB" "$@"; }
rows=$(sql "SELECT count(*) FROM documents")
sql "SELECT name FROM documents" | sort > "$T/named"
awk '{ printf "s%06d.png\n", $1 }' "$T/manifest" | sort > "$T/inputs"
lost=$(comm -23 "$T/inputs" "$T/named" | wc -l)
dup=$(uniq -d "$T/named" | wc -l)
stuck=$(( $(ls -A "$SPOOL/incoming" | wc -l) + $(ls -A "$SPOOL/work" | wc -l) ))
# a paused writer's file must be recorded with its full bytes
partial=0
for i in $(awk '$2 == "paused" { print $1 }' "$T/manifest"); do
	g=$(awk -v i="$i" '$1 == i { print $3 }' "$T/manifest")
	want=$(sha256sum "$T/src/g-$(printf '%05d' $((g - 1))).png" | cut -c1-64)
	got=$(sql "SELECT sha256 FROM documents WHERE name = 's$(printf '%06d' "$i").png'")
	[ "$got" = "$want" ] || partial=$((partial + 1))
done
kills=$(cat "$T/kills" 2>/dev/null || echo 0)
peak_mb=$(( $(cat "$T/peak" 2>/dev/null || echo 0) / 1024 ))
echo "soak: $N files in ($((N / 20)) hostile, $(grep -c paused "$T/manifest") paused writers), $kills kill -9, ${secs}s:"
echo "soak: rows=$rows lost=$lost duplicated=$dup stuck=$stuck partial=$partial peak_rss=${peak_mb}MB"
echo "soak: statuses: $(sql "SELECT group_concat(status || '=' || n, ' ') FROM (SELECT status, count(*) AS n FROM documents GROUP BY status)")"
echo "BENCH soak_files_in $N files"
echo "BENCH soak_rows $rows rows"
echo "BENCH soak_lost $lost files"
echo "BENCH soak_duplicated $dup files"
echo "BENCH soak_stuck $stuck files"
echo "BENCH soak_partial $partial files"
echo "BENCH soak_kills $kills kills"
echo "BENCH soak_peak_rss $peak_mb MB"
[ "$lost" -eq 0 ] && [ "$dup" -eq 0 ] && [ "$stuck" -eq 0 ] && [ "$partial" -eq 0 ]
