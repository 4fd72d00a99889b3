//! `hvrwasmagent inspect <connector>`: what a connector is, what it supports, the limits it
//! runs under, and whether its cached compilation is valid.

use crate::agent::AgentError;
use crate::connectors::{self, Origin};
use crate::domain::{
    FileColumn, LoadShape, OptionSpec, PlanKind, PlanOptions, PlanRequest, Planner, Style,
    TargetColumn, Transformer,
};
use crate::options::Options;
use crate::runtime::version;
use crate::runtime::{
    CONNECTOR_VERSIONS, CONTRACT_PACKAGE, CacheStatus, Sandbox, SandboxError, TRANSFORM_PACKAGE,
    TRANSFORM_VERSIONS,
};

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
        Err(not_connector @ SandboxError::NotAGuest { .. }) => {
            // Neither a connector nor a transform: the connector's error says what it exports.
            // A transform's own error only when it exports the transform interface at all;
            // anything else is described by what the connector check found.
            let exports_transform = bytes
                .wasm
                .windows(TRANSFORM_PACKAGE.len())
                .any(|w| w == TRANSFORM_PACKAGE.as_bytes());
            return match inspect_transform(&sandbox, &bytes.name, &bytes.wasm, &bytes.origin) {
                Err(_) if !exports_transform => Err(not_connector.into()),
                other => other,
            };
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
            "{} (this host serves {CONTRACT_PACKAGE}@{})",
            compiled.contract,
            version::list(&CONNECTOR_VERSIONS)
        ),
    );
    row("dialect", info.dialect.clone());
    row(
        "styles",
        info.styles
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", "),
    );
    row("options", options_line(info.options.as_deref()));
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
            "{} (this host serves {TRANSFORM_PACKAGE}@{}, and {CONTRACT_PACKAGE}@0.2.0 transforms)",
            compiled.contract,
            version::list(&TRANSFORM_VERSIONS)
        ),
    );
    let info = transform.info();
    row(
        "may",
        match (info.may_drop_deletes, info.may_change_keys) {
            (false, false) => "neither drop deletes nor change keys in integrate (checked)".into(),
            (true, false) => "drop deletes; not change keys (checked)".into(),
            (false, true) => "change keys; not drop deletes (checked)".into(),
            (true, true) => "drop deletes and change keys".into(),
        },
    );
    row(
        "options",
        match &info.options {
            None => "not declared (contract 0.2.0): passed unchecked".into(),
            Some(o) if o.is_empty() => "none".into(),
            Some(o) => o.join(", "),
        },
    );
    row(
        "use",
        format!(
            "--transform PATH, with --transform-option {name}.OPTION=VALUE",
            name = transform.name()
        ),
    );
    row("limits", limits_line(sandbox.limits()));
    row("cache", cache_line(&compiled.cache));
    Ok(())
}

fn options_line(options: Option<&[OptionSpec]>) -> String {
    match options {
        None => {
            "not declared (contract 0.2.0 or older): --connector-option passed unchecked".into()
        }
        Some([]) => "none".into(),
        Some(specs) => specs
            .iter()
            .map(|o| {
                let default = o
                    .default
                    .as_ref()
                    .map(|d| format!(", default {d}"))
                    .unwrap_or_default();
                format!("{} ({}{default}): {}", o.name, o.kind.name(), o.help)
            })
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The load shape a refresh of a two-column table gets planned with.
fn sample_load(connector: &mut dyn Planner) -> String {
    let column = |name: &str, key| FileColumn {
        is_key: key,
        ..FileColumn::data(name)
    };
    let target = |name: &str, ty: &str| TargetColumn {
        name: name.into(),
        type_name: ty.into(),
        size: None,
        scale: None,
        nullable: true,
        logical_type: None,
    };
    let table = PlanRequest {
        name: "sample".into(),
        base_name: "sample".into(),
        schema: None,
        columns: vec![column("id", true), column("v", false)],
        target_columns: Some(vec![target("id", "integer"), target("v", "text")]),
        multi_delete_exclude: None,
    };
    let options = PlanOptions {
        style: Style::ReplicationCopy,
        keep_op_column: false,
        keep_soft_delete_column: false,
        preserve_on_refresh: false,
        refresh_shadow: false,
        sets_aside_rejected_rows: false,
        each_key_once: false,
        extra: vec![],
    };
    match connector.plan(PlanKind::Refresh, &table, &options) {
        Ok(plan) => {
            let shape = match plan.shape {
                LoadShape::ParameterArray(_) => "ODBC parameter arrays".to_string(),
                LoadShape::MultiRowValues {
                    rows_per_statement, ..
                } => format!("multi-row VALUES, {rows_per_statement} rows per statement"),
                LoadShape::PostgresTextArrays(_) => {
                    "one PostgreSQL array per column (unnest)".to_string()
                }
                LoadShape::PostgresCopy(_) => {
                    "PostgreSQL COPY on the native connection".to_string()
                }
                LoadShape::MariadbLoadData { .. } => {
                    "LOAD DATA LOCAL INFILE over a pipe".to_string()
                }
            };
            format!("{shape}, {} rows per batch", plan.batch_rows)
        }
        Err(e) => format!("(a sample refresh plan failed: {e})"),
    }
}
