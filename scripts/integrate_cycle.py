"""The integrate benches' data: a table of ROWS rows (base.csv, no header) and one cycle of
CHANGES changes to it (70% updates, 20% inserts, 10% deletes, each key once) as HVR writes
them, into OUT. Used by integrate-db-bench.sh and in-order-bench.sh, so both time the same
cycle.
    python3 scripts/integrate_cycle.py ROWS CHANGES OUT CYCLE_NAME int|text
"""
import random, sys
rows, changes, out, name, key_kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
rng = random.Random(7)
def key(k):
    # Text keys share a prefix and do not sort like their numbers, as generated ids often do.
    return str(k) if key_kind == "int" else f"cust-{(k * 7919) % 1000003:07d}-{k:09d}"
def row(k, tag):
    return f"{key(k)},{tag} {k},{k % 100000}.{k % 100:02d},2024-01-{1 + k % 28:02d} 12:{k % 60:02d}:00.{k % 1000000:06d}"
with open(f"{out}/base.csv", "w") as f:
    for k in range(rows):
        f.write(row(k, "value") + "\n")
keys = rng.sample(range(rows), changes)
with open(f"{out}/{name}", "w") as f:
    f.write("id,name,amount,updated,op_type,is_deleted\n")
    for k, i in zip(keys, range(changes)):
        pick = i % 10
        if pick < 7:
            f.write(row(k, "changed") + ",2,0\n")
        elif pick < 9:
            f.write(row(rows + i, "new") + ",1,0\n")
        else:
            f.write(row(k, "value") + ",0,1\n")
