#!/bin/sh
# Install the Debian packages digitd builds and runs with.  Called by the
# Makefile when its pkg-config probe fails; safe to run again.
set -eu
# procps: /bin/kill for the unit's ExecReload, ps and pgrep for the tests
# (a minimal Debian has neither).
# libpoppler-cpp-dev: PDF pages (src/imaging/pdf.cpp); libseccomp-dev: the
# worker processes' system-call filter (src/daemon/sandbox.c); libpng-dev,
# libtiff-dev: the decoders' messages through our handlers.
PKGS="build-essential pkg-config libopencv-dev libdeflate-dev libjpeg-dev libpng-dev libtiff-dev libsqlite3-dev libconfig-dev libpoppler-cpp-dev libseccomp-dev sqlite3 npm ca-certificates procps"
# Optional, used by tests when present: clang and libclang-rt-dev (fuzzing:
# --no-install-recommends leaves out clang's libFuzzer and sanitizer
# runtimes), tmux (review tty test), systemd (systemd-analyze verify/security,
# sysusers, tmpfiles in the install test), man-db (the install test renders
# the man pages with man -l).
EXTRA="${DIGITD_EXTRA_PKGS:-clang libclang-rt-dev tmux systemd man-db}"

missing=""
for p in $PKGS $EXTRA; do
	# A working command is enough: npm and the compilers often come from
	# elsewhere (NodeSource's nodejs bundles npm and conflicts with Debian's).
	case "$p" in
	npm) command -v npm >/dev/null 2>&1 && continue ;;
	build-essential) command -v cc >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1 &&
		command -v make >/dev/null 2>&1 && continue ;;
	esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { echo "install-deps: all packages present"; exit 0; }

if [ "$(id -u)" -eq 0 ]; then SUDO=""
elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"
else
	echo "install-deps: missing Debian packages:$missing" >&2
	echo "install-deps: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || { echo "install-deps: apt-get update failed; check network/apt sources" >&2; exit 1; }
need="" opt=""
for p in $missing; do
	case " $EXTRA " in *" $p "*) opt="$opt $p" ;; *) need="$need $p" ;; esac
done
# shellcheck disable=SC2086
if [ -n "$need" ]; then
	$SUDO apt-get install -y -q --no-install-recommends $need || {
		echo "install-deps: apt-get install failed for:$need" >&2; exit 1; }
fi
# Test-only packages: a failure here costs a skipped test, not the build.
# shellcheck disable=SC2086
if [ -n "$opt" ]; then
	$SUDO apt-get install -y -q --no-install-recommends $opt ||
		echo "install-deps: warning: could not install optional:$opt (some tests will be skipped)" >&2
fi
exit 0
