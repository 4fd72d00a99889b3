//! Options about the files themselves: their format (FileFormat), declared column types for
//! formats that carry none, and what to do when they carry a column the target lacks.

use std::collections::HashMap;
use std::path::PathBuf;

use clap::{ArgAction, Args, ValueEnum};

use super::OptionsError;
use crate::domain::LogicalType;
use crate::rows::{FileFormat, JsonMode};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FileFormatOption {
    Csv,
    Parquet,
    Avro,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum JsonModeOption {
    TableObject,
    RowFragments,
}

/// What happens when a file carries a column the target table lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AdaptDdl {
    /// Add it (typed when the file or a --column-type says), before the table's transaction.
    AddColumns,
    /// Fail the table, naming the column, as a target without AdaptDDL would.
    None,
}

#[derive(Args, Clone, Debug)]
pub struct FileOptions {
    /// FileFormat of the location: csv, parquet, avro or json (one format per location).
    #[arg(long, env = "HVR_WASM_FILE_FORMAT", value_enum, default_value = "csv")]
    pub file_format: FileFormatOption,

    /// FileFormat /JsonMode for --file-format json.
    #[arg(
        long,
        env = "HVR_WASM_JSON_MODE",
        value_enum,
        default_value = "table-object"
    )]
    pub json_mode: JsonModeOption,

    /// Type of a column in tables the host creates or extends, for files that carry no types
    /// (CSV, JSON) or to override a file's: TABLE.COLUMN=TYPE, e.g. orders.price=decimal(12,2)
    /// (repeatable; `;`-separated in the variable). TABLE may be * for every table.
    #[arg(
        long = "column-type",
        env = "HVR_WASM_COLUMN_TYPES",
        value_name = "TABLE.COLUMN=TYPE"
    )]
    pub column_types: Vec<String>,

    /// A file of --column-type entries, one per line (# starts a comment).
    #[arg(long, env = "HVR_WASM_COLUMN_TYPES_FILE", value_name = "PATH")]
    pub column_types_file: Option<PathBuf>,

    /// A file column the target lacks: add-columns adds it before the load (nullable; the
    /// target's other columns are kept and get NULL when the files stop carrying them);
    /// none fails the table instead.
    #[arg(
        long,
        env = "HVR_WASM_ADAPT_DDL",
        value_enum,
        default_value = "add-columns"
    )]
    pub adapt_ddl: AdaptDdl,

    /// Refresh: drop and create the target table again, with the files' column types
    /// (as Fivetran's connectors' -r).
    #[arg(short = 'r', long, env = "HVR_WASM_RECREATE", action = ArgAction::SetTrue)]
    pub recreate: bool,
}

/// `--column-type` entries, checked once.
#[derive(Clone, Debug, Default)]
pub struct ColumnTypes {
    by_column: HashMap<(String, String), LogicalType>,
}

impl ColumnTypes {
    /// The declared type of `table.column` (channel names); an entry for the table beats
    /// one for `*`.
    pub fn get(&self, table: &str, column: &str) -> Option<&LogicalType> {
        self.by_column
            .get(&(table.to_string(), column.to_string()))
            .or_else(|| self.by_column.get(&("*".to_string(), column.to_string())))
    }
}

impl ColumnTypes {
    /// The columns named for `table` itself (not through `*`).
    pub fn columns_of<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.by_column
            .keys()
            .filter(move |(t, _)| t == table)
            .map(|(_, c)| c.as_str())
    }
}

impl FileOptions {
    /// The RenameExpression to map file names with: HVR's default names files `.csv`
    /// whatever their format, but a location of Parquet files is named `.parquet`, so the
    /// default follows the format. An expression the user gave is kept as it is.
    pub fn rename_expression(&self, given: &str) -> String {
        let ext = match self.file_format {
            FileFormatOption::Csv => return given.to_string(),
            FileFormatOption::Parquet => "parquet",
            FileFormatOption::Avro => "avro",
            FileFormatOption::Json => "json",
        };
        match given.strip_suffix(".csv") {
            Some(stem) if given == crate::hvr::rename::DEFAULT_EXPRESSION => {
                format!("{stem}.{ext}")
            }
            _ => given.to_string(),
        }
    }

    /// The location's format. `--compress` (FileFormat /Compress) applies to CSV and JSON;
    /// Parquet and Avro compress their own pages and blocks (/BlockCompress), so it is refused
    /// with them rather than ignored.
    pub fn file_format(&self, csv: crate::csv::CsvFormat) -> Result<FileFormat, OptionsError> {
        let compressed = csv.compression != crate::csv::Compression::None;
        Ok(match self.file_format {
            FileFormatOption::Csv => FileFormat::Csv(csv),
            FileFormatOption::Parquet | FileFormatOption::Avro if compressed => {
                return Err(OptionsError::Invalid(
                    "--compress applies to CSV and JSON files; Parquet and Avro files compress their own pages and blocks (FileFormat /BlockCompress), which is read without an option".into(),
                ));
            }
            FileFormatOption::Parquet => FileFormat::Parquet,
            FileFormatOption::Avro => FileFormat::Avro,
            FileFormatOption::Json => FileFormat::Json(
                match self.json_mode {
                    JsonModeOption::TableObject => JsonMode::TableObject,
                    JsonModeOption::RowFragments => JsonMode::RowFragments,
                },
                csv.compression,
            ),
        })
    }

    /// Parses `--column-type` and `--column-types-file`, naming the entry that is wrong.
    pub fn column_types(&self) -> Result<ColumnTypes, OptionsError> {
        let mut entries: Vec<(String, String)> = self
            .column_types
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("--column-type entry {}", i + 1), e.clone()))
            .collect();
        if let Some(path) = &self.column_types_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                OptionsError::Invalid(format!("--column-types-file {}: {e}", path.display()))
            })?;
            for (n, line) in text.lines().enumerate() {
                let line = line.split('#').next().unwrap_or("").trim();
                if !line.is_empty() {
                    entries.push((
                        format!("--column-types-file {} line {}", path.display(), n + 1),
                        line.to_string(),
                    ));
                }
            }
        }
        let mut types = ColumnTypes::default();
        for (where_, entry) in entries {
            let bad = |why: String| OptionsError::Invalid(format!("{where_} ({entry:?}): {why}"));
            let (target, type_text) = entry
                .split_once('=')
                .ok_or_else(|| bad("expected TABLE.COLUMN=TYPE".into()))?;
            let (table, column) = target
                .trim()
                .rsplit_once('.')
                .filter(|(t, c)| !t.is_empty() && !c.is_empty())
                .ok_or_else(|| bad("expected TABLE.COLUMN before '='".into()))?;
            let ty: LogicalType = type_text.parse().map_err(bad)?;
            types
                .by_column
                .insert((table.trim().to_string(), column.trim().to_string()), ty);
        }
        Ok(types)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        files: FileOptions,
    }

    fn parse(args: &[&str]) -> FileOptions {
        Wrapper::parse_from(std::iter::once("x").chain(args.iter().copied())).files
    }

    #[test]
    fn column_types_name_the_bad_entry_and_star_is_a_fallback() {
        let o = parse(&[
            "--column-type",
            "orders.price=decimal(12,2)",
            "--column-type",
            "*.price=text",
        ]);
        let t = o.column_types().unwrap();
        assert_eq!(
            t.get("orders", "price"),
            Some(&LogicalType::Decimal {
                precision: 12,
                scale: 2
            })
        );
        assert_eq!(
            t.get("other", "price"),
            Some(&LogicalType::Text { max_length: None })
        );
        assert_eq!(t.get("other", "id"), None);
        let e = parse(&["--column-type", "orders.price=money"])
            .column_types()
            .unwrap_err()
            .to_string();
        assert!(e.contains("--column-type entry 1"), "{e}");
        let e = parse(&["--column-type", "price=int64"])
            .column_types()
            .unwrap_err()
            .to_string();
        assert!(e.contains("TABLE.COLUMN"), "{e}");
    }
}
