#!/bin/sh
# PyTorch's figures for the same classic LeNet-5 (bench/pytorch_lenet5.py),
# next to bench_nn's.  Debian's python3-torch is used (make bench-deps
# installs it); without it this prints a note and no figures.
cd "$(dirname "$0")/.." || exit 1
PY=/usr/bin/python3
if ! "$PY" -c 'import torch' 2>/dev/null; then
	echo "bench_pytorch: python3-torch is not installed; skipping the PyTorch column (make bench-deps installs it)"
	exit 0
fi
# OpenMP threads that spin while waiting collapse when the other core is
# busy (an epoch on 2 threads measured 135 s instead of 14 s here); digitd's
# trainer blocks instead of spinning, so compare like with like.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
exec "$PY" bench/pytorch_lenet5.py "${DIGITD_ROOT:-.}/data/mnist" "${BENCH_TRAIN_IMAGES:-12800}"
