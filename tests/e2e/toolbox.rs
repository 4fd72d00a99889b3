//! The operator's toolbox: `check`, `plan`, `--record` and `replay`, the history table and
//! `--summary-json`, progress lines, rows set aside in an error table, and the bare binary's
//! usage, `--version` and `--help`.

mod check;
mod cli;
mod history;
mod plan;
mod replay;
mod set_aside;
