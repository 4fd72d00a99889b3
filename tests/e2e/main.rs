//! End-to-end suite: a simulated HVR drives the real `hvrwasmagent` binary against real
//! databases through real ODBC drivers, and checks each target against a model.
//!
//! PostgreSQL tests need a server (see `scripts/setup.sh`); they fail, never skip, without one.

mod support;

// Refresh then five integrate cycles, per target and style, checked after every call.
mod lifecycle;
// Several changes to one key in one cycle: the last one wins, on every target.
mod change_order;
// MariaDB tables without transactions are refused before anything changes.
mod engines;
// MariaDB with a binary log in each format: a replica replaying it ends equal.
mod binlog;
// MariaDB values that do not fit fail their table whatever the sql_mode and load shape.
mod strict_values;
// Values their target column refuses are refused while loading, naming their line.
mod unfit_values;
// Bad files and environments: exit 1 with an F_J line, target unchanged, files kept.
mod bad_input;
// FileFormat options: separators, NULL representation, encodings, compression, terminator.
mod csv_options;
// The AgentPlugin contract itself: modes, exit codes, long environment, recovery, secrets.
mod invocation;
// The load shapes connectors choose from, through the host library.
mod load_shapes;
// The target's columns from the ODBC catalog, wider than one fetch.
mod catalog;
// MariaDB's streamed LOAD DATA: failures found late still fail the table whole.
mod streamed_load;
// MariaDB refreshes into empty tables as bulk inserts: duplicates and orphans still fail.
mod bulk_refresh;
// Kill integ_end at any moment and re-run: exactly once, for every style.
mod kill;
// Truncate (op 5) and SAP multi-delete (op 8).
mod special_ops;
// Hostile connectors: limits, no ambient authority, malformed plans, contract versions.
mod sandbox;
// Customer transforms: mask, filter, chains, malformed batches.
mod transforms;
// Cloud file locations: S3 (moto) and Azure Blob (Azurite) on loopback.
mod stores;
// Every class of silent loss or duplication: file identity, missing locations, duplicates,
// empty refresh, recovery calls, path traversal, concurrent calls, the fence's table name.
mod no_silent_loss;
// A change whose target row nothing can find: a NULL key part, a MariaDB target without a
// unique key of HVR's key columns.
mod unmatched_keys;
// A cycle whose set-based apply collides is applied again in order.
mod in_order;
// With --error-table, a change the apply refuses on its own is set aside.
mod apply_set_aside;
// A child table before the parent table of the same call runs again after it.
mod foreign_keys;
// A cycle proven to change each key once takes the connector's apply for that; others do not.
mod each_key_once;
// A value the target refuses deep in a large file names its line.
mod deep_bad_row;
// Sliced refresh: any order, at the same time, crashes, two refreshes in a row.
mod sliced_refresh;
// Secrets stay out of every output, whatever the user typed.
mod secrets;
// A 50 MB field on every target, memory bounded by bytes.
mod long_values;
// Bounded waits: locks, silent servers, SIGTERM.
mod waits;
// --refresh-shadow with serial/identity columns, 63-byte names, long readers.
mod shadow;
// The conformance suite authors run: first-party connectors pass it, a naive one fails.
mod selftest;
// The author's path: new connector, build, selftest; the mistakes build and inspect name.
mod authoring;
// Refresh of a subset: --refresh-condition deletes only the matching rows.
mod refresh_condition;
// Contract 0.4: served versions (0.3.0 and 0.2.0 still) and patches, declared connector options, transforms that
// may not drop deletes or change keys in integrate.
mod contract;
// Parquet, Avro and JSON files, typed tables and schema drift.
mod typed_files;
// AdaptDDL: columns added and dropped mid-channel, type changes refused, -r.
mod schema_drift;
// Damaged, cut-short and mislabelled typed files.
mod typed_bad_input;
// COPY on the native PostgreSQL connection: a DSN needs load=unnest, no password printed.
mod native_pg;
// SQLite opened natively: the same catalog, values and stored rows as through sqliteodbc.
mod native_sqlite;
mod native_tls;
// The operator's toolbox: check, plan, record and replay, history, progress, set-aside rows.
mod toolbox;
