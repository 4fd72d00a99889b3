#!/usr/bin/env bash
# Integrate benchmark on the embedded default (SQLite): one integ_end of CHANGES changes (70%
# updates, 20% inserts, 10% deletes, each key once) into a table of ROWS rows, timed as a whole
# process with hyperfine, against baselines in the same run: the sqlite3 CLI importing the same
# file and applying it with two statements, and, when given, another hvrwasmagent binary
# (e.g. the previous release).
#   scripts/integrate-bench.sh [ROWS] [CHANGES] [RUNS] [BASELINE_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
changes=${2:-10000}
runs=${3:-10}
baseline=${4:-}
scripts/setup.sh
command -v hyperfine >/dev/null || { if [[ $(id -u) -eq 0 ]]; then apt-get install -y -qq hyperfine >/dev/null; else sudo apt-get install -y -qq hyperfine >/dev/null; fi; }
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/integrate-bench"
rm -rf "$out" && mkdir -p "$out/files"
file=20240101000000000-t.csv
python3 - "$rows" "$changes" "$out" "$file" <<'PY'
import random, sqlite3, sys
rows, changes, out, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
rng = random.Random(7)
db = sqlite3.connect(f"{out}/base.sqlite")
db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INTEGER)")
db.executemany("INSERT INTO t VALUES (?, ?, ?)", ((i, f"value {i}", i) for i in range(rows)))
db.commit()
keys = rng.sample(range(rows), changes)
with open(f"{out}/{name}", "w") as f:
    f.write("id,v,n,op_type,is_deleted\n")
    for k, i in zip(keys, range(changes)):
        pick = i % 10
        if pick < 7:
            f.write(f"{k},changed {k},{k + 1},2,0\n")
        elif pick < 9:
            f.write(f"{rows + i},new {i},{i},1,0\n")
        else:
            f.write(f"{k},,,0,1\n")
PY
export HVR_WASM_CONNECT_STRING="Driver={SQLite3};Database=$out/t.sqlite;"
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_COL_NAMES=id,v,n,op_type,is_deleted HVR_TBL_KEYS=id
export HVR_FILE_LOC="$out/files" HVR_FILE_NAMES=$file HVR_FILE_NROWS=$changes
# Every run starts from the same target and gets its file back (hyperfine -N runs --prepare
# without a shell, hence a script).
cat > "$out/prepare.sh" <<PREP
cp "$out/base.sqlite" "$out/t.sqlite"
cp "$out/$file" "$out/files/$file"
PREP
cat > "$out/cli.sql" <<SQL
.mode csv
.import $out/files/$file stage
BEGIN;
DELETE FROM t WHERE id IN (SELECT id FROM stage WHERE op_type = '0');
INSERT OR REPLACE INTO t (id, v, n) SELECT id, v, n FROM stage WHERE op_type <> '0';
COMMIT;
SQL
# Both sides must really apply the changes: check each once.
check() { sqlite3 "$out/t.sqlite" "SELECT count(*), sum(v LIKE 'changed%'), sum(v LIKE 'new%') FROM t"; }
bash "$out/prepare.sh"
sqlite3 "$out/t.sqlite" -bail -init "$out/cli.sql" .quit
cli=$(check)
bash "$out/prepare.sh"
"$agent" integ_end chn loc "" >/dev/null   # also fills the compile cache
ours=$(check)
[[ $cli == "$ours" ]] || { echo "integrate-bench: results differ: sqlite3 $cli, hvrwasmagent $ours" >&2; exit 1; }
echo "integrate-bench: both leave rows, changed, new = $ours"
commands=(-n hvrwasmagent "$agent integ_end chn loc ''")
[[ -n $baseline ]] && commands+=(-n baseline "$baseline integ_end chn loc ''")
commands+=(-n sqlite3-cli "sqlite3 $out/t.sqlite -bail -init $out/cli.sql .quit")
hyperfine -N --warmup 1 --runs "$runs" --prepare "bash $out/prepare.sh" "${commands[@]}" \
    --export-markdown "$out/integrate.md"
cat "$out/integrate.md"
