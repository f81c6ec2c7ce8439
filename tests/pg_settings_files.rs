//! `settings_files.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "settings_files.rs"]
mod tests;
