//! `import_order.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "import_order.rs"]
mod tests;
