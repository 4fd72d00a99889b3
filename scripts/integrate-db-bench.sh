#!/usr/bin/env bash
# Integrate benchmark on PostgreSQL or MariaDB: one integ_end of CHANGES changes (70% updates,
# 20% inserts, 10% deletes, each key once) into a table of ROWS rows, timed as a whole process
# with hyperfine against the best hand-written SQL for the same file in the same run:
#   postgres: psql, `\copy` into a temporary table, then one MERGE over it sorted by key;
#   mariadb:  the mariadb CLI, LOAD DATA LOCAL INFILE into a temporary table, DELETE ... JOIN,
#             then INSERT ... SELECT ... ORDER BY key ON DUPLICATE KEY UPDATE; and the same
#             SQL with the temporary table in Aria (as the connector stages), as a second
#             baseline.
# Both run in one transaction; every run starts from the same target (restored by --prepare,
# outside the timing). Runs interleave ours and the baselines and the ratio is the median of
# the per-run ratios; IBENCH_METHOD=hyperfine runs hyperfine instead (each command's runs in
# a block, ratio of the medians).
# IBENCH_KEY=text keys the table by a varchar(24) of 22 characters (compared by the column's
# collation) instead of a bigint.
#   [IBENCH_KEY=int|text] scripts/integrate-db-bench.sh postgres|mariadb [ROWS] [CHANGES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-}
rows=${2:-1000000}
changes=${3:-100000}
runs=${4:-5}
case "$db" in postgres|mariadb) ;; *) echo "usage: scripts/integrate-db-bench.sh postgres|mariadb [ROWS] [CHANGES] [RUNS]" >&2; exit 2;; esac
scripts/setup.sh --servers
command -v hyperfine >/dev/null || { if [[ $(id -u) -eq 0 ]]; then apt-get install -y -qq hyperfine >/dev/null; else sudo apt-get install -y -qq hyperfine >/dev/null; fi; }
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/integrate-db-bench"
rm -rf "$out" && mkdir -p "$out/files"
file=20240101000000000-t.csv
key_kind=${IBENCH_KEY:-int}
case "$key_kind" in
    int) key_type=bigint ;;
    text) key_type='varchar(24)' ;;
    *) echo "integrate-db-bench: IBENCH_KEY must be int or text" >&2; exit 2 ;;
esac
python3 scripts/integrate_cycle.py "$rows" "$changes" "$out" "$file" "$key_kind"
export PGHOST=127.0.0.1 PGUSER=postgres
maria() { mariadb -h 127.0.0.1 -u root "$@"; }
columns="id $key_type PRIMARY KEY, name varchar(50), amount numeric(12,2), updated timestamp(6)"
extra=()
if [[ $db == postgres ]]; then
    psql -q -d postgres -c "DROP DATABASE IF EXISTS hvr_ibench WITH (FORCE)" -c "CREATE DATABASE hvr_ibench"
    psql -q -d hvr_ibench -c "CREATE TABLE t_base ($columns)" -c "\\copy t_base FROM '$out/base.csv' WITH (FORMAT csv)" \
        -c "CREATE TABLE t ($columns)"
    export HVR_WASM_CONNECT_STRING="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_ibench;Uid=postgres;CommLog=0;Protocol=7.4-1;"
    cat > "$out/prepare.sh" <<PREP
psql -q -h 127.0.0.1 -U postgres -d hvr_ibench -c "TRUNCATE t" -c "INSERT INTO t SELECT * FROM t_base" -c "VACUUM ANALYZE t" -c "DELETE FROM hvr_bench_state" 2>/dev/null || true
cp "$out/$file" "$out/files/$file"
PREP
    cat > "$out/hand.sql" <<SQL
BEGIN;
CREATE TEMPORARY TABLE s (id $key_type, name varchar(50), amount numeric(12,2), updated timestamp(6), op_type int, is_deleted int) ON COMMIT DROP;
\\copy s FROM '$out/files/$file' WITH (FORMAT csv, HEADER true)
MERGE INTO t USING (SELECT * FROM s ORDER BY id) s ON t.id = s.id
  WHEN MATCHED AND s.op_type = 0 THEN DELETE
  WHEN MATCHED THEN UPDATE SET name = s.name, amount = s.amount, updated = s.updated
  WHEN NOT MATCHED AND s.op_type <> 0 THEN INSERT VALUES (s.id, s.name, s.amount, s.updated);
COMMIT;
SQL
    hand_name='psql: \copy + sorted MERGE'
    hand="psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d hvr_ibench -f $out/hand.sql"
    check() { psql -tAq -d hvr_ibench -c "SELECT count(*), sum((name LIKE 'changed%')::int), sum((name LIKE 'new%')::int) FROM t"; }
else
    maria -e "DROP DATABASE IF EXISTS hvr_ibench; CREATE DATABASE hvr_ibench CHARACTER SET utf8mb4"
    maria hvr_ibench -e "CREATE TABLE t_base (${columns//timestamp(6)/datetime(6)}); CREATE TABLE t (${columns//timestamp(6)/datetime(6)})"
    maria --local-infile=1 hvr_ibench -e "LOAD DATA LOCAL INFILE '$out/base.csv' INTO TABLE t_base FIELDS TERMINATED BY ','"
    export HVR_WASM_CONNECT_STRING="Driver={MariaDB Unicode};Server=127.0.0.1;Port=3306;Database=hvr_ibench;Uid=root;Pwd=;CHARSET=utf8mb4;"
    cat > "$out/prepare.sh" <<PREP
mariadb -h 127.0.0.1 -u root hvr_ibench -e "TRUNCATE t; INSERT INTO t SELECT * FROM t_base; ANALYZE TABLE t; DELETE FROM hvr_bench_state" >/dev/null 2>&1 || true
cp "$out/$file" "$out/files/$file"
PREP
    cat > "$out/hand.sql" <<SQL
START TRANSACTION;
CREATE TEMPORARY TABLE s (id $key_type, name varchar(50), amount decimal(12,2), updated datetime(6), op_type int, is_deleted int);
LOAD DATA LOCAL INFILE '$out/files/$file' INTO TABLE s CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' IGNORE 1 LINES;
DELETE t FROM t JOIN s ON t.id = s.id WHERE s.op_type = 0;
INSERT INTO t SELECT id, name, amount, updated FROM s WHERE op_type <> 0 ORDER BY id
  ON DUPLICATE KEY UPDATE name = VALUES(name), amount = VALUES(amount), updated = VALUES(updated);
COMMIT;
SQL
    hand_name='mariadb: LOAD DATA + DELETE JOIN + ON DUPLICATE KEY'
    hand="mariadb --local-infile=1 -h 127.0.0.1 -u root hvr_ibench -e 'source $out/hand.sql'"
    # The same with the stage in Aria, as the connector makes it: the baseline a hand-writer
    # who knew that would reach.
    sed 's/is_deleted int);/is_deleted int) ENGINE=Aria;/' "$out/hand.sql" > "$out/hand-aria.sql"
    grep -q 'ENGINE=Aria' "$out/hand-aria.sql"
    extra=(-n 'mariadb: the same, stage in Aria' "mariadb --local-infile=1 -h 127.0.0.1 -u root hvr_ibench -e 'source $out/hand-aria.sql'")
    check() { maria -N hvr_ibench -e "SELECT count(*), sum(name LIKE 'changed%'), sum(name LIKE 'new%') FROM t" | tr '\t' '|'; }
fi
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_COL_NAMES=id,name,amount,updated,op_type,is_deleted HVR_TBL_KEYS=id
export HVR_FILE_LOC="$out/files" HVR_FILE_NAMES=$file HVR_FILE_NROWS=$changes
ours="$agent integ_end bench loc '--connector $db --state-table hvr_bench_state'"
# Both sides must really apply the changes: check each once.
bash "$out/prepare.sh"
bash -c "$hand"
theirs_result=$(check)
bash "$out/prepare.sh"
bash -c "$ours" >/dev/null
ours_result=$(check)
[[ $theirs_result == "$ours_result" ]] || { echo "integrate-db-bench: results differ: hand-written $theirs_result, hvrwasmagent $ours_result" >&2; exit 1; }
echo "integrate-db-bench: both leave rows|changed|new = $ours_result"
if [[ ${IBENCH_METHOD:-interleaved} == hyperfine ]]; then
    # Each command's runs one after the other (the method of the figures before 2026-12-05).
    hyperfine --warmup 1 --runs "$runs" --prepare "bash $out/prepare.sh" \
        -n hvrwasmagent "$ours" -n "$hand_name" "$hand" "${extra[@]}" --export-json "$out/result.json" \
        --export-markdown "$out/result.md" >/dev/null
    cat "$out/result.md"
    python3 - "$out/result.json" "$db" "$rows" "$changes" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ours, hand = r[0]["median"], r[1]["median"]
print(f"{sys.argv[2]}: {int(sys.argv[4]):,} changes into {int(sys.argv[3]):,} rows: ours {ours:.2f} s, hand-written {hand:.2f} s, ratio {ours / hand:.2f}")
for other in r[2:]:
    print(f"  against {other['command']}: {other['median']:.2f} s, ratio {ours / other['median']:.2f}")
PY
    exit 0
fi
# Interleaved (default): every run times ours and then each baseline, each after its own
# restore, so that the machine's drift over minutes falls on all of them alike; the ratio is
# the median of the per-run ratios. One warm-up round is not counted.
names=(hvrwasmagent "$hand_name") commands=("$ours" "$hand")
if [[ ${#extra[@]} -gt 0 ]]; then names+=("${extra[1]}"); commands+=("${extra[2]}"); fi
now() { date +%s.%N; }
times=()
for run in $(seq 0 "$runs"); do
    line=()
    for command in "${commands[@]}"; do
        bash "$out/prepare.sh"
        t0=$(now); bash -c "$command" >/dev/null; t1=$(now)
        line+=("$(echo "$t1 - $t0" | bc)")
    done
    [[ $run -eq 0 ]] && continue
    echo "integrate-db-bench: run $run: ${line[*]} s"
    times+=("${line[*]}")
done
printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
db, rows, changes, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
runs = [[float(x) for x in l.split()] for l in sys.stdin if l.strip()]
print("| command | median (s) | min (s) | max (s) |")
print("|---|---:|---:|---:|")
for i, name in enumerate(names):
    col = [r[i] for r in runs]
    print(f"| {name} | {statistics.median(col):.3f} | {min(col):.3f} | {max(col):.3f} |")
ratio = lambda i: statistics.median(r[0] / r[i] for r in runs)
print(f"{db}: {changes:,} changes into {rows:,} rows, {len(runs)} interleaved runs: ours / {names[1]}, median of per-run ratios {ratio(1):.2f}")
for i in range(2, len(names)):
    print(f"  ours / {names[i]}: {ratio(i):.2f}")
' "$db" "$rows" "$changes" "${names[@]}"
