#!/usr/bin/env bash
# Refresh benchmark: 1,000,000 rows x 10 columns into PostgreSQL, loaded by hvrwasmagent
# (refr_write_end through the built-in postgres connector) and, in the same run, by
# `psql \copy` of the same file. Prints a table and the ratio.
#   scripts/bench.sh [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
scripts/setup.sh --postgres
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/bench"
mkdir -p "$out/files"
csv="$out/files/20240101000000000-t.csv"

if [[ ! -f "$csv.$rows" ]]; then
    echo "bench: generating $rows rows"
    python3 - "$rows" > "$csv" <<'PY'
import random, sys
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
PY
    rm -f "$out/files/"*.csv.*
    touch "$csv.$rows"
fi
size=$(du -m "$csv" | cut -f1)

export PGHOST=127.0.0.1 PGUSER=postgres
psql -q -d postgres -c "DROP DATABASE IF EXISTS hvr_bench WITH (FORCE)" -c "CREATE DATABASE hvr_bench"
psql -q -d hvr_bench -c "CREATE TABLE t (id integer PRIMARY KEY, name varchar(50), amount numeric(12,2),
  created timestamp, city varchar(30), qty integer, descr varchar(100), price numeric(14,4),
  code varchar(10), updated timestamp(6))"

export HVR_WASM_CONNECT_STRING="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_bench;Uid=postgres;CommLog=0;Protocol=7.4-1;"
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_TBL_KEYS=id
export HVR_COL_NAMES=id,name,amount,created,city,qty,descr,price,code,updated
export HVR_FILE_LOC="$out/files" HVR_FILE_NAMES="$(basename "$csv")" HVR_FILE_NROWS="$rows"

now() { date +%s.%N; }
agent_times=() copy_times=()
for run in $(seq 1 "$runs"); do
    # The agent's plan truncates the table itself, inside its transaction; -y keeps the file.
    t0=$(now); "$agent" refr_write_end bench loc "--connector postgres -y" >/dev/null; t1=$(now)
    agent_times+=("$(echo "$t1 - $t0" | bc)")
    [[ $(psql -tAq -d hvr_bench -c "SELECT count(*) FROM t") == "$rows" ]] || { echo "agent loaded the wrong row count" >&2; exit 1; }
    psql -q -d hvr_bench -c "TRUNCATE t"
    t0=$(now); psql -q -d hvr_bench -c "\\copy t FROM '$csv' WITH (FORMAT csv, HEADER true)"; t1=$(now)
    copy_times+=("$(echo "$t1 - $t0" | bc)")
    echo "bench: run $run: hvrwasmagent ${agent_times[-1]} s, psql \\copy ${copy_times[-1]} s"
done

python3 - "$rows" "$size" "${agent_times[*]}" "${copy_times[*]}" <<'PY'
import statistics, sys
rows, size = int(sys.argv[1]), sys.argv[2]
agent = [float(x) for x in sys.argv[3].split()]
copy = [float(x) for x in sys.argv[4].split()]
a, c = statistics.median(agent), statistics.median(copy)
print(f"\n{rows} rows x 10 columns, {size} MB CSV, PostgreSQL on 127.0.0.1, {len(agent)} runs, median")
print(f"| loader | time (s) | rows/s |")
print(f"|---|---:|---:|")
print(f"| hvrwasmagent refr_write_end (postgres connector, unnest arrays) | {a:.2f} | {rows / a:,.0f} |")
print(f"| psql \\copy (FORMAT csv) | {c:.2f} | {rows / c:,.0f} |")
print(f"\nratio hvrwasmagent / \\copy speed: {c / a:.2f}")
PY
