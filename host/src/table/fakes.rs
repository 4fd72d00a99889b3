//! Fakes of the seams a table works through, for unit tests of the orchestration without a
//! database, a file location or a guest: a transactional in-memory target that also keeps the
//! fence, an in-memory file location, and a planner.

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Mutex;

use crate::batch::TextBatch;
use crate::domain::{
    ConnectorInfo, LoadShape, Plan, PlanFailure, PlanKind, PlanOptions, PlanRequest, Planner,
    Source, Style, TargetColumn,
};
use crate::fence::{FenceError, FenceKey, FenceRecord, FenceStore};
use crate::odbc::{Database, OdbcError, RowSink};
use crate::store::{FileIdentity, Files, LocationError};

type Row = Vec<Option<String>>;

#[derive(Default)]
struct DbState {
    rows: Vec<Row>,
    fence: HashMap<String, FenceRecord>,
    /// What the open transaction wrote; gone on rollback.
    pending_rows: Vec<Row>,
    pending_fence: HashMap<String, FenceRecord>,
    in_transaction: bool,
    /// The open transaction emptied the table.
    pending_clear: bool,
    /// Commits still to fail with a deadlock.
    deadlocks: u32,
    commits: u32,
    statements: Vec<String>,
}

/// A target whose transactions commit or roll back rows and the fence together.
#[derive(Default)]
pub struct FakeDb {
    state: Mutex<DbState>,
}

impl FakeDb {
    fn with<T>(&self, f: impl FnOnce(&mut DbState) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }
    /// The next `n` commits fail as a deadlock would (rolled back, transient).
    pub fn deadlock_next_commits(&self, n: u32) {
        self.with(|s| s.deadlocks = n);
    }
    pub fn committed_rows(&self) -> Vec<Row> {
        self.with(|s| s.rows.clone())
    }
    pub fn commits(&self) -> u32 {
        self.with(|s| s.commits)
    }
    /// Every statement run, in order.
    pub fn statements(&self) -> Vec<String> {
        self.with(|s| s.statements.clone())
    }
    pub fn in_transaction(&self) -> bool {
        self.with(|s| s.in_transaction)
    }
}

fn key_text(key: &FenceKey) -> String {
    format!("{}/{}/{}", key.channel, key.location, key.table)
}

impl Database for FakeDb {
    fn autocommit(&self) -> Result<(), OdbcError> {
        Ok(())
    }
    fn begin(&self) -> Result<(), OdbcError> {
        self.with(|s| {
            s.in_transaction = true;
            s.pending_clear = false;
            s.pending_rows.clear();
            s.pending_fence.clear();
        });
        Ok(())
    }
    fn commit(&self) -> Result<(), OdbcError> {
        self.with(|s| {
            if s.deadlocks > 0 {
                s.deadlocks -= 1;
                s.in_transaction = false;
                s.pending_clear = false;
                s.pending_rows.clear();
                s.pending_fence.clear();
                return Err(OdbcError::Fake {
                    message: "deadlock detected".into(),
                    transient: true,
                });
            }
            if std::mem::take(&mut s.pending_clear) {
                s.rows.clear();
            }
            let rows = std::mem::take(&mut s.pending_rows);
            s.rows.extend(rows);
            let fence = std::mem::take(&mut s.pending_fence);
            s.fence.extend(fence);
            s.in_transaction = false;
            s.commits += 1;
            Ok(())
        })
    }
    fn rollback(&self) -> Result<(), OdbcError> {
        self.with(|s| {
            s.in_transaction = false;
            s.pending_clear = false;
            s.pending_rows.clear();
            s.pending_fence.clear();
        });
        Ok(())
    }
    fn execute(&self, _what: &str, sql: &str) -> Result<(), OdbcError> {
        self.with(|s| {
            if sql == "DELETE ALL" {
                // The fake planner's refresh: empty the table inside the transaction.
                s.pending_clear = true;
                s.pending_rows.clear();
            }
            s.statements.push(sql.to_string())
        });
        Ok(())
    }
    fn execute_with(&self, _what: &str, sql: &str, _params: &[&str]) -> Result<(), OdbcError> {
        self.with(|s| s.statements.push(sql.to_string()));
        Ok(())
    }
    fn query_text(&self, _: &str, _: &str, _: &[&str]) -> Result<Option<String>, OdbcError> {
        Ok(None)
    }
    fn for_transaction(
        &self,
        _shape: &crate::domain::LoadShape,
    ) -> Result<&dyn Database, OdbcError> {
        Ok(self)
    }
    fn dbms_name(&self) -> String {
        "fake".into()
    }
    fn current_catalog(&self) -> Option<String> {
        None
    }
    fn columns(
        &self,
        _catalog: Option<&str>,
        _schema: Option<&str>,
        _table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError> {
        Ok(Vec::new())
    }
    fn loader<'a>(
        &'a self,
        _shape: &LoadShape,
        _width: usize,
        _batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError> {
        Ok(Box::new(Sink(self)))
    }
}

struct Sink<'a>(&'a FakeDb);

impl RowSink for Sink<'_> {
    fn load(&mut self, batch: &TextBatch) -> Result<(), OdbcError> {
        self.0.with(|s| {
            assert!(s.in_transaction, "rows are loaded inside the transaction");
            for row in 0..batch.num_rows() {
                s.pending_rows.push(
                    batch
                        .columns
                        .iter()
                        .map(|c| c.get(row).map(|v| String::from_utf8_lossy(v).into_owned()))
                        .collect(),
                );
            }
        });
        Ok(())
    }
}

impl FenceStore for FakeDb {
    fn ensure_row(&self, _db: &dyn Database, _key: &FenceKey) -> Result<(), FenceError> {
        Ok(())
    }
    fn claim(&self, _db: &dyn Database, _key: &FenceKey, _holder: &str) -> Result<(), FenceError> {
        assert!(
            self.in_transaction(),
            "the fence row is claimed inside the transaction"
        );
        Ok(())
    }
    fn read(&self, _db: &dyn Database, key: &FenceKey) -> Result<Option<FenceRecord>, FenceError> {
        let k = key_text(key);
        Ok(self.with(|s| s.pending_fence.get(&k).or(s.fence.get(&k)).cloned()))
    }
    fn save(
        &self,
        _: &dyn Database,
        key: &FenceKey,
        record: &FenceRecord,
    ) -> Result<(), FenceError> {
        self.with(|s| s.pending_fence.insert(key_text(key), record.clone()));
        Ok(())
    }
}

/// Files in memory; each write gets a new identity, as a rewritten file gets a new mtime.
#[derive(Default)]
pub struct FakeFiles {
    files: Mutex<HashMap<String, (Vec<u8>, u32)>>,
    writes: Mutex<u32>,
    /// Files whose reader panics, as a bug in a decoder would.
    panics: Mutex<Vec<String>>,
}

/// A reader that panics on the first read.
struct PanickingReader;

impl std::io::Read for PanickingReader {
    fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
        panic!("the fake reader panics on purpose");
    }
}

impl FakeFiles {
    pub fn write(&self, name: &str, text: &str) {
        let mut writes = self.writes.lock().unwrap();
        *writes += 1;
        self.files
            .lock()
            .unwrap()
            .insert(name.to_string(), (text.as_bytes().to_vec(), *writes));
    }
    /// A file's bytes and identity, to put back with [`FakeFiles::restore`].
    pub fn snapshot(&self, name: &str) -> (Vec<u8>, u32) {
        self.files.lock().unwrap()[name].clone()
    }
    /// Puts a file back as it was, same identity (what a crash before the delete leaves).
    pub fn restore(&self, name: &str, snapshot: (Vec<u8>, u32)) {
        self.files
            .lock()
            .unwrap()
            .insert(name.to_string(), snapshot);
    }
    /// Reading `name` panics from now on.
    pub fn panic_on_read(&self, name: &str) {
        self.panics.lock().unwrap().push(name.to_string());
    }
    pub fn exists(&self, name: &str) -> bool {
        self.files.lock().unwrap().contains_key(name)
    }
}

impl Files for FakeFiles {
    fn describe(&self) -> String {
        "memory".into()
    }
    fn stat(&self, name: &str) -> Result<Option<FileIdentity>, LocationError> {
        let files = self.files.lock().unwrap();
        Ok(files
            .get(name)
            .map(|(data, version)| FileIdentity(format!("{}:{version}", data.len()))))
    }
    fn open(&self, name: &str) -> Result<Box<dyn std::io::Read + Send>, LocationError> {
        if self.panics.lock().unwrap().iter().any(|n| n == name) {
            return Ok(Box::new(PanickingReader));
        }
        let data = self.files.lock().unwrap().get(name).map(|(d, _)| d.clone());
        Ok(Box::new(Cursor::new(data.expect("opened files exist"))))
    }
    fn delete(&self, name: &str) -> Result<(), LocationError> {
        self.files.lock().unwrap().remove(name);
        Ok(())
    }
    fn identity_names_one_file(&self) -> bool {
        false
    }
}

/// Plans a straight insert of every file column; refresh empties the table first.
pub struct FakePlanner {
    info: ConnectorInfo,
    /// Planning this table panics, as a bug in the host's planning code would.
    pub panic_on_table: Option<String>,
}

impl FakePlanner {
    pub fn new() -> FakePlanner {
        FakePlanner {
            info: ConnectorInfo {
                name: "fake".into(),
                version: "1".into(),
                dialect: "sqlite".into(),
                default_schema: None,
                qualifier_is_catalog: false,
                max_parallel_tables: None,
                styles: vec![Style::ReplicationCopy],
                options: Some(Vec::new()),
            },
            panic_on_table: None,
        }
    }
}

impl Planner for FakePlanner {
    fn name(&self) -> &str {
        "fake"
    }
    fn info(&self) -> &ConnectorInfo {
        &self.info
    }
    fn plan(
        &mut self,
        kind: PlanKind,
        table: &PlanRequest,
        _options: &PlanOptions,
    ) -> Result<Plan, PlanFailure> {
        assert!(
            self.panic_on_table.as_deref() != Some(&table.name),
            "the fake planner was told to panic"
        );
        let before = match kind {
            PlanKind::Refresh => vec!["DELETE ALL".to_string()],
            PlanKind::Integrate => vec![],
        };
        Ok(Plan {
            before,
            sources: (0..table.columns.len()).map(Source::Column).collect(),
            shape: LoadShape::ParameterArray("INSERT".into()),
            batch_rows: 2,
            after: vec![],
            after_each_key_once: None,
        })
    }
}
