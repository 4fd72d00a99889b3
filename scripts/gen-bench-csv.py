#!/usr/bin/env python3
"""Writes the benchmark table's CSV to stdout: ROWS rows x 10 columns with quotes, commas,
doubled quotes, non-ASCII text and NULLs, the same bytes for the same ROWS (seeded).
Usage: gen-bench-csv.py ROWS"""
import random
import sys

random.seed(42)
n = int(sys.argv[1])
w = sys.stdout.write
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
