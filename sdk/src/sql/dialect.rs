//! Identifier quoting.

use crate::Table;

/// How a database spells identifiers.
///
/// ```
/// use hvrwasm_sdk::sql::Dialect;
/// use hvrwasm_sdk::Table;
/// assert_eq!(Dialect::ANSI.ident("my\"col"), "\"my\"\"col\"");
/// assert_eq!(Dialect::BACKTICK.ident("group"), "`group`");
/// assert_eq!(Dialect::ANSI.table_name(&Table::new("t").schema("s")), r#""s"."t""#);
/// assert_eq!(Dialect::ANSI.ident_list(["a", "b"]), r#""a", "b""#);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Dialect {
    /// Opening and closing quote of a delimited identifier.
    pub quote: char,
}

impl Dialect {
    /// `"name"`, the SQL standard (PostgreSQL, SQLite, Oracle, ...).
    pub const ANSI: Dialect = Dialect { quote: '"' };
    /// `` `name` `` (MySQL, MariaDB).
    pub const BACKTICK: Dialect = Dialect { quote: '`' };

    /// Quotes one identifier, doubling any quote character inside it, so reserved words and
    /// mixed case survive.
    pub fn ident(&self, name: &str) -> String {
        let q = self.quote;
        let mut out = String::with_capacity(name.len() + 2);
        out.push(q);
        for c in name.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
        out
    }

    /// The table's quoted name, schema-qualified when HVR gave a schema.
    pub fn table_name(&self, table: &Table) -> String {
        match &table.schema {
            Some(schema) => format!("{}.{}", self.ident(schema), self.ident(&table.base_name)),
            None => self.ident(&table.base_name),
        }
    }

    /// Comma-separated quoted identifiers.
    pub fn ident_list<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> String {
        names
            .into_iter()
            .map(|n| self.ident(n))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
