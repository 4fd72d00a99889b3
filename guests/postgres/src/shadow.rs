//! `--refresh-shadow`: the refresh loads a copy of the table and swaps it in at the end of the
//! same transaction, so readers keep reading the old rows during the load instead of waiting
//! behind TRUNCATE's lock for all of it.
//!
//! - The copy's name is `hvr_shadow_` plus a hash of the table's name: always within
//!   PostgreSQL's 63-byte identifiers, whatever the table is called.
//! - Sequences survive the swap: a `serial` column's sequence is handed to the copy before the
//!   old table is dropped (dropping it would otherwise drop the sequence the copy's default
//!   uses), and an identity column's new sequence continues where the old one stood.
//! - The swap's `DROP` waits for readers still running, but never long: it tries with a short
//!   lock timeout and lets queued readers through between tries, for at most `swap-wait`
//!   seconds (`--connector-option shadow-swap-wait=N`, default 60), then fails the table
//!   (rolled back, files kept) with a message saying so.

use hvrwasm_sdk::sql::Dialect;
use hvrwasm_sdk::{OptionKind, OptionSpec, Options, Table};

/// Seconds one try of the swap waits for readers; new readers queue behind it at most this long.
const TRY_SECONDS: u32 = 2;
const DEFAULT_SWAP_WAIT: u32 = 60;

pub struct Shadow {
    pub name: String,
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// FNV-1a: a stable short name for the copy, the same on every run.
fn short_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `--connector-option shadow-swap-wait=N`, declared so the host checks it is a number.
pub fn wait_option() -> OptionSpec {
    OptionSpec::new(
        "shadow-swap-wait",
        OptionKind::Integer,
        "seconds --refresh-shadow waits for readers before swapping the table in",
    )
    .default_value(&DEFAULT_SWAP_WAIT.to_string())
}

pub fn swap_wait(options: &Options) -> u32 {
    options
        .option("shadow-swap-wait")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_SWAP_WAIT)
}

pub fn plan(d: &Dialect, table: &Table, target: &str, wait: u32) -> Shadow {
    let base = format!("hvr_shadow_{}", short_hash(&table.name));
    let name = match &table.schema {
        Some(s) => format!("{}.{}", d.ident(s), d.ident(&base)),
        None => d.ident(&base),
    };
    let (t, s) = (literal(target), literal(&name));
    let sequences = format!(
        "DO $hvr$ DECLARE r record; BEGIN \
         FOR r IN SELECT d.objid::regclass::text AS seq, a.attname AS col, d.deptype \
         FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
         JOIN pg_class c ON c.oid = d.objid AND c.relkind = 'S' \
         WHERE d.classid = 'pg_class'::regclass AND d.refobjid = {t}::regclass AND d.deptype IN ('a', 'i') LOOP \
         IF r.deptype = 'a' THEN EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', r.seq, {s}, r.col); \
         ELSE EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), last_value, is_called) FROM %s', {s}, r.col, r.seq); \
         END IF; END LOOP; END $hvr$"
    );
    let tries = wait.div_ceil(TRY_SECONDS).max(1);
    let swap = format!(
        "DO $hvr$ DECLARE previous text := current_setting('lock_timeout'); BEGIN \
         FOR i IN 1..{tries} LOOP BEGIN \
         PERFORM set_config('lock_timeout', '{TRY_SECONDS}s', true); \
         EXECUTE 'DROP TABLE ' || {t}; \
         PERFORM set_config('lock_timeout', previous, true); RETURN; \
         EXCEPTION WHEN lock_not_available THEN PERFORM pg_sleep(0.2); END; END LOOP; \
         RAISE EXCEPTION 'refresh-shadow: readers of % held it for more than {wait} s, so the new rows could not be swapped in (shadow-swap-wait)', {t}; \
         END $hvr$"
    );
    Shadow {
        before: vec![
            format!("DROP TABLE IF EXISTS {name}"),
            format!("CREATE TABLE {name} (LIKE {target} INCLUDING ALL)"),
        ],
        after: vec![
            sequences,
            swap,
            format!("ALTER TABLE {name} RENAME TO {}", d.ident(&table.base_name)),
        ],
        name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_names_fit_postgres_identifiers_whatever_the_table_is_called() {
        let long = "t".repeat(63);
        assert_eq!(short_hash(&long).len(), 16);
        assert_ne!(short_hash("a"), short_hash("b"));
        assert!(format!("hvr_shadow_{}", short_hash(&long)).len() <= 63);
    }

    #[test]
    fn literals_double_their_quotes() {
        assert_eq!(literal(r#""it's""#), r#"'"it''s"'"#);
    }
}
