//! Every FileFormat option HVR users set, each loaded through the binary into SQLite.

use std::io::Write;

use crate::support::data::Row;
use crate::support::hvr::{File, Hvr, scratch};
use crate::support::model::Style;
use crate::support::target::{Db, Target};

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// The AgentPlugin environment for one file of table `t (id, a, b)`.
fn table_t_env(hvr: &Hvr, file: &str) -> Vec<(String, String)> {
    [
        ("HVR_TBL_NAMES", "t"),
        ("HVR_BASE_NAMES", "t"),
        ("HVR_COL_NAMES", "id,a,b"),
        ("HVR_TBL_KEYS", "id"),
        ("HVR_FILE_NAMES", file),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .chain([(
        "HVR_FILE_LOC".to_string(),
        hvr.files_dir.display().to_string(),
    )])
    .collect()
}

/// Refreshes table `t (id, a, b)` from one file written with `options`, returns its rows.
fn load(test: &str, options: &str, header: bool, bytes: Vec<u8>, rows: usize) -> Vec<Row> {
    let dir = scratch(test);
    let target = Target::fresh(Db::Sqlite, test, &dir);
    target.execute(&["CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)".to_string()]);
    let mut hvr = Hvr::new(&dir, vec![], Style::ReplicationCopy, "main");
    hvr.env.push((
        "HVR_WASM_CONNECT_STRING".into(),
        target.connect_string.clone(),
    ));
    hvr.user_arg = format!("--header-line {header} {options}");
    let file = File {
        name: "20240101000000000-t.csv".into(),
        bytes,
        rows,
    };
    hvr.write(std::slice::from_ref(&file));
    let mut vars = table_t_env(&hvr, &file.name);
    vars.push(("HVR_FILE_NROWS".into(), rows.to_string()));
    hvr.call("refr_write_end", &vars).assert_ok();
    assert!(hvr.leftover_files().is_empty());
    target.query("SELECT id, a, b FROM t ORDER BY id")
}

#[test]
fn tab_separator_crlf_lines_and_null_representation() {
    let rows = load(
        "csv_tab",
        r"--field-separator '\t' --line-separator '\r\n' --null-representation '\\N'",
        true,
        b"id\ta\tb\r\n1\t\\N\t\r\n2\t\"x\ty\"\tNULL\r\n".to_vec(),
        2,
    );
    assert_eq!(
        rows,
        vec![
            vec![s("1"), None, s("")],
            vec![s("2"), s("x\ty"), s("NULL")]
        ]
    );
}

#[test]
fn no_header_line_takes_channel_column_order() {
    let rows = load("csv_noheader", "", false, b"1,a,b\n".to_vec(), 1);
    assert_eq!(rows, vec![vec![s("1"), s("a"), s("b")]]);
}

#[test]
fn header_order_may_differ_from_the_channel() {
    let rows = load("csv_order", "", true, b"b,id,a\nB,1,A\n".to_vec(), 1);
    assert_eq!(rows, vec![vec![s("1"), s("A"), s("B")]]);
}

#[test]
fn escape_character_other_than_quote() {
    let rows = load(
        "csv_escape",
        r"--escape-character '\\'",
        true,
        b"id,a,b\n1,\"say \\\"hi\\\"\",\"back\\\\slash\"\n".to_vec(),
        1,
    );
    assert_eq!(rows, vec![vec![s("1"), s("say \"hi\""), s("back\\slash")]]);
}

#[test]
fn gzip_compressed_file() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"id,a,b\n1,\"multi\nline\",\xc3\xbc\n")
        .unwrap();
    let rows = load("csv_gzip", "--compress gzip", true, gz.finish().unwrap(), 1);
    assert_eq!(rows, vec![vec![s("1"), s("multi\nline"), s("ü")]]);
}

#[test]
fn lz4_compressed_file_with_terminator() {
    let mut lz = lz4_flex::frame::FrameEncoder::new(Vec::new());
    lz.write_all(b"id,a,b\n1,x,EOF\n2,y,z\nEOF\n").unwrap();
    let rows = load(
        "csv_lz4",
        "--compress lz4 --file-terminator EOF",
        true,
        lz.finish().unwrap(),
        2,
    );
    assert_eq!(
        rows,
        vec![vec![s("1"), s("x"), s("EOF")], vec![s("2"), s("y"), s("z")]]
    );
}

#[test]
fn latin1_windows1252_and_utf16_encodings() {
    let rows = load(
        "csv_latin1",
        "--encoding ISO-8859-1",
        true,
        b"id,a,b\n1,\xe9t\xe9,\xfc\n".to_vec(),
        1,
    );
    assert_eq!(rows, vec![vec![s("1"), s("été"), s("ü")]]);
    let rows = load(
        "csv_1252",
        "--encoding WINDOWS-1252",
        true,
        b"id,a,b\n1,\x80,\x93q\x94\n".to_vec(),
        1,
    );
    assert_eq!(rows, vec![vec![s("1"), s("€"), s("\u{201c}q\u{201d}")]]);
    let text = "id,a,b\n1,日本,\"a,b\"\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let rows = load("csv_utf16", "--encoding UTF-16LE", true, utf16, 1);
    assert_eq!(rows, vec![vec![s("1"), s("日本"), s("a,b")]]);
}

#[test]
fn rename_expression_maps_files_in_folders() {
    let dir = scratch("csv_rename");
    let target = Target::fresh(Db::Sqlite, "csv_rename", &dir);
    target.execute(&["CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)".to_string()]);
    let mut hvr = Hvr::new(&dir, vec![], Style::ReplicationCopy, "main");
    hvr.env.push((
        "HVR_WASM_CONNECT_STRING".into(),
        target.connect_string.clone(),
    ));
    hvr.env.push((
        "HVR_WASM_RENAME_EXPRESSION".into(),
        "{hvr_tbl_name}/{hvr_integ_tstamp}.csv".into(),
    ));
    std::fs::create_dir_all(hvr.files_dir.join("t")).unwrap();
    std::fs::write(hvr.files_dir.join("t/2024.csv"), "id,a,b\n7,x,y\n").unwrap();
    let vars = table_t_env(&hvr, "t/2024.csv");
    hvr.call("refr_write_end", &vars).assert_ok();
    assert_eq!(
        target.query("SELECT id, a, b FROM t"),
        vec![vec![s("7"), s("x"), s("y")]]
    );
}

#[test]
fn non_ascii_field_separator_in_utf8_and_latin1_files() {
    let rows = load(
        "csv_glyph",
        "--field-separator ¦",
        true,
        "id¦a¦b\n1¦\"x¦y\"¦\n".as_bytes().to_vec(),
        1,
    );
    assert_eq!(rows, vec![vec![s("1"), s("x¦y"), None]]);
    let rows = load(
        "csv_glyph_latin1",
        r"--field-separator '\xa6' --encoding ISO-8859-1",
        true,
        b"id\xa6a\xa6b\n1\xa6\xe9\xa6z\n".to_vec(),
        1,
    );
    assert_eq!(rows, vec![vec![s("1"), s("é"), s("z")]]);
}

/// A file written with `\r\n` and read with the default line separator: the `\r` is dropped,
/// never stored at the end of the last value; a quoted `\r` stays.
#[test]
fn crlf_file_with_the_default_separator_stores_no_carriage_return() {
    let rows = load(
        "csv_crlf_default",
        "",
        true,
        b"id,a,b\r\n1,x,y\r\n2,\"q\r\",z\r\n".to_vec(),
        2,
    );
    assert_eq!(
        rows,
        vec![vec![s("1"), s("x"), s("y")], vec![s("2"), s("q\r"), s("z")]]
    );
}

/// `--field-separator \t` unquoted in the user argument is a tab, not the letter t.
#[test]
fn unquoted_tab_escape_in_the_user_argument_is_a_tab() {
    let rows = load(
        "csv_tab_unquoted",
        r"--field-separator \t",
        true,
        b"id\ta\tb\n1\tx t\ty\n".to_vec(),
        1,
    );
    assert_eq!(rows, vec![vec![s("1"), s("x t"), s("y")]]);
}
