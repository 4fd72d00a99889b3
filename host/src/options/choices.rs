//! What the options mean: the style from `-O/-D/-t`, the extra columns' names, the
//! [`PlanOptions`] a connector is given, per-table settings, `KEY=VALUE` lists, the store
//! settings and the CSV format.

use super::{CompressOption, Options, OptionsError};
use crate::csv::{Compression, CsvFormat};
use crate::domain::{PlanOptions, Style};

impl Options {
    /// For `plan`: one lane (the statements print in order), files kept, nothing recorded or
    /// written beside the target.
    pub fn dry_run(&mut self) {
        // Printed as `-v` prints a real run's, so the two read alike.
        self.verbose = true;
        self.dry_run = true;
        self.parallel = 1;
        self.keep_files = true;
        self.cleanup_stale_files = false;
        self.toolbox.record = None;
        self.toolbox.summary_json = None;
    }

    pub fn style(&self) -> Style {
        if self.time_key {
            Style::TimeKey
        } else if self.keep_soft_delete_column.is_some() {
            Style::SoftDelete
        } else {
            Style::ReplicationCopy
        }
    }

    pub fn op_column_name(&self) -> &str {
        self.keep_op_column.as_deref().unwrap_or(&self.op_column)
    }

    pub fn soft_delete_column_name(&self) -> &str {
        self.keep_soft_delete_column
            .as_deref()
            .unwrap_or(&self.soft_delete_column)
    }

    /// The choices a connector plans with; `extra` are the checked `--connector-option`s.
    pub fn plan_options(&self, extra: Vec<(String, String)>) -> PlanOptions {
        let style = self.style();
        PlanOptions {
            style,
            keep_op_column: self.keep_op_column.is_some() || style == Style::TimeKey,
            keep_soft_delete_column: self.keep_soft_delete_column.is_some()
                || style == Style::TimeKey,
            preserve_on_refresh: self.preserve,
            refresh_shadow: self.refresh_shadow,
            sets_aside_rejected_rows: self.toolbox.error_table.is_some(),
            each_key_once: false,
            extra,
        }
    }

    /// The `--multi-delete` column of a table (by channel name), if configured.
    pub fn multi_delete_for(&self, table: &str) -> Option<String> {
        entries_for(&self.multi_delete, table)
            .next()
            .map(str::to_string)
    }

    /// The refresh condition of `table`: its own, else the one given for `*`.
    pub fn refresh_condition_for(&self, table: &str) -> Option<String> {
        let find = |name| entries_for(&self.refresh_conditions, name).find(|c| !c.is_empty());
        find(table).or_else(|| find("*")).map(str::to_string)
    }

    pub fn connector_options(&self) -> Result<Vec<(String, String)>, OptionsError> {
        pairs(&self.connector_options, "--connector-option")
    }

    pub fn transform_options(&self) -> Result<Vec<(String, String)>, OptionsError> {
        pairs(&self.transform_options, "--transform-option")
    }

    pub fn store_settings(&self) -> Result<crate::store::StoreSettings, OptionsError> {
        Ok(crate::store::StoreSettings {
            endpoint: self.store_endpoint.clone().filter(|e| !e.is_empty()),
            config: pairs(&self.store_config, "--store-config")?,
            retries: self.store_retries,
        })
    }

    pub fn csv_format(&self) -> Result<CsvFormat, OptionsError> {
        Ok(CsvFormat::from_options(
            self.header_line,
            &self.field_separator,
            &self.line_separator,
            &self.quote_character,
            self.escape_character.as_deref(),
            self.null_representation.as_deref(),
            self.file_terminator.as_deref(),
            &self.encoding,
            match self.compress {
                CompressOption::None => Compression::None,
                CompressOption::Gzip => Compression::Gzip,
                CompressOption::Lz4 => Compression::Lz4,
            },
        )?)
    }
}

/// The values of `TABLE:VALUE` entries for `table`, trimmed, in order.
fn entries_for<'a>(list: &'a [String], table: &'a str) -> impl Iterator<Item = &'a str> {
    list.iter().filter_map(move |spec| {
        let (t, value) = spec.split_once(':')?;
        (t.trim() == table).then(|| value.trim())
    })
}

fn pairs(values: &[String], option: &str) -> Result<Vec<(String, String)>, OptionsError> {
    values
        .iter()
        .filter(|o| !o.is_empty())
        .enumerate()
        .map(|(i, o)| {
            o.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .ok_or_else(|| {
                    // Any of these may hold a secret: name the problem and the entry, not it.
                    OptionsError::Invalid(format!(
                        "{option} entry {} is not NAME=VALUE (not shown: it may hold a secret)",
                        i + 1
                    ))
                })
        })
        .collect()
}
