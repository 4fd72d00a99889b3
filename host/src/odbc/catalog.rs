//! A table's columns from `SQLColumns`, fetched into a buffer sized for what the host reads.
//!
//! odbc-api's `Connection::columns` binds all eighteen standard columns, `REMARKS` (1 KiB) and
//! `COLUMN_DEF` (4 KiB) included, for 250 rows at a time: a 1.6 MB buffer the driver zeroes on
//! every call. That memset was a quarter of the page faults of a whole one-row `integ_end`
//! (`perf record -e page-faults --call-graph dwarf`). The host needs ten of the columns and a
//! table's columns arrive in a few fetches of 64 rows, so this binds those ten into a 70 KB
//! buffer. Binding a subset of a result set's columns is plain ODBC: unbound columns are
//! skipped by `SQLFetch`.

use odbc_api::buffers::{FetchRow, FetchRowMember, RowVec};
use odbc_api::handles::StatementRef;
use odbc_api::parameter::VarCharArray;
use odbc_api::{Connection, Cursor, Error, Nullable, TruncationInfo};

/// Rows per fetch: wide enough for most tables in one round trip.
const ROWS_PER_FETCH: usize = 64;

/// The `SQLColumns` columns the host reads, by their 1-based position in the result set.
#[derive(Clone, Copy, Default)]
pub(super) struct ColumnRow {
    /// 1 `TABLE_CAT`
    pub catalog: VarCharArray<128>,
    /// 2 `TABLE_SCHEM`
    pub schema: VarCharArray<128>,
    /// 3 `TABLE_NAME`
    pub table: VarCharArray<255>,
    /// 4 `COLUMN_NAME`
    pub column_name: VarCharArray<255>,
    /// 5 `DATA_TYPE`
    pub data_type: i16,
    /// 6 `TYPE_NAME`
    pub type_name: VarCharArray<256>,
    /// 7 `COLUMN_SIZE`
    pub column_size: Nullable<i32>,
    /// 9 `DECIMAL_DIGITS`
    pub decimal_digits: Nullable<i16>,
    /// 11 `NULLABLE`
    pub nullable: i16,
    /// 17 `ORDINAL_POSITION`
    pub ordinal_position: i32,
}

// SAFETY: every member is bound to the column whose SQL type its C type reads (the same
// members and types as odbc-api's own `ColumnsRow`), and `RowVec` keeps the rows alive and in
// place while they are bound.
unsafe impl FetchRow for ColumnRow {
    unsafe fn bind_columns_to_cursor(&mut self, mut cursor: StatementRef<'_>) -> Result<(), Error> {
        unsafe {
            self.catalog.bind_to_col(1, &mut cursor)?;
            self.schema.bind_to_col(2, &mut cursor)?;
            self.table.bind_to_col(3, &mut cursor)?;
            self.column_name.bind_to_col(4, &mut cursor)?;
            self.data_type.bind_to_col(5, &mut cursor)?;
            self.type_name.bind_to_col(6, &mut cursor)?;
            self.column_size.bind_to_col(7, &mut cursor)?;
            self.decimal_digits.bind_to_col(9, &mut cursor)?;
            self.nullable.bind_to_col(11, &mut cursor)?;
            self.ordinal_position.bind_to_col(17, &mut cursor)?;
        }
        Ok(())
    }

    fn find_truncation(&self) -> Option<TruncationInfo> {
        // Buffer indices are 0-based positions in the result set, as in odbc-api's own rows.
        self.catalog
            .find_truncation(0)
            .or_else(|| self.schema.find_truncation(1))
            .or_else(|| self.table.find_truncation(2))
            .or_else(|| self.column_name.find_truncation(3))
            .or_else(|| self.type_name.find_truncation(5))
    }
}

/// Every row `SQLColumns` gives for these patterns (the caller filters exact names).
pub(super) fn column_rows(
    conn: &Connection<'_>,
    catalog: &str,
    schema: &str,
    table: &str,
) -> Result<Vec<ColumnRow>, Error> {
    let mut statement = conn.preallocate()?;
    let cursor = statement.columns_cursor(catalog, schema, table, "")?;
    let buffer = RowVec::<ColumnRow>::new(ROWS_PER_FETCH);
    cursor.bind_buffer(buffer)?.into_iter().collect()
}

/// The text of a name column; NULL and non-UTF-8 read as empty.
pub(super) fn name_text<const N: usize>(value: &VarCharArray<N>) -> String {
    value.as_str().ok().flatten().unwrap_or("").to_string()
}
