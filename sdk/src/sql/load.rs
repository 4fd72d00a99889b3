//! Load statements for the host's load shapes. Values always arrive as text; what each shape
//! needs for the database to convert them is said per builder.

use super::{Dialect, LandedColumn, Layout};
use crate::{Load, LoadShape, MultiRowValues, Source};

/// A column a load fills: quoted name, SQL type (for the shapes that cast), and its source.
///
/// ```
/// use hvrwasm_sdk::sql::LoadColumn;
/// use hvrwasm_sdk::Source;
/// let id: LoadColumn = (r#""id""#.into(), "int4".into(), Source::Column(0));
/// ```
pub type LoadColumn = (String, String, Source);

/// The landed columns fed straight from the files (a refresh, a TimeKey append), each with
/// the type `type_of` gives it.
///
/// ```
/// use hvrwasm_sdk::sql::{direct_columns, unnest_load, CreatedTypes, Dialect, Layout};
/// use hvrwasm_sdk::{testing, TargetStyle};
/// let layout = Layout::new(&testing::orders_refresh_table(), &testing::options(TargetStyle::ReplicationCopy)).unwrap();
/// let columns = direct_columns(&Dialect::ANSI, &layout, |c| CreatedTypes::POSTGRES.of(c));
/// assert_eq!(columns[1].0, r#""amount""#);
/// let load = unnest_load(r#""orders""#, &columns, 2000);
/// assert_eq!(load.sources.len(), 2);
/// ```
pub fn direct_columns(
    dialect: &Dialect,
    layout: &Layout,
    type_of: impl Fn(&LandedColumn) -> String,
) -> Vec<LoadColumn> {
    layout
        .landed
        .iter()
        .map(|c| {
            (
                dialect.ident(&c.name),
                type_of(c),
                Source::Column(c.file_index),
            )
        })
        .collect()
}

/// `INSERT INTO t (a, b) SELECT * FROM unnest(?::int4[], ?::text[])` for
/// [`LoadShape::PostgresTextArrays`]: the host binds one PostgreSQL array literal per column
/// per batch, and each is parsed straight into the column's type, so every column needs its
/// type (the target's `type_name`, or the type a created table gets). The fastest shape over
/// psqlODBC, which sends a parameter array as one statement per row.
///
/// ```
/// use hvrwasm_sdk::sql::unnest_load;
/// use hvrwasm_sdk::{LoadShape, Source};
/// let load = unnest_load("t", &[(r#""id""#.into(), "int4".into(), Source::Column(0))], 2000);
/// let LoadShape::PostgresTextArrays(sql) = &load.shape else { unreachable!() };
/// assert_eq!(sql, r#"INSERT INTO t ("id") SELECT * FROM unnest(?::int4[])"#);
/// ```
pub fn unnest_load(table: &str, columns: &[LoadColumn], batch_rows: u32) -> Load {
    let names: Vec<&str> = columns.iter().map(|(n, _, _)| n.as_str()).collect();
    let arrays: Vec<String> = columns
        .iter()
        .map(|(_, t, _)| format!("?::{t}[]"))
        .collect();
    Load::new(
        LoadShape::PostgresTextArrays(format!(
            "INSERT INTO {table} ({}) SELECT * FROM unnest({})",
            names.join(", "),
            arrays.join(", ")
        )),
        columns.iter().map(|(_, _, s)| *s).collect(),
        batch_rows,
    )
}

/// `COPY t (a, b) FROM STDIN` for [`LoadShape::PostgresCopy`]: the host streams each batch in
/// COPY's text format on its native PostgreSQL connection, where the table's whole transaction
/// then runs (`before`, the load, `after`, the fence). The server converts each value to its
/// column's type, so no types are needed; NULL stays NULL and an empty string stays empty.
/// The fastest shape for PostgreSQL: as fast as `psql \copy`.
///
/// ```
/// use hvrwasm_sdk::sql::copy_load;
/// use hvrwasm_sdk::{LoadShape, Source};
/// let load = copy_load("t", &[(r#""id""#.into(), String::new(), Source::Column(0))], 10_000);
/// assert_eq!(load.shape, LoadShape::PostgresCopy(r#"COPY t ("id") FROM STDIN"#.into()));
/// ```
pub fn copy_load(table: &str, columns: &[LoadColumn], batch_rows: u32) -> Load {
    let names: Vec<&str> = columns.iter().map(|(n, _, _)| n.as_str()).collect();
    Load::new(
        LoadShape::PostgresCopy(format!("COPY {table} ({}) FROM STDIN", names.join(", "))),
        columns.iter().map(|(_, _, s)| *s).collect(),
        batch_rows,
    )
}

/// `LOAD DATA LOCAL INFILE` into `table` for [`LoadShape::MariadbLoadData`]: the host streams
/// a file's batches over a pipe as tab-separated text (`\N` for NULL) into one statement,
/// inside the table's transaction; the server converts each value to its column's type, and a
/// load it warns about fails (LOCAL turns refused values into warnings). `batch_rows` only
/// bounds the host's memory. MariaDB's fastest load, at the speed of the `mariadb` CLI's own
/// `LOAD DATA LOCAL INFILE`.
///
/// ```
/// use hvrwasm_sdk::sql::load_data_load;
/// use hvrwasm_sdk::{LoadShape, Source};
/// let load = load_data_load("`t`", &[("`id`".into(), String::new(), Source::Column(0))], 10_000);
/// assert_eq!(load.shape, LoadShape::MariadbLoadData { table: "`t`".into(), columns: vec!["`id`".into()] });
/// ```
pub fn load_data_load(table: &str, columns: &[LoadColumn], batch_rows: u32) -> Load {
    Load::new(
        LoadShape::MariadbLoadData {
            table: table.to_string(),
            columns: columns.iter().map(|(n, _, _)| n.clone()).collect(),
        },
        columns.iter().map(|(_, _, s)| *s).collect(),
        batch_rows,
    )
}

/// `INSERT INTO t (a, b) VALUES (?, ?), (?, ?), ...` for [`LoadShape::MultiRowValues`]:
/// `rows_per_statement` rows per statement; the host runs one shorter statement for the
/// batch's last, partial group, so every row loads whatever the count. Placeholders are bound
/// as text and the database converts on insert, as for a parameter array: no cast is needed
/// for the usual types (add one in `row` for a type your driver will not convert).
///
/// ```
/// use hvrwasm_sdk::sql::multi_row_values_load;
/// use hvrwasm_sdk::Source;
/// let load = multi_row_values_load("t", &[(r#""id""#.into(), String::new(), Source::Column(0))], 100, 10_000);
/// assert_eq!(load.batch_rows, 10_000);
/// ```
pub fn multi_row_values_load(
    table: &str,
    columns: &[LoadColumn],
    rows_per_statement: u32,
    batch_rows: u32,
) -> Load {
    let names: Vec<&str> = columns.iter().map(|(n, _, _)| n.as_str()).collect();
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    Load::new(
        LoadShape::MultiRowValues(MultiRowValues::new(
            format!("INSERT INTO {table} ({}) VALUES ", names.join(", ")),
            row,
            rows_per_statement,
        )),
        columns.iter().map(|(_, _, s)| *s).collect(),
        batch_rows,
    )
}
