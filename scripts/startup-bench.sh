#!/usr/bin/env bash
# Start-up cost of one whole AgentPlugin call that loads a connector: an integ_end of a one-row
# file into SQLite, timed with hyperfine, with the compile cache off (cold: the connector is
# compiled) and warm (its cached compilation is loaded), against a baseline in the same run:
# the sqlite3 CLI applying the same row in one transaction.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
command -v hyperfine >/dev/null || { sudo_or() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }; sudo_or apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/startup-bench"
rm -rf "$out" && mkdir -p "$out/files"
db="$out/t.sqlite"
sqlite3 "$db" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"
file=20240101000000000-t.csv
export HVR_WASM_CONNECT_STRING="Driver={SQLite3};Database=$db;"
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_COL_NAMES=id,v,op_type,is_deleted HVR_TBL_KEYS=id
export HVR_FILE_LOC="$out/files" HVR_FILE_NAMES=$file HVR_FILE_NROWS=1
# Each run gets its file back and the fence forgets it, so every run really applies one row.
# (hyperfine -N runs commands without a shell, so the preparation is a script of its own.)
cat > "$out/prepare.sh" <<PREP
printf 'id,v,op_type,is_deleted\n1,x,1,0\n' > "$out/files/$file"
# The fence row stays, as in every cycle after a table's first; its record is forgotten.
sqlite3 "$db" "UPDATE hvr_wasm_state SET record = NULL, digest = ''" 2>/dev/null || true
PREP
prepare="bash $out/prepare.sh"
cache="$out/cache"
bash "$out/prepare.sh"
"$agent" integ_end chn loc "--compile-cache $cache" >/dev/null   # fills the cache
hyperfine -N --warmup 3 --runs "${1:-30}" --prepare "$prepare" \
    -n cold "$agent integ_end chn loc '--compile-cache off'" \
    -n warm "$agent integ_end chn loc '--compile-cache $cache'" \
    -n sqlite3-cli "sqlite3 $db \"BEGIN; INSERT OR REPLACE INTO t VALUES (1, 'x'); COMMIT;\"" \
    --export-markdown "$out/startup.md" --export-json "$out/startup.json"
cat "$out/startup.md"
# Means move with a few slow runs on a shared machine; the issue's ratios are medians.
python3 - "$out/startup.json" <<'PY'
import json, statistics, sys
runs = {r["command"]: r["times"] for r in json.load(open(sys.argv[1]))["results"]}
cli = statistics.median(runs["sqlite3-cli"])
for name in ("warm", "cold"):
    median = statistics.median(runs[name])
    print(f"{name}: median {median * 1000:.2f} ms, sqlite3-cli median {cli * 1000:.2f} ms, ratio of medians {median / cli:.2f}")
PY
