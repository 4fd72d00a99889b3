#!/usr/bin/env bash
# A whole HVR channel on the embedded default target (SQLite, no server): a refresh of three
# tables, then three integrate cycles, each call made exactly the way HVR makes it. Prints what
# landed after every call. Output goes to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --locked -q
agent="$PWD/target/release/hvrwasmagent"

out="$PWD/demo-out"
rm -rf "$out"
mkdir -p "$out/files"
db="$out/demo.sqlite"

# What HVR's Environment action would set for the location.
export HVR_WASM_CONNECT_STRING="Driver={SQLite3};Database=$db;"
# The channel: three tables; "group" and "desc" are reserved words.
export HVR_TBL_NAMES="customer:orders:group"
export HVR_BASE_NAMES="customer:orders:group"
export HVR_TBL_KEYS="id:id:region,code"
export HVR_FILE_LOC="$out/files"

sqlite3 "$db" <<'SQL'
CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT, city TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, amount NUMERIC, note TEXT, created TEXT);
CREATE TABLE "group" (region TEXT, code INTEGER, "desc" TEXT, PRIMARY KEY (region, code));
SQL

show() {
    echo "---- $1"
    for t in customer orders '"group"'; do
        echo "$t:"
        sqlite3 -header -column "$db" "SELECT * FROM $t ORDER BY 1, 2"
    done
    echo "files left in the location: $(ls "$out/files" | wc -l)"
}

call() { # mode, userarg
    echo "\$ hvrwasmagent $1 demo_chn demo_loc \"$2\""
    "$agent" "$1" demo_chn demo_loc "$2"
}

# ---- refresh: HVR writes one file per table (op_type/is_deleted are excluded by /Context=!refresh)
export HVR_COL_NAMES="id,name,city:id,customer_id,amount,note,created:region,code,desc"
cat > "$out/files/20240101000000000-customer.csv" <<'CSV'
id,name,city
1,Ada,London
2,"Lovelace, Countess",""
3,Grace,
CSV
cat > "$out/files/20240101000000000-orders.csv" <<'CSV'
id,customer_id,amount,note,created
10,1,99.50,"first ""big"" order",2024-01-01 10:00:00
11,2,5.00,"two
lines",2024-01-01 10:05:00.250
CSV
cat > "$out/files/20240101000000000-group.csv" <<'CSV'
region,code,desc
eu,1,Europe
us,1,NULL
CSV
export HVR_FILE_NAMES="20240101000000000-customer.csv:20240101000000000-orders.csv:20240101000000000-group.csv"
export HVR_FILE_NROWS="3:2:2"
call refr_write_begin ""
call refr_write_end ""
show "after refresh"

# ---- integrate cycles: every row carries op_type (0 delete, 1 insert, 2 update) and is_deleted
export HVR_COL_NAMES="id,name,city,op_type,is_deleted:id,customer_id,amount,note,created,op_type,is_deleted:region,code,desc,op_type,is_deleted"
cat > "$out/files/20240101000100000-customer.csv" <<'CSV'
id,name,city,op_type,is_deleted
3,Grace,Arlington,2,0
4,Linus,Helsinki,1,0
CSV
cat > "$out/files/20240101000100000-orders.csv" <<'CSV'
id,customer_id,amount,note,created,op_type,is_deleted
11,2,5.00,"two
lines",2024-01-01 10:05:00.250,0,1
12,4,12.34,ünïcödé 日本,2024-01-01 11:00:00,1,0
CSV
export HVR_TBL_NAMES="customer:orders"
export HVR_BASE_NAMES="customer:orders"
export HVR_TBL_KEYS="id:id"
export HVR_COL_NAMES="id,name,city,op_type,is_deleted:id,customer_id,amount,note,created,op_type,is_deleted"
export HVR_FILE_NAMES="20240101000100000-customer.csv:20240101000100000-orders.csv"
export HVR_FILE_NROWS="2:2"
call integ_begin ""
call integ_end ""
show "after integrate cycle 1 (update, insert, delete)"

# Cycle 2: key 10 is deleted and inserted again in the same cycle; "group" gets a new row.
cat > "$out/files/20240101000200000-orders.csv" <<'CSV'
id,customer_id,amount,note,created,op_type,is_deleted
10,1,99.50,"first ""big"" order",2024-01-01 10:00:00,0,1
10,3,101.00,re-created,2024-01-02 09:00:00,1,0
CSV
cat > "$out/files/20240101000200000-group.csv" <<'CSV'
region,code,desc,op_type,is_deleted
eu,2,"  leading spaces",1,0
us,1,,0,1
CSV
export HVR_TBL_NAMES="orders:group"
export HVR_BASE_NAMES="orders:group"
export HVR_TBL_KEYS="id:region,code"
export HVR_COL_NAMES="id,customer_id,amount,note,created,op_type,is_deleted:region,code,desc,op_type,is_deleted"
export HVR_FILE_NAMES="20240101000200000-orders.csv:20240101000200000-group.csv"
export HVR_FILE_NROWS="2:2"
call integ_begin ""
call integ_end ""
show "after integrate cycle 2 (delete and re-insert of one key)"

# Cycle 3: a broken file is refused, nothing is applied and the file is kept.
cat > "$out/files/20240101000300000-customer.csv" <<'CSV'
id,name,city,op_type,is_deleted
5,"unterminated,Oslo,1,0
CSV
export HVR_TBL_NAMES="customer"
export HVR_BASE_NAMES="customer"
export HVR_TBL_KEYS="id"
export HVR_COL_NAMES="id,name,city,op_type,is_deleted"
export HVR_FILE_NAMES="20240101000300000-customer.csv"
export HVR_FILE_NROWS="1"
call integ_begin ""
if call integ_end ""; then echo "unexpected success" >&2; exit 1; else echo "(exit code $? as HVR expects for a failure)"; fi
show "after a refused cycle (target unchanged, file kept for a retry)"
