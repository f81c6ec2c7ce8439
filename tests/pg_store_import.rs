//! `store_import.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "store_import.rs"]
mod tests;
