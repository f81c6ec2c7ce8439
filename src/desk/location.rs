//! Where a desk is: `--db`, else `$REFUND_DESK_DB`, else the user's data
//! directory. A `postgres://` or `postgresql://` URL names a desk on a
//! PostgreSQL server; anything else is the path of a SQLite file.

use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Postgres(String),
}

impl Location {
    pub fn parse(given: &Path) -> Location {
        match given.to_str() {
            Some(s) if is_url(s) => Location::Postgres(s.to_string()),
            _ => Location::File(given.to_path_buf()),
        }
    }

    /// `--db`, else `$REFUND_DESK_DB`, else the data directory's `desk.db`
    /// (made when `create`: only the commands that create a desk make it).
    pub fn resolve(explicit: Option<&Path>, create: bool) -> anyhow::Result<Location> {
        let given = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => std::env::var_os("REFUND_DESK_DB")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
        };
        match given {
            Some(p) => Ok(Location::parse(&p)),
            None if create => crate::store::default_path_creating(None).map(Location::File),
            None => crate::store::default_path(None).map(Location::File),
        }
    }

    /// For messages: the path, or the URL without any password in it.
    pub fn shown(&self) -> String {
        match self {
            Location::File(p) => p.display().to_string(),
            Location::Postgres(url) => without_password(url),
        }
    }
}

pub fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`; a
/// `password=` parameter is masked the same way.
fn without_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (auth_and_host, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let host = match auth_and_host.rsplit_once('@') {
        Some((auth, host)) => match auth.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{auth}@{host}"),
        },
        None => auth_and_host.to_string(),
    };
    let tail: Vec<String> = match tail.split_once('?') {
        Some((path, query)) => {
            let params: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                    _ => kv.to_string(),
                })
                .collect();
            vec![path.to_string(), "?".into(), params.join("&")]
        }
        None => vec![tail.to_string()],
    };
    format!("{scheme}://{host}{}", tail.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_postgres_and_anything_else_a_file() {
        assert!(matches!(
            Location::parse(Path::new("postgresql:///d?host=/tmp")),
            Location::Postgres(_)
        ));
        assert!(matches!(
            Location::parse(Path::new("postgres://h/d")),
            Location::Postgres(_)
        ));
        assert!(matches!(
            Location::parse(Path::new("postgres.db")),
            Location::File(_)
        ));
        assert!(matches!(
            Location::parse(Path::new("./postgres://x")),
            Location::File(_)
        ));
    }

    #[test]
    fn passwords_never_reach_a_message() {
        let shown = Location::Postgres(
            "postgresql://ann:s3cret@db.example/desk?sslmode=require&password=x2".into(),
        )
        .shown();
        assert!(
            !shown.contains("s3cret") && !shown.contains("x2"),
            "{shown}"
        );
        assert_eq!(
            shown,
            "postgresql://ann:***@db.example/desk?sslmode=require&password=***"
        );
        assert_eq!(
            Location::Postgres("postgresql:///d?host=/run/pg".into()).shown(),
            "postgresql:///d?host=/run/pg"
        );
    }
}
