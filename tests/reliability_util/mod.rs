//! Helpers shared by the reliability tests (tests/reliability_*.rs): the real
//! binary as a child process, a deterministic PRNG, the scale knob, and
//! throwaway OS users for the tests that need more than one person.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `RELIABILITY_SCALE` (default 1): multiply the bounded default sizes by it
/// to run the same tests bigger by hand (scripts/soak.sh uses 10).
pub fn scale() -> u64 {
    std::env::var("RELIABILITY_SCALE")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s >= 1)
        .unwrap_or(1)
}

/// The binary under test, built by cargo for this test run.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_refund-desk"))
}

/// SplitMix64: small, deterministic, good enough to pick moments and mutations.
#[derive(Clone, Debug)]
pub struct Prng(u64);

impl Prng {
    pub fn new(seed: u64) -> Prng {
        Prng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// What a finished command left behind.
#[derive(Debug, Clone)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn of(o: Output) -> Out {
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Exit 1 with exactly one non-empty line on stderr that mentions `why`.
    #[track_caller]
    pub fn assert_one_line_error(&self, why: &str) {
        assert_eq!(
            self.code, 1,
            "expected exit 1 ({why}); stdout {:?} stderr {:?}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr, got {:?}", self.stderr);
        assert!(
            self.stderr.contains(why),
            "stderr {:?} does not say {why:?}",
            self.stderr
        );
    }
}

/// A command on the real binary with the database given by `--db`.
pub fn desk_cmd(db: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--db")
        .arg(db)
        .env_remove("REFUND_DESK_DB")
        .env_remove("REFUND_DESK_NOW")
        .stdin(Stdio::null());
    c
}

pub fn run(db: &Path, args: &[&str]) -> Out {
    Out::of(desk_cmd(db).args(args).output().expect("spawn refund-desk"))
}

/// Opens the file directly, the way an auditor (or an attacker) would.
pub fn sql(db: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(db).expect("open with rusqlite");
    c.busy_timeout(std::time::Duration::from_secs(30)).unwrap();
    c
}

pub fn integrity(db: &Path) -> String {
    let c = sql(db);
    let rows: Vec<String> = c
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.join("\n")
}

pub fn count(db: &Path, query: &str) -> i64 {
    sql(db).query_row(query, [], |r| r.get(0)).unwrap()
}

/// A valid LCIC ticket line (full_refund 90.00 when alone on its account).
pub fn lcic(id: &str, account: &str, received: &str) -> String {
    serde_json::json!({
        "id": id, "received_at": received, "product": "lcic",
        "account": {"id": account}, "reason": "unused",
        "package": {"billing": "monthly", "purchased_at": received},
        "payment": {"currency": "USD", "cash": "90.00"}
    })
    .to_string()
}

/// `n` distinct-account LCIC lines, one per line, newline-terminated.
pub fn lcic_file(prefix: &str, n: usize) -> String {
    let mut s = String::with_capacity(n * 260);
    for i in 0..n {
        let day = 1 + (i % 20);
        let received = format!("2026-11-{day:02}T10:{:02}:00+08:00", i % 60);
        s.push_str(&lcic(
            &format!("{prefix}-{i}"),
            &format!("ACC-{prefix}-{i}"),
            &received,
        ));
        s.push('\n');
    }
    s
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn have(tool: &str) -> bool {
    ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        .iter()
        .any(|d| Path::new(d).join(tool).exists())
}

/// Throwaway OS users in a shared group, removed again on drop.
pub struct TempUsers {
    pub group: String,
    pub users: Vec<String>,
}

impl TempUsers {
    /// `None` only when not root and `REFUND_DESK_REQUIRE_OS_USERS` is unset
    /// (a developer's own account: callers skip with a printed note). As root
    /// — CI — or when required, a failure to make them panics: a test of
    /// several people must never pass without running.
    pub fn create(tag: &str, n: usize) -> Option<TempUsers> {
        let required = is_root() || std::env::var_os("REFUND_DESK_REQUIRE_OS_USERS").is_some();
        if !is_root() && !required {
            return None;
        }
        let made = Self::try_create(tag, n);
        assert!(
            made.is_some(),
            "cannot create {n} throwaway OS users (needs root with useradd, groupadd, userdel, groupdel, runuser)"
        );
        made
    }

    fn try_create(tag: &str, n: usize) -> Option<TempUsers> {
        if !is_root()
            || !["useradd", "groupadd", "userdel", "groupdel", "runuser"]
                .iter()
                .all(|t| have(t))
        {
            return None;
        }
        // Short names (login names are limited to 32 bytes) unique per process.
        let id = std::process::id() % 100_000;
        let group = format!("rd{tag}{id}g");
        // Another test process may hold the lock on /etc/passwd: retry.
        let retry = |c: &mut Command| {
            (0..5).any(|i| {
                std::thread::sleep(std::time::Duration::from_millis(200 * i));
                c.status().is_ok_and(|s| s.success())
            })
        };
        let ok = retry(Command::new("groupadd").arg(&group));
        if !ok {
            return None;
        }
        let mut me = TempUsers {
            group: group.clone(),
            users: Vec::new(),
        };
        for i in 0..n {
            let name = format!("rd{tag}{id}u{i}");
            let ok = retry(
                Command::new("useradd").args(["-M", "-N", "-g", &group, "-s", "/bin/sh", &name]),
            );
            if !ok {
                return None; // drop removes what was made
            }
            me.users.push(name);
        }
        Some(me)
    }

    /// The binary run as `user` (real uid), with `--db`.
    pub fn cmd_as(&self, user: &str, db: &Path) -> Command {
        let mut c = Command::new("runuser");
        c.args(["-u", user, "--"])
            .arg(bin())
            .arg("--db")
            .arg(db)
            .env_remove("REFUND_DESK_DB")
            .env_remove("REFUND_DESK_NOW")
            .stdin(Stdio::null());
        c
    }

    pub fn run_as(&self, user: &str, db: &Path, args: &[&str]) -> Out {
        Out::of(
            self.cmd_as(user, db)
                .args(args)
                .output()
                .expect("spawn runuser"),
        )
    }

    /// A directory the group may work in: the binary's own path must be
    /// traversable too (it lives under the target directory).
    pub fn shared_dir(&self, parent: &Path) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = parent.join("shared");
        std::fs::create_dir(&dir).unwrap();
        let st = Command::new("chgrp")
            .arg(&self.group)
            .arg(&dir)
            .status()
            .unwrap();
        assert!(st.success());
        // setgid: files made inside belong to the shared group.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o2770)).unwrap();
        std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o711)).unwrap();
        dir
    }
}

impl Drop for TempUsers {
    fn drop(&mut self) {
        for u in &self.users {
            let _ = Command::new("userdel").arg(u).status();
        }
        let _ = Command::new("groupdel").arg(&self.group).status();
    }
}

/// A C0 control other than newline, DEL, or (in text output) a C1 control or
/// a bidi override: anything that could drive or reorder a terminal.
pub fn first_terminal_hazard(s: &str, text_output: bool) -> Option<(usize, char)> {
    s.char_indices().find(|&(_, c)| {
        let u = c as u32;
        (u < 0x20 && c != '\n')
            || (text_output
                && (u == 0x7f
                    || (0x80..=0x9f).contains(&u)
                    || matches!(u, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f)))
    })
}
