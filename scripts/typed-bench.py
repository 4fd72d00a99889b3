#!/usr/bin/env python3
"""Typed-file inputs for scripts/typed-bench.sh, written by pyarrow as HVR would.

  typed-bench.py from-csv CSV OUT.parquet     the bench table's CSV as Parquet (GZIP, typed)
  typed-bench.py wide ROWS OUT.parquet        ROWS rows of (id, 500-byte text), uncompressed,
                                              for the memory run (about 0.5 KB per row)
"""
import sys

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

if sys.argv[1] == "from-csv":
    types = {
        "id": pa.int32(), "name": pa.string(), "amount": pa.decimal128(12, 2),
        "created": pa.timestamp("s"), "city": pa.string(), "qty": pa.int32(),
        "descr": pa.string(), "price": pa.decimal128(14, 4), "code": pa.string(),
        "updated": pa.timestamp("us"),
    }
    table = pacsv.read_csv(
        sys.argv[2],
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
    )
    pq.write_table(table, sys.argv[3], compression="gzip")
else:
    rows, out = int(sys.argv[2]), sys.argv[3]
    schema = pa.schema([("id", pa.int64()), ("body", pa.string())])
    with pq.ParquetWriter(out, schema, compression="none") as writer:
        step = 100_000
        for start in range(0, rows, step):
            n = min(step, rows - start)
            ids = pa.array(range(start, start + n), type=pa.int64())
            body = pa.array([f"{i:010d}" + "x" * 490 for i in range(start, start + n)])
            writer.write_table(pa.Table.from_arrays([ids, body], schema=schema))
