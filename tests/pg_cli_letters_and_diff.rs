// cli_letters_and_diff against PostgreSQL (common::engine: a pg_ binary).
#[path = "cli_letters_and_diff.rs"]
mod tests;
