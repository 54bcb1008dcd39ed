#!/bin/sh
# The installed unit under a real systemd, with all its hardening.
#
# `systemd-analyze verify` and `security` only read the unit; this test runs
# it.  systemd (the distribution's /lib/systemd/systemd) is started as PID 1
# of private pid, mount and cgroup namespaces (no host state is touched: /run,
# /tmp, /var/spool and /var/lib are tmpfs in the namespace, /etc/passwd and
# /etc/group are copies, the cgroup tree is a fresh sub-cgroup removed at the
# end).  The user comes from the installed sysusers.d file, the spool from the
# installed tmpfiles.d file, the service from the installed unit, changed only
# to point at the installed files (ExecStart, -c, model) and to log to a file.
# Then, as an operator would:
#   - the service reaches "active" (READY=1) and shows a STATUS= line;
#   - the main process runs sandboxed: NoNewPrivs, seccomp, no capabilities,
#     its own network namespace;
#   - a producer (another uid in group digitd, umask 077) drops two files;
#     both are recognised into the database and moved to done/;
#   - `systemctl reload` with a good and with a broken file (the broken one is
#     logged with file:line and the service stays up, never restarted);
#   - the watchdog is armed and pinged;
#   - `systemctl stop` ends it cleanly within 5 s.
# Needs root, util-linux unshare/nsenter/setpriv, systemd, sqlite3, cgroup2;
# otherwise skipped (exit 77) with the reason.
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${DIGITD_BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cd "$ROOT" || exit 1

skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (systemd as PID 1 of a namespace)"
for t in unshare nsenter setpriv sqlite3 systemd-tmpfiles systemd-sysusers; do
	command -v $t >/dev/null 2>&1 || skip "$t not installed"
done
SYSTEMD=""
for s in /lib/systemd/systemd /usr/lib/systemd/systemd; do [ -x $s ] && SYSTEMD=$s && break; done
[ -n "$SYSTEMD" ] || skip "systemd not installed"
[ -x "$BUILD/digitd" ] && [ -x "$BUILD/digitctl" ] || skip "$BUILD/digitd or digitctl not built yet"
ls samples/*.png >/dev/null 2>&1 || skip "no samples/*.png"
# a cgroup2 hierarchy to give systemd a subtree of its own
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then CGROOT=/sys/fs/cgroup
elif [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then CGROOT=/sys/fs/cgroup/unified
else skip "no cgroup2 hierarchy"; fi

fails=0
ok()  { echo "ok    $*"; }
bad() { echo "FAIL  $*"; fails=$((fails + 1)); }
check() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }

D=$(mktemp -d /tmp/digitd-systemd.XXXXXX) || exit 1
CG="$CGROOT/digitd-test.$$"
NSPID=""
cleanup() {
	[ -n "$NSPID" ] && kill -KILL "$NSPID" 2>/dev/null && wait "$NSPID" 2>/dev/null
	# systemd's slices, deepest first; they are empty once PID 1 is gone
	i=0
	while [ -d "$CG" ] && [ $i -lt 50 ]; do
		find "$CG" -depth -type d -exec rmdir {} \; 2>/dev/null
		[ -d "$CG" ] && sleep 0.1
		i=$((i + 1))
	done
	[ -d "$CG" ] && echo "warning: could not remove $CG"
	rm -rf "$D"
}
trap cleanup EXIT

PREFIX=/usr/local
[ -f "$BUILD/paths.stamp" ] && PREFIX=$(sed -n 's/^PREFIX=\([^ ]*\) .*/\1/p' "$BUILD/paths.stamp")
P="${PREFIX#/}"
BREL=$(realpath --relative-to="$ROOT" "$BUILD")
make --no-print-directory -C "$ROOT" B="$BREL" PREFIX="$PREFIX" DESTDIR="$D/root" install >"$D/install.log" 2>&1 ||
	{ cat "$D/install.log"; echo "FAIL  make install"; exit 1; }
mkdir -p "$D/samples" && cp samples/*.png "$D/samples/"

# Runs as PID 1 of the new namespaces, then becomes systemd.  Everything the
# service needs is copied into the namespace's /run first, because the unit's
# PrivateTmp= hides /tmp (where $D is) and ProtectHome= may hide the checkout.
cat >"$D/inner.sh" <<EOF
#!/bin/sh
set -e
mount --make-rprivate /
mount -t tmpfs -o mode=755 tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /run/dt
cp -a "$D/root" /run/dt/root
cp -a "$D/samples" /run/dt/samples
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /var/spool
mount -t tmpfs tmpfs /var/lib
echo "namespace mounts ok"
# sysusers.d applied to copies of passwd and group
mkdir -p /run/dt/sys/etc
cp /etc/passwd /etc/group /run/dt/sys/etc/
systemd-sysusers --root=/run/dt/sys /run/dt/root/$P/lib/sysusers.d/digitd.conf
mount --bind /run/dt/sys/etc/passwd /etc/passwd
mount --bind /run/dt/sys/etc/group /etc/group
systemd-tmpfiles --create /run/dt/root/$P/lib/tmpfiles.d/digitd.conf
# the installed config, with the model where the copy is
sed 's|^model = "$PREFIX/|model = "/run/dt/root/$P/|' /run/dt/root/etc/digitd/digitd.conf >/run/dt/digitd.conf
sed -i 's|^rescan_interval = .*|rescan_interval = 1.0;|' /run/dt/digitd.conf
mkdir -p /run/systemd/system/digitd.service.d
sed -e 's|^ExecStart=$PREFIX/bin/digitd -f -c /etc/digitd/digitd.conf|ExecStart=/run/dt/root/$P/bin/digitd -f -c /run/dt/digitd.conf|' \
	/run/dt/root/$P/lib/systemd/system/digitd.service >/run/systemd/system/digitd.service
cat >/run/systemd/system/digitd.service.d/test.conf <<UNIT
[Unit]
# only this service: no sysinit.target and the host's units behind it
DefaultDependencies=no
[Service]
StandardOutput=file:/run/dt/digitd.log
StandardError=file:/run/dt/digitd.log
UNIT
printf '[Unit]\nDefaultDependencies=no\nWants=digitd.service\n' >/run/systemd/system/digitd-test.target
echo "setup ok"
exec env -i container=digitd-test PATH=/usr/sbin:/usr/bin:/sbin:/bin $SYSTEMD --system --unit=digitd-test.target --log-target=console --log-level=notice
EOF
chmod +x "$D/inner.sh"

mkdir "$CG" || skip "cannot create a cgroup under $CGROOT"
# enter our own cgroup, then a cgroup namespace rooted there
sh -c "echo \$\$ >'$CG/cgroup.procs' && exec unshare --cgroup --mount --pid --fork --kill-child --mount-proc '$D/inner.sh'" \
	>"$D/console.log" 2>&1 &
NSPID=$!

# systemd is the child of unshare, the child of our sh
S=""
i=0
while [ $i -lt 100 ]; do
	U=$(pgrep -P $NSPID -x unshare 2>/dev/null | head -n 1)
	[ -z "$U" ] && U=$NSPID   # sh exec'd unshare
	S=$(pgrep -P "$U" 2>/dev/null | head -n 1)
	if [ -n "$S" ] && nsenter -t "$S" -m -p test -S /run/systemd/private 2>/dev/null; then break; fi
	S=""
	sleep 0.1; i=$((i + 1))
done
if [ -z "$S" ]; then
	sed 's/^/    console| /' "$D/console.log"
	grep -q "namespace mounts ok" "$D/console.log" || skip "cannot set up the namespaces here"
	grep -q "setup ok" "$D/console.log" || { echo "FAIL  installed sysusers/tmpfiles/unit setup"; exit 1; }
	skip "systemd did not start in a namespace here"
fi
E="nsenter -t $S -m -p"
prop() { $E systemctl show digitd -p "$1" --value 2>/dev/null; }
wait_for() { # seconds command...: poll until command succeeds
	n=$(( $1 * 10 )); shift
	while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
	return 1
}
is_state() { [ "$(prop ActiveState)" = "$1" ]; }
log_has() { $E grep -q "$1" /run/dt/digitd.log; }
show_log() { $E cat /run/dt/digitd.log 2>/dev/null | sed 's/^/    digitd| /'; }

echo "== start (Type=notify: active means READY=1 was received)"
check "service active" wait_for 30 is_state active
if ! is_state active; then
	$E systemctl status digitd --no-pager 2>&1 | sed 's/^/    /'
	show_log
	echo "$fails failed"; exit 1
fi
status=$(prop StatusText)
echo "STATUS: $status"
check "STATUS= line shown" [ -n "$status" ]

echo "== sandbox of the main process"
MP=$(prop MainPID)
st=$($E cat /proc/$MP/status 2>/dev/null)
has() { printf '%s\n' "$st" | grep -q "$1"; }
check "NoNewPrivs" has '^NoNewPrivs:[[:space:]]*1$'
check "seccomp filter" has '^Seccomp:[[:space:]]*2$'
check "no capabilities" has '^CapEff:[[:space:]]*0000000000000000$'
check "no capability bounding set" has '^CapBnd:[[:space:]]*0000000000000000$' 
check "runs as digitd" [ "$($E stat -c %U /proc/$MP)" = digitd ]
check "own network namespace" [ "$($E readlink /proc/$MP/ns/net)" != "$($E readlink /proc/1/ns/net)" ]

echo "== a producer in group digitd drops two files (umask 077)"
gid=$($E getent group digitd | cut -d: -f3)
s1=$(ls "$D"/samples/*.png | head -n 1); s1=/run/dt/samples/$(basename "$s1")
s2=$(ls "$D"/samples/*.png | sed -n 2p); s2=/run/dt/samples/$(basename "${s2:-$s1}")
check "producer can write incoming/" $E setpriv --reuid=4321 --regid="$gid" --clear-groups sh -c "umask 077
	cp '$s1' /var/spool/digitd/incoming/scan-1.part && mv /var/spool/digitd/incoming/scan-1.part /var/spool/digitd/incoming/scan-1.png
	cat '$s2' >/var/spool/digitd/incoming/scan-2.png"
ndone() { [ "$($E sqlite3 /var/lib/digitd/digitd.db "SELECT count(*) FROM documents WHERE status IN ('done','duplicate')" 2>/dev/null)" = 2 ]; }
check "both documents committed" wait_for 60 ndone
check "both originals in done/" wait_for 10 $E test -f /var/spool/digitd/done/scan-1.png -a -f /var/spool/digitd/done/scan-2.png
empty_spool() { [ -z "$($E find /var/spool/digitd/incoming /var/spool/digitd/work -mindepth 1 -print)" ]; }
check "incoming/ and work/ empty" wait_for 10 empty_spool
check "database owned by digitd, 0640" [ "$($E stat -c '%U %a' /var/lib/digitd/digitd.db)" = "digitd 640" ]

echo "== reload"
$E sed -i 's/^threshold = .*/threshold = 0.8;/' /run/dt/digitd.conf
check "systemctl reload (good file)" $E systemctl reload digitd
check "reload logged" wait_for 10 log_has "configuration reloaded"
$E sh -c 'echo "treshold = 0.8;" >>/run/dt/digitd.conf'
check "systemctl reload (broken file)" $E systemctl reload digitd
check "broken reload logged with file:line and hint" wait_for 10 log_has "digitd.conf:[0-9]*: unknown key 'treshold' (did you mean 'threshold'?)"
sleep 1
check "still active" is_state active
check "never restarted" [ "$(prop NRestarts)" = 0 ]

echo "== watchdog"
check "WatchdogSec armed" [ "$(prop WatchdogUSec)" != "0" ]
w1=$(prop WatchdogTimestampMonotonic)
pinged() { [ "$(prop WatchdogTimestampMonotonic)" != "$w1" ]; }
check "watchdog pinged" wait_for 20 pinged

echo "== stop"
t0=$(date +%s%N)
check "systemctl stop" $E systemctl stop digitd
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "stopped in ${ms} ms"
check "stopped within 5 s" [ $ms -le 5000 ]
check "clean exit" [ "$(prop Result)" = success ]

[ $fails -gt 0 ] && show_log
echo "$fails failed"
[ $fails -eq 0 ]
