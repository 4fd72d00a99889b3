//! `hvrwasmagent plan MODE CHANNEL LOCATION ["USERARG"]`: the cycle HVR's environment
//! describes, run over a target that reads but never writes ([`crate::odbc::DryRun`]): per
//! table, every statement the cycle would run, in order, the load shape and each file's rows.
//! No statement that changes the target runs and no file is deleted.

use crate::agent::{self, AgentError, Exit, Runner};

pub fn plan(args: &[String]) -> Result<Exit, AgentError> {
    say!("plan (dry run): what this cycle would run; nothing is changed and no file is deleted");
    let exit = agent::run_as(args, Runner::DryRun)?;
    say!("plan: done; no statement above ran against the target");
    Ok(exit)
}
