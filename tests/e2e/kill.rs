//! Exactly once, whatever moment `integ_end` dies at: each trial kills the call (SIGKILL at a
//! seeded random moment, or an abort at a chosen point: before commit, after commit, after the
//! first file is deleted), sometimes lets HVR re-invoke with empty lists first, then re-invokes
//! with the same environment until it succeeds. The target must then equal the model exactly,
//! and no file may be left.

use std::time::{Duration, Instant};

use crate::support::Scenario;
use crate::support::data::Rng;
use crate::support::model::Style;
use crate::support::target::Db;

const CRASH_POINTS: [&str; 3] = ["before-commit", "after-commit", "after-first-delete"];
const RANDOM_KILLS: usize = 9;

fn kill_trials(db: Db, style: Style, test: &str) {
    kill_trials_on(Scenario::new(db, style, test), test);
}

/// The trials on a prepared scenario (its files may live in a cloud store).
pub fn kill_trials_on(mut s: Scenario, test: &str) {
    let refresh = s.refresh_changes(20);
    s.hvr.refresh(&refresh).assert_ok();
    let mut rng = Rng::new(test.len() as u64 * 104_729);

    // A normal cycle tells how long a call takes, so random kills land inside one.
    let changes = s.cycle_changes(40, None);
    let vars = s.hvr.stage_integrate(&changes);
    let started = Instant::now();
    s.hvr.call("integ_end", &vars).assert_ok();
    let typical = started.elapsed();
    s.assert_target_matches("after the timing cycle");

    for trial in 0..CRASH_POINTS.len() + RANDOM_KILLS {
        let changes = s.cycle_changes(40, None);
        s.hvr.call("integ_begin", &[]).assert_ok();
        let vars = s.hvr.stage_integrate(&changes);
        let how = if let Some(point) = CRASH_POINTS.get(trial) {
            let mut with_crash = vars.clone();
            with_crash.push(("HVR_WASM_TEST_CRASH_AT".into(), (*point).into()));
            let run = s.hvr.call("integ_end", &with_crash);
            assert_ne!(run.code, 0, "the crash point {point} was not reached");
            format!("abort {point}")
        } else {
            let delay = Duration::from_micros(rng.below(typical.as_micros() as u64 * 11 / 10 + 1));
            let mut child = s
                .hvr
                .command("integ_end", &vars)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let _ = child.kill();
            child.wait().unwrap();
            format!("SIGKILL after {delay:?}")
        };
        if rng.chance(40) {
            // HVR may also re-invoke with empty lists after a recovery: nothing to do, no error.
            let empty = vec![
                ("HVR_TBL_NAMES".to_string(), String::new()),
                ("HVR_FILE_NAMES".to_string(), String::new()),
            ];
            s.hvr.call("integ_end", &empty).assert_ok();
        }
        let mut attempts = 0;
        loop {
            attempts += 1;
            let run = s.hvr.call("integ_end", &vars);
            if run.code == 0 {
                break;
            }
            assert!(
                attempts < 5,
                "trial {trial} ({how}): re-runs keep failing: {}",
                run.stderr
            );
        }
        s.assert_target_matches(&format!("trial {trial} ({how})"));
        s.assert_no_files_left();
    }
}

#[test]
fn sqlite_replication_copy_survives_kills() {
    kill_trials(Db::Sqlite, Style::ReplicationCopy, "kill_sqlite_copy");
}

#[test]
fn sqlite_soft_delete_survives_kills() {
    kill_trials(Db::Sqlite, Style::SoftDelete, "kill_sqlite_soft");
}

#[test]
fn sqlite_time_key_survives_kills_without_duplicates() {
    kill_trials(Db::Sqlite, Style::TimeKey, "kill_sqlite_timekey");
}

#[test]
fn postgres_replication_copy_survives_kills() {
    kill_trials(Db::Postgres, Style::ReplicationCopy, "kill_pg_copy");
}

#[test]
fn postgres_soft_delete_survives_kills() {
    kill_trials(Db::Postgres, Style::SoftDelete, "kill_pg_soft");
}

#[test]
fn postgres_time_key_survives_kills_without_duplicates() {
    kill_trials(Db::Postgres, Style::TimeKey, "kill_pg_timekey");
}

#[test]
fn mariadb_replication_copy_survives_kills() {
    kill_trials(Db::Mariadb, Style::ReplicationCopy, "kill_maria_copy");
}

#[test]
fn mariadb_soft_delete_survives_kills() {
    kill_trials(Db::Mariadb, Style::SoftDelete, "kill_maria_soft");
}

#[test]
fn mariadb_time_key_survives_kills_without_duplicates() {
    kill_trials(Db::Mariadb, Style::TimeKey, "kill_maria_timekey");
}
