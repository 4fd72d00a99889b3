//! The fence as `plan` sees it: the state table read for real, its writes printed (through
//! `odbc::DryRun`), and what the plan saved remembered, since a cycle reads its record back
//! after saving it and nothing was written.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{FenceError, FenceKey, FenceRecord, FenceStore, StateTable};
use crate::odbc::Database;

pub struct PlannedFence<'a> {
    table: &'a StateTable,
    saved: Mutex<HashMap<(String, String, String), FenceRecord>>,
}

impl<'a> PlannedFence<'a> {
    pub fn new(table: &'a StateTable) -> Self {
        PlannedFence {
            table,
            saved: Mutex::new(HashMap::new()),
        }
    }

    fn saved(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String, String), FenceRecord>> {
        self.saved.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn id(key: &FenceKey) -> (String, String, String) {
    (key.channel.clone(), key.location.clone(), key.table.clone())
}

impl FenceStore for PlannedFence<'_> {
    fn ensure_row(&self, db: &dyn Database, key: &FenceKey) -> Result<(), FenceError> {
        self.table.ensure_row(db, key)
    }
    fn claim(&self, db: &dyn Database, key: &FenceKey, holder: &str) -> Result<(), FenceError> {
        self.table.claim(db, key, holder)
    }
    fn read(&self, db: &dyn Database, key: &FenceKey) -> Result<Option<FenceRecord>, FenceError> {
        if let Some(saved) = self.saved().get(&id(key)) {
            return Ok(Some(saved.clone()));
        }
        self.table.read(db, key)
    }
    fn save(
        &self,
        db: &dyn Database,
        key: &FenceKey,
        record: &FenceRecord,
    ) -> Result<(), FenceError> {
        self.table.write(db, key, record)?;
        self.saved().insert(id(key), record.clone());
        Ok(())
    }
}
