#!/usr/bin/env bash
# Typed-file benchmark, every loader in the same run, alternating:
#  1. refresh 1,000,000 rows x 10 columns into PostgreSQL from Parquet (GZIP, typed columns)
#     and from the same data as CSV, both through hvrwasmagent, against `psql \copy` of the CSV;
#  2. peak RSS of a refresh from one ~1 GB Parquet file against a ~0.1 GB one (into SQLite),
#     to show memory does not follow the file's size.
#   scripts/typed-bench.sh [ROWS] [RUNS] [WIDE_ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
wide_rows=${3:-2000000}
scripts/setup.sh --servers
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
python="$PWD/.tools/venv/bin/python"
out="$PWD/target/typed-bench"
mkdir -p "$out/csv" "$out/parquet" "$out/wide"
csv="$out/csv/20240101000000000-t.csv"
parquet="$out/parquet/20240101000000000-t.parquet"
if [[ ! -f "$csv.$rows" ]]; then
    echo "typed-bench: generating $rows rows"
    python3 scripts/gen-bench-csv.py "$rows" > "$csv"
    "$python" scripts/typed-bench.py from-csv "$csv" "$parquet"
    rm -f "$out/csv/"*.csv.*
    touch "$csv.$rows"
fi

export PGHOST=127.0.0.1 PGUSER=postgres
psql -q -d postgres -c "DROP DATABASE IF EXISTS hvr_typed_bench WITH (FORCE)" -c "CREATE DATABASE hvr_typed_bench"
table_sql="CREATE TABLE t (id integer PRIMARY KEY, name varchar(50), amount numeric(12,2),
  created timestamp, city varchar(30), qty integer, descr varchar(100), price numeric(14,4),
  code varchar(10), updated timestamp(6))"
psql -q -d hvr_typed_bench -c "$table_sql"
pg="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_typed_bench;Uid=postgres;CommLog=0;Protocol=7.4-1;"
count() { psql -tAq -d hvr_typed_bench -c "SELECT count(*) FROM t"; }
forget() { psql -q -d hvr_typed_bench -c "DELETE FROM hvr_bench_state" 2>/dev/null || true; }
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_TBL_KEYS=id HVR_FILE_NROWS="$rows"
export HVR_COL_NAMES=id,name,amount,created,city,qty,descr,price,code,updated
now() { date +%s.%N; }
ours() { # FORMAT DIR FILE
    forget
    HVR_FILE_LOC="$2" HVR_FILE_NAMES="$3" HVR_WASM_CONNECT_STRING="$pg" \
        "$agent" refr_write_end bench loc "--connector postgres -y --state-table hvr_bench_state --file-format $1" >/dev/null
}
csv_t=() pq_t=() copy_t=()
for run in $(seq 1 "$runs"); do
    t0=$(now); ours csv "$out/csv" "$(basename "$csv")"; t1=$(now); csv_t+=("$(echo "$t1 - $t0" | bc)")
    [[ $(count) == "$rows" ]] || { echo "CSV load: wrong row count" >&2; exit 1; }
    t0=$(now); ours parquet "$out/parquet" "$(basename "$parquet")"; t1=$(now); pq_t+=("$(echo "$t1 - $t0" | bc)")
    [[ $(count) == "$rows" ]] || { echo "Parquet load: wrong row count" >&2; exit 1; }
    psql -q -d hvr_typed_bench -c "TRUNCATE t"
    t0=$(now); psql -q -d hvr_typed_bench -c "\\copy t FROM '$csv' WITH (FORMAT csv, HEADER true)"; t1=$(now); copy_t+=("$(echo "$t1 - $t0" | bc)")
    echo "typed-bench: run $run: CSV ${csv_t[-1]} s, Parquet ${pq_t[-1]} s, psql \\copy ${copy_t[-1]} s"
done

# Memory: the same binary on a small and a big Parquet file (one table, SQLite).
wide_small=$((wide_rows / 10))
for n in "$wide_small" "$wide_rows"; do
    f="$out/wide/$n/20240101000000000-w.parquet"
    if [[ ! -f "$f" ]]; then
        mkdir -p "$out/wide/$n"
        "$python" scripts/typed-bench.py wide "$n" "$f"
    fi
done
rss() { # ROWS -> "MB_FILE KB_PEAK"
    local dir="$out/wide/$1" db="$out/wide/$1.sqlite"
    rm -f "$db"
    local peak
    peak=$(HVR_TBL_NAMES=w HVR_BASE_NAMES=w HVR_TBL_KEYS=id HVR_COL_NAMES=id,body HVR_FILE_NROWS="$1" \
        HVR_FILE_LOC="$dir" HVR_FILE_NAMES=20240101000000000-w.parquet \
        HVR_WASM_CONNECT_STRING="Driver={SQLite3};Database=$db;" \
        /usr/bin/time -f '%M' "$agent" refr_write_end bench loc "-y --file-format parquet" 2>&1 >/dev/null | tail -1)
    echo "$(du -m "$dir/20240101000000000-w.parquet" | cut -f1) $peak"
}
small=$(rss "$wide_small"); big=$(rss "$wide_rows")

python3 - "$rows" "${csv_t[*]}" "${pq_t[*]}" "${copy_t[*]}" "$small" "$big" "$(du -m "$csv" | cut -f1)" "$(du -m "$parquet" | cut -f1)" <<'PY'
import statistics, sys
rows = int(sys.argv[1])
med = lambda s: statistics.median(float(x) for x in s.split())
c, p, k = med(sys.argv[2]), med(sys.argv[3]), med(sys.argv[4])
(sm, sk), (bm, bk) = (map(int, sys.argv[5].split()), map(int, sys.argv[6].split()))
print(f"\n{rows} rows x 10 columns into PostgreSQL, {len(sys.argv[2].split())} runs each, alternating, median")
print(f"| loader | input | time (s) | vs psql \\copy |")
print("|---|---|---:|---:|")
print(f"| hvrwasmagent --file-format csv | CSV, {sys.argv[7]} MB | {c:.2f} | {c / k:.2f} |")
print(f"| hvrwasmagent --file-format parquet | Parquet GZIP, {sys.argv[8]} MB | {p:.2f} | {p / k:.2f} |")
print(f"| psql \\copy (FORMAT csv) | CSV, {sys.argv[7]} MB | {k:.2f} | 1.00 |")
print(f"\nParquet / CSV through hvrwasmagent: {p / c:.2f}")
print(f"\npeak RSS, refresh into SQLite from one Parquet file (uncompressed, 0.5 KB rows)")
print("| file | peak RSS |")
print("|---:|---:|")
print(f"| {sm} MB | {sk / 1024:.0f} MB |")
print(f"| {bm} MB | {bk / 1024:.0f} MB |")
PY
