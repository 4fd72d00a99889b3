"""Writes a Parquet or Avro file the way HVR does, from a JSON spec on stdin.

usage: typed_files.py parquet|avro OUT < spec.json

spec: {"columns": [{"name": "id", "type": "int64"}, ...], "rows": [[1, "12.34", ...], ...],
       "compression": "gzip", "int96": false, "version": "2.6", "row_group_size": 1000,
       "codec": "deflate"}
types: int32 int64 bool double string decimal(P,S) date time_us timestamp_us
       timestamp_us_utc, and list_int64 (Parquet only, for refusals); values are JSON, decimals and times as strings, null for NULL.
"""
import datetime
import decimal
import json
import re
import sys


def parse_value(kind, v):
    if v is None:
        return None
    if kind.startswith("decimal"):
        return decimal.Decimal(v)
    if kind == "date":
        return datetime.date.fromisoformat(v)
    if kind == "time_us":
        return datetime.time.fromisoformat(v)
    if kind == "timestamp_us":
        return datetime.datetime.fromisoformat(v)
    if kind == "timestamp_us_utc":
        return datetime.datetime.fromisoformat(v).replace(tzinfo=datetime.timezone.utc)
    return v


def decimal_args(kind):
    p, s = re.match(r"decimal\((\d+),(\d+)\)", kind).groups()
    return int(p), int(s)


def parquet(spec, out):
    import pyarrow as pa
    import pyarrow.parquet as pq

    def arrow_type(kind):
        if kind.startswith("decimal"):
            p, s = decimal_args(kind)
            return pa.decimal128(p, s) if p <= 38 else pa.decimal256(p, s)
        return {
            "int32": pa.int32(), "int64": pa.int64(), "bool": pa.bool_(),
            "double": pa.float64(), "string": pa.string(), "date": pa.date32(),
            "time_us": pa.time64("us"), "timestamp_us": pa.timestamp("us"),
            "timestamp_us_utc": pa.timestamp("us", tz="UTC"),
            "list_int64": pa.list_(pa.int64()),
        }[kind]

    cols = spec["columns"]
    arrays = [
        pa.array([parse_value(c["type"], r[i]) for r in spec["rows"]], type=arrow_type(c["type"]))
        for i, c in enumerate(cols)
    ]
    table = pa.Table.from_arrays(arrays, names=[c["name"] for c in cols])
    pq.write_table(
        table, out,
        compression=spec.get("compression", "gzip"),
        use_deprecated_int96_timestamps=spec.get("int96", False),
        version=spec.get("version", "2.6"),
        row_group_size=spec.get("row_group_size"),
        data_page_version=spec.get("data_page_version", "1.0"),
        data_page_size=spec.get("data_page_size"),
    )


def avro(spec, out):
    import fastavro

    def avro_type(kind):
        if kind.startswith("decimal"):
            p, s = decimal_args(kind)
            return {"type": "bytes", "logicalType": "decimal", "precision": p, "scale": s}
        return {
            "int32": "int", "int64": "long", "bool": "boolean", "double": "double",
            "string": "string", "date": {"type": "int", "logicalType": "date"},
            "time_us": {"type": "long", "logicalType": "time-micros"},
            "timestamp_us": {"type": "long", "logicalType": "local-timestamp-micros"},
            "timestamp_us_utc": {"type": "long", "logicalType": "timestamp-micros"},
        }[kind]

    cols = spec["columns"]
    schema = {
        "type": "record", "name": "hvr_row",
        "fields": [{"name": c["name"], "type": ["null", avro_type(c["type"])]} for c in cols],
    }
    records = [
        {c["name"]: parse_value(c["type"], r[i]) for i, c in enumerate(cols)}
        for r in spec["rows"]
    ]
    with open(out, "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(schema), records,
                        codec=spec.get("codec", "deflate"),
                        sync_interval=spec.get("sync_interval", 16000))


if __name__ == "__main__":
    fmt, out = sys.argv[1], sys.argv[2]
    spec = json.load(sys.stdin)
    {"parquet": parquet, "avro": avro}[fmt](spec, out)
