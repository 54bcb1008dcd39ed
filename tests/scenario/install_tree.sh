#!/bin/sh
# `make install` into a temporary DESTDIR: the tree, the modes, the paths
# substituted into the config and the unit, an existing config never
# overwritten; then the installed pieces for real:
# `digitd --check-config` on the installed config, systemd-sysusers and
# systemd-tmpfiles applied to the DESTDIR root (user, group, spool modes),
# `systemd-analyze verify` and the offline security score (< 2.0); last,
# `make uninstall` removes the program but keeps the config.
#
# Installs with the PREFIX the build directory was made for (its paths.stamp),
# so the test does not rebuild the shared build with other baked-in paths.
set -u
# a make check parent must not leak its jobserver or variables into ours
unset MAKEFLAGS MFLAGS MAKELEVEL
ROOT=${DIGITD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${DIGITD_BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cd "$ROOT" || exit 1

if [ ! -x "$BUILD/digitd" ] || [ ! -x "$BUILD/digitctl" ]; then
	echo "skipped: $BUILD/digitd or digitctl not built yet"
	exit 77
fi

fails=0
ok()   { echo "ok    $*"; }
bad()  { echo "FAIL  $*"; fails=$((fails + 1)); }
check() { # description command...
	d=$1; shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
mode() { stat -c %a "$1" 2>/dev/null; }
quiet() { "$@" >/dev/null 2>&1; }

D=$(mktemp -d /tmp/digitd-install.XXXXXX) || exit 1
trap 'rm -rf "$D"' EXIT
# B is relative to the Makefile; pass the build dir we were given
BREL=$(realpath --relative-to="$ROOT" "$BUILD")

PREFIX=/usr/local
[ -f "$BUILD/paths.stamp" ] && PREFIX=$(sed -n 's/^PREFIX=\([^ ]*\) .*/\1/p' "$BUILD/paths.stamp")
P="${PREFIX#/}"   # the prefix inside DESTDIR, without its leading slash
echo "== make install PREFIX=$PREFIX DESTDIR=$D"
if ! make --no-print-directory -C "$ROOT" B="$BREL" PREFIX="$PREFIX" DESTDIR="$D" install >"$D.log" 2>&1; then
	cat "$D.log"; rm -f "$D.log"
	echo "FAIL  make install"; exit 1
fi
cat "$D.log"; rm -f "$D.log"

check "digitd installed 755"   [ "$(mode "$D/$P/bin/digitd")" = 755 ]
check "digitctl installed 755" [ "$(mode "$D/$P/bin/digitctl")" = 755 ]
check "config installed 644"   [ "$(mode "$D/etc/digitd/digitd.conf")" = 644 ]
check "config default copy"    [ -f "$D/$P/share/digitd/digitd.conf.default" ]
check "schema installed"       [ -f "$D/$P/share/digitd/sql/schema.sql" ]
check "operations doc"         [ -f "$D/$P/share/digitd/doc/operations.md" ]
check "unit installed 644"     [ "$(mode "$D/$P/lib/systemd/system/digitd.service")" = 644 ]
check "sysusers installed"     [ -f "$D/$P/lib/sysusers.d/digitd.conf" ]
check "tmpfiles installed"     [ -f "$D/$P/lib/tmpfiles.d/digitd.conf" ]
if ls models/*.model >/dev/null 2>&1; then
	for m in models/*.model; do
		check "model $(basename "$m") installed" cmp -s "$m" "$D/$P/share/digitd/models/$(basename "$m")"
	done
fi
check "no @PLACEHOLDER@ left" sh -c "! grep -n '@[A-Z]*@' '$D/etc/digitd/digitd.conf' '$D/$P/lib/systemd/system/digitd.service'"
check "config names the installed model dir" grep -q "^model = \"$PREFIX/share/digitd/models/" "$D/etc/digitd/digitd.conf"
check "unit runs the installed binary" grep -qx "ExecStart=$PREFIX/bin/digitd -f -c /etc/digitd/digitd.conf" "$D/$P/lib/systemd/system/digitd.service"

echo "== an existing config is never overwritten"
echo "# local edit $$" >>"$D/etc/digitd/digitd.conf"
make --no-print-directory -C "$ROOT" B="$BREL" PREFIX="$PREFIX" DESTDIR="$D" install >"$D.log" 2>&1 || bad "second make install"
check "install says it keeps the config" grep -q "keeping the existing" "$D.log"
rm -f "$D.log"
check "local edit kept" grep -q "# local edit $$" "$D/etc/digitd/digitd.conf"

echo "== digitd --check-config on the installed config"
# The installed config names /var/spool/digitd, /var/lib/digitd and the model
# under $PREFIX/share; check it as written, then with those paths pointed into
# the DESTDIR tree (what a packaged system would have).
out=$("$D/$P/bin/digitd" --check-config -c "$D/etc/digitd/digitd.conf" 2>&1); rc=$?
echo "$out"
if [ $rc -ne 0 ] && ! echo "$out" | grep -qi 'model\|spool\|database\|no such file'; then
	bad "installed config refused for a reason other than missing paths: $out"
fi
mkdir -p "$D/var/spool/digitd" "$D/var/lib/digitd"
model=$(ls "$D/$P"/share/digitd/models/*.model 2>/dev/null | head -n 1)
[ -n "$model" ] || model="$D/$P/share/digitd/models/lenet5.model"
sed -e "s|^spool = \".*\";|spool = \"$D/var/spool/digitd\";|" \
    -e "s|^database = \".*\";|database = \"$D/var/lib/digitd/digitd.db\";|" \
    -e "s|^model = \".*\";|model = \"$model\";|" "$D/etc/digitd/digitd.conf" >"$D/check.conf"
if [ -f "$model" ]; then
	check "digitd --check-config accepts the installed config" "$D/$P/bin/digitd" --check-config -c "$D/check.conf"
else
	echo "note: no model installed (models/*.model missing); --check-config run without asserting on the model"
	"$D/$P/bin/digitd" --check-config -c "$D/check.conf"
fi
sed 's/^threshold = /treshold = /' "$D/check.conf" >"$D/typo.conf"
out=$("$D/$P/bin/digitd" --check-config -c "$D/typo.conf" 2>&1); rc=$?
echo "$out"
check "--check-config exits 1 on a typo" [ $rc -eq 1 ]
check "--check-config names file, line and key" sh -c "echo \"\$1\" | grep -q \"typo.conf:[0-9]*: unknown key 'treshold' (did you mean 'threshold'?)\"" - "$out"

echo "== stripped binaries, man pages"
for b in digitd digitctl; do
	check "$b installed stripped" sh -c "! readelf -S '$D/$P/bin/$b' | grep -q '\.debug_info\|\.symtab'"
done
check "build/digitd keeps its symbols" sh -c "readelf -S '$BUILD/digitd' | grep -q '\.symtab'"
for m in man1/digitctl.1 man5/digitd.conf.5 man8/digitd.8; do
	check "$m installed" [ -s "$D/$P/share/man/$m" ]
	check "$m names the installed paths" sh -c "! grep -q '@[A-Z]*@' '$D/$P/share/man/$m'"
	if command -v man >/dev/null 2>&1; then
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$D/$P/share/man/$m" 2>&1 >"$D/man.out")
		[ -n "$out" ] && echo "$out"
		check "man -l $m renders without warnings" [ -z "$out" ]
		check "man -l $m has a NAME and SEE ALSO" sh -c "grep -q '^NAME' '$D/man.out' && grep -q '^SEE ALSO' '$D/man.out'"
	else
		echo "note: man not installed; $m not rendered"
	fi
done
check "digitd --help points to the pages installed" sh -c "'$D/$P/bin/digitd' --help | grep -q 'digitctl(1)'"

echo "== digitctl recognize outside the source tree"
# The binary was built for $PREFIX but sits under DESTDIR: it finds the
# models installed beside it (BIN/../share/digitd), from any directory.
scan=$(ls "$ROOT"/samples/*.png 2>/dev/null | grep -v overlay | head -n 1)
if [ -n "$scan" ] && ls models/*.model >/dev/null 2>&1 && [ ! -e /etc/digitd/digitd.conf ] &&
   [ ! -d "$PREFIX/share/digitd/models" ]; then
	check "recognize from / with the installed models" sh -c \
		"cd / && env -u DIGITD_CONFIG '$D/$P/bin/digitctl' recognize '$scan' >/dev/null"
	check "recognize -c takes the config's model" sh -c \
		"cd / && '$D/$P/bin/digitctl' recognize -c '$D/check.conf' '$scan' >/dev/null"
else
	echo "note: no sample or model, or a system-wide digitd installed; skipped"
fi

echo "== sysusers and tmpfiles applied to the DESTDIR root"
if command -v systemd-sysusers >/dev/null 2>&1 && command -v systemd-tmpfiles >/dev/null 2>&1; then
	check "systemd-sysusers --root" quiet systemd-sysusers --root="$D"
	check "user digitd with group digitd" sh -c "grep -q '^digitd:x:[0-9]*:[0-9]*:.*:/var/lib/digitd:/usr/sbin/nologin$' '$D/etc/passwd' && grep -q '^digitd:x:' '$D/etc/group'"
	check "systemd-tmpfiles --create --root" quiet systemd-tmpfiles --create --root="$D"
	check "incoming/ is 3770 (setgid, sticky, group-writable)" [ "$(mode "$D/var/spool/digitd/incoming")" = 3770 ]
	for d in work done failed; do
		check "$d/ is 750" [ "$(mode "$D/var/spool/digitd/$d")" = 750 ]
	done
	uid=$(awk -F: '$1=="digitd"{print $3}' "$D/etc/passwd")
	gid=$(awk -F: '$1=="digitd"{print $3}' "$D/etc/group")
	check "spool owned by digitd:digitd" [ "$(stat -c %u:%g "$D/var/spool/digitd/incoming")" = "$uid:$gid" ]
else
	echo "note: systemd-sysusers/systemd-tmpfiles not installed; skipped"
fi

echo "== systemd-analyze"
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify resolves ExecStart= on the host, so point it at the DESTDIR binary
	sed "s|$PREFIX/bin/digitd|$D/$P/bin/digitd|" "$D/$P/lib/systemd/system/digitd.service" >"$D/digitd.service"
	out=$(cd "$D" && systemd-analyze verify "$D/digitd.service" 2>&1); rc=$?
	[ -n "$out" ] && echo "$out"
	check "systemd-analyze verify" [ $rc -eq 0 ]
	check "systemd-analyze verify is silent" [ -z "$out" ]
	score=$(systemd-analyze security --offline=true "$D/$P/lib/systemd/system/digitd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for digitd.service: \([0-9.]*\).*/\1/p')
	echo "systemd-analyze security --offline=true: exposure ${score:-unknown}"
	if [ -n "$score" ]; then
		check "exposure $score < 2.0" awk -v s="$score" 'BEGIN { exit !(s < 2.0) }'
	else
		echo "note: this systemd-analyze cannot score offline"
	fi
else
	echo "note: systemd-analyze not installed; skipped"
fi

echo "== make uninstall"
make --no-print-directory -C "$ROOT" B="$BREL" PREFIX="$PREFIX" DESTDIR="$D" uninstall >/dev/null 2>&1 || bad "make uninstall"
for f in bin/digitd bin/digitctl lib/systemd/system/digitd.service lib/sysusers.d/digitd.conf \
	 lib/tmpfiles.d/digitd.conf share/digitd share/man/man1/digitctl.1 share/man/man5/digitd.conf.5 \
	 share/man/man8/digitd.8; do
	check "uninstall removed $PREFIX/$f" [ ! -e "$D/$P/$f" ]
done
check "uninstall kept the config" [ -f "$D/etc/digitd/digitd.conf" ]

echo "$fails failed"
[ $fails -eq 0 ]
