// store_act against PostgreSQL (common::engine: a pg_ binary).
#[path = "store_act.rs"]
mod tests;
