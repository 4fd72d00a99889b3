//! The table's transaction around the recovery decision: observe the files, lock the fence
//! row, decide (`fence::decide`), then apply and record, or only finish what an earlier run
//! committed.

use std::time::{Instant, SystemTime};

use super::stats::LoadStats;
use super::{Outcome, Prepared, TableError, TableJob};
use crate::domain::Plan;
use crate::fence::{
    self, Decision, FenceKey, FenceRecord, FileRecord, Observed, RefreshStep, Refusal,
};
use crate::hvr::Mode;
use crate::ledger::HistoryRow;
use crate::odbc::Database;
use crate::store::FileIdentity;

/// One file of the call and what the location holds under its name.
pub(super) struct Seen {
    pub name: String,
    pub rows: Option<u64>,
    pub identity: Option<String>,
}

/// What the transaction did.
pub(super) enum Step {
    /// Rows loaded and the fence recorded: commit, then delete the files.
    Applied(LoadStats),
    /// An earlier run committed these files: delete those still there.
    Delete,
    /// Nothing to do.
    Skip,
}

impl TableJob<'_> {
    /// Each file's identity, or `None` where it is gone. Two names for one file (a symlink or
    /// a hard link in the location) are refused: its rows would land twice.
    pub(super) fn observe(&self) -> Result<Vec<Seen>, TableError> {
        let seen = self.observe_files()?;
        // Only a local identity (inode and device) names one file; two objects on a store
        // with the same content may share an ETag.
        if !self.location.is_some_and(|l| l.identity_names_one_file()) {
            return Ok(seen);
        }
        let mut by_identity: std::collections::HashMap<&str, &str> = Default::default();
        for s in &seen {
            if let Some(identity) = s.identity.as_deref().filter(|i| !i.is_empty())
                && let Some(first) = by_identity.insert(identity, &s.name)
            {
                return Err(TableError::SameFile {
                    first: first.to_string(),
                    second: s.name.clone(),
                });
            }
        }
        Ok(seen)
    }

    fn observe_files(&self) -> Result<Vec<Seen>, TableError> {
        self.files
            .iter()
            .map(|f| {
                let identity = match self.location {
                    Some(location) => location.stat(&f.name)?.map(|FileIdentity(i)| i),
                    // No location at all: nothing can be checked; treat files as present.
                    None => Some(String::new()),
                };
                Ok(Seen {
                    name: f.name.clone(),
                    rows: f.rows,
                    identity,
                })
            })
            .collect()
    }

    /// Inside the open transaction: lock the fence row, decide, and apply when the decision
    /// says so. The caller commits only `Step::Applied`.
    pub(super) fn transaction(
        &self,
        db: &dyn Database,
        key: &FenceKey,
        seen: &[Seen],
        prepared: Option<&mut Prepared<'_>>,
        started: SystemTime,
    ) -> Result<Step, TableError> {
        let holder = format!("pid {} ({})", std::process::id(), self.mode.as_str());
        self.state.claim(db, key, &holder)?;
        let record = self.state.read(db, key)?.unwrap_or_default();
        let current_refresh = record.refresh.as_ref().filter(|r| r.id == self.refresh.id);
        let applied = match self.mode {
            Mode::RefreshEnd => current_refresh.and_then(|r| r.slices.get(&self.refresh.slice)),
            _ => record.integrate.as_ref(),
        };
        let observed: Vec<Observed> = seen
            .iter()
            .map(|s| Observed {
                name: &s.name,
                rows: s.rows,
                identity: s.identity.as_deref(),
            })
            .collect();
        match fence::decide(&observed, applied.map(Vec::as_slice)) {
            Decision::Apply => {}
            Decision::DeleteOnly | Decision::FinishDeleting => return Ok(Step::Delete),
            Decision::Skip => return Ok(Step::Skip),
            Decision::Refuse(why) => return Err(self.refusal(why, seen)),
        }
        let prepared = prepared.expect("Apply is decided only when every file is present");
        let files: Vec<FileRecord> = seen
            .iter()
            .map(|s| FileRecord {
                name: s.name.clone(),
                rows: s.rows,
                identity: s.identity.clone().unwrap_or_default(),
            })
            .collect();
        let mut next = record.clone();
        let plan = if self.mode == Mode::RefreshEnd {
            match self.refresh_slice(db, &record, &mut next, prepared, files)? {
                Some(plan) => plan,
                None => return Ok(Step::Skip),
            }
        } else {
            next.integrate = Some(files);
            &prepared.plan
        };
        let plan = plan.clone();
        let stats = self.apply_cycle(
            db,
            &plan,
            &prepared.columns[..prepared.file_width],
            &mut prepared.chain,
            prepared.in_order.as_ref(),
        )?;
        self.state.save(db, key, &next)?;
        self.record_history(db, &stats, started)?;
        Ok(Step::Applied(stats))
    }

    /// `--history-table`: this table's row, in its transaction.
    fn record_history(
        &self,
        db: &dyn Database,
        stats: &LoadStats,
        started: SystemTime,
    ) -> Result<(), TableError> {
        let Some(history) = &self.ledgers.history else {
            return Ok(());
        };
        let row = HistoryRow {
            channel: self.channel,
            location: self.location_name,
            mode: self.mode.as_str(),
            table: &self.spec.name,
            files: self.files.iter().map(|f| f.name.as_str()).collect(),
            inserted: stats.ops.inserted,
            updated: stats.ops.updated,
            deleted: stats.ops.deleted,
            truncated: stats.ops.truncated,
            set_aside: stats.set_aside,
            started_at: crate::clock::iso_utc(started),
            ended_at: crate::clock::now_iso(),
            connector: self.ledgers.connector.clone(),
        };
        history.record(db, &row)?;
        Ok(())
    }

    /// A refresh call's slice: start a new refresh (emptying the table, or only the rows of
    /// `--refresh-condition`) or add to the one in progress; records it in `next`. Returns the
    /// plan to run, `None` when this slice was applied already.
    fn refresh_slice<'p>(
        &self,
        db: &dyn Database,
        record: &FenceRecord,
        next: &mut FenceRecord,
        prepared: &'p Prepared<'_>,
        files: Vec<FileRecord>,
    ) -> Result<Option<&'p Plan>, TableError> {
        let step = fence::refresh_step(record.refresh.as_ref(), self.refresh, !files.is_empty());
        match &step {
            RefreshStep::AlreadyApplied => return Ok(None),
            RefreshStep::Start { abandoned: Some(n) } => say!(
                "W_JX0E00: table {}: an earlier sliced refresh never delivered {n} of its slices; this refresh replaces its rows",
                self.spec.name
            ),
            _ => {}
        }
        next.refresh = Some(fence::after_step(
            record.refresh.as_ref(),
            self.refresh,
            &step,
            files,
        ));
        if let (RefreshStep::Start { .. }, Some(delete)) = (&step, &prepared.restrict) {
            // A refresh of a subset: only the matching rows make way for the new ones.
            db.execute("deleting the rows of --refresh-condition", delete)?;
        }
        Ok(Some(match (&step, &prepared.plan_keeping_rows) {
            _ if prepared.restrict.is_some() => &prepared.plan,
            (RefreshStep::Continue, Some(Ok(keeping))) => keeping,
            (RefreshStep::Continue, Some(Err(why))) => {
                return Err(TableError::SliceCannotKeepRows(why.clone()));
            }
            _ => &prepared.plan,
        }))
    }

    fn refusal(&self, why: Refusal, seen: &[Seen]) -> TableError {
        let location = self
            .location
            .map(|l| l.describe())
            .unwrap_or_else(|| "the file location".into());
        match why {
            Refusal::AllMissingUnrecorded => TableError::AllMissing {
                total: seen.len(),
                location,
                first: seen.first().map(|s| s.name.clone()).unwrap_or_default(),
            },
            Refusal::PartlyMissingUnrecorded => {
                let missing: Vec<&str> = seen
                    .iter()
                    .filter(|s| s.identity.is_none())
                    .map(|s| s.name.as_str())
                    .collect();
                TableError::PartialFiles {
                    present: seen.len() - missing.len(),
                    total: seen.len(),
                    missing: missing.join(", "),
                }
            }
            Refusal::ChangedSinceApplied => TableError::ChangedSinceApplied {
                file: seen
                    .iter()
                    .find(|s| s.identity.is_some())
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            },
        }
    }

    /// After the transaction: delete what the step says, and report.
    pub(super) fn finish(
        &self,
        step: Step,
        seen: &[Seen],
        started: Instant,
    ) -> Result<Outcome, TableError> {
        let name = &self.spec.name;
        let present = seen
            .iter()
            .filter(|s| s.identity.is_some())
            .map(|s| s.name.as_str());
        match step {
            Step::Applied(stats) => {
                fence::crash_point("after-commit");
                // Files go only after their rows are committed.
                let cleanup = self.delete_files(present).err().map(|e| e.to_string());
                let set_aside = match stats.set_aside {
                    0 => String::new(),
                    n => format!(", {n} set aside"),
                };
                let into = if self.options.dry_run {
                    "would go into"
                } else {
                    "into"
                };
                say!(
                    "table {name}: {} rows from {} file(s) {into} {} in {:.2} s ({}{set_aside})",
                    stats.rows,
                    self.files.len(),
                    self.spec.qualified_base_name(),
                    started.elapsed().as_secs_f64(),
                    stats.ops
                );
                Ok(Outcome::Loaded {
                    files: self.files.len(),
                    stats,
                    cleanup,
                })
            }
            Step::Delete => {
                let cleanup = self.delete_files(present).err().map(|e| e.to_string());
                let removed = if self.options.dry_run {
                    "a real run would remove what is left"
                } else if self.options.keep_files {
                    "kept them (-y)"
                } else {
                    "removed what was left"
                };
                say!(
                    "table {name}: an earlier run already applied these {} file(s) (the fence records them); {removed}",
                    self.files.len()
                );
                Ok(Outcome::AlreadyApplied {
                    files: self.files.len(),
                    cleanup,
                })
            }
            Step::Skip => {
                say!(
                    "table {name}: an earlier run already applied and removed these {} file(s) (the fence records them); skipped",
                    self.files.len()
                );
                Ok(Outcome::AlreadyApplied {
                    files: self.files.len(),
                    cleanup: None,
                })
            }
        }
    }
}
