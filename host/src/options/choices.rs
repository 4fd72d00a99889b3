//! What the options mean for a plan: the style from `-O/-D/-t`, the extra columns' names, and
//! the [`PlanOptions`] a connector is given.

use super::Options;
use crate::domain::{PlanOptions, Style};

impl Options {
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
            extra,
        }
    }
}
