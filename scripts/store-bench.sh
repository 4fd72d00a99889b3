#!/usr/bin/env bash
# Memory and time of a refresh whose file is in S3 (a local moto server), against the same
# file in a local directory, for each size given (MB of CSV, default 100 and 1000). Peak
# memory is the maximum resident set size of the hvrwasmagent process (/usr/bin/time -v).
# Target: PostgreSQL on 127.0.0.1.
#   scripts/store-bench.sh [SIZE_MB...]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100 1000}")
read -r -a sizes <<< "${sizes[*]}"
scripts/setup.sh --servers
command -v /usr/bin/time >/dev/null || { sudo_or() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }; sudo_or apt-get install -y -qq time >/dev/null; }
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"
out="$PWD/target/store-bench"
mkdir -p "$out/files"
py="$PWD/.tools/venv/bin/python"

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PWD/.tools/venv/bin/moto_server" -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port" && break; sleep 0.2; done
curl -s -X PUT "http://127.0.0.1:$port/bench" >/dev/null
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key
endpoint="http://127.0.0.1:$port"

export PGHOST=127.0.0.1 PGUSER=postgres
psql -q -d postgres -c "DROP DATABASE IF EXISTS hvr_store_bench WITH (FORCE)" -c "CREATE DATABASE hvr_store_bench"
psql -q -d hvr_store_bench -c "CREATE TABLE t (id integer PRIMARY KEY, name varchar(50),
  amount numeric(12,2), created timestamp, city varchar(30), qty integer, descr varchar(100),
  price numeric(14,4), code varchar(10), updated timestamp(6))"
export HVR_WASM_CONNECT_STRING="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_store_bench;Uid=postgres;CommLog=0;Protocol=7.4-1;"
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_TBL_KEYS=id
export HVR_COL_NAMES=id,name,amount,created,city,qty,descr,price,code,updated

# One run: prints "seconds peak_rss_kb".
measure() { # location
    psql -q -d hvr_store_bench -c "DELETE FROM hvr_store_bench_state" 2>/dev/null || true
    HVR_FILE_LOC="$1" /usr/bin/time -f "%e %M" -o "$out/time" \
        "$agent" refr_write_end bench loc "--connector postgres -y --state-table hvr_store_bench_state --store-endpoint $endpoint" >/dev/null
    cat "$out/time"
}

results=()
for size in "${sizes[@]}"; do
    rows=$((size * 7450))   # about 134 bytes per row
    name="20240101000000000-t.csv"
    csv="$out/files/$size/$name"
    mkdir -p "$out/files/$size"
    if [[ ! -f "$csv.done" ]]; then
        echo "store-bench: generating $rows rows"
        python3 scripts/gen-bench-csv.py "$rows" > "$csv"
        touch "$csv.done"
    fi
    mb=$(du -m "$csv" | cut -f1)
    echo "store-bench: uploading $mb MB to S3 (moto)"
    "$py" - "$endpoint" "$csv" "$size/$name" <<'PY'
import sys, boto3
s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1")
s3.upload_file(sys.argv[2], "bench", sys.argv[3])
PY
    export HVR_FILE_NAMES="$name" HVR_FILE_NROWS="$rows"
    read -r local_s local_kb < <(measure "$out/files/$size")
    echo "store-bench: $mb MB local: $local_s s, peak $((local_kb / 1024)) MB"
    read -r s3_s s3_kb < <(measure "s3://bench/$size")
    echo "store-bench: $mb MB S3: $s3_s s, peak $((s3_kb / 1024)) MB"
    [[ $(psql -tAq -d hvr_store_bench -c "SELECT count(*) FROM t") == "$rows" ]] || { echo "wrong row count" >&2; exit 1; }
    results+=("$mb $rows $local_s $local_kb $s3_s $s3_kb")
    "$py" - "$endpoint" "$size/$name" <<'PY'
import sys, boto3
boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1").delete_object(Bucket="bench", Key=sys.argv[2])
PY
done

echo
echo "refresh of one file into PostgreSQL (127.0.0.1), one run each; peak = max RSS of hvrwasmagent"
echo "| CSV | rows | local dir: time | local dir: peak RSS | S3 (moto): time | S3 (moto): peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|"
for r in "${results[@]}"; do
    read -r mb rows ls lkb ss skb <<< "$r"
    printf "| %s MB | %s | %s s | %s MB | %s s | %s MB |\n" "$mb" "$rows" "$ls" "$((lkb / 1024))" "$ss" "$((skb / 1024))"
done
