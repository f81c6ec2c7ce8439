//! `input_csv.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "input_csv.rs"]
mod tests;
