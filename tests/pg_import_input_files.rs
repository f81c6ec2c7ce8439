//! `import_input_files.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "import_input_files.rs"]
mod tests;
