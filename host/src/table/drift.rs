//! Schema drift (HVR's AdaptDDL): a column the files carry and the target lacks is added
//! before the table's transaction; a target column the files no longer carry is kept (new
//! rows get NULL, HVR's KeepExistingStructure); a type the target cannot hold is refused.
//!
//! The ADD COLUMN runs in a transaction of its own, before the fence is consulted. That is
//! safe everywhere, and the only safe place on MariaDB, whose DDL commits implicitly: inside
//! the table's transaction it would commit half a cycle. Adding a nullable column changes
//! no row, so if the cycle then turns out applied already (or fails), the column stays and
//! nothing is lost or doubled.

use super::host_sql::HostSql;
use super::{TableError, TableJob};
use crate::domain::{ConnectorInfo, FileColumn, LogicalType, PlanOptions, Role, TargetColumn};
use crate::odbc::Database;
use crate::options::AdaptDdl;

impl TableJob<'_> {
    /// Adds the landing columns the existing `target` lacks (when `--adapt-ddl add-columns`)
    /// and refuses type changes; returns the target's columns as they now are.
    pub(super) fn adapt_target(
        &self,
        db: &dyn Database,
        info: &ConnectorInfo,
        columns: &[FileColumn],
        target: Vec<TargetColumn>,
    ) -> Result<Vec<TargetColumn>, TableError> {
        let options = self.options.plan_options(Vec::new());
        let landing: Vec<&FileColumn> = columns.iter().filter(|c| lands(c, &options)).collect();
        let sql = HostSql::for_connector(info);
        if let Some(sql) = &sql
            && sql.checks_types()
        {
            check_types(&self.spec.name, &landing, &target)?;
        }
        let missing: Vec<&FileColumn> = landing
            .into_iter()
            .filter(|c| find(&target, &c.base_name).is_none())
            .collect();
        if missing.is_empty() || self.options.files.adapt_ddl == AdaptDdl::None {
            // The connector names a missing column in its own error.
            return Ok(target);
        }
        let drift = |message: String| TableError::Drift {
            table: self.spec.name.clone(),
            message,
        };
        if let Some(key) = missing.iter().find(|c| c.is_key) {
            return Err(drift(format!(
                "key column {} is not in the target: adding a column to the key changes what a row is, so it is not done by itself; refresh the table with -r (recreate), nothing was applied",
                key.base_name
            )));
        }
        let sql = sql.ok_or_else(|| {
            drift(format!(
                "the files carry column(s) {} that the target lacks, and the host writes ALTER TABLE only for the sqlite, postgresql and mariadb dialects (this connector's is {:?}); add them by hand or set --adapt-ddl none; nothing was applied",
                names(&missing),
                info.dialect
            ))
        })?;
        for column in missing {
            let statement = format!(
                "ALTER TABLE {} ADD COLUMN {} {}",
                sql.table(self.spec),
                sql.ident(&column.base_name),
                sql.column_type(column.logical_type.as_ref())
            );
            db.begin()?;
            if let Err(e) = db
                .execute("adding a column the files carry", &statement)
                .and_then(|()| db.commit())
            {
                let _ = db.rollback();
                return Err(e.into());
            }
            crate::fence::crash_point("after-add-column");
            say!(
                "table {}: the files carry column {} that target table {} lacked; added it (--adapt-ddl add-columns): {statement}",
                self.spec.name,
                column.base_name,
                self.spec.base_name
            );
        }
        Ok(self.target_columns(db, info)?.unwrap_or_default())
    }
}

/// Whether a file column lands in the target in this style (as the connectors' layouts
/// decide: data always, the op and SoftDelete columns only when kept).
fn lands(column: &FileColumn, options: &PlanOptions) -> bool {
    match column.role {
        Role::Data => true,
        Role::Op => options.keep_op_column,
        Role::SoftDelete => options.keep_soft_delete_column,
    }
}

fn find<'a>(target: &'a [TargetColumn], name: &str) -> Option<&'a TargetColumn> {
    target
        .iter()
        .find(|t| t.name == name)
        .or_else(|| target.iter().find(|t| t.name.eq_ignore_ascii_case(name)))
}

fn names(columns: &[&FileColumn]) -> String {
    columns
        .iter()
        .map(|c| c.base_name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses a declared type the existing column cannot hold without loss.
fn check_types(
    table: &str,
    landing: &[&FileColumn],
    target: &[TargetColumn],
) -> Result<(), TableError> {
    for column in landing {
        let (Some(file), Some(existing)) = (&column.logical_type, find(target, &column.base_name))
        else {
            continue;
        };
        let Some(held) = &existing.logical_type else {
            continue;
        };
        if !holds(held, file) {
            return Err(TableError::Drift {
                table: table.to_string(),
                message: format!(
                    "the files carry column {} as {file}, but target column {} is {} ({held}), which cannot hold every such value; a type change is not guessed: change the column, refresh with -r, or, if the values fit, declare the files' type with --column-type {table}.{}=TYPE; nothing was applied",
                    column.base_name, existing.name, existing.type_name, column.name
                ),
            });
        }
    }
    Ok(())
}

/// Decimal digits an integer type needs.
fn int_digits(t: &LogicalType) -> Option<i32> {
    Some(match t {
        LogicalType::Boolean => 1,
        LogicalType::Int8 => 3,
        LogicalType::Int16 => 5,
        LogicalType::Int32 => 10,
        LogicalType::Int64 => 19,
        _ => return None,
    })
}

/// Whether a target column of type `held` keeps every value of type `file`. Text holds the
/// text form of anything; numbers need the digits; times need a time.
pub(super) fn holds(held: &LogicalType, file: &LogicalType) -> bool {
    use LogicalType as T;
    match (held, file) {
        (T::Text { max_length: None }, _) => true,
        (
            T::Text {
                max_length: Some(_),
            },
            f,
        ) => !matches!(f, T::Binary { .. } | T::Json),
        (T::Json, T::Json | T::Text { .. }) => true,
        (T::Binary { .. }, T::Binary { .. }) => true,
        (T::Boolean, T::Boolean) => true,
        (h, f) if int_digits(h).is_some() && int_digits(f).is_some() => {
            // MariaDB's BOOLEAN is a TINYINT: a boolean file column fits any integer.
            int_digits(h) >= int_digits(f) || matches!(f, T::Boolean)
        }
        // ParquetVersion v1 writes decimals as doubles: the column's scale decides, as it
        // would for the decimal HVR read.
        (T::Decimal { .. }, T::Float32 | T::Float64) => true,
        (T::Decimal { precision, scale }, f) => {
            let (p, s) = match f {
                // Oracle NUMBER without precision: its values are only as wide as they are.
                T::Decimal { precision: fp, .. } if *fp > 38 => return true,
                T::Decimal {
                    precision: fp,
                    scale: fs,
                } => (i32::from(*fp), i32::from(*fs)),
                other => match int_digits(other) {
                    Some(d) => (d, 0),
                    None => return false,
                },
            };
            i32::from(*scale) >= s && i32::from(*precision) - i32::from(*scale) >= p - s
        }
        (T::Float64, T::Float32 | T::Float64 | T::Int8 | T::Int16 | T::Int32) => true,
        (T::Float32, T::Float32 | T::Int8 | T::Int16) => true,
        (T::Date, T::Date) => true,
        (T::Timestamp { .. }, T::Timestamp { .. } | T::Date) => true,
        (T::Time { .. }, T::Time { .. }) => true,
        _ => false,
    }
}

impl TableJob<'_> {
    /// `-r` on a refresh: the DROP that runs first in the table's transaction (after the
    /// fence is consulted, so a refresh applied already never drops its rows again). `None`
    /// when the table is kept.
    pub(super) fn recreates(&self, info: &ConnectorInfo) -> Result<Option<String>, TableError> {
        if !self.options.files.recreate || self.mode != crate::hvr::Mode::RefreshEnd {
            return Ok(None);
        }
        let refuse = |why: &str| TableError::Drift {
            table: self.spec.name.clone(),
            message: format!("-r (recreate) {why}; nothing was applied"),
        };
        if self.options.preserve {
            return Err(refuse("cannot keep the rows as -p asks"));
        }
        if self.refresh.total > 1 {
            return Err(refuse(
                "cannot be used with a sliced refresh, whose later slices add to the table",
            ));
        }
        if self
            .options
            .refresh_condition_for(&self.spec.name)
            .is_some()
        {
            return Err(refuse(
                "cannot be used with --refresh-condition, which keeps other rows",
            ));
        }
        let sql = HostSql::for_connector(info).ok_or_else(|| {
            refuse(&format!(
                "needs a dialect the host writes DROP TABLE for (sqlite, postgresql, mariadb), not {:?}",
                info.dialect
            ))
        })?;
        Ok(Some(format!(
            "DROP TABLE IF EXISTS {}",
            sql.table(self.spec)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LogicalType as T;

    #[test]
    fn a_column_holds_what_loses_nothing_and_refuses_the_rest() {
        let text = T::Text { max_length: None };
        let dec = |p, s| T::Decimal {
            precision: p,
            scale: s,
        };
        assert!(holds(&text, &dec(12, 2)));
        assert!(holds(&dec(12, 2), &dec(10, 2)));
        assert!(!holds(&dec(12, 2), &dec(12, 3)));
        assert!(!holds(&dec(12, 2), &dec(13, 2)));
        assert!(holds(&dec(10, 0), &dec(1000, 0)));
        assert!(holds(&T::Int64, &T::Int32));
        assert!(!holds(&T::Int32, &T::Int64));
        assert!(holds(&T::Int8, &T::Boolean));
        assert!(holds(&dec(19, 0), &T::Int64));
        assert!(!holds(&T::Int64, &dec(12, 2)));
        assert!(!holds(&T::Float64, &T::Int64));
        assert!(holds(&dec(12, 2), &T::Float64));
        assert!(!holds(&T::Float64, &dec(12, 2)));
        assert!(!holds(&T::Date, &T::Int32));
        assert!(holds(
            &T::Timestamp {
                precision: 6,
                with_zone: false
            },
            &T::Date
        ));
        assert!(!holds(&T::Int32, &text));
    }
}
