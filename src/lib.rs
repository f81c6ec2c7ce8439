//! refund-desk: a terminal console for a refund desk. The domain is pure; the
//! store, CLI and TUI are the edges.

pub mod alloc;
pub mod cli;
pub mod desk;
pub mod domain;
pub mod ingest;
pub mod operator;
pub mod pg;
pub mod store;
pub mod text;
pub mod tui;
