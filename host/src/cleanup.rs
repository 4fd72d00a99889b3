//! `--cleanup-stale-files`: files of an earlier cycle that was interrupted before its plugin
//! call finished stay in the location forever, because HVR's next cycle writes new files (and
//! may pass an empty `HVR_FILE_NAMES` while it recovers). After this cycle's tables commit,
//! files that map to one of them but are not in this cycle's list are such leftovers.

use crate::hvr::rename::RenameExpression;
use crate::hvr::{HvrEnv, Invocation};
use crate::store::{FileLocation, LocationError};

/// Deletes the stale files of `tables` (channel names of the tables that committed); returns
/// how many went.
pub fn stale_files(
    location: &FileLocation,
    invocation: &Invocation,
    rename: &RenameExpression,
    env: &HvrEnv,
    tables: &[&str],
) -> Result<usize, LocationError> {
    let stale = stale_names(location.list()?, invocation, rename, env, tables);
    for name in &stale {
        location.delete(name)?;
    }
    Ok(stale.len())
}

fn stale_names(
    listed: Vec<String>,
    invocation: &Invocation,
    rename: &RenameExpression,
    env: &HvrEnv,
    tables: &[&str],
) -> Vec<String> {
    listed
        .into_iter()
        .filter(|name| !invocation.files.iter().any(|f| &f.name == name))
        .filter(|name| {
            rename
                .table_of(name, &invocation.tables, env)
                .is_ok_and(|i| tables.contains(&invocation.tables[i].name.as_str()))
        })
        .collect()
}
