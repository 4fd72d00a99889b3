//! What a connector is, the options it declares, and the [`Planner`] seam the table
//! orchestration plans through.

use thiserror::Error;

use super::guest::GuestError;
use super::plan::{Plan, PlanCheckError, PlanKind, PlanOptions, PlanRefusal, PlanRequest, Style};

/// What a connector is and can do.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorInfo {
    pub name: String,
    pub version: String,
    /// The SQL dialect it writes, e.g. `postgresql`.
    pub dialect: String,
    pub default_schema: Option<String>,
    /// Whether `schema.table`'s qualifier names a catalog (MariaDB's databases).
    pub qualifier_is_catalog: bool,
    pub max_parallel_tables: Option<u32>,
    pub styles: Vec<Style>,
    /// Declared `--connector-option` keys; `None` when its contract cannot declare them
    /// (0.2.0 and older), and the host then passes the options on unchecked.
    pub options: Option<Vec<OptionSpec>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    Integer,
    Boolean,
}

impl OptionKind {
    pub fn name(self) -> &'static str {
        match self {
            OptionKind::Text => "text",
            OptionKind::Integer => "integer",
            OptionKind::Boolean => "boolean",
        }
    }
}

/// One `--connector-option` a connector understands.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionSpec {
    pub name: String,
    pub kind: OptionKind,
    pub default: Option<String>,
    pub help: String,
}

/// Why a `--connector-option` was refused.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum OptionError {
    #[error("--connector-option {key}: connector {connector} has no such option (it has: {known})")]
    Unknown {
        connector: String,
        key: String,
        known: String,
    },
    #[error("--connector-option {key}={value}: connector {connector} wants {kind} here")]
    Kind {
        connector: String,
        key: String,
        value: String,
        kind: &'static str,
    },
}

impl ConnectorInfo {
    /// The user's options checked against the declarations, with declared defaults added for
    /// keys not given. Without declarations (old contracts) the options pass unchanged.
    pub fn checked_options(
        &self,
        given: &[(String, String)],
    ) -> Result<Vec<(String, String)>, OptionError> {
        let Some(specs) = &self.options else {
            return Ok(given.to_vec());
        };
        let mut out = Vec::with_capacity(specs.len());
        for (key, value) in given {
            let Some(spec) = specs.iter().find(|s| s.name == *key) else {
                let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
                return Err(OptionError::Unknown {
                    connector: self.name.clone(),
                    key: key.clone(),
                    known: if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                });
            };
            let fits = match spec.kind {
                OptionKind::Text => true,
                OptionKind::Integer => value.trim().parse::<i64>().is_ok(),
                OptionKind::Boolean => matches!(
                    value.trim().to_ascii_lowercase().as_str(),
                    "true" | "false" | "yes" | "no" | "1" | "0"
                ),
            };
            if !fits {
                return Err(OptionError::Kind {
                    connector: self.name.clone(),
                    key: key.clone(),
                    value: value.clone(),
                    kind: spec.kind.name(),
                });
            }
            out.push((key.clone(), value.clone()));
        }
        for spec in specs {
            if let Some(default) = &spec.default
                && !given.iter().any(|(k, _)| *k == spec.name)
            {
                out.push((spec.name.clone(), default.clone()));
            }
        }
        Ok(out)
    }
}

/// Why a plan could not be had.
#[derive(Clone, Debug, Error)]
pub enum PlanFailure {
    /// The guest could not be called, or stopped (a limit, a trap).
    #[error(transparent)]
    Guest(#[from] GuestError),
    /// The connector declined, in its own words.
    #[error("connector {connector}: {refusal}")]
    Refused {
        connector: String,
        refusal: PlanRefusal,
    },
    /// The connector returned a plan the host will not run.
    #[error("connector {connector}: {error}")]
    Invalid {
        connector: String,
        error: PlanCheckError,
    },
}

/// The seam to a connector: the sandbox implements it for every served contract version.
pub trait Planner {
    /// The name the host knows the connector by (built-in name or file stem).
    fn name(&self) -> &str;
    fn info(&self) -> &ConnectorInfo;
    /// Plans one table. The host checks the plan (see [`Plan::checked`]) before returning it.
    fn plan(
        &mut self,
        kind: PlanKind,
        table: &PlanRequest,
        options: &PlanOptions,
    ) -> Result<Plan, PlanFailure>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(options: Option<Vec<OptionSpec>>) -> ConnectorInfo {
        ConnectorInfo {
            name: "c".into(),
            version: "1".into(),
            dialect: "ansi".into(),
            default_schema: None,
            qualifier_is_catalog: false,
            max_parallel_tables: None,
            styles: vec![Style::ReplicationCopy],
            options,
        }
    }

    fn spec(name: &str, kind: OptionKind, default: Option<&str>) -> OptionSpec {
        OptionSpec {
            name: name.into(),
            kind,
            default: default.map(str::to_string),
            help: String::new(),
        }
    }

    #[test]
    fn declared_options_are_checked_and_defaulted() {
        let i = info(Some(vec![
            spec("batch", OptionKind::Integer, Some("10")),
            spec("fast", OptionKind::Boolean, None),
        ]));
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            i.checked_options(&[pair("fast", "yes")]).unwrap(),
            vec![pair("fast", "yes"), pair("batch", "10")]
        );
        assert!(matches!(
            i.checked_options(&[pair("bach", "5")]),
            Err(OptionError::Unknown { key, known, .. }) if key == "bach" && known == "batch, fast"
        ));
        assert!(matches!(
            i.checked_options(&[pair("batch", "many")]),
            Err(OptionError::Kind {
                kind: "integer",
                ..
            })
        ));
        // An old connector declares nothing: its options pass unchecked.
        assert_eq!(
            info(None).checked_options(&[pair("x", "y")]).unwrap(),
            vec![pair("x", "y")]
        );
    }
}
