//! Contract 0.4 as a user meets it: connectors built for 0.4.0, 0.3.0 and 0.2.0 keep
//! working, one built for a newer patch than the host knows is refused in a sentence,
//! connector options are checked against what the connector declares, and a transform may
//! not drop a delete or change a key in integrate unless it declares that it may.

use crate::support::hvr::guest_wasm;
use crate::support::model::Style;
use crate::support::target::Db;
use crate::support::{Scenario, refresh_orders};

fn inspect(path: &str) -> String {
    let out = std::process::Command::new(crate::support::hvr::BINARY)
        .args(["inspect", path, "--compile-cache", "off"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A refresh and three integrate cycles through a connector built for an older contract,
/// each leaving the target equal to the model; returns what `inspect` says of it, after
/// checking it names `version`.
fn older_connector_keeps_working(guest: &str, version: &str, test: &str) -> String {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, test);
    let wasm = guest_wasm(guest).display().to_string();
    s.hvr.user_arg = format!("--connector {wasm}");
    let refresh = s.refresh_changes(15);
    s.hvr.refresh(&refresh).assert_ok();
    s.assert_target_matches(&format!("after a refresh through a {version} connector"));
    for cycle in 1..=3 {
        let changes = s.cycle_changes(12, None);
        s.hvr.integrate(&changes).assert_ok();
        s.assert_target_matches(&format!(
            "after cycle {cycle} through a {version} connector"
        ));
        s.assert_no_files_left();
    }
    let text = inspect(&wasm);
    assert!(
        text.contains(&format!("contract    hvrwasm:connector@{version}")),
        "{text}"
    );
    text
}

#[test]
fn connector_built_for_0_3_0_keeps_working() {
    older_connector_keeps_working("guest_legacy_v0_3", "0.3.0", "contract_v0_3");
}

/// 0.4.1 added an import (`planning-context`); a connector built for 0.4.0 imports only `log`.
#[test]
fn connector_built_for_0_4_0_keeps_working() {
    older_connector_keeps_working("guest_legacy_v0_4_0", "0.4.0", "contract_v0_4_0");
}

#[test]
fn connector_built_for_0_2_0_keeps_working() {
    let text = older_connector_keeps_working("guest_legacy_v0_2", "0.2.0", "contract_v0_2");
    assert!(text.contains("not declared"), "{text}");
}

#[test]
fn connector_built_for_a_newer_patch_is_refused_before_it_runs() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "contract_newer_patch");
    s.hvr.user_arg = format!("--connector {}", guest_wasm("guest_newer_patch").display());
    let run = refresh_orders(&mut s);
    run.assert_fails_with(&[
        "connector guest_newer_patch targets hvrwasm:connector@0.4.3",
        "this host knows hvrwasm:connector only up to 0.4.2",
        "update hvrwasmagent",
    ]);
    assert_eq!(s.hvr.leftover_files().len(), 1);
}

#[test]
fn undeclared_connector_option_is_refused_with_the_known_ones() {
    let mut s = Scenario::new(
        Db::Sqlite,
        Style::ReplicationCopy,
        "contract_option_unknown",
    );
    s.hvr.user_arg = "--connector-option batch-rows=5".into();
    let run = refresh_orders(&mut s);
    run.assert_fails_with(&[
        "--connector-option batch-rows: connector sqlite has no such option (it has: none)",
    ]);
    assert!(s.target.rows(&s.models[0].def, s.style).is_empty());
    assert_eq!(s.hvr.leftover_files().len(), 1);
}

#[test]
fn connector_option_of_the_wrong_kind_is_refused() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "contract_option_kind");
    s.hvr
        .user_arg
        .push_str(" --connector-option shadow-swap-wait=soon");
    let run = refresh_orders(&mut s);
    run.assert_fails_with(&["shadow-swap-wait", "connector postgres wants integer here"]);
    assert_eq!(s.hvr.leftover_files().len(), 1);
    let text = inspect("postgres");
    assert!(
        text.contains("shadow-swap-wait (integer, default 60)"),
        "{text}"
    );
}

/// Refresh through `transform` (with its options), then one integrate cycle that holds at
/// least one delete; returns the integrate run and whether the target changed.
fn integrate_through(
    db: Db,
    test: &str,
    transform: &str,
) -> (Scenario, crate::support::hvr::Run, bool) {
    let mut s = Scenario::new(db, Style::ReplicationCopy, test);
    s.hvr.user_arg.push_str(&format!(" {transform}"));
    let refresh = s.refresh_changes(30);
    s.hvr.refresh(&refresh).assert_ok();
    let before = s.target.rows(&s.models[0].def, s.style);
    let changes = s.cycle_changes(30, None);
    assert!(
        changes.iter().flat_map(|(_, c)| c).any(|c| c.op == 0),
        "the cycle must hold a delete"
    );
    let run = s.hvr.integrate(&changes);
    let changed = s.target.rows(&s.models[0].def, s.style) != before;
    (s, run, changed)
}

#[test]
fn legacy_transform_dropping_deletes_in_integrate_is_refused() {
    let transform = format!(
        "--transform {} --transform-option column=op_type --transform-option equals=0",
        guest_wasm("transform_legacy").display()
    );
    let (s, run, changed) = integrate_through(Db::Sqlite, "contract_drops_deletes", &transform);
    run.assert_fails_with(&[
        "transform transform_legacy dropped or rewrote a delete in an integrate cycle",
        "nothing was applied",
    ]);
    assert!(!changed, "target unchanged");
    assert!(!s.hvr.leftover_files().is_empty(), "files kept");
}

#[test]
fn sdk_transform_dropping_deletes_without_declaring_it_is_refused() {
    let transform = format!(
        "--transform {} --transform-option behave=drop-deletes",
        guest_wasm("transform_hostile").display()
    );
    let (s, run, changed) = integrate_through(Db::Mariadb, "contract_sdk_drops", &transform);
    run.assert_fails_with(&[
        "transform transform_hostile dropped or rewrote a delete in an integrate cycle",
    ]);
    assert!(!changed, "target unchanged");
    assert!(!s.hvr.leftover_files().is_empty(), "files kept");
}

#[test]
fn sdk_filter_lets_deletes_through_in_integrate() {
    // Filtering on the op column would drop every delete; the SDK's filter keeps them.
    let transform = format!(
        "--transform {} --transform-option filter.column=op_type --transform-option filter.equals=0",
        guest_wasm("transform_filter").display()
    );
    let (s, run, _) = integrate_through(Db::Postgres, "contract_filter_keeps", &transform);
    run.assert_ok();
    s.assert_target_matches("deletes passed the filter");
    s.assert_no_files_left();
}

#[test]
fn transform_changing_a_key_in_integrate_is_refused() {
    let transform = format!(
        "--transform {} --transform-option behave=change-key",
        guest_wasm("transform_hostile").display()
    );
    let (_, run, changed) = integrate_through(Db::Sqlite, "contract_changes_key", &transform);
    run.assert_fails_with(&["transform transform_hostile changed the op, SoftDelete or key"]);
    assert!(!changed);
}

#[test]
fn transform_options_are_checked_and_addressed() {
    let mut s = Scenario::new(
        Db::Sqlite,
        Style::ReplicationCopy,
        "contract_transform_option",
    );
    s.hvr.user_arg = format!(
        "--transform {} --transform-option mask.colums=note",
        guest_wasm("transform_mask").display()
    );
    refresh_orders(&mut s).assert_fails_with(&[
        "--transform-option colums: transform transform_mask has no such option (it has: columns, salt, suffix)",
    ]);
    assert_eq!(s.hvr.leftover_files().len(), 1);
}

/// Columns carry the logical type the target's catalog gives them, through the host's domain,
/// the 0.3 contract and the SDK's types (PostgreSQL: the probing connector qualifies names by
/// schema, which MariaDB's driver refuses).
#[test]
fn connectors_see_the_target_columns_logical_types() {
    let mut s = Scenario::new(Db::Postgres, Style::ReplicationCopy, "contract_types_pg");
    s.hvr.user_arg = format!(
        "--connector {} --connector-option behave=types",
        guest_wasm("guest_hostile").display()
    );
    refresh_orders(&mut s).assert_fails_with(&[
        "probe: types id:int32,customer:text,amount:decimal(12,2),note:text,created:timestamp(6)",
    ]);
}
