//! The one place that converts between the contract's types and the host's domain types.

use thiserror::Error;

use crate::hvr::TableSpec;
use crate::odbc::{CatalogColumn, LoadShape};
use crate::options::{Options, Style};
use crate::runtime::bindings::types as wit;
use crate::table::FileColumn;

#[derive(Debug, Error)]
pub enum PlanCheckError {
    #[error("the plan's load reads file column {index}, but the files have {columns} columns")]
    SourceOutOfRange { index: u32, columns: usize },
    #[error("the plan's load has no columns")]
    NoSources,
}

/// A checked plan in host terms.
#[derive(Clone, Debug)]
pub struct Plan {
    pub before: Vec<String>,
    pub sources: Vec<Source>,
    pub shape: LoadShape,
    pub batch_rows: usize,
    pub after: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Source {
    Column(usize),
    RowNumber,
}

pub fn table(
    spec: &TableSpec,
    columns: &[FileColumn],
    target: Option<&[CatalogColumn]>,
    multi_delete_exclude: Option<String>,
) -> wit::Table {
    wit::Table {
        name: spec.name.clone(),
        base_name: spec.base_name.clone(),
        schema: spec.schema.clone(),
        columns: columns
            .iter()
            .map(|c| wit::Column {
                name: c.name.clone(),
                base_name: c.base_name.clone(),
                is_key: c.is_key,
                role: match c.role {
                    crate::table::Role::Data => wit::ColumnRole::Data,
                    crate::table::Role::Op => wit::ColumnRole::Op,
                    crate::table::Role::SoftDelete => wit::ColumnRole::SoftDelete,
                },
            })
            .collect(),
        target_columns: target.map(|cols| {
            cols.iter()
                .map(|c| wit::TargetColumn {
                    name: c.name.clone(),
                    type_name: c.type_name.clone(),
                    size: c.size,
                    scale: c.scale,
                    nullable: c.nullable,
                })
                .collect()
        }),
        multi_delete_exclude,
    }
}

pub fn options(options: &Options, extra: Vec<(String, String)>) -> wit::Options {
    let style = options.style();
    wit::Options {
        style: match style {
            Style::ReplicationCopy => wit::TargetStyle::ReplicationCopy,
            Style::SoftDelete => wit::TargetStyle::SoftDelete,
            Style::TimeKey => wit::TargetStyle::TimeKey,
        },
        keep_op_column: options.keep_op_column.is_some() || style == Style::TimeKey,
        keep_soft_delete_column: options.keep_soft_delete_column.is_some()
            || style == Style::TimeKey,
        preserve_on_refresh: options.preserve,
        refresh_shadow: options.refresh_shadow,
        extra,
    }
}

pub fn plan(plan: wit::Plan, columns: usize) -> Result<Plan, PlanCheckError> {
    if plan.load.sources.is_empty() {
        return Err(PlanCheckError::NoSources);
    }
    let sources = plan
        .load
        .sources
        .iter()
        .map(|s| match *s {
            wit::Source::Column(i) if (i as usize) < columns => Ok(Source::Column(i as usize)),
            wit::Source::Column(index) => Err(PlanCheckError::SourceOutOfRange { index, columns }),
            wit::Source::RowNumber => Ok(Source::RowNumber),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let shape = match plan.load.shape {
        wit::LoadShape::ParameterArray(sql) => LoadShape::ParameterArray(sql),
        wit::LoadShape::MultiRowValues(m) => LoadShape::MultiRowValues {
            prefix: m.prefix,
            row: m.row,
            rows_per_statement: m.rows_per_statement.max(1) as usize,
        },
        wit::LoadShape::PostgresTextArrays(sql) => LoadShape::PostgresTextArrays(sql),
    };
    Ok(Plan {
        before: plan.before,
        sources,
        shape,
        batch_rows: plan.load.batch_rows.clamp(1, 1_000_000) as usize,
        after: plan.after,
    })
}

pub fn plan_error(e: wit::PlanError) -> String {
    match e {
        wit::PlanError::Unsupported(m) => format!("not supported: {m}"),
        wit::PlanError::InvalidTable(m) => m,
    }
}

pub fn style_name(info_styles: &[wit::TargetStyle]) -> Vec<&'static str> {
    info_styles
        .iter()
        .map(|s| match s {
            wit::TargetStyle::ReplicationCopy => "replication copy",
            wit::TargetStyle::SoftDelete => "soft delete",
            wit::TargetStyle::TimeKey => "time key",
        })
        .collect()
}
