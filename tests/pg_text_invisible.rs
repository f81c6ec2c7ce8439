//! `text_invisible.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "text_invisible.rs"]
mod tests;
