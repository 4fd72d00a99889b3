//! The AgentPlugin contract: modes, exit codes, the long environment, recovery and secrets.

use crate::support::Scenario;
use crate::support::hvr::{BINARY, File};
use crate::support::model::Style;
use crate::support::target::Db;

#[test]
fn unknown_mode_exits_2_and_prints_nothing() {
    let out = std::process::Command::new(BINARY)
        .args(["cap_end", "chn", "loc", ""])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn begin_modes_succeed_without_a_target() {
    let s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "begin_modes");
    s.hvr.call("integ_begin", &[]).assert_ok();
    s.hvr.call("refr_write_begin", &[]).assert_ok();
}

#[test]
fn empty_file_list_does_nothing() {
    let s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "empty_list");
    let vars = vec![
        ("HVR_TBL_NAMES".to_string(), String::new()),
        ("HVR_FILE_NAMES".to_string(), String::new()),
    ];
    let run = s.hvr.call("integ_end", &vars);
    run.assert_ok();
    assert!(run.stdout.contains("nothing to load"), "{}", run.stdout);
}

#[test]
fn unknown_option_names_the_option() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "bad_option");
    s.hvr.user_arg = "--no-such-option".into();
    s.hvr
        .call("integ_end", &[])
        .assert_fails_with(&["--no-such-option"]);
}

#[test]
fn abbreviated_list_fails_unless_long_environment_gives_it() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "long_env");
    let changes = s.refresh_changes(4);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    s.hvr.write(&files);
    let full = s.hvr.end_env(&[&orders], &files, true);
    let abbreviated: Vec<(String, String)> = full
        .iter()
        .map(|(k, v)| {
            if k == "HVR_FILE_NAMES" {
                (k.clone(), format!("{}...", &v[..5]))
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    s.hvr
        .call("refr_write_end", &abbreviated)
        .assert_fails_with(&["HVR_FILE_NAMES", "abbreviated"]);

    let json = format!(
        "{{\"HVR_FILE_NAMES\": \"{}\"}}",
        full.iter().find(|(k, _)| k == "HVR_FILE_NAMES").unwrap().1
    );
    let long = s.hvr.dir.join("long_env.json");
    std::fs::write(&long, json).unwrap();
    let mut vars = abbreviated;
    vars.push(("HVR_LONG_ENVIRONMENT".into(), long.display().to_string()));
    s.hvr.call("refr_write_end", &vars).assert_ok();
    s.models.truncate(1);
    s.assert_target_matches("after refresh through the long environment");
}

/// HVR re-invokes `integ_end` after an interruption. Files all gone: applied already, skip.
/// Some gone: refuse, nothing applied.
#[test]
fn rerun_after_files_are_gone_skips_and_partial_files_fail() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "recovery");
    let refresh = s.refresh_changes(5);
    s.hvr.refresh(&refresh).assert_ok();
    let changes = s.cycle_changes(12, None);
    let orders = s.hvr.tables[0].clone();
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 2);
    assert_eq!(files.len(), 2);
    s.hvr.write(&files);
    let vars = s.hvr.end_env(&[&orders], &files, false);
    s.hvr.call("integ_end", &vars).assert_ok();
    let rerun = s.hvr.call("integ_end", &vars);
    rerun.assert_ok();
    assert!(
        rerun.stdout.contains("previous run applied them"),
        "{}",
        rerun.stdout
    );

    let changes = s.cycle_changes(12, None);
    let files = s.hvr.files_for(&orders, &changes[0].1, false, 2);
    s.hvr.write(&files[1..]);
    let vars = s.hvr.end_env(&[&orders], &files, false);
    s.hvr
        .call("integ_end", &vars)
        .assert_fails_with(&["orders", "only 1 of its 2 files are present"]);
    assert_eq!(s.hvr.leftover_files(), vec![files[1].name.clone()]);
}

#[test]
fn connect_string_secret_never_appears_in_output() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "secret");
    let changes = s.refresh_changes(2);
    let orders = s.hvr.tables[0].clone();
    let files: Vec<File> = s.hvr.files_for(&orders, &changes[0].1, true, 1);
    s.hvr.write(&files);
    s.hvr.env = vec![(
        "HVR_WASM_CONNECT_STRING".into(),
        "Driver={No Such Driver};Pwd=hunter2-secret;".into(),
    )];
    s.hvr.user_arg = "-v".into();
    let run = s
        .hvr
        .call("refr_write_end", &s.hvr.end_env(&[&orders], &files, true));
    run.assert_fails_with(&["cannot connect"]);
    assert!(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"));
}

#[test]
fn missing_target_table_is_created_on_refresh_as_text() {
    let mut s = Scenario::new(Db::Sqlite, Style::ReplicationCopy, "create_missing");
    s.target.execute(&["DROP TABLE \"line_items\"".to_string()]);
    let refresh = s.refresh_changes(6);
    let run = s.hvr.refresh(&refresh);
    run.assert_ok();
    assert!(
        run.stdout.contains("does not exist; creating it"),
        "{}",
        run.stdout
    );
    s.assert_target_matches("after refresh into created table");
}
