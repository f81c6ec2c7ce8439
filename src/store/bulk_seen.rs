//! What a bulk load has written so far, while it is the desk's only writer.
//! A load starts on a desk with no tickets (store::bulk), so a ticket id or
//! an account it has not written is not in the desk at all, and the batch
//! need not look it up: one index lookup per line and one per account were a
//! tenth of a batch. The moment another process commits anything to the
//! desk (SQLite's `data_version` tells), the load looks everything up again,
//! as any import does.

use super::FastSet;
use rusqlite::Connection;
use std::hash::BuildHasher;

#[derive(Debug)]
pub(crate) struct Seen {
    /// Hashes, not the strings: a million ids in 16 MB. A collision only
    /// sends a line to the lookup it would have had anyway.
    ids: FastSet<u64>,
    accounts: FastSet<u64>,
    /// One seed for the whole load: a string hashes alike in every batch.
    keys: foldhash::fast::RandomState,
    /// `data_version` when the load began (a connection's own commits leave
    /// it be); None once another process has written, for good: what it
    /// wrote is not in the sets.
    version: Option<i64>,
    /// The last ticket rowid this load inserted (0: none yet). Rowids grow
    /// by one per insert, so a desk whose largest rowid is another holds
    /// rows someone else wrote — also those committed before `start` read
    /// its `data_version`, which that alone cannot see (eight importers
    /// racing into a new file met a UNIQUE failure that way).
    last_rowid: i64,
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

impl Seen {
    /// At the start of a bulk load, before its first batch.
    pub(crate) fn start(conn: &Connection) -> rusqlite::Result<Seen> {
        Ok(Seen {
            ids: FastSet::default(),
            accounts: FastSet::default(),
            keys: Default::default(),
            version: Some(data_version(conn)?),
            last_rowid: 0,
        })
    }

    /// Inside a batch's write transaction: whether the sets still describe
    /// every ticket of the desk.
    pub(crate) fn check(&mut self, conn: &Connection) -> rusqlite::Result<bool> {
        if self.version.is_some() && self.version != Some(data_version(conn)?) {
            self.version = None;
        }
        if self.version.is_some() {
            let max: i64 =
                conn.query_row("SELECT coalesce(max(rowid), 0) FROM tickets", [], |r| {
                    r.get(0)
                })?;
            if max != self.last_rowid {
                self.version = None;
            }
        }
        Ok(self.version.is_some())
    }

    /// Whether the desk may hold a ticket `id` (false: it surely does not).
    pub(crate) fn may_have_id(&self, id: &str) -> bool {
        self.version.is_none() || self.ids.contains(&self.keys.hash_one(id))
    }

    /// Whether the desk may hold a ticket of `account`.
    pub(crate) fn may_have_account(&self, account: &str) -> bool {
        self.version.is_none() || self.accounts.contains(&self.keys.hash_one(account))
    }

    /// A ticket this load inserted, with its rowid.
    pub(crate) fn inserted(&mut self, rowid: i64) {
        self.last_rowid = self.last_rowid.max(rowid);
    }

    pub(crate) fn wrote(&mut self, id: &str, account: &str) {
        self.ids.insert(self.keys.hash_one(id));
        self.accounts.insert(self.keys.hash_one(account));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_writer_makes_everything_a_lookup_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let mine = Connection::open(&path).unwrap();
        mine.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE tickets (x)")
            .unwrap();
        let mut seen = Seen::start(&mine).unwrap();
        mine.execute_batch("INSERT INTO tickets VALUES (1)")
            .unwrap();
        seen.inserted(mine.last_insert_rowid());
        assert!(seen.check(&mine).unwrap(), "its own writes change nothing");
        seen.wrote("A-1", "acct");
        assert!(seen.may_have_id("A-1") && !seen.may_have_id("A-2"));
        assert!(seen.may_have_account("acct") && !seen.may_have_account("other"));
        let theirs = Connection::open(&path).unwrap();
        theirs
            .execute_batch("INSERT INTO tickets VALUES (2)")
            .unwrap();
        assert!(!seen.check(&mine).unwrap());
        assert!(seen.may_have_id("A-2") && seen.may_have_account("other"));
        assert!(!seen.check(&mine).unwrap(), "for good");
    }

    #[test]
    fn rows_written_before_the_load_began_are_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let mine = Connection::open(&path).unwrap();
        mine.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE tickets (x)")
            .unwrap();
        let theirs = Connection::open(&path).unwrap();
        theirs
            .execute_batch("INSERT INTO tickets VALUES (1)")
            .unwrap();
        // The baseline is read after their commit: data_version cannot tell.
        let mut seen = Seen::start(&mine).unwrap();
        assert!(!seen.check(&mine).unwrap());
        assert!(seen.may_have_id("anything"));
    }
}
