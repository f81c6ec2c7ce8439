//! `tui_cli.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "tui_cli.rs"]
mod tests;
