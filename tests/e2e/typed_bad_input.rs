//! Typed files that are damaged, cut short, mislabelled or inconsistent: each fails its table
//! with the file and the place in it, and nothing is applied or deleted.

use serde_json::json;

use crate::support::target::Db;
use crate::support::typed::{Channel, cols, spec};

#[test]
fn damaged_or_mislabelled_typed_files_are_refused_with_their_place() {
    let ch = Channel::new(Db::Sqlite, "damaged_typed", "--file-format parquet");
    let columns = cols(&[("id", "int64"), ("v", "string")]);
    ch.typed(
        "parquet",
        "20240101000000014-t.parquet",
        spec(columns.clone(), vec![json!([1, "a"])]),
    );
    let good = std::fs::read(ch.hvr.files_dir.join("20240101000000014-t.parquet")).unwrap();
    ch.raw("20240101000000015-t.parquet", &good[..good.len() - 20]);
    ch.call(
        "refr_write_end",
        "id,v",
        "id",
        &[("20240101000000015-t.parquet", 1)],
    )
    .assert_fails_with(&["20240101000000015-t.parquet", "Parquet"]);
    assert!(ch.file_exists("20240101000000015-t.parquet"));
    // HVR_FILE_NROWS disagrees with the file.
    ch.call(
        "refr_write_end",
        "id,v",
        "id",
        &[("20240101000000014-t.parquet", 2)],
    )
    .assert_fails_with(&["20240101000000014-t.parquet", "HVR_FILE_NROWS says 2"]);
    // A Parquet file at a CSV location.
    let mut csv = Channel::new(Db::Sqlite, "mislabelled_typed", "");
    csv.raw("20240101000000016-t.csv", &good);
    csv.call(
        "refr_write_end",
        "id,v",
        "id",
        &[("20240101000000016-t.csv", 1)],
    )
    .assert_fails_with(&["20240101000000016-t.csv", "--file-format parquet"]);
    // An Avro file whose second block's sync marker is damaged.
    csv.hvr.user_arg = "--file-format avro".into();
    let mut avro = spec(columns, (0..3).map(|n| json!([n, "x"])).collect());
    avro["codec"] = json!("null");
    csv.typed("avro", "20240101000000006-t.avro", avro);
    let mut bytes = std::fs::read(csv.hvr.files_dir.join("20240101000000006-t.avro")).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    csv.raw("20240101000000006-t.avro", &bytes);
    csv.call(
        "refr_write_end",
        "id,v",
        "id",
        &[("20240101000000006-t.avro", 3)],
    )
    .assert_fails_with(&["20240101000000006-t.avro", "block 1", "sync marker"]);
    assert!(
        csv.file_exists("20240101000000006-t.avro") && csv.file_exists("20240101000000016-t.csv")
    );
}

#[test]
fn files_of_one_table_that_declare_different_columns_are_refused() {
    let ch = Channel::new(Db::Sqlite, "files_disagree", "--file-format parquet -v");
    let a = cols(&[("id", "int64"), ("v", "string")]);
    let b = cols(&[("id", "int64"), ("v", "int64")]);
    ch.typed(
        "parquet",
        "20240101000000001-t.parquet",
        spec(a, vec![json!([1, "x"])]),
    );
    ch.typed(
        "parquet",
        "20240101000000002-t.parquet",
        spec(b, vec![json!([2, 5])]),
    );
    ch.call(
        "refr_write_end",
        "id,v",
        "id",
        &[
            ("20240101000000001-t.parquet", 1),
            ("20240101000000002-t.parquet", 1),
        ],
    )
    .assert_fails_with(&[
        "20240101000000002-t.parquet",
        "v int64",
        "v text",
        "must agree",
    ]);
    assert!(ch.file_exists("20240101000000001-t.parquet"));
}

#[test]
fn nested_parquet_columns_and_unread_avro_codecs_are_refused_by_name() {
    let ch = Channel::new(Db::Sqlite, "nested_typed", "--file-format parquet");
    let columns = cols(&[("id", "int64"), ("tags", "list_int64")]);
    ch.typed(
        "parquet",
        "20240101000000001-t.parquet",
        spec(columns.clone(), vec![json!([1, [1, 2]])]),
    );
    ch.call(
        "refr_write_end",
        "id,tags",
        "id",
        &[("20240101000000001-t.parquet", 1)],
    )
    .assert_fails_with(&["20240101000000001-t.parquet", "tags", "not supported"]);
    let avro = Channel::new(Db::Sqlite, "bzip2_avro", "--file-format avro");
    let mut file = spec(cols(&[("id", "int64")]), vec![json!([1])]);
    file["codec"] = json!("bzip2");
    avro.typed("avro", "20240101000000001-t.avro", file);
    avro.call(
        "refr_write_end",
        "id",
        "id",
        &[("20240101000000001-t.avro", 1)],
    )
    .assert_fails_with(&["bzip2", "DEFLATE"]);
    assert!(avro.file_exists("20240101000000001-t.avro"));
}
