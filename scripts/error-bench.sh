#!/usr/bin/env bash
# The cost of --error-table in a refresh of ROWS rows x 10 columns into PostgreSQL or MariaDB,
# three variants alternated in one run (the machine is shared; compare ratios, not times):
#   plain     no --error-table (the baseline: all-or-nothing)
#   guarded   --error-table, no bad row (the fast path: one savepoint per batch)
#   one-bad   --error-table, one row the server rejects (qty = 'bad' half-way through the
#             file): its batch is retried in halves down to that row, which is set aside
#   scripts/error-bench.sh [postgres|mariadb] [ROWS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-postgres}
rows=${2:-1000000}
runs=${3:-3}
case "$db" in postgres|mariadb) ;; *) echo "usage: scripts/error-bench.sh [postgres|mariadb] [ROWS] [RUNS]" >&2; exit 2;; esac
scripts/setup.sh --servers
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/error-bench"
mkdir -p "$out/good" "$out/bad"
name=20240101000000000-t.csv
if [[ ! -f "$out/good/$name.$rows" ]]; then
    echo "error-bench: generating $rows rows"
    rm -f "$out"/good/* "$out"/bad/*
    python3 scripts/gen-bench-csv.py "$rows" > "$out/good/$name"
    # The same file with one bad value: the 6th column (qty, an integer) of the middle row.
    python3 - "$out/good/$name" "$out/bad/$name" "$((rows / 2))" <<'PY'
import csv, sys
src, dst, bad = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, newline="") as f, open(dst, "w", newline="") as g:
    for i, line in enumerate(f):
        if i == bad:
            fields = next(csv.reader([line]))
            fields[5] = "bad"
            line = ",".join(f'"{v}"' if ("," in v or '"' in v) else v for v in
                            (x.replace('"', '""') if '"' in x else x for x in fields)) + "\n"
        g.write(line)
PY
    touch "$out/good/$name.$rows"
fi

table_sql="CREATE TABLE t (id integer PRIMARY KEY, name varchar(50), amount numeric(12,2),
  created timestamp, city varchar(30), qty integer, descr varchar(100), price numeric(14,4),
  code varchar(10), updated timestamp(6))"
if [[ $db == postgres ]]; then
    export PGHOST=127.0.0.1 PGUSER=postgres
    psql -q -d postgres -c "DROP DATABASE IF EXISTS hvr_error_bench WITH (FORCE)" -c "CREATE DATABASE hvr_error_bench"
    psql -q -d hvr_error_bench -c "$table_sql"
    # Setting rows aside needs a driver that keeps the transaction after an error (7.4-0).
    export HVR_WASM_CONNECT_STRING="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_error_bench;Uid=postgres;CommLog=0;Protocol=7.4-0;"
    q() { psql -tAq -d hvr_error_bench -c "$1"; }
else
    maria() { mariadb -h 127.0.0.1 -u root "$@"; }
    maria -e "DROP DATABASE IF EXISTS hvr_error_bench; CREATE DATABASE hvr_error_bench CHARACTER SET utf8mb4"
    maria hvr_error_bench -e "${table_sql//timestamp(6)/datetime(6)}"
    export HVR_WASM_CONNECT_STRING="Driver={MariaDB Unicode};Server=127.0.0.1;Port=3306;Database=hvr_error_bench;Uid=root;Pwd=;CHARSET=utf8mb4;"
    q() { maria -N hvr_error_bench -e "$1" 2>/dev/null; }
fi
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_TBL_KEYS=id
export HVR_COL_NAMES=id,name,amount,created,city,qty,descr,price,code,updated
export HVR_FILE_NAMES="$name" HVR_FILE_NROWS="$rows"

now() { date +%s.%N; }
declare -A times
for run in $(seq 1 "$runs"); do
    for variant in plain guarded one-bad; do
        q "DELETE FROM hvr_bench_state" 2>/dev/null || true
        q "DROP TABLE IF EXISTS hvr_errors" >/dev/null
        # Every variant starts from an empty table: the refresh's own DELETE then costs the same.
        q "TRUNCATE TABLE t" >/dev/null
        dir=good extra=""
        [[ $variant != plain ]] && extra="--error-table hvr_errors"
        [[ $variant == one-bad ]] && dir=bad
        t0=$(now)
        HVR_FILE_LOC="$out/$dir" "$agent" refr_write_end bench loc \
            "--connector $db -y --state-table hvr_bench_state --progress-every 0 $extra" >/dev/null
        t1=$(now)
        times[$variant]+="$(echo "$t1 - $t0" | bc) "
        want=$rows; [[ $variant == one-bad ]] && want=$((rows - 1))
        [[ $(q "SELECT count(*) FROM t") == "$want" ]] || { echo "$variant loaded the wrong row count" >&2; exit 1; }
        if [[ $variant == one-bad ]]; then
            [[ $(q "SELECT count(*) FROM hvr_errors") == 1 ]] || { echo "one-bad set aside the wrong row count" >&2; exit 1; }
        fi
    done
    echo "error-bench: run $run done"
done

python3 - "$db" "$rows" "${times[plain]}" "${times[guarded]}" "${times[one-bad]}" <<'PY'
import statistics, sys
db, rows = sys.argv[1], int(sys.argv[2])
runs = {k: [float(x) for x in v.split()] for k, v in zip(["plain", "guarded", "one-bad"], sys.argv[3:])}
base = runs["plain"]
print(f"\n{rows} rows x 10 columns, {db} refresh, {len(base)} runs alternated")
print("| variant | median (s) | median of per-run ratios to plain |")
print("|---|---:|---:|")
for k, v in runs.items():
    ratio = statistics.median(a / b for a, b in zip(v, base))
    print(f"| {k} | {statistics.median(v):.2f} | {ratio:.3f} |")
PY
