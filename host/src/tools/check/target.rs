//! `check`'s target checks: connecting, the state table (and the history and error tables
//! when asked for), and each table of `HVR_TBL_NAMES` with the columns HVR will send.

use super::Report;
use crate::domain::{ConnectorInfo, TargetColumn};
use crate::fence::StateTable;
use crate::hvr::rename::RenameExpression;
use crate::hvr::{HvrEnv, Invocation, TableSpec};
use crate::ledger::Ledgers;
use crate::odbc::{Database, Session};

use crate::options::Options;

pub(super) fn check(
    options: &Options,
    env: &HvrEnv,
    info: Option<&ConnectorInfo>,
    report: &mut Report,
) {
    let mut target = match Session::connect(
        options.connect_string.as_deref(),
        options.dsn.as_deref(),
        false,
        options.native_sqlite(),
    ) {
        Ok(t) => t,
        Err(e) => {
            report.fail(
                "target",
                e,
                "check --connect-string or --dsn (HVR_WASM_CONNECT_STRING): driver, server, port, database, user and password",
            );
            return;
        }
    };
    let how = match target {
        Session::Odbc(_) => "",
        Session::Sqlite(_) => ", natively",
    };
    report.ok("target", format!("connected ({}{how})", target.dbms_name()));
    // What every call sets up before any table: a connection that is not in UTF-8 is refused.
    if let Err(e) = target.require_exact_values() {
        report.fail(
            "session",
            e,
            "set CHARSET=utf8mb4 (MariaDB, MySQL) or leave client_encoding at UTF8 (PostgreSQL)",
        );
        return;
    }
    if let Some(conninfo) = &options.native_connect_string {
        target.use_native_settings(conninfo);
    }
    native_session(&target, options, report);
    state_table(&target, options, report);
    ledgers(&target, options, report);
    if let Some(info) = info {
        tables(&target, env, info, options, report);
    }
}

/// A PostgreSQL target loads with COPY over a native session unless `load=unnest` is chosen:
/// prove now that it opens, rather than at the first refresh.
fn native_session(target: &Session, options: &Options, report: &mut Report) {
    let postgres = target.dbms_name().to_ascii_lowercase().contains("postgres");
    let over_odbc = options
        .connector_options
        .iter()
        .any(|o| o.replace(' ', "").eq_ignore_ascii_case("load=unnest"));
    if !postgres || over_odbc {
        return;
    }
    match target.probe_native() {
        Ok(encrypted) => report.ok(
            "native",
            format!(
                "PostgreSQL session for COPY loads: connected ({})",
                if encrypted { "TLS" } else { "not encrypted" }
            ),
        ),
        Err(e) => report.fail(
            "native",
            e,
            "COPY loads open a native PostgreSQL session from the connect string's settings: fix them or give --native-connect-string, or load over ODBC with --connector-option load=unnest",
        ),
    }
}

fn state_table(target: &Session, options: &Options, report: &mut Report) {
    let name = &options.state_table;
    let state = match StateTable::new(name) {
        Ok(s) => s,
        Err(e) => return report.fail("state table", e, "fix --state-table"),
    };
    let probe = format!("SELECT 1 FROM {name} WHERE 1 = 0");
    let existed = target.execute("probing the state table", &probe).is_ok();
    if let Err(e) = state.prepare(target) {
        return report.fail(
            "state table",
            e,
            "the target user needs the right to create a table there (or create it once by hand with a user who has), or name another with --state-table",
        );
    }
    // A row written and rolled back: the right to write it, and nothing changed.
    let insert =
        format!("INSERT INTO {name} (channel, location, table_name, digest) VALUES (?, ?, ?, '')");
    let pid = std::process::id().to_string();
    let written = target.begin().and_then(|()| {
        let result = target.execute_with(
            "writing a probe row into the state table",
            &insert,
            &["hvrwasmagent check", &pid, "probe"],
        );
        target.rollback().and(result)
    });
    match written {
        Ok(()) => report.ok(
            "state table",
            format!(
                "{name}: {}, writable",
                if existed { "exists" } else { "created (empty)" }
            ),
        ),
        Err(e) => report.fail(
            "state table",
            e,
            "the target user needs INSERT and UPDATE rights on the state table",
        ),
    }
}

fn ledgers(target: &Session, options: &Options, report: &mut Report) {
    let toolbox = &options.toolbox;
    if toolbox.history_table.is_none() && toolbox.error_table.is_none() {
        return;
    }
    let result = Ledgers::new(
        toolbox.history_table.as_deref(),
        toolbox.error_table.as_deref(),
        String::new(),
    )
    .and_then(|l| l.prepare(target));
    let names: Vec<&str> = [
        toolbox.history_table.as_deref(),
        toolbox.error_table.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    match result {
        Ok(()) => report.ok("ledgers", format!("{} ready", names.join(", "))),
        Err(e) => report.fail(
            "ledgers",
            e,
            "the target user needs the right to create these tables, or create them once by hand",
        ),
    }
}

/// Each table HVR names: it exists, with every column the files will carry.
fn tables(
    target: &Session,
    env: &HvrEnv,
    info: &ConnectorInfo,
    options: &Options,
    report: &mut Report,
) {
    if env.raw("HVR_TBL_NAMES").is_none_or(str::is_empty) {
        return report.ok("tables", "HVR_TBL_NAMES is not set: no table checked");
    }
    let invocation =
        RenameExpression::parse(&options.files.rename_expression(&options.rename_expression))
            .map_err(|e| e.to_string())
            .and_then(|rename| Invocation::from_env(env, &rename).map_err(|e| e.to_string()));
    let invocation = match invocation {
        Ok(i) => i,
        Err(e) => return report.fail("tables", e, "fix the HVR_* table variables named above"),
    };
    for spec in &invocation.tables {
        table(target, spec, info, options, report);
    }
}

fn table(
    target: &Session,
    spec: &TableSpec,
    info: &ConnectorInfo,
    options: &Options,
    report: &mut Report,
) {
    let what = format!("table {}", spec.name);
    let existing = match columns_of(target, spec, info) {
        Ok(c) => c,
        Err(e) => return report.fail(&what, e, "the target user needs to read the catalog"),
    };
    if existing.is_empty() {
        return report.fail(
            &what,
            format!("{} is not in the target", spec.qualified_base_name()),
            "run an HVR refresh of it first (the refresh creates it); integrate cycles fail until then",
        );
    }
    let dropped = |name: &str| {
        (name == options.op_column && options.keep_op_column.is_none() && !options.time_key)
            || (name == options.soft_delete_column
                && options.keep_soft_delete_column.is_none()
                && !options.time_key)
    };
    let has = |name: &str| existing.iter().any(|c| c.name.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = spec
        .columns
        .iter()
        .filter(|c| !dropped(&c.name) && !dropped(&c.base_name) && !has(&c.base_name))
        .map(|c| c.base_name.as_str())
        .collect();
    let keys: Vec<&str> = spec
        .columns
        .iter()
        .filter(|c| c.is_key)
        .map(|c| c.base_name.as_str())
        .collect();
    if missing.is_empty() {
        let key = if keys.is_empty() {
            "none".to_string()
        } else {
            keys.join(", ")
        };
        report.ok(
            &what,
            format!(
                "{}: {} column(s), key {key}",
                spec.qualified_base_name(),
                existing.len()
            ),
        );
        return primary_key(target, spec, info, &keys, report);
    }
    let missing_key = missing.iter().any(|m| keys.contains(m));
    report.fail(
        &what,
        format!(
            "{} lacks column(s) {} that HVR will send{}",
            spec.qualified_base_name(),
            missing.join(", "),
            if missing_key { " (part of the key)" } else { "" }
        ),
        if missing_key {
            "a key column cannot be added by a cycle: refresh the table with -r (recreate), or add it by hand"
        } else {
            "add it by hand with the right type; otherwise the next cycle adds it (--adapt-ddl add-columns, typed by the file or --column-type) or, with --adapt-ddl none, fails"
        },
    );
}

/// The target's primary key against HVR's key: a table without one, or with another, can take
/// changes twice or apply them to the wrong row (MariaDB's upserts match on any unique key).
fn primary_key(
    target: &Session,
    spec: &TableSpec,
    info: &ConnectorInfo,
    keys: &[&str],
    report: &mut Report,
) {
    let what = format!("table {}", spec.name);
    let (catalog, schema) = qualifiers(target, spec, info);
    let Ok(primary) = target.primary_key(catalog.as_deref(), schema.as_deref(), &spec.base_name)
    else {
        return;
    };
    let same = is_hvr_key(&primary, keys);
    if keys.is_empty() {
        return;
    }
    if info.name == "mariadb" && !has_a_key_within(target, spec, catalog.as_deref(), keys) {
        report.fail(
            &what,
            format!(
                "{} has no primary or unique key of HVR's key columns ({}) only: every integrate cycle fails until it has one",
                spec.qualified_base_name(),
                keys.join(", ")
            ),
            "add a primary or unique key on HVR's key columns: the mariadb connector's upsert finds a change's row by it, and without one would add every update as a new row",
        );
        return;
    }
    other_unique_keys(target, spec, catalog.as_deref(), keys, report);
    if same {
        return;
    }
    let detail = if primary.is_empty() {
        format!(
            "{} has no primary key (HVR's key: {})",
            spec.qualified_base_name(),
            keys.join(", ")
        )
    } else {
        format!(
            "{}'s primary key is ({}) but HVR's key is ({})",
            spec.qualified_base_name(),
            primary.join(", "),
            keys.join(", ")
        )
    };
    report.warn(
        &what,
        detail,
        "make HVR's key columns the primary key (or a unique key): MariaDB's upserts and every re-keyed update rely on it",
    );
}

/// Whether the table has a unique key (primary included) made of HVR's key columns only; true
/// when the catalog cannot say.
fn has_a_key_within(
    target: &Session,
    spec: &TableSpec,
    catalog: Option<&str>,
    keys: &[&str],
) -> bool {
    let Ok(unique) = crate::odbc::unique_keys(target, catalog, &spec.base_name) else {
        return true;
    };
    unique.iter().any(|u| {
        u.columns
            .iter()
            .all(|c| keys.iter().any(|k| k.eq_ignore_ascii_case(c)))
    })
}

fn is_hvr_key(columns: &[String], keys: &[&str]) -> bool {
    columns.len() == keys.len()
        && columns
            .iter()
            .all(|c| keys.iter().any(|k| k.eq_ignore_ascii_case(c)))
}

/// MariaDB/MySQL: a unique key besides HVR's key. The connector's upsert meets rows by any
/// unique key, so a cycle that moves one of its values to a row earlier in key order fails
/// the upsert (it refuses to overwrite the row holding it) and the host applies the cycle
/// again in ranges of its changes (see `table::in_order`), which costs reads of the files; a
/// value the source let two rows hold fails the table.
fn other_unique_keys(
    target: &Session,
    spec: &TableSpec,
    catalog: Option<&str>,
    keys: &[&str],
    report: &mut Report,
) {
    let Ok(unique) = crate::odbc::unique_keys(target, catalog, &spec.base_name) else {
        return;
    };
    let others: Vec<String> = unique
        .iter()
        // A primary key other than HVR's key has its own warning.
        .filter(|u| u.name != "PRIMARY" && !is_hvr_key(&u.columns, keys))
        .map(|u| format!("{} ({})", u.name, u.columns.join(", ")))
        .collect();
    if others.is_empty() {
        return;
    }
    report.warn(
        &format!("table {}", spec.name),
        format!(
            "{} has unique key(s) besides HVR's key: {}",
            spec.qualified_base_name(),
            others.join(", ")
        ),
        "upserts meet rows by any unique key: a cycle that moves one of its values to a row earlier in key order is applied again in order, range by range (slower), and a value two rows hold at once fails the table; make it non-unique if the source does not enforce it",
    );
}

fn qualifiers(
    target: &Session,
    spec: &TableSpec,
    info: &ConnectorInfo,
) -> (Option<String>, Option<String>) {
    let qualifier = spec.schema.clone().or(info.default_schema.clone());
    if info.qualifier_is_catalog {
        (qualifier.or_else(|| target.current_catalog()), None)
    } else {
        (None, qualifier)
    }
}

fn columns_of(
    target: &Session,
    spec: &TableSpec,
    info: &ConnectorInfo,
) -> Result<Vec<TargetColumn>, crate::odbc::OdbcError> {
    let (catalog, schema) = qualifiers(target, spec, info);
    target.columns(catalog.as_deref(), schema.as_deref(), &spec.base_name)
}
