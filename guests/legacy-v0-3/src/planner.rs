// The planning of the legacy SQLite test connectors, included into each one's `component`
// module after its own `wit_bindgen::generate!` (so `hvrwasm::...` and `export!` are that
// contract's) and its `NAME` and `VERSION`: the same connector, built against different
// contracts.

use exports::hvrwasm::connector::connector::Guest;
use hvrwasm::connector::types::{
    ColumnRole, Info, Load, LoadShape, Options, Plan, PlanError, Source, Table, TargetStyle,
};

struct Legacy;

fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn target(t: &Table) -> String {
    match &t.schema {
        Some(s) => format!("{}.{}", q(s), q(&t.base_name)),
        None => q(&t.base_name),
    }
}

/// File columns that land in a replication copy: every data column.
fn landed(t: &Table) -> Vec<(u32, &str, bool)> {
    t.columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == ColumnRole::Data)
        .map(|(i, c)| (i as u32, c.base_name.as_str(), c.is_key))
        .collect()
}

fn insert(table: &str, names: &[String], sources: Vec<Source>) -> Load {
    Load {
        shape: LoadShape::ParameterArray(format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            vec!["?"; sources.len()].join(", ")
        )),
        sources,
        batch_rows: 1000,
    }
}

impl Guest for Legacy {
    fn describe() -> Info {
        Info {
            name: NAME.into(),
            version: VERSION.into(),
            dialect: "sqlite".into(),
            default_schema: None,
            qualifier_is_catalog: false,
            max_parallel_tables: Some(1),
            styles: vec![TargetStyle::ReplicationCopy],
            options: vec![],
        }
    }

    fn plan_refresh(t: Table, _o: Options) -> Result<Plan, PlanError> {
        let cols = landed(&t);
        let names: Vec<String> = cols.iter().map(|(_, n, _)| q(n)).collect();
        let sources = cols.iter().map(|(i, _, _)| Source::Column(*i)).collect();
        Ok(Plan {
            before: vec![format!("DELETE FROM {}", target(&t))],
            load: insert(&target(&t), &names, sources),
            after: vec![],
        })
    }

    fn plan_integrate(t: Table, _o: Options) -> Result<Plan, PlanError> {
        let op = t
            .columns
            .iter()
            .position(|c| c.role == ColumnRole::Op)
            .ok_or_else(|| {
                PlanError::InvalidTable(format!("the {NAME} connector needs an op column"))
            })?;
        let cols = landed(&t);
        let names: Vec<String> = cols.iter().map(|(_, n, _)| q(n)).collect();
        let keys: Vec<String> = cols.iter().filter(|c| c.2).map(|(_, n, _)| q(n)).collect();
        let join = |a: &str, b: &str| {
            keys.iter()
                .map(|k| format!("{a}.{k} = {b}.{k}"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        let mut stage_names = names.clone();
        stage_names.push("op".into());
        stage_names.push("seq".into());
        let mut sources: Vec<Source> =
            cols.iter().map(|(i, _, _)| Source::Column(*i)).collect();
        sources.push(Source::Column(op as u32));
        sources.push(Source::RowNumber);
        let tgt = target(&t);
        let list = names.join(", ");
        Ok(Plan {
            before: vec![
                "DROP TABLE IF EXISTS temp.legacy_stage".into(),
                format!(
                    "CREATE TEMP TABLE legacy_stage ({})",
                    stage_names.join(", ")
                ),
            ],
            load: insert("legacy_stage", &stage_names, sources),
            after: vec![
                "DELETE FROM legacy_stage WHERE CAST(op AS INTEGER) NOT IN (0, 1, 2)".into(),
                format!(
                    "DELETE FROM legacy_stage WHERE EXISTS (SELECT 1 FROM legacy_stage l WHERE {} AND CAST(l.seq AS INTEGER) > CAST(legacy_stage.seq AS INTEGER))",
                    join("l", "legacy_stage")
                ),
                format!(
                    "DELETE FROM {tgt} WHERE EXISTS (SELECT 1 FROM legacy_stage WHERE {})",
                    join("legacy_stage", &tgt)
                ),
                format!(
                    "INSERT INTO {tgt} ({list}) SELECT {list} FROM legacy_stage WHERE CAST(op AS INTEGER) <> 0"
                ),
                "DROP TABLE temp.legacy_stage".into(),
            ],
        })
    }
}

export!(Legacy);
