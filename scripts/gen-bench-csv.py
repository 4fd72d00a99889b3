#!/usr/bin/env python3
"""Writes a benchmark table's CSV to stdout, the same bytes for the same SHAPE and ROWS (seeded).
Usage: gen-bench-csv.py ROWS [SHAPE]

Shapes (scripts/bench.sh creates the matching table):
  mixed   10 columns with quotes, commas, doubled quotes, non-ASCII text and NULLs (default)
  narrow  2 integer columns: the per-row cost, with almost no bytes per row
  wide    an integer key and 4 long text columns (100-3,000 characters, quoted, with commas,
          doubled quotes, line breaks, non-ASCII text and NULLs): the per-byte cost"""
import random
import sys

random.seed(42)
n = int(sys.argv[1])
shape = sys.argv[2] if len(sys.argv) > 2 else "mixed"
w = sys.stdout.write


def mixed():
    w("id,name,amount,created,city,qty,descr,price,code,updated\n")
    cities = ["London", "Zürich", "New York", "São Paulo", "Tokyo"]
    for i in range(1, n + 1):
        name = "" if i % 20 == 0 else f'"Name {i}, the {random.choice(["first", "second", "third"])}"'
        amount = "" if i % 19 == 0 else f"{random.randint(-10**8, 10**8) / 100:.2f}"
        created = f"2024-{random.randint(1,12):02d}-{random.randint(1,28):02d} {random.randint(0,23):02d}:{random.randint(0,59):02d}:{random.randint(0,59):02d}"
        descr = "" if i % 21 == 0 else f'"said ""hello"" to {i}"'
        price = f"{random.random() * 1000:.4f}"
        code = "" if i % 22 == 0 else f"C{i % 1000:04d}"
        updated = f"{created}.{random.randint(0, 999999):06d}"
        w(f"{i},{name},{amount},{created},{random.choice(cities)},{random.randint(0, 500)},{descr},{price},{code},{updated}\n")


def narrow():
    w("id,v\n")
    for i in range(1, n + 1):
        w(f"{i},{random.randint(-2**31, 2**31 - 1)}\n")


def wide():
    w("id,a,b,c,d\n")
    words = ["alpha", "Zürich", "naïve", "\u65e5\u672c", "said \"\"hi\"\"", "a, b", "line\nbreak", "x" * 40]
    # A pool of texts keeps generation fast; the offsets make neighbouring rows differ.
    pool = [" ".join(random.choice(words) for _ in range(random.randint(15, 300))) for _ in range(997)]
    for i in range(1, n + 1):
        cells = []
        for c in range(4):
            if (i + c) % 17 == 0:
                cells.append("")
            else:
                cells.append(f'"{i} {pool[(i * (c + 3)) % len(pool)]}"')
        w(f"{i},{','.join(cells)}\n")


{"mixed": mixed, "narrow": narrow, "wide": wide}[shape]()
