//! The target table's primary key from the catalog (`SQLPrimaryKeys`), for `check`.

use super::{OdbcError, Target};

impl Target {
    /// The primary key's columns in key order; empty when the table has none.
    pub fn primary_key(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<String>, OdbcError> {
        let err = |source| OdbcError::Catalog {
            table: table.to_string(),
            source,
        };
        let mut keys = Vec::new();
        for row in self
            .connection()
            .primary_keys(catalog, schema, table)
            .map_err(err)?
        {
            let row = row.map_err(err)?;
            let column = row.column.as_str().ok().flatten().unwrap_or("").to_string();
            keys.push((row.key_seq, column));
        }
        keys.sort();
        Ok(keys.into_iter().map(|(_, c)| c).collect())
    }
}
