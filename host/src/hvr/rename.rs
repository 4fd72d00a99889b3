//! Mapping file names back to tables through HVR's `Integrate /RenameExpression`.
//!
//! HVR does not say which file belongs to which table; the name does. The expression is split
//! into literal text and `{...}` substitutions: `{hvr_tbl_name}` (or `{hvr_tbl_base_name}`)
//! identifies the table, `{hvr_var_x}` is replaced by `HVR_VAR_X`, and any other substitution
//! matches any text. Matching backtracks, so `{hvr_integ_tstamp}-{hvr_tbl_name}.csv` finds the
//! table even when the timestamp format is unusual.

use super::env::{EnvError, HvrEnv};
use super::invocation::TableSpec;

/// HVR connectors' default file naming.
pub const DEFAULT_EXPRESSION: &str = "{hvr_integ_tstamp}-{hvr_tbl_name}.csv";

#[derive(Clone, Debug, PartialEq)]
enum Part {
    Literal(String),
    TableName,
    BaseName,
    Variable(String),
    Any,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RenameExpression {
    text: String,
    parts: Vec<Part>,
}

impl RenameExpression {
    pub fn parse(text: &str) -> Result<RenameExpression, EnvError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            let close = rest[open..].find('}').ok_or_else(|| {
                EnvError::RenameExpression(format!(
                    "rename expression {text:?}: '{{' at byte {} is never closed",
                    text.len() - rest.len() + open
                ))
            })? + open;
            // `{{hvr_key_names sep}}`-style doubles and format specs: keep the word only.
            let inner = rest[open + 1..close].trim_start_matches('{');
            let word = inner.split_whitespace().next().unwrap_or("");
            parts.push(match word {
                "hvr_tbl_name" => Part::TableName,
                "hvr_tbl_base_name" | "hvr_base_name" => Part::BaseName,
                w if w.starts_with("hvr_var_") => Part::Variable(w.to_ascii_uppercase()),
                _ => Part::Any,
            });
            rest = rest[close + 1..].trim_start_matches('}');
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        if !parts
            .iter()
            .any(|p| matches!(p, Part::TableName | Part::BaseName))
        {
            return Err(EnvError::RenameExpression(format!(
                "rename expression {text:?} has no {{hvr_tbl_name}}, so files cannot be mapped to tables"
            )));
        }
        Ok(RenameExpression {
            text: text.to_string(),
            parts,
        })
    }

    /// Index of the table `file` belongs to.
    pub fn table_of(
        &self,
        file: &str,
        tables: &[TableSpec],
        env: &HvrEnv,
    ) -> Result<usize, EnvError> {
        let mut found = None;
        let ok = match_parts(
            &self.parts,
            file,
            &mut |part, text| {
                let hit = match part {
                    Part::TableName => tables.iter().position(|t| t.name == text),
                    _ => tables
                        .iter()
                        .position(|t| t.base_name == text || t.qualified_base_name() == text),
                };
                if hit.is_some() {
                    found = hit;
                }
                hit.is_some()
            },
            env,
        );
        match (ok, found) {
            (true, Some(i)) => Ok(i),
            _ => Err(EnvError::UnmappedFile {
                file: file.to_string(),
                how: format!("rename expression {:?}", self.text),
            }),
        }
    }
}

/// Backtracking match; `capture` accepts or rejects the text a table part would take.
fn match_parts(
    parts: &[Part],
    text: &str,
    capture: &mut dyn FnMut(&Part, &str) -> bool,
    env: &HvrEnv,
) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    match first {
        Part::Literal(l) => text
            .strip_prefix(l.as_str())
            .is_some_and(|t| match_parts(rest, t, capture, env)),
        Part::Variable(name) => {
            let value = env.raw(name).unwrap_or("");
            text.strip_prefix(value)
                .is_some_and(|t| match_parts(rest, t, capture, env))
        }
        Part::Any | Part::TableName | Part::BaseName => {
            for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
                let (head, tail) = text.split_at(end);
                if matches!(first, Part::Any) && head.contains('/') && !rest.is_empty() {
                    // A substitution does not swallow directory separators.
                    break;
                }
                if !matches!(first, Part::Any) && (head.is_empty() || !capture(first, head)) {
                    continue;
                }
                if match_parts(rest, tail, capture, env) {
                    return true;
                }
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(names: &[&str]) -> Vec<TableSpec> {
        names
            .iter()
            .map(|n| TableSpec {
                name: n.to_string(),
                base_name: format!("base_{n}"),
                schema: None,
                columns: vec![],
            })
            .collect()
    }

    #[test]
    fn default_expression_takes_the_text_after_the_timestamp() {
        let e = RenameExpression::parse(DEFAULT_EXPRESSION).unwrap();
        let t = tables(&["order", "order_line"]);
        let env = HvrEnv::default();
        assert_eq!(
            e.table_of("20240101120000000-order_line.csv", &t, &env)
                .unwrap(),
            1
        );
        assert_eq!(
            e.table_of("20240101120000000-order.csv", &t, &env).unwrap(),
            0
        );
        assert!(e.table_of("20240101120000000-other.csv", &t, &env).is_err());
        assert!(
            e.table_of("20240101120000000-order.json", &t, &env)
                .is_err()
        );
    }

    #[test]
    fn folders_base_names_and_variables_map() {
        let env = HvrEnv::from_map([("HVR_VAR_SLICE".to_string(), "s1".to_string())].into());
        let e = RenameExpression::parse(
            "{hvr_tbl_base_name}/{hvr_var_slice}-{hvr_integ_tstamp %Y}.csv.gz",
        )
        .unwrap();
        let t = tables(&["a", "b"]);
        assert_eq!(e.table_of("base_b/s1-2024.csv.gz", &t, &env).unwrap(), 1);
        assert!(e.table_of("base_b/s2-2024.csv.gz", &t, &env).is_err());
    }

    #[test]
    fn expression_without_table_is_refused() {
        assert!(RenameExpression::parse("{hvr_integ_tstamp}.csv").is_err());
    }
}
