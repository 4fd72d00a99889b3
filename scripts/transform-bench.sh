#!/usr/bin/env bash
# Cost of transforms: the refresh of scripts/bench.sh (1,000,000 rows x 10 columns into
# PostgreSQL) without a transform, with the mask transform on one column, and with the filter
# transform (keeping every row, so the load is the same). Prints the median of each and the
# difference per million rows. Run scripts/bench.sh postgres first (it makes the file and table).
#   scripts/transform-bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
wasm="$PWD/target/guest-build/wasm32-wasip2/release"
out="$PWD/target/bench"
csv=$(ls "$out"/files/*-t.csv 2>/dev/null | head -1)
[[ -n $csv ]] || { echo "run scripts/bench.sh postgres first" >&2; exit 1; }
rows=$(($(wc -l < "$csv") - 1))
export PGHOST=127.0.0.1 PGUSER=postgres
export HVR_WASM_CONNECT_STRING="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_bench;Uid=postgres;CommLog=0;Protocol=7.4-1;"
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_TBL_KEYS=id
export HVR_COL_NAMES=id,name,amount,created,city,qty,descr,price,code,updated
export HVR_FILE_LOC="$out/files" HVR_FILE_NAMES="$(basename "$csv")" HVR_FILE_NROWS="$rows"
declare -A args=(
    [none]=""
    [mask]="--transform $wasm/transform_mask.wasm --transform-option columns=descr --transform-option salt=s"
    [filter]="--transform $wasm/transform_filter.wasm --transform-option column=code --transform-option equals=none-such"
)
results=()
for name in none mask filter; do
    times=()
    for _ in $(seq 1 "$runs"); do
        psql -q -d hvr_bench -c "DELETE FROM hvr_bench_state" 2>/dev/null || true
        t0=$(date +%s.%N)
        "$agent" refr_write_end bench loc "--connector postgres -y --state-table hvr_bench_state ${args[$name]}" >/dev/null
        t1=$(date +%s.%N)
        times+=("$(echo "$t1 - $t0" | bc)")
    done
    results+=("$name ${times[*]}")
    echo "transform-bench: $name: ${times[*]}"
done
python3 - "$rows" "${results[@]}" <<'PY'
import statistics, sys
rows = int(sys.argv[1])
med = {}
for entry in sys.argv[2:]:
    name, *times = entry.split()
    med[name] = statistics.median(float(t) for t in times)
print(f"\n{rows} rows x 10 columns into PostgreSQL, median of {len(times)} runs")
print("| transform | time (s) | added per 1M rows (s) |")
print("|---|---:|---:|")
for name in ("none", "mask", "filter"):
    extra = (med[name] - med["none"]) * 1_000_000 / rows
    print(f"| {name} | {med[name]:.2f} | {extra:+.2f} |")
PY
