//! What a call says at its end, and where it stands in a refresh.

use super::AgentError;
use crate::fence::RefreshCall;
use crate::hvr::HvrEnv;
use crate::hvr::env::EnvError;
use crate::options::Options;

/// A table's error without the SQL, on one line, at most 400 characters: the `F_J` line
/// stays readable when hundreds of tables fail; the job log has every detail.
pub(super) fn short_reason(message: &str) -> String {
    let reason = message.split("\n  SQL:").next().unwrap_or(message);
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.chars().count() <= 400 {
        return reason;
    }
    let cut: String = reason.chars().take(400).collect();
    format!("{cut}...")
}

/// At most five tables' reasons in the `F_J` line, then how many more.
pub(super) fn summarize<E: std::fmt::Display>(failed: &[(String, E)]) -> String {
    let mut out = failed
        .iter()
        .take(5)
        .map(|(table, e)| format!("table {table}: {}", short_reason(&e.to_string())))
        .collect::<Vec<_>>()
        .join("; ");
    if failed.len() > 5 {
        out.push_str(&format!(
            "; and {} more table(s) (see the job log)",
            failed.len() - 5
        ));
    }
    out
}

/// This call's place in a refresh: `HVR_VAR_SLICE_NUM` of `HVR_VAR_SLICE_TOTAL` when HVR
/// slices it, else slice 1 of 1.
pub(super) fn refresh_call(env: &HvrEnv, options: &Options) -> Result<RefreshCall, AgentError> {
    let number = |name: &'static str| -> Result<Option<u32>, AgentError> {
        match env.get(name)?.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                AgentError::Env(EnvError::BadSlice {
                    name,
                    value: format!("{v:?}"),
                })
            }),
        }
    };
    let id = match &options.refresh_id {
        Some(id) => Some(id.clone()),
        None => env
            .get("HVR_VAR_REFRESH_ID")?
            .filter(|v| !v.is_empty())
            .map(str::to_string),
    };
    let mut call = RefreshCall::single(id);
    let (slice, total) = (number("HVR_VAR_SLICE_NUM")?, number("HVR_VAR_SLICE_TOTAL")?);
    if let (Some(slice), None) = (slice, total) {
        // Without the total, every slice would empty the table: refuse rather than guess.
        return Err(AgentError::Env(EnvError::BadSlice {
            name: "HVR_VAR_SLICE_TOTAL",
            value: format!("unset while HVR_VAR_SLICE_NUM is {slice}"),
        }));
    }
    if let (Some(slice), Some(total)) = (slice, total)
        && total > 1
    {
        if slice > total {
            return Err(AgentError::Env(EnvError::BadSlice {
                name: "HVR_VAR_SLICE_NUM",
                value: format!("{slice} (HVR_VAR_SLICE_TOTAL is {total})"),
            }));
        }
        call.slice = slice;
        call.total = total;
    }
    Ok(call)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_f_j_reason_drops_the_sql_and_stays_short() {
        let long = format!(
            "loading failed: {}\n  SQL: INSERT INTO t VALUES (?)",
            "x".repeat(900)
        );
        let reason = short_reason(&long);
        assert!(!reason.contains("INSERT"));
        assert!(reason.chars().count() <= 403, "{}", reason.len());
        let many: Vec<(String, &str)> = (0..413).map(|i| (format!("t{i}"), "bad")).collect();
        let line = summarize(&many);
        assert!(line.contains("and 408 more table(s)"), "{line}");
        assert!(line.len() < 200, "{line}");
    }
}
