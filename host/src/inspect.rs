//! `hvrwasmagent inspect <connector>`: what a connector is, what it supports, the limits it
//! runs under, and whether its cached compilation is valid.

use crate::agent::AgentError;
use crate::bridge;
use crate::connectors::{self, Origin};
use crate::options::Options;
use crate::runtime::bindings::types as wit;
use crate::runtime::{CONTRACT_PACKAGE, CONTRACT_VERSION, CacheStatus, Sandbox, SandboxError};

/// `args`: what followed `inspect` on the command line.
pub fn run(args: &[String]) -> Result<(), AgentError> {
    let (spec, rest) = match args.split_first() {
        Some((spec, rest)) if !spec.starts_with('-') => (spec.clone(), rest),
        _ => ("sqlite".to_string(), args),
    };
    let mut words = vec!["--connector".to_string(), spec];
    words.extend(rest.iter().cloned());
    let options = Options::from_words(words)?;
    let bytes = connectors::resolve(&options.connector, options.connector_dir.as_deref())?;
    let sandbox = Sandbox::new(options.limits(), options.compile_cache())?;
    let compiled = match sandbox.compile(&bytes.name, &bytes.wasm) {
        Err(SandboxError::NotAConnector { .. }) => {
            return inspect_transform(&sandbox, &bytes.name, &bytes.wasm, &bytes.origin);
        }
        other => other?,
    };
    let mut connector = sandbox.instantiate(&bytes.name, &compiled)?;
    let info = connector.info().clone();
    let origin = match &bytes.origin {
        Origin::BuiltIn => "built into this binary".to_string(),
        Origin::File(p) => p.display().to_string(),
    };
    let limits = sandbox.limits();
    let row = |k: &str, v: String| say!("{k:<12}{v}");
    row(
        "connector",
        format!("{} {} ({origin})", info.name, info.version),
    );
    row(
        "contract",
        format!(
            "{CONTRACT_PACKAGE}@{} (this host serves {CONTRACT_PACKAGE}@{CONTRACT_VERSION})",
            compiled.contract
        ),
    );
    row("dialect", info.dialect.clone());
    row("styles", bridge::style_name(&info.styles).join(", "));
    row("load", sample_load(&mut connector));
    row(
        "tables",
        match info.max_parallel_tables {
            Some(n) => format!("at most {n} at a time"),
            None => "in parallel up to --parallel".into(),
        },
    );
    row(
        "names",
        format!(
            "qualifier is a {}{}",
            if info.qualifier_is_catalog {
                "catalog (database)"
            } else {
                "schema"
            },
            info.default_schema
                .as_ref()
                .map(|s| format!("; unqualified names are looked up in {s}"))
                .unwrap_or_default()
        ),
    );
    row("limits", limits_line(limits));
    row("cache", cache_line(&compiled.cache));
    Ok(())
}

fn cache_line(status: &CacheStatus) -> String {
    match status {
        CacheStatus::Disabled => "disabled".into(),
        CacheStatus::Hit(p) => format!("valid: {}", p.display()),
        CacheStatus::Stored(p) => format!("was missing; compiled and stored: {}", p.display()),
        CacheStatus::Replaced(p) => {
            format!("was unusable; compiled again and replaced: {}", p.display())
        }
        CacheStatus::NotStored(why) => format!("compiled, but not stored: {why}"),
    }
}

fn limits_line(limits: crate::runtime::Limits) -> String {
    format!(
        "{} ms per call (--guest-timeout-ms), {} MiB memory (--guest-memory-mb); no files, network, environment or arguments",
        limits.timeout.as_millis(),
        limits.memory / (1024 * 1024)
    )
}

fn inspect_transform(
    sandbox: &Sandbox,
    name: &str,
    wasm: &[u8],
    origin: &Origin,
) -> Result<(), AgentError> {
    let compiled = sandbox.compile_transform(name, wasm)?;
    let transform = sandbox.instantiate_transform(name, &compiled)?;
    let origin = match origin {
        Origin::BuiltIn => "built into this binary".to_string(),
        Origin::File(p) => p.display().to_string(),
    };
    let row = |k: &str, v: String| say!("{k:<12}{v}");
    row(
        "transform",
        format!(
            "{} {} ({origin})",
            transform.info().name,
            transform.info().version
        ),
    );
    row(
        "contract",
        format!(
            "{CONTRACT_PACKAGE}@{} transform (this host serves {CONTRACT_PACKAGE}@{CONTRACT_VERSION})",
            compiled.contract
        ),
    );
    row(
        "use",
        "--transform PATH, with --transform-option KEY=VALUE".into(),
    );
    row("limits", limits_line(sandbox.limits()));
    row("cache", cache_line(&compiled.cache));
    Ok(())
}

/// The load shape a refresh of a two-column table gets planned with.
fn sample_load(connector: &mut crate::runtime::ConnectorInstance) -> String {
    let column = |name: &str, key| wit::Column {
        name: name.into(),
        base_name: name.into(),
        is_key: key,
        role: wit::ColumnRole::Data,
    };
    let target = |name: &str, ty: &str| wit::TargetColumn {
        name: name.into(),
        type_name: ty.into(),
        size: None,
        scale: None,
        nullable: true,
    };
    let table = wit::Table {
        name: "sample".into(),
        base_name: "sample".into(),
        schema: None,
        columns: vec![column("id", true), column("v", false)],
        target_columns: Some(vec![target("id", "integer"), target("v", "text")]),
        multi_delete_exclude: None,
    };
    let options = wit::Options {
        style: wit::TargetStyle::ReplicationCopy,
        keep_op_column: false,
        keep_soft_delete_column: false,
        preserve_on_refresh: false,
        refresh_shadow: false,
        extra: vec![],
    };
    match connector.plan_refresh(&table, &options) {
        Ok(Ok(plan)) => {
            let shape = match plan.load.shape {
                wit::LoadShape::ParameterArray(_) => "ODBC parameter arrays".to_string(),
                wit::LoadShape::MultiRowValues(m) => {
                    format!(
                        "multi-row VALUES, {} rows per statement",
                        m.rows_per_statement
                    )
                }
                wit::LoadShape::PostgresTextArrays(_) => {
                    "one PostgreSQL array per column (unnest)".to_string()
                }
            };
            format!("{shape}, {} rows per batch", plan.load.batch_rows)
        }
        Ok(Err(e)) => format!("(a sample refresh plan failed: {})", bridge::plan_error(e)),
        Err(e) => format!("(a sample refresh plan failed: {e})"),
    }
}
