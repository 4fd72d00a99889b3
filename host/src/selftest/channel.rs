//! HVR's side of a call, as `selftest` and the e2e suite play it: the columns HVR puts in a
//! table's files per style, CSV written the way FileFormat /Csv /HeaderLine writes it, and the
//! `HVR_*` environment of an `*_end` call.

use super::data::{Kind, Row, TableDef};
use super::model::{Change, Style};

/// One CSV field as HVR writes it: NULL is empty and unquoted, the empty string is `""`, and a
/// value with a separator, quote, line break or edge space is quoted with doubled quotes.
pub fn csv_field(value: &Option<String>) -> String {
    match value {
        None => String::new(),
        Some(v)
            if v.is_empty()
                || v.contains([',', '"', '\n', '\r'])
                || v.starts_with(' ')
                || v.ends_with(' ') =>
        {
            format!("\"{}\"", v.replace('"', "\"\""))
        }
        Some(v) => v.clone(),
    }
}

/// A CSV line of `fields`, with its line end.
pub fn csv_line(fields: &[Option<String>]) -> String {
    let mut line = fields.iter().map(csv_field).collect::<Vec<_>>().join(",");
    line.push('\n');
    line
}

/// A file column: (channel name, base name, is key).
pub type FileColumn = (String, String, bool);

/// Columns HVR puts in a call's files: the data columns, and for integrate (or for a
/// SoftDelete or TimeKey refresh, which does not use the `!refresh` context) the extras.
pub fn file_columns(table: &TableDef, style: Style, refresh: bool) -> Vec<FileColumn> {
    let mut cols: Vec<FileColumn> = table
        .columns
        .iter()
        .map(|c| (c.name.to_string(), c.base.to_string(), c.key))
        .collect();
    if style == Style::TimeKey {
        cols.push(("integ_seq".into(), "integ_seq".into(), true));
    }
    if !refresh || style != Style::ReplicationCopy {
        cols.push(("op_type".into(), "op_type".into(), false));
        cols.push(("is_deleted".into(), "is_deleted".into(), false));
    }
    cols
}

/// The target's columns for a style: data columns, then the extras it keeps.
pub fn target_columns(table: &TableDef, style: Style) -> Vec<String> {
    let mut cols: Vec<String> = table.columns.iter().map(|c| c.base.to_string()).collect();
    match style {
        Style::ReplicationCopy => {}
        Style::SoftDelete => cols.push("is_deleted".into()),
        Style::TimeKey => cols.extend(["integ_seq", "op_type", "is_deleted"].map(String::from)),
    }
    cols
}

/// One file's text: the header, then a line per change with the extras the call carries.
pub fn csv_text(table: &TableDef, style: Style, refresh: bool, changes: &[Change]) -> String {
    let header: Row = file_columns(table, style, refresh)
        .into_iter()
        .map(|(_, b, _)| Some(b))
        .collect();
    let mut text = csv_line(&header);
    for c in changes {
        let mut fields = c.values.clone();
        if style == Style::TimeKey {
            fields.push(Some(c.seq.clone()));
        }
        if !refresh || style != Style::ReplicationCopy {
            fields.push(Some(c.op.to_string()));
            fields.push(Some(if c.deleted { "1" } else { "0" }.into()));
        }
        text.push_str(&csv_line(&fields));
    }
    text
}

/// A file handed to one call.
pub struct CallFile {
    pub name: String,
    pub rows: usize,
}

/// The `HVR_*` variables of an `*_end` call covering `tables` (with their base names as HVR
/// qualifies them) and `files`, read from `location`.
pub fn end_env(
    tables: &[(&TableDef, String)],
    style: Style,
    refresh: bool,
    location: &str,
    files: &[CallFile],
) -> Vec<(String, String)> {
    let per_table = |f: &dyn Fn(&TableDef, &str) -> String| {
        tables
            .iter()
            .map(|(t, base)| f(t, base))
            .collect::<Vec<_>>()
            .join(":")
    };
    let cols = |t: &TableDef, base: bool, keys_only: bool| {
        file_columns(t, style, refresh)
            .into_iter()
            .filter(|(_, _, k)| !keys_only || *k)
            .map(|(n, b, _)| if base { b } else { n })
            .collect::<Vec<_>>()
            .join(",")
    };
    let joined =
        |f: &dyn Fn(&CallFile) -> String| files.iter().map(f).collect::<Vec<_>>().join(":");
    vec![
        (
            "HVR_TBL_NAMES".into(),
            per_table(&|t, _| t.name.to_string()),
        ),
        ("HVR_BASE_NAMES".into(), per_table(&|_, b| b.to_string())),
        (
            "HVR_COL_NAMES".into(),
            per_table(&|t, _| cols(t, false, false)),
        ),
        (
            "HVR_COL_NAMES_BASE".into(),
            per_table(&|t, _| cols(t, true, false)),
        ),
        (
            "HVR_TBL_KEYS".into(),
            per_table(&|t, _| cols(t, false, true)),
        ),
        (
            "HVR_TBL_KEYS_BASE".into(),
            per_table(&|t, _| cols(t, true, true)),
        ),
        ("HVR_FILE_LOC".into(), location.to_string()),
        ("HVR_FILE_NAMES".into(), joined(&|f| f.name.clone())),
        ("HVR_FILE_NROWS".into(), joined(&|f| f.rows.to_string())),
    ]
}

/// `2024-01-02 03:04:05.120000` -> `2024-01-02 03:04:05.12`, `...05.000000` -> `...05`: MariaDB
/// prints every declared fraction digit, the model (like PostgreSQL) only significant ones.
pub fn canonical_timestamp(value: &str) -> String {
    match value.split_once('.') {
        Some((whole, fraction)) => {
            let fraction = fraction.trim_end_matches('0');
            if fraction.is_empty() {
                whole.to_string()
            } else {
                format!("{whole}.{fraction}")
            }
        }
        None => value.to_string(),
    }
}

/// A table's rows as read back, made comparable with the model: timestamps without trailing
/// fraction zeros, sorted.
pub fn canonical_rows(def: &TableDef, mut rows: Vec<Row>) -> Vec<Row> {
    let stamps: Vec<usize> = def
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.kind, Kind::Stamp | Kind::Stamp0))
        .map(|(i, _)| i)
        .collect();
    for row in &mut rows {
        for i in &stamps {
            row[*i] = row[*i].take().map(|v| canonical_timestamp(&v));
        }
    }
    rows.sort();
    rows
}

/// What differs between the rows a target holds and the model's, in one sentence; `None`
/// when they are equal. Both are sorted.
pub fn difference(got: &[Row], want: &[Row]) -> Option<String> {
    if got == want {
        return None;
    }
    let missing: Vec<_> = want.iter().filter(|r| !got.contains(r)).take(2).collect();
    let extra: Vec<_> = got.iter().filter(|r| !want.contains(r)).take(2).collect();
    Some(format!(
        "{} rows where the model has {}; missing (first 2): {missing:?}; unexpected (first 2): {extra:?}",
        got.len(),
        want.len()
    ))
}
