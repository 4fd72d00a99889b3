#!/usr/bin/env bash
# What a collision costs: one MariaDB integ_end of CHANGES changes (70% updates, 20% inserts,
# 10% deletes, each key once, as in integrate-db-bench.sh) plus two rows into a table of ROWS
# rows whose `name` is unique. In the baseline cycle the two rows change free values; in the
# others a row gives up its value and a lower key takes it, which the connector's upsert in
# key order meets as a collision, so the host applies the cycle again in ranges (see
# docs/operations.md, "A cycle whose apply fails on a constraint"): `middle` puts the pair
# in the middle of the file (the first halving separates it), `third` at a third (about 17
# halvings). Each run restores the table first (outside the timing); the three cycles
# interleave; the ratio is the median of the per-run ratios to the baseline. Both collision
# cycles are checked to end with the source's values.
#   scripts/in-order-bench.sh [ROWS] [CHANGES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
changes=${2:-100000}
runs=${3:-3}
scripts/setup.sh --servers
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/in-order-bench"
rm -rf "$out" && mkdir -p "$out/files"
file=20240101000000000-t.csv
python3 scripts/integrate_cycle.py "$rows" "$changes" "$out" cycle.csv int
python3 - "$rows" "$out" <<'PY'
import sys
rows, out = int(sys.argv[1]), sys.argv[2]
head, *body = open(f"{out}/cycle.csv").read().splitlines()
used = {int(line.split(",")[0]) for line in body}
low, high = [k for k in range(rows) if k not in used][:2]
freed = f"{high},freed {high},1.00,2024-01-01 12:00:00.000000,2,0"
taken = f"{low},value {high},1.00,2024-01-01 12:00:00.000000,2,0"
free = f"{low},other {low},1.00,2024-01-01 12:00:00.000000,2,0"
for name, pair, at in [("plain", [freed, free], len(body) // 2),
                       ("middle", [freed, taken], len(body) // 2),
                       ("third", [freed, taken], len(body) // 3)]:
    with open(f"{out}/{name}.csv", "w") as f:
        f.write("\n".join([head] + body[:at] + pair + body[at:]) + "\n")
with open(f"{out}/keys", "w") as f:
    f.write(f"{low} {high}\n")
PY
read -r low high < "$out/keys"
maria() { mariadb -h 127.0.0.1 -u root "$@"; }
maria -e "DROP DATABASE IF EXISTS hvr_obench; CREATE DATABASE hvr_obench CHARACTER SET utf8mb4"
columns="id bigint primary key, name varchar(50), amount decimal(12,2), updated datetime(6)"
maria hvr_obench -e "CREATE TABLE t_base ($columns); CREATE TABLE t ($columns, UNIQUE KEY name_u (name))"
maria --local-infile=1 hvr_obench -e "LOAD DATA LOCAL INFILE '$out/base.csv' INTO TABLE t_base FIELDS TERMINATED BY ','"
export HVR_WASM_CONNECT_STRING="Driver={MariaDB Unicode};Server=127.0.0.1;Port=3306;Database=hvr_obench;Uid=root;Pwd=;CHARSET=utf8mb4;"
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_COL_NAMES=id,name,amount,updated,op_type,is_deleted HVR_TBL_KEYS=id
export HVR_FILE_LOC="$out/files" HVR_FILE_NAMES=$file HVR_FILE_NROWS=$((changes + 2))
# One call of KIND from a restored table; prints its seconds.
one() {
    maria hvr_obench -e "TRUNCATE t; INSERT INTO t SELECT * FROM t_base; DROP TABLE IF EXISTS hvr_obench_state" >/dev/null
    cp "$out/$1.csv" "$out/files/$file"
    local start end
    start=$(date +%s.%N)
    "$agent" integ_end bench loc '--connector mariadb --state-table hvr_obench_state' > "$out/$1.log" 2>&1 \
        || { cat "$out/$1.log" >&2; exit 1; }
    end=$(date +%s.%N)
    if [[ $1 != plain ]]; then
        grep -q "again in their order" "$out/$1.log" || { echo "in-order-bench: $1 did not collide" >&2; exit 1; }
        got=$(maria -N hvr_obench -e "SELECT name FROM t WHERE id IN ($low, $high) ORDER BY id" | tr '\n' '|')
        [[ $got == "value $high|freed $high|" ]] || { echo "in-order-bench: $1 left $got" >&2; exit 1; }
    fi
    echo "$end - $start" | bc
}
results="$out/results"
: > "$results"
for run in $(seq 1 "$runs"); do
    p=$(one plain)
    m=$(one middle)
    t=$(one third)
    echo "in-order-bench: run $run: plain $p s, middle $m s, third $t s"
    echo "$p $m $t" >> "$results"
done
python3 - "$results" "$rows" "$changes" <<'PY'
import statistics as st, sys
runs = [list(map(float, line.split())) for line in open(sys.argv[1])]
for i, name in [(1, "collision in the middle"), (2, "collision at a third")]:
    ratio = st.median(r[i] / r[0] for r in runs)
    print(f"mariadb: {int(sys.argv[3]):,} changes + 2 into {int(sys.argv[2]):,} rows, {len(runs)} runs: "
          f"{name} / no collision, median of per-run ratios {ratio:.2f}")
PY
