//! `input_limits.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "input_limits.rs"]
mod tests;
