#!/usr/bin/env bash
# Memory and time of a refresh whose file is in S3 (a local moto server) or Azure Blob (a local
# Azurite), against the same file in a local directory, for each size given (MB of CSV,
# default 100 and 1000). Peak memory is the maximum resident set size of the hvrwasmagent
# process (/usr/bin/time -v).
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

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 150); do curl -s -o /dev/null "http://127.0.0.1:$1" && return 0; sleep 0.2; done; echo "no server on $1" >&2; exit 1; }
s3_port=$(free_port)
"$PWD/.tools/venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port" >/dev/null 2>&1 &
moto=$!
az_port=$(free_port)
"$PWD/.tools/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$az_port" \
    --inMemoryPersistence --skipApiVersionCheck --silent >/dev/null 2>&1 &
azurite=$!
trap 'kill $moto $azurite 2>/dev/null || true' EXIT
wait_port "$s3_port"
wait_port "$az_port"
curl -s -X PUT "http://127.0.0.1:$s3_port/bench" >/dev/null
s3_endpoint="http://127.0.0.1:$s3_port"
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key
az_endpoint="http://127.0.0.1:$az_port/devstoreaccount1"
# Azurite's published development key.
export AZURE_STORAGE_ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
az_conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURE_STORAGE_ACCOUNT_KEY;BlobEndpoint=$az_endpoint;"
"$py" -c "from azure.storage.blob import BlobServiceClient as B; B.from_connection_string('$az_conn').create_container('bench')"

export PGHOST=127.0.0.1 PGUSER=postgres
psql -q -d postgres -c "DROP DATABASE IF EXISTS hvr_store_bench WITH (FORCE)" -c "CREATE DATABASE hvr_store_bench"
psql -q -d hvr_store_bench -c "CREATE TABLE t (id integer PRIMARY KEY, name varchar(50),
  amount numeric(12,2), created timestamp, city varchar(30), qty integer, descr varchar(100),
  price numeric(14,4), code varchar(10), updated timestamp(6))"
export HVR_WASM_CONNECT_STRING="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=hvr_store_bench;Uid=postgres;CommLog=0;Protocol=7.4-1;"
export HVR_TBL_NAMES=t HVR_BASE_NAMES=t HVR_TBL_KEYS=id
export HVR_COL_NAMES=id,name,amount,created,city,qty,descr,price,code,updated

# One run; leaves "seconds peak_rss_kb" in $out/time.
measure() { # location [endpoint]
    psql -q -d hvr_store_bench -c "DELETE FROM hvr_store_bench_state" 2>/dev/null || true
    HVR_FILE_LOC="$1" HVR_WASM_STORE_ENDPOINT="${2:-}" /usr/bin/time -f "%e %M" -o "$out/time" \
        "$agent" refr_write_end bench loc "--connector postgres -y --state-table hvr_store_bench_state" >/dev/null
    [[ $(psql -tAq -d hvr_store_bench -c "SELECT count(*) FROM t") == "$rows" ]] || { echo "wrong row count from $1" >&2; exit 1; }
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
    echo "store-bench: uploading $mb MB to S3 (moto) and Azure (Azurite)"
    "$py" - "$s3_endpoint" "$az_conn" "$csv" "$size/$name" <<'PY'
import sys, boto3
from azure.storage.blob import BlobServiceClient
s3_endpoint, az_conn, path, key = sys.argv[1:]
boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").upload_file(path, "bench", key)
with open(path, "rb") as f:
    BlobServiceClient.from_connection_string(az_conn).get_blob_client("bench", key).upload_blob(f, max_concurrency=2)
PY
    export HVR_FILE_NAMES="$name" HVR_FILE_NROWS="$rows"
    line="$mb $rows"
    locations=("$out/files/$size" "s3://bench/$size" "wasbs://bench@devstoreaccount1.blob.core.windows.net/$size")
    endpoints=("" "$s3_endpoint" "$az_endpoint")
    for i in 0 1 2; do
        measure "${locations[$i]}" "${endpoints[$i]}"
        read -r secs kb < "$out/time"
        echo "store-bench: $mb MB from ${locations[$i]}: $secs s, peak $((kb / 1024)) MB"
        line+=" $secs $((kb / 1024))"
    done
    results+=("$line")
    "$py" - "$s3_endpoint" "$az_conn" "$size/$name" <<'PY'
import sys, boto3
from azure.storage.blob import BlobServiceClient
s3_endpoint, az_conn, key = sys.argv[1:]
boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").delete_object(Bucket="bench", Key=key)
BlobServiceClient.from_connection_string(az_conn).get_blob_client("bench", key).delete_blob()
PY
done

echo
echo "refresh of one file into PostgreSQL (127.0.0.1), one run each; peak = max RSS of hvrwasmagent"
echo "| CSV | rows | local dir | | S3 (moto) | | Azure (Azurite) | |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "| | | time | peak RSS | time | peak RSS | time | peak RSS |"
for r in "${results[@]}"; do
    read -r mb rows ls lm ss sm as am <<< "$r"
    printf "| %s MB | %s | %s s | %s MB | %s s | %s MB | %s s | %s MB |\n" "$mb" "$rows" "$ls" "$lm" "$ss" "$sm" "$as" "$am"
done
