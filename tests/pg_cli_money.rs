// cli_money against PostgreSQL (common::engine: a pg_ binary).
#[path = "cli_money.rs"]
mod tests;
