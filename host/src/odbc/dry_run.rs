//! A target that reads but does not write: `plan` runs a real cycle's code over it. Catalog
//! and fence reads go to the real connection; every statement that would change something is
//! printed, as `--verbose` prints it in a real run, and not run; loads count their rows.

use std::collections::HashMap;
use std::sync::Mutex;

use super::load::describe as describe_shape;
use super::{Database, OdbcError, RowSink, Target};
use crate::batch::TextBatch;
use crate::domain::{LoadShape, TargetColumn};

pub struct DryRun {
    target: Target,
    /// The fence records this plan "saved", by key: the cycle reads its fence back after
    /// saving it, and must see what it saved.
    fence: Mutex<HashMap<Vec<String>, String>>,
}

impl DryRun {
    pub fn new(target: Target) -> DryRun {
        DryRun {
            target,
            fence: Mutex::new(HashMap::new()),
        }
    }

    fn fence(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<String>, String>> {
        self.fence.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The fence's save and read (see `fence::state_table`), recognised by their shape.
const FENCE_SAVE: &str = "SET digest = ?, record = ?";
const FENCE_READ: &str = "SELECT record FROM ";

struct CountingSink;

impl RowSink for CountingSink {
    fn load(&mut self, _batch: &TextBatch) -> Result<(), OdbcError> {
        Ok(())
    }
}

impl Database for DryRun {
    fn autocommit(&self) -> Result<(), OdbcError> {
        Ok(())
    }
    fn begin(&self) -> Result<(), OdbcError> {
        Ok(())
    }
    fn commit(&self) -> Result<(), OdbcError> {
        Ok(())
    }
    fn rollback(&self) -> Result<(), OdbcError> {
        Ok(())
    }
    fn execute(&self, _what: &str, sql: &str) -> Result<(), OdbcError> {
        say!("  SQL: {sql}");
        Ok(())
    }
    fn execute_with(&self, _what: &str, sql: &str, params: &[&str]) -> Result<(), OdbcError> {
        say!("  SQL: {sql}");
        if sql.contains(FENCE_SAVE) && params.len() >= 5 {
            let key = params[2..5].iter().map(|p| p.to_string()).collect();
            self.fence().insert(key, params[1].to_string());
        }
        Ok(())
    }
    /// Reads the real target; a read that fails (the state table does not exist yet) reads
    /// nothing, as it will once the cycle has created it.
    fn query_text(
        &self,
        what: &str,
        sql: &str,
        params: &[&str],
    ) -> Result<Option<String>, OdbcError> {
        if sql.starts_with(FENCE_READ) && params.len() == 3 {
            let key: Vec<String> = params.iter().map(|p| p.to_string()).collect();
            if let Some(saved) = self.fence().get(&key) {
                return Ok(Some(saved.clone()));
            }
        }
        Ok(self.target.query_text(what, sql, params).unwrap_or(None))
    }
    fn dbms_name(&self) -> String {
        self.target.dbms_name()
    }
    fn current_catalog(&self) -> Option<String> {
        self.target.current_catalog()
    }
    fn columns(
        &self,
        catalog: Option<&str>,
        schema: Option<&str>,
        table: &str,
    ) -> Result<Vec<TargetColumn>, OdbcError> {
        self.target.columns(catalog, schema, table)
    }
    fn loader<'a>(
        &'a self,
        shape: &LoadShape,
        _width: usize,
        _batch_rows: usize,
    ) -> Result<Box<dyn RowSink + 'a>, OdbcError> {
        say!("  SQL (load): {}", describe_shape(shape));
        Ok(Box::new(CountingSink))
    }
}
