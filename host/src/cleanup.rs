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
    let state_dir = custom_state_dir(invocation, env);
    listed
        .into_iter()
        .filter(|name| {
            state_dir
                .as_ref()
                .is_none_or(|dir| !name.starts_with(dir.as_str()))
        })
        .filter(|name| !invocation.files.iter().any(|f| &f.name == name))
        .filter(|name| {
            rename
                .table_of(name, &invocation.tables, env)
                .is_ok_and(|i| tables.contains(&invocation.tables[i].name.as_str()))
        })
        .collect()
}

/// `HVR_LOC_STATEDIR` when it lies inside the location, as a prefix of relative names
/// (`_hvr_state/`, the default, is skipped by every listing already).
fn custom_state_dir(invocation: &Invocation, env: &HvrEnv) -> Option<String> {
    let top = invocation.file_location.as_deref()?.trim_end_matches('/');
    let state = env.get("HVR_LOC_STATEDIR").ok().flatten()?;
    let inside = state.strip_prefix(top)?.strip_prefix('/')?;
    let inside = inside.trim_end_matches('/');
    (!inside.is_empty()).then(|| format!("{inside}/"))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn only_unlisted_files_of_committed_tables_are_stale() {
        let vars: HashMap<String, String> = [
            ("HVR_TBL_NAMES", "orders:items"),
            ("HVR_BASE_NAMES", "orders:items"),
            ("HVR_COL_NAMES", "id:id"),
            ("HVR_TBL_KEYS", "id:id"),
            ("HVR_FILE_LOC", "s3s://b/top"),
            ("HVR_LOC_STATEDIR", "s3s://b/top/state/"),
            ("HVR_FILE_NAMES", "20240102-orders.csv:20240102-items.csv"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let env = HvrEnv::from_map(vars);
        let rename = RenameExpression::parse("{hvr_integ_tstamp}-{hvr_tbl_name}.csv").unwrap();
        let invocation = Invocation::from_env(&env, &rename).unwrap();
        let listed = [
            "20240102-orders.csv",
            "20240101-orders.csv",
            "20240101-items.csv",
            "20240101-customers.csv",
            "notes.txt",
            "state/20240101-orders.csv",
        ]
        .map(String::from)
        .to_vec();
        // items failed this call: its leftovers stay for the next successful one.
        let stale = stale_names(listed, &invocation, &rename, &env, &["orders"]);
        assert_eq!(stale, ["20240101-orders.csv"]);
    }
}
