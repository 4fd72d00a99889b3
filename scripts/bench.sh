#!/usr/bin/env bash
# Refresh benchmark: 1,000,000 rows (10 columns by default) loaded by hvrwasmagent
# (refr_write_end through a built-in connector) and, in the same run, by the database's own bulk
# loader reading the same file: `psql \copy` for PostgreSQL, `LOAD DATA LOCAL INFILE` for
# MariaDB, the sqlite3 CLI's `.import` for SQLite. Runs alternate (ours, theirs, ours, ...);
# prints a table and the median of the per-pair time ratios, ours / theirs.
# BENCH_SHAPE picks the data (scripts/gen-bench-csv.py): mixed (default), narrow (2 integer
# columns: per-row cost) or wide (4 long quoted text columns: per-byte cost).
#   [BENCH_FULL=1] [BENCH_SHAPE=mixed|narrow|wide] scripts/bench.sh [postgres|mariadb|sqlite] [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-postgres}
rows=${2:-1000000}
runs=${3:-3}
case "$db" in postgres|mariadb|sqlite) ;; *) echo "usage: scripts/bench.sh [postgres|mariadb|sqlite] [ROWS] [RUNS]" >&2; exit 2;; esac
scripts/setup.sh --servers
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/bench"
mkdir -p "$out/files"
csv="$out/files/20240101000000000-t.csv"
shape=${BENCH_SHAPE:-mixed}
case "$shape" in
    mixed)
        table_sql="CREATE TABLE t (id integer PRIMARY KEY, name varchar(50), amount numeric(12,2),
  created timestamp, city varchar(30), qty integer, descr varchar(100), price numeric(14,4),
  code varchar(10), updated timestamp(6))"
        columns=id,name,amount,created,city,qty,descr,price,code,updated ;;
    narrow)
        table_sql="CREATE TABLE t (id integer PRIMARY KEY, v integer)"
        columns=id,v ;;
    wide)
        table_sql="CREATE TABLE t (id integer PRIMARY KEY, a text, b text, c text, d text)"
        columns=id,a,b,c,d ;;
    *) echo "bench: BENCH_SHAPE must be mixed, narrow or wide" >&2; exit 2 ;;
esac

if [[ ! -f "$csv.$shape.$rows" ]]; then
    echo "bench: generating $rows rows ($shape)"
    python3 scripts/gen-bench-csv.py "$rows" "$shape" > "$csv"
    rm -f "$out/files/"*.csv.*
    touch "$csv.$shape.$rows"
fi
size=$(du -m "$csv" | cut -f1)

export PGHOST=127.0.0.1 PGUSER=postgres
maria() { mariadb -h 127.0.0.1 -u root "$@"; }
if [[ $db == postgres ]]; then
    psql -q -d postgres -c "DROP DATABASE IF EXISTS hvr_bench WITH (FORCE)" -c "CREATE DATABASE hvr_bench"
    psql -q -d hvr_bench -c "$table_sql"
    export HVR_WASM_CONNECT_STRING="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_bench;Uid=postgres;CommLog=0;Protocol=7.4-1;"
    count() { psql -tAq -d hvr_bench -c "SELECT count(*) FROM t"; }
    forget() { psql -q -d hvr_bench -c "DELETE FROM hvr_bench_state" 2>/dev/null || true; }
    empty() { psql -q -d hvr_bench -c "TRUNCATE t"; }
    native_name='psql \copy (FORMAT csv)'
    native() { psql -q -d hvr_bench -c "\\copy t FROM '$csv' WITH (FORMAT csv, HEADER true)"; }
elif [[ $db == sqlite ]]; then
    file="$out/bench.sqlite"
    rm -f "$file"
    sqlite3 "$file" "$table_sql"
    export HVR_WASM_CONNECT_STRING="Driver={SQLite3};Database=$file;"
    count() { sqlite3 "$file" "SELECT count(*) FROM t"; }
    forget() { sqlite3 "$file" "DELETE FROM hvr_bench_state" 2>/dev/null || true; }
    empty() { sqlite3 "$file" "DELETE FROM t"; }
    native_name='sqlite3 .import'
    # .import runs in one transaction, as the agent does; empty fields become '' here, not NULL.
    native() { sqlite3 "$file" -cmd ".mode csv" ".import --skip 1 '$csv' t"; }
else
    maria -e "DROP DATABASE IF EXISTS hvr_bench; CREATE DATABASE hvr_bench CHARACTER SET utf8mb4"
    maria hvr_bench -e "${table_sql//timestamp(6)/datetime(6)}"
    export HVR_WASM_CONNECT_STRING="Driver={MariaDB Unicode};Server=127.0.0.1;Port=3306;Database=hvr_bench;Uid=root;Pwd=;CHARSET=utf8mb4;"
    count() { maria -N hvr_bench -e "SELECT count(*) FROM t"; }
    forget() { maria hvr_bench -e "DELETE FROM hvr_bench_state" 2>/dev/null || true; }
    empty() { maria hvr_bench -e "TRUNCATE t"; }
    native_name='LOAD DATA LOCAL INFILE'
    # Empty unquoted fields become '' (and 0 for numbers) here, not NULL: LOAD DATA has no
    # CSV NULL rule; the file and the work are otherwise the same.
    native() { maria --local-infile=1 hvr_bench -e "LOAD DATA LOCAL INFILE '$csv' INTO TABLE t
        CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY ''
        LINES TERMINATED BY '\\n' IGNORE 1 LINES" >/dev/null; }
fi

export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_TBL_KEYS=id
export HVR_COL_NAMES=$columns
export HVR_FILE_LOC="$out/files" HVR_FILE_NAMES="$(basename "$csv")" HVR_FILE_NROWS="$rows"

now() { date +%s.%N; }
agent_times=() native_times=()
for run in $(seq 1 "$runs"); do
    # The agent's plan empties the table itself, inside its transaction; -y keeps the file.
    # Every run loads the same file name, so the exactly-once fence must forget the last run.
    # BENCH_FULL=1 leaves the last run's rows for the agent to empty (MariaDB empties with a
    # transactional DELETE, which costs as much as the load); by default both sides load into
    # an empty table, the same work.
    forget
    [[ ${BENCH_FULL:-0} == 1 ]] || empty
    t0=$(now); "$agent" refr_write_end bench loc "--connector $db -y --state-table hvr_bench_state" >/dev/null; t1=$(now)
    agent_times+=("$(echo "$t1 - $t0" | bc)")
    [[ $(count) == "$rows" ]] || { echo "agent loaded the wrong row count" >&2; exit 1; }
    empty
    t0=$(now); native; t1=$(now)
    native_times+=("$(echo "$t1 - $t0" | bc)")
    [[ $(count) == "$rows" ]] || { echo "$native_name loaded the wrong row count" >&2; exit 1; }
    echo "bench: run $run: hvrwasmagent ${agent_times[-1]} s, $native_name ${native_times[-1]} s"
done

python3 - "$db" "$rows" "$size" "${agent_times[*]}" "${native_times[*]}" "$native_name" "$shape" "$columns" <<'PY'
import statistics, sys
db, rows, size, name, shape = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[6], sys.argv[7]
width = len(sys.argv[8].split(","))
agent = [float(x) for x in sys.argv[4].split()]
native = [float(x) for x in sys.argv[5].split()]
a, n = statistics.median(agent), statistics.median(native)
print(f"\n{rows} rows x {width} columns ({shape}), {size} MB CSV, {db}{'' if db == 'sqlite' else ' on 127.0.0.1'}, {len(agent)} runs, median")
print("| loader | time (s) | rows/s |")
print("|---|---:|---:|")
print(f"| hvrwasmagent refr_write_end --connector {db} | {a:.2f} | {rows / a:,.0f} |")
print(f"| {name} | {n:.2f} | {rows / n:,.0f} |")
ratio = statistics.median(x / y for x, y in zip(agent, native))
print(f"\nhvrwasmagent / {name}, time, median of per-run ratios: {ratio:.2f}")
PY
