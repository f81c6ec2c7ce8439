// cli_team against PostgreSQL (common::engine: a pg_ binary).
#[path = "cli_team.rs"]
mod tests;
