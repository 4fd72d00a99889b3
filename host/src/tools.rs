//! The operator's toolbox beside the AgentPlugin modes: `check` a configuration before the
//! first cycle, `plan` a cycle without changing anything, `--record` a call and `replay` it
//! against another target. Each reads the same options and `HVR_*` environment as a cycle.

mod build;
mod check;
mod new;
mod plan;
mod replay;

pub use build::build;
pub use check::check;
pub use new::new;
pub use plan::plan;
pub use replay::replay;

/// `check`, `plan` and `replay` take HVR's own arguments after their name (`CHANNEL LOCATION
/// "USERARG"`), so an operator copies the AgentPlugin line; or options directly, as words.
/// Returns (channel, location, user argument words).
fn channel_and_words(args: &[String]) -> Result<(String, String, Vec<String>), String> {
    if args.first().is_some_and(|a| a.starts_with('-')) || args.is_empty() {
        return Ok((String::new(), String::new(), args.to_vec()));
    }
    if args.len() < 2 {
        return Err(
            "give CHANNEL LOCATION [\"USER ARGUMENT\"] as HVR passes them, or options (--connect-string ...)"
                .into(),
        );
    }
    let mut words = match args.get(2) {
        Some(user) => crate::options::split_user_argument(user).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    words.extend(args.iter().skip(3).cloned());
    Ok((args[0].clone(), args[1].clone(), words))
}
