//! A target that reads but does not write: `plan` runs a real cycle's code over it. Catalog
//! and fence reads go to the real connection; every statement that would change something is
//! printed, as `--verbose` prints it in a real run, and not run. (The fence's record, which a
//! cycle reads back after saving it, is remembered by `fence::PlannedFence`.)

use super::load::describe as describe_shape;
use super::{Database, OdbcError, RowSink, Session};
use crate::batch::TextBatch;
use crate::domain::{LoadShape, TargetColumn};

pub struct DryRun {
    target: Session,
}

impl DryRun {
    pub fn new(target: Session) -> DryRun {
        DryRun { target }
    }
}

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
    fn execute_with(&self, _what: &str, sql: &str, _params: &[&str]) -> Result<(), OdbcError> {
        say!("  SQL: {sql}");
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
        Ok(self.target.query_text(what, sql, params).unwrap_or(None))
    }
    fn for_transaction(&self, _shape: &LoadShape) -> Result<&dyn Database, OdbcError> {
        Ok(self)
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
