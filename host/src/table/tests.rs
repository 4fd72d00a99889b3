//! The table orchestration over fakes (no database, no files on disk, no guest): the recovery
//! decisions as a re-run meets them, retries on deadlock, and failures that stay inside their
//! table.

use super::fakes::{FakeDb, FakeFiles, FakePlanner};
use super::stats::{LoadStats, OpCounts};
use super::*;
use crate::hvr::invocation::ChannelColumn;
use crate::ledger::Ledgers;

pub(super) struct Setup {
    spec: TableSpec,
    files: Vec<FileEntry>,
    options: Options,
    format: crate::rows::FileFormat,
    column_types: crate::options::ColumnTypes,
    refresh: RefreshCall,
    pub(super) db: FakeDb,
    pub(super) location: FakeFiles,
    ledgers: Ledgers,
}

impl Setup {
    /// Table `t` (id key, v, op_type), with the given files (name, CSV text, rows).
    pub(super) fn new(files: &[(&str, &str, u64)]) -> Setup {
        let column = |name: &str, is_key| ChannelColumn {
            name: name.into(),
            base_name: name.into(),
            is_key,
        };
        let options = Options::from_words(vec![]).unwrap();
        let location = FakeFiles::default();
        for (name, text, _) in files {
            location.write(name, text);
        }
        Setup {
            spec: TableSpec {
                name: "t".into(),
                base_name: "t".into(),
                schema: None,
                columns: vec![
                    column("id", true),
                    column("v", false),
                    column("op_type", false),
                ],
            },
            files: files
                .iter()
                .map(|(name, _, rows)| FileEntry {
                    name: name.to_string(),
                    rows: Some(*rows),
                    table: 0,
                })
                .collect(),
            format: crate::rows::FileFormat::Csv(options.csv_format().unwrap()),
            column_types: Default::default(),
            options,
            refresh: RefreshCall::single(None),
            db: FakeDb::default(),
            location,
            ledgers: Ledgers::default(),
        }
    }

    pub(super) fn run(&self, mode: Mode, planner: &mut FakePlanner) -> Result<Outcome, TableError> {
        let job = TableJob {
            mode,
            spec: &self.spec,
            files: self.files.iter().collect(),
            location: Some(&self.location),
            format: &self.format,
            column_types: &self.column_types,
            options: &self.options,
            connector_options: &[],
            transform_options: &[],
            state: &self.db,
            refresh: &self.refresh,
            channel: "chn",
            location_name: "loc",
            ledgers: &self.ledgers,
            foreign_keys: Default::default(),
        };
        job.run(&self.db, planner, &mut [])
    }
}

const CYCLE: &str = "id,v,op_type\n1,a,1\n2,b,1\n3,c,2\n";

/// One file of `CYCLE`'s shape loaded: its ops are two inserts and an update.
fn loaded(rows: u64) -> Outcome {
    Outcome::Loaded {
        files: 1,
        stats: LoadStats {
            rows,
            ops: OpCounts {
                inserted: 2,
                updated: 1,
                ..OpCounts::default()
            },
            set_aside: 0,
            each_key_once: false,
        },
        cleanup: None,
    }
}

#[test]
fn a_cycle_commits_its_rows_and_the_fence_then_removes_its_files() {
    let s = Setup::new(&[("a.csv", CYCLE, 3)]);
    let outcome = s.run(Mode::IntegrateEnd, &mut FakePlanner::new()).unwrap();
    assert_eq!(outcome, loaded(3));
    assert_eq!(s.db.committed_rows().len(), 3);
    assert!(!s.location.exists("a.csv"));
}

#[test]
fn a_rerun_after_the_commit_removes_the_files_without_applying_again() {
    let s = Setup::new(&[("a.csv", CYCLE, 3)]);
    s.options_keep_files_once(|| s.run(Mode::IntegrateEnd, &mut FakePlanner::new()));
    assert!(s.location.exists("a.csv"), "the crash left the file behind");
    let outcome = s.run(Mode::IntegrateEnd, &mut FakePlanner::new()).unwrap();
    assert!(
        matches!(outcome, Outcome::AlreadyApplied { files: 1, .. }),
        "{outcome:?}"
    );
    assert_eq!(s.db.committed_rows().len(), 3, "rows applied once");
    assert!(!s.location.exists("a.csv"));
    // And once more, with nothing left: skipped.
    let outcome = s.run(Mode::IntegrateEnd, &mut FakePlanner::new()).unwrap();
    assert!(matches!(
        outcome,
        Outcome::AlreadyApplied {
            files: 1,
            cleanup: None
        }
    ));
    assert_eq!(s.db.commits(), 1);
}

#[test]
fn a_file_written_again_after_a_cut_short_delete_is_refused() {
    let s = Setup::new(&[("a.csv", CYCLE, 3), ("b.csv", CYCLE, 3)]);
    s.options_keep_files_once(|| s.run(Mode::IntegrateEnd, &mut FakePlanner::new()));
    // The crash came after b.csv was deleted, and a.csv was written again since.
    s.location.delete("b.csv").unwrap();
    s.location.write("a.csv", CYCLE);
    let e = s
        .run(Mode::IntegrateEnd, &mut FakePlanner::new())
        .unwrap_err();
    assert!(matches!(e, TableError::ChangedSinceApplied { .. }), "{e}");
    assert_eq!(s.db.committed_rows().len(), 6);
    assert!(s.location.exists("a.csv"), "nothing deleted");
}

#[test]
fn files_all_written_again_are_a_new_cycle() {
    let s = Setup::new(&[("a.csv", CYCLE, 3)]);
    s.options_keep_files_once(|| s.run(Mode::IntegrateEnd, &mut FakePlanner::new()));
    s.location.write("a.csv", CYCLE);
    assert_eq!(
        s.run(Mode::IntegrateEnd, &mut FakePlanner::new()).unwrap(),
        loaded(3)
    );
    assert_eq!(s.db.committed_rows().len(), 6);
}

#[test]
fn files_missing_without_a_record_are_refused_not_skipped() {
    let s = Setup::new(&[("a.csv", CYCLE, 3), ("b.csv", CYCLE, 3)]);
    s.location.delete("b.csv").unwrap();
    let e = s
        .run(Mode::IntegrateEnd, &mut FakePlanner::new())
        .unwrap_err();
    assert!(
        matches!(
            e,
            TableError::PartialFiles {
                present: 1,
                total: 2,
                ..
            }
        ),
        "{e}"
    );
    s.location.delete("a.csv").unwrap();
    let e = s
        .run(Mode::IntegrateEnd, &mut FakePlanner::new())
        .unwrap_err();
    assert!(matches!(e, TableError::AllMissing { total: 2, .. }), "{e}");
    assert_eq!(s.db.commits(), 0);
}

#[test]
fn a_deadlock_runs_the_table_again_and_rows_land_once() {
    let s = Setup::new(&[("a.csv", CYCLE, 3)]);
    s.db.deadlock_next_commits(2);
    let outcome = s.run(Mode::IntegrateEnd, &mut FakePlanner::new()).unwrap();
    assert_eq!(outcome, loaded(3));
    assert_eq!(
        s.db.committed_rows().len(),
        3,
        "rolled-back attempts left nothing"
    );
    // Past the attempts, the deadlock is the table's error and the files stay.
    let s = Setup::new(&[("a.csv", CYCLE, 3)]);
    s.db.deadlock_next_commits(TRANSIENT_ATTEMPTS);
    let e = s
        .run(Mode::IntegrateEnd, &mut FakePlanner::new())
        .unwrap_err();
    assert!(e.is_transient(), "{e}");
    assert!(s.db.committed_rows().is_empty());
    assert!(s.location.exists("a.csv"));
}

#[test]
fn a_bad_file_fails_its_table_with_nothing_applied_and_the_next_table_runs() {
    let bad = Setup::new(&[("a.csv", "id,v,op_type\n1,a,1\n2,b,7\n", 2)]);
    let e = bad
        .run(Mode::IntegrateEnd, &mut FakePlanner::new())
        .unwrap_err();
    assert!(e.to_string().contains("line 3, column 3"), "{e}");
    assert!(bad.db.committed_rows().is_empty() && !bad.db.in_transaction());
    assert!(bad.location.exists("a.csv"));
    // The same planner goes on with the lane's next table.
    let mut planner = FakePlanner::new();
    let good = Setup::new(&[("b.csv", CYCLE, 3)]);
    assert_eq!(
        good.run(Mode::IntegrateEnd, &mut planner).unwrap(),
        loaded(3)
    );
}

#[test]
fn a_panic_fails_its_table_rolls_back_and_keeps_the_files() {
    let s = Setup::new(&[("a.csv", CYCLE, 3)]);
    let mut planner = FakePlanner::new();
    planner.panic_on_table = Some("t".into());
    let e = s.run(Mode::IntegrateEnd, &mut planner).unwrap_err();
    assert!(
        matches!(&e, TableError::Panicked(_, m) if m.contains("told to panic")),
        "{e}"
    );
    assert!(e.poisons_guests());
    assert!(!s.db.in_transaction() && s.db.committed_rows().is_empty());
    assert!(s.location.exists("a.csv"));
    planner.panic_on_table = None;
    assert_eq!(s.run(Mode::IntegrateEnd, &mut planner).unwrap(), loaded(3));
}

/// A file without HVR's row count is read on a reader thread; one that fits one batch is
/// read on the table's own thread. A panic while reading fails the table either way.
#[test]
fn a_panic_while_reading_fails_its_table_not_the_process() {
    for (row_count, label) in [(None, "reading the file"), (Some(1), "the table's work")] {
        let mut options =
            Options::from_words(vec!["--header-line".into(), "false".into()]).unwrap();
        let mut s = Setup::new(&[("a.csv", "1,a,1\n", 1)]);
        s.files[0].rows = row_count;
        std::mem::swap(&mut s.options, &mut options);
        s.format = crate::rows::FileFormat::Csv(s.options.csv_format().unwrap());
        s.location.panic_on_read("a.csv");
        let e = s
            .run(Mode::IntegrateEnd, &mut FakePlanner::new())
            .unwrap_err();
        assert!(
            matches!(&e, TableError::Panicked(l, m) if *l == label && m.contains("on purpose")),
            "{row_count:?}: {e}"
        );
        assert!(!s.db.in_transaction() && s.db.committed_rows().is_empty());
        assert!(s.location.exists("a.csv"));
    }
}

#[test]
fn a_refresh_replaces_the_rows_and_a_rerun_does_not_empty_them_again() {
    let s = Setup::new(&[("a.csv", "id,v\n1,a\n2,b\n", 2)]);
    assert_eq!(
        s.run(Mode::RefreshEnd, &mut FakePlanner::new()).unwrap(),
        Outcome::Loaded {
            files: 1,
            stats: LoadStats {
                rows: 2,
                ops: OpCounts {
                    inserted: 2,
                    ..OpCounts::default()
                },
                set_aside: 0,
                each_key_once: false,
            },
            cleanup: None
        }
    );
    let outcome = s.run(Mode::RefreshEnd, &mut FakePlanner::new()).unwrap();
    assert!(
        matches!(outcome, Outcome::AlreadyApplied { .. }),
        "{outcome:?}"
    );
    assert_eq!(s.db.committed_rows().len(), 2);
}

impl Setup {
    /// Runs `f` as a call that crashed right after its commit: the files are still there.
    fn options_keep_files_once(&self, f: impl FnOnce() -> Result<Outcome, TableError>) {
        let kept: Vec<_> = self
            .files
            .iter()
            .map(|e| (e.name.clone(), self.location.snapshot(&e.name)))
            .collect();
        f().unwrap();
        for (name, snapshot) in kept {
            self.location.restore(&name, snapshot);
        }
    }
}

/// Three tables in a lane, the middle one failing by a panic: the others commit, the lane goes
/// on with fresh guests, and every result comes back in job order. (One lane: lanes have a
/// connection each, and the fake keeps one transaction.)
#[test]
fn a_table_that_fails_in_a_lane_leaves_the_other_tables_alone() {
    let s = Setup::new(&[("a.csv", CYCLE, 3)]);
    let specs: Vec<TableSpec> = ["t1", "bad", "t3"]
        .iter()
        .map(|name| TableSpec {
            name: name.to_string(),
            base_name: name.to_string(),
            ..s.spec.clone()
        })
        .collect();
    let files: Vec<FileEntry> = specs
        .iter()
        .map(|spec| {
            let name = format!("{}.csv", spec.name);
            s.location.write(&name, CYCLE);
            FileEntry {
                name,
                rows: Some(3),
                table: 0,
            }
        })
        .collect();
    let jobs: Vec<TableJob> = specs
        .iter()
        .zip(&files)
        .map(|(spec, file)| TableJob {
            mode: Mode::IntegrateEnd,
            spec,
            files: vec![file],
            location: Some(&s.location),
            format: &s.format,
            column_types: &s.column_types,
            options: &s.options,
            connector_options: &[],
            transform_options: &[],
            state: &s.db,
            refresh: &s.refresh,
            channel: "chn",
            location_name: "loc",
            ledgers: &s.ledgers,
            foreign_keys: Default::default(),
        })
        .collect();
    let planner = || {
        let mut p = FakePlanner::new();
        p.panic_on_table = Some("bad".into());
        Box::new(p) as Box<dyn Planner + Send>
    };
    let lanes = vec![lanes::Lane {
        db: &s.db,
        planner: planner(),
        transforms: Vec::new(),
    }];
    let fresh = || Some((planner(), Vec::new()));
    let results = lanes::run(&jobs, lanes, &fresh);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap(), &loaded(3));
    assert!(
        matches!(results[1], Err(TableError::Panicked(..))),
        "{:?}",
        results[1]
    );
    assert_eq!(results[2].as_ref().unwrap(), &loaded(3));
    assert_eq!(s.db.committed_rows().len(), 6);
    assert!(s.location.exists("bad.csv") && !s.location.exists("t1.csv"));
}
