//! Parquet, Avro and JSON files as HVR writes them (pyarrow, fastavro), loaded by the binary
//! into every database in every style; typed tables, schema drift, and damaged files.

use serde_json::{Value, json};

use crate::support::stores::StoreLocation;
use crate::support::target::Db;
use crate::support::typed::{Channel, cols, s, spec};

const COLUMNS: &str = "id,price,at,d,name";

fn base_columns() -> Vec<Value> {
    cols(&[
        ("id", "int64"),
        ("price", "decimal(12,2)"),
        ("at", "timestamp_us"),
        ("d", "date"),
        ("name", "string"),
    ])
}

/// Rows of the refresh, with the extra columns `extra` appended to each.
fn refresh_rows(extra: &[Value]) -> Vec<Value> {
    let rows = vec![
        json!([1, "123.45", "2024-02-29 12:34:56.123456", "2024-02-29", "a"]),
        json!([2, "-0.01", null, null, ""]),
        json!([
            3,
            "9999999999.99",
            "1999-12-31 23:59:59.999999",
            "1970-01-01",
            null
        ]),
    ];
    rows.into_iter()
        .map(|r| {
            let mut r = r.as_array().unwrap().clone();
            r.extend(extra.iter().cloned());
            Value::Array(r)
        })
        .collect()
}

fn expected_after_refresh() -> Vec<Vec<Option<String>>> {
    vec![
        vec![
            s("1"),
            s("123.45"),
            s("2024-02-29 12:34:56.123456"),
            s("2024-02-29"),
            s("a"),
        ],
        vec![s("2"), s("-0.01"), None, None, s("")],
        vec![
            s("3"),
            s("9999999999.99"),
            s("1999-12-31 23:59:59.999999"),
            s("1970-01-01"),
            None,
        ],
    ]
}

/// Refresh from Parquet into a missing table (created typed), then an integrate cycle from
/// Avro (update, delete, insert), in replication-copy style.
fn replication_copy_cycle(db: Db, test: &str) {
    replication_copy_cycle_in(Channel::new(db, test, "--file-format parquet"));
}

fn replication_copy_cycle_in(mut ch: Channel) {
    ch.typed(
        "parquet",
        "20240101000000001-t.parquet",
        spec(base_columns(), refresh_rows(&[])),
    );
    ch.call(
        "refr_write_end",
        COLUMNS,
        "id",
        &[("20240101000000001-t.parquet", 3)],
    )
    .assert_ok();
    let shown = ["id", "price", "at", "d", "name"];
    assert_eq!(ch.rows(&shown), expected_after_refresh());
    let types = ch.column_types();
    assert!(
        types[1].1.contains("numeric") || types[1].1.contains("decimal") || types[1].1 == "text",
        "{types:?}"
    );
    assert!(!types[0].1.contains("text"), "the key is typed: {types:?}");
    let mut columns = base_columns();
    columns.extend(cols(&[("op_type", "int32")]));
    let changes = vec![
        json!([
            1,
            "1.10",
            "2024-02-29 12:34:56.123456",
            "2024-02-29",
            "a2",
            2
        ]),
        json!([2, "-0.01", null, null, "", 0]),
        json!([
            4,
            "0.00",
            "2000-01-01 00:00:00.000001",
            "2000-01-01",
            "new",
            1
        ]),
    ];
    ch.hvr.user_arg = "--file-format avro".into();
    ch.typed("avro", "20240101000000002-t.avro", spec(columns, changes));
    ch.call(
        "integ_end",
        "id,price,at,d,name,op_type",
        "id",
        &[("20240101000000002-t.avro", 3)],
    )
    .assert_ok();
    assert_eq!(
        ch.rows(&shown),
        vec![
            vec![
                s("1"),
                s("1.10"),
                s("2024-02-29 12:34:56.123456"),
                s("2024-02-29"),
                s("a2")
            ],
            expected_after_refresh()[2].clone(),
            vec![
                s("4"),
                s("0.00"),
                s("2000-01-01 00:00:00.000001"),
                s("2000-01-01"),
                s("new")
            ],
        ]
    );
    assert!(
        !ch.file_exists("20240101000000002-t.avro")
            && !ch.file_exists("20240101000000001-t.parquet")
    );
}

/// SoftDelete and TimeKey from Parquet: a delete marks the row; TimeKey appends every change.
fn soft_delete_and_time_key(db: Db, test: &str) {
    let mut columns = base_columns();
    columns.extend(cols(&[("op_type", "int32"), ("is_deleted", "int32")]));
    let all = "id,price,at,d,name,op_type,is_deleted";
    let changes = vec![
        json!([1, "2.50", null, null, "a3", 2, 0]),
        json!([3, "9999999999.99", null, null, null, 0, 1]),
    ];
    for (style, flag) in [("sd", "-D is_deleted"), ("tk", "-t")] {
        let ch = Channel::new(
            db,
            &format!("{test}_{style}"),
            &format!("--file-format parquet {flag}"),
        );
        ch.typed(
            "parquet",
            "20240101000000003-t.parquet",
            spec(columns.clone(), refresh_rows(&[json!(1), json!(0)])),
        );
        ch.call(
            "refr_write_end",
            all,
            "id",
            &[("20240101000000003-t.parquet", 3)],
        )
        .assert_ok();
        ch.typed(
            "parquet",
            "20240101000000004-t.parquet",
            spec(columns.clone(), changes.clone()),
        );
        ch.call(
            "integ_end",
            all,
            "id",
            &[("20240101000000004-t.parquet", 2)],
        )
        .assert_ok();
        if style == "sd" {
            assert_eq!(
                ch.rows(&["id", "price", "is_deleted"]),
                vec![
                    vec![s("1"), s("2.50"), s("0")],
                    vec![s("2"), s("-0.01"), s("0")],
                    vec![s("3"), s("9999999999.99"), s("1")],
                ]
            );
        } else {
            let rows = ch.rows(&["id", "op_type", "price"]);
            assert_eq!(rows.len(), 5, "{rows:?}");
            assert!(
                rows.contains(&vec![s("3"), s("0"), s("9999999999.99")]),
                "{rows:?}"
            );
        }
    }
}

#[test]
fn parquet_and_avro_cycles_on_sqlite() {
    replication_copy_cycle(Db::Sqlite, "typed_rc_sqlite");
    soft_delete_and_time_key(Db::Sqlite, "typed_sqlite");
}

#[test]
fn parquet_and_avro_cycles_on_postgres() {
    replication_copy_cycle(Db::Postgres, "typed_rc_pg");
    soft_delete_and_time_key(Db::Postgres, "typed_pg");
}

#[test]
fn parquet_and_avro_cycles_on_mariadb() {
    replication_copy_cycle(Db::Mariadb, "typed_rc_maria");
    soft_delete_and_time_key(Db::Mariadb, "typed_maria");
}

#[test]
fn int96_timestamps_every_codec_and_many_row_groups_load_exactly() {
    for (i, codec) in ["none", "gzip", "snappy", "zstd", "lz4"].iter().enumerate() {
        for (version, int96) in [("1.0", true), ("2.6", true), ("2.6", false)] {
            let ch = Channel::new(
                Db::Sqlite,
                &format!("codec_{i}_{version}_{int96}"),
                "--file-format parquet",
            );
            let mut file = spec(
                cols(&[("id", "int64"), ("at", "timestamp_us"), ("v", "double")]),
                (1..=5)
                    .map(|n| json!([n, format!("2024-02-29 12:34:5{n}.00000{n}"), 0.5 * n as f64]))
                    .collect(),
            );
            file["compression"] = json!(codec);
            file["int96"] = json!(int96);
            file["version"] = json!(version);
            file["row_group_size"] = json!(2);
            ch.typed("parquet", "20240101000000005-t.parquet", file);
            ch.call(
                "refr_write_end",
                "id,at,v",
                "id",
                &[("20240101000000005-t.parquet", 5)],
            )
            .assert_ok();
            let rows = ch.rows(&["id", "at", "v"]);
            assert_eq!(rows.len(), 5, "{codec} {version}: {rows:?}");
            assert_eq!(
                rows[2],
                vec![s("3"), s("2024-02-29 12:34:53.000003"), s("1.5")]
            );
        }
    }
}

#[test]
fn oracle_number_without_precision_loads_exactly() {
    let value = "123456789012345678901234567890123456789012.0123456789";
    for (db, test) in [
        (Db::Postgres, "oracle_number_pg"),
        (Db::Mariadb, "oracle_number_maria"),
    ] {
        let ch = Channel::new(db, test, "--file-format avro");
        let columns = cols(&[("id", "int64"), ("n", "decimal(1000,10)")]);
        ch.typed(
            "avro",
            "20240101000000006-t.avro",
            spec(columns, vec![json!([1, value]), json!([2, null])]),
        );
        ch.call(
            "refr_write_end",
            "id,n",
            "id",
            &[("20240101000000006-t.avro", 2)],
        )
        .assert_ok();
        assert_eq!(
            ch.rows(&["id", "n"]),
            vec![vec![s("1"), s(value)], vec![s("2"), None]]
        );
    }
}

#[test]
fn json_row_fragments_and_table_objects_keep_numbers_exact() {
    for (db, test) in [(Db::Sqlite, "json_sqlite"), (Db::Postgres, "json_pg")] {
        let mut ch = Channel::new(
            db,
            test,
            "--file-format json --json-mode row-fragments --column-type t.price=decimal(30,10)",
        );
        ch.raw(
            "20240101000000007-t.json",
            b"{\"id\":1,\"price\":12345678901234567890.0123456789,\"name\":\"x\\ny\"}\n{\"id\":2,\"price\":null,\"name\":\"\"}\n",
        );
        ch.call(
            "refr_write_end",
            "id,price,name",
            "id",
            &[("20240101000000007-t.json", 2)],
        )
        .assert_ok();
        assert_eq!(
            ch.rows(&["id", "price", "name"]),
            vec![
                vec![s("1"), s("12345678901234567890.0123456789"), s("x\ny")],
                vec![s("2"), None, s("")],
            ]
        );
        ch.hvr.user_arg = "--file-format json".into();
        ch.raw(
            "20240101000000008-t.json",
            b"{\"t\": [{\"id\": 3, \"price\": 0.5, \"name\": \"z\", \"op_type\": 1}]}",
        );
        ch.call(
            "integ_end",
            "id,price,name,op_type",
            "id",
            &[("20240101000000008-t.json", 1)],
        )
        .assert_ok();
        assert_eq!(
            ch.rows(&["id", "price"])[2],
            // SQLite keeps decimals as their exact text; numeric(30,10) pads them.
            vec![
                s("3"),
                s(if db == Db::Sqlite {
                    "0.5"
                } else {
                    "0.5000000000"
                })
            ]
        );
    }
}

#[test]
fn typed_files_from_s3_into_postgres() {
    let test = "typed_s3_pg";
    let store = StoreLocation::s3(test);
    replication_copy_cycle_in(Channel::in_store(
        Db::Postgres,
        test,
        "--file-format parquet",
        store,
    ));
}

#[test]
fn typed_files_from_azure_into_mariadb() {
    let test = "typed_azure_maria";
    let store = StoreLocation::azure(test);
    replication_copy_cycle_in(Channel::in_store(
        Db::Mariadb,
        test,
        "--file-format parquet",
        store,
    ));
}

#[test]
fn csv_and_typed_files_from_gcs() {
    let test = "typed_gcs_sqlite";
    let mut ch = Channel::in_store(Db::Sqlite, test, "", StoreLocation::gcs(test));
    ch.raw("20240101000000100-t.csv", b"id,price\n1,1.50\n2,2.00\n");
    ch.call(
        "refr_write_end",
        "id,price",
        "id",
        &[("20240101000000100-t.csv", 2)],
    )
    .assert_ok();
    assert!(!ch.file_exists("20240101000000100-t.csv"));
    ch.hvr.user_arg = "--file-format parquet".into();
    let columns = cols(&[
        ("id", "int64"),
        ("price", "decimal(12,2)"),
        ("op_type", "int32"),
    ]);
    let name = "20240101000000101-t.parquet";
    ch.typed(
        "parquet",
        name,
        spec(columns, vec![json!([2, "2.25", 2]), json!([1, "1.50", 0])]),
    );
    ch.call("integ_end", "id,price,op_type", "id", &[(name, 2)])
        .assert_ok();
    assert_eq!(ch.rows(&["id", "price"]), vec![vec![s("2"), s("2.25")]]);
    assert!(!ch.file_exists(name));
    drop(ch);
    // The other typed format from the same store.
    let test = "typed_gcs_avro";
    replication_copy_cycle_in(Channel::in_store(
        Db::Sqlite,
        test,
        "--file-format parquet",
        StoreLocation::gcs(test),
    ));
}

#[test]
fn many_avro_blocks_and_parquet_v2_pages_keep_every_row() {
    let columns = cols(&[("id", "int64"), ("v", "string"), ("n", "decimal(20,4)")]);
    let rows: Vec<Value> = (1..=2000)
        .map(|i| {
            let text = if i % 7 == 0 {
                Value::Null
            } else {
                json!(format!("row {i} «ü»"))
            };
            json!([i, text, format!("{i}.{:04}", i % 10_000)])
        })
        .collect();
    let mut avro = spec(columns.clone(), rows.clone());
    avro["sync_interval"] = json!(200);
    let ch = Channel::new(Db::Sqlite, "many_blocks", "--file-format avro");
    ch.typed("avro", "20240101000000001-t.avro", avro);
    ch.call(
        "refr_write_end",
        "id,v,n",
        "id",
        &[("20240101000000001-t.avro", 2000)],
    )
    .assert_ok();
    let mut parquet = spec(columns, rows);
    parquet["data_page_version"] = json!("2.0");
    parquet["data_page_size"] = json!(1024);
    parquet["row_group_size"] = json!(700);
    let pq = Channel::new(Db::Sqlite, "v2_pages", "--file-format parquet");
    pq.typed("parquet", "20240101000000001-t.parquet", parquet);
    pq.call(
        "refr_write_end",
        "id,v,n",
        "id",
        &[("20240101000000001-t.parquet", 2000)],
    )
    .assert_ok();
    for ch in [&ch, &pq] {
        let got = ch.rows(&["id", "v", "n"]);
        assert_eq!(got.len(), 2000);
        assert_eq!(got[6], vec![s("7"), None, s("7.0007")]);
        assert_eq!(
            got[1999],
            vec![s("2000"), s("row 2000 «ü»"), s("2000.2000")]
        );
    }
}

#[test]
fn instants_are_the_same_instant_whatever_the_session_zone() {
    let columns = cols(&[("id", "int64"), ("at", "timestamp_us_utc")]);
    let rows = vec![json!([1, "2024-07-01 10:00:00.250000"])];
    let ch = Channel::new(Db::Postgres, "instants_pg", "--file-format parquet");
    // The target database's sessions start in a zone far from UTC.
    let db_name = "hvr_e2e_instants_pg";
    ch.target.execute(&[format!(
        "ALTER DATABASE {db_name} SET timezone TO 'America/New_York'"
    )]);
    ch.typed(
        "parquet",
        "20240101000000001-t.parquet",
        spec(columns, rows),
    );
    ch.call(
        "refr_write_end",
        "id,at",
        "id",
        &[("20240101000000001-t.parquet", 1)],
    )
    .assert_ok();
    let types = ch.column_types();
    assert_eq!(types[1].1, "timestamp with time zone", "{types:?}");
    let utc = ch
        .target
        .query("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM t");
    assert_eq!(utc, vec![vec![s("2024-07-01 10:00:00.250000")]]);
}

#[test]
fn gzip_compressed_json_is_read_and_compress_with_parquet_is_refused() {
    use std::io::Write as _;
    let ch = Channel::new(
        Db::Sqlite,
        "json_gzip",
        "--file-format json --json-mode row-fragments --compress gzip",
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":null}\n")
        .unwrap();
    ch.raw("20240101000000001-t.json", &gz.finish().unwrap());
    ch.call(
        "refr_write_end",
        "id,v",
        "id",
        &[("20240101000000001-t.json", 2)],
    )
    .assert_ok();
    assert_eq!(
        ch.rows(&["id", "v"]),
        vec![vec![s("1"), s("a")], vec![s("2"), None]]
    );
    let pq = Channel::new(
        Db::Sqlite,
        "parquet_compress",
        "--file-format parquet --compress gzip",
    );
    pq.raw("20240101000000001-t.parquet", b"PAR1");
    pq.call(
        "refr_write_end",
        "id,v",
        "id",
        &[("20240101000000001-t.parquet", 1)],
    )
    .assert_fails_with(&["--compress", "BlockCompress"]);
    assert!(pq.file_exists("20240101000000001-t.parquet"));
}
