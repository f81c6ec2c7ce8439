//! `import_writer_failure.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "import_writer_failure.rs"]
mod tests;
