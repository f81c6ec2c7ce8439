//! `import_input_lines.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "import_input_lines.rs"]
mod tests;
