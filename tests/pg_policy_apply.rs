//! `policy_apply.rs` against a PostgreSQL desk (tests/common: the `pg_` name picks the engine).

#[path = "policy_apply.rs"]
mod tests;
