//! `refund-desk migrate --to URL`: a SQLite desk into an empty PostgreSQL desk.
