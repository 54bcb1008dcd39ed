#!/usr/bin/env python3
"""mkseeds.py: the small PNG seeds of the loader fuzz target (fuzz_load.c).

Written by hand (stdlib zlib only) so each one pins down what the fast PNG
path must handle: 8-bit gray and RGB, every filter type, the image data
split over several IDATs (one of them empty), an ancillary chunk and a
suggested palette before the data.  Run from the repository root:
    python3 tests/fuzz/mkseeds.py tests/fuzz/seeds
"""
import struct
import sys
import zlib


def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filt(f, row, prev, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev else 0
        c = prev[i - bpp] if prev and i >= bpp else 0
        pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f]
        out.append((x - pred) & 0xFF)
    return bytes([f]) + bytes(out)


def png(w, h, ctype, filters, splits=1, extra=b""):
    bpp = 1 if ctype == 0 else 3
    raw, prev = b"", None
    for y in range(h):
        row = bytes(((x * 7 + y * 13 + k * 50) ^ (x * y)) & 0xFF for x in range(w) for k in range(bpp))
        raw += filt(filters[y % len(filters)], row, prev, bpp)
        prev = row
    z = zlib.compress(raw, 9)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0)) + extra
    step = max(1, len(z) // splits)
    parts = [z[i:i + step] for i in range(0, len(z), step)]
    for i, p in enumerate(parts):
        out += chunk(b"IDAT", p)
        if i == 0 and splits > 1:
            out += chunk(b"IDAT", b"")       # an empty IDAT inside the run
    return out + chunk(b"IEND", b"")


seeds = {
    "fl-gray-filters.png": png(24, 15, 0, [0, 1, 2, 3, 4]),
    "fl-rgb-filters.png": png(17, 10, 2, [0, 1, 2, 3, 4]),
    "fl-gray-idats.png": png(40, 20, 0, [4, 1], splits=4),
    "fl-rgb-idats.png": png(13, 9, 2, [3, 2], splits=3,
                            extra=chunk(b"pHYs", struct.pack(">IIB", 11811, 11811, 1)) +
                            chunk(b"PLTE", bytes(range(48)))),
    "fl-gray-1col.png": png(1, 7, 0, [1, 3, 4]),
    "fl-rgb-1row.png": png(9, 1, 2, [4]),
}
for name, data in seeds.items():
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        f.write(data)
