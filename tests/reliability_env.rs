//! Broken environments: each gives one clear line on stderr, exit 1, and
//! leaves nothing partially written. A file that is not a database, a
//! read-only file, a database locked by another process, a schema newer than
//! the binary, a missing directory, a full disk.

mod reliability_util;
use reliability_util::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A desk with a few tickets and a ticket file ready to import.
struct Fixture {
    dir: tempfile::TempDir,
    db: PathBuf,
    more: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let first = dir.path().join("first.jsonl");
    std::fs::write(&first, lcic_file("E", 5)).unwrap();
    let out = run(&db, &["import", first.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    let more = dir.path().join("more.jsonl");
    std::fs::write(&more, lcic_file("M", 50)).unwrap();
    Fixture { dir, db, more }
}

/// Everything a reader can see of the desk: any partial write shows here.
fn snapshot(db: &Path) -> (i64, i64, i64, String) {
    let c = sql(db);
    let q = |s: &str| c.query_row(s, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        q("SELECT count(*) FROM tickets"),
        q("SELECT count(*) FROM events"),
        q("SELECT coalesce(sum(version), 0) FROM tickets"),
        c.query_row(
            "SELECT group_concat(name || role, ',') FROM operators",
            [],
            |r| r.get::<_, Option<String>>(0),
        )
        .unwrap()
        .unwrap_or_default(),
    )
}

/// The write commands an agent might run.
fn writers(f: &Fixture) -> Vec<Vec<String>> {
    vec![
        vec!["import".into(), f.more.to_str().unwrap().into()],
        vec!["act".into(), "E-1".into(), "take".into()],
        // `nobody`: an OS user that exists (a role is only for one).
        vec![
            "roles".into(),
            "grant".into(),
            "nobody".into(),
            "agent".into(),
        ],
    ]
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_file_that_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let junk = Prng::new(42).bytes(64 * 1024);
    std::fs::write(&db, &junk).unwrap();
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("N", 3)).unwrap();
    for a in [
        vec!["list"],
        vec!["show", "N-1"],
        vec!["import", input.to_str().unwrap()],
        vec!["act", "N-1", "take"],
        vec!["check"],
    ] {
        let out = run(&db, &a);
        out.assert_one_line_error("not a refund-desk database");
        assert_eq!(std::fs::read(&db).unwrap(), junk, "{a:?} changed the file");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 2, "no -wal/-shm or other file was made");

    // Someone else's SQLite file: refused, and left as it was.
    let other = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let out = run(&other, &["import", input.to_str().unwrap()]);
    out.assert_one_line_error("not a refund-desk database");
    assert_eq!(std::fs::read(&other).unwrap(), before);
    assert_eq!(count(&other, "PRAGMA user_version"), 0);
}

#[test]
fn a_read_only_file() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let mut before = snapshot(&f.db);
    std::fs::set_permissions(&f.db, std::fs::Permissions::from_mode(0o444)).unwrap();
    if !is_root() {
        for w in writers(&f) {
            let out = run(&f.db, &args(&w));
            out.assert_one_line_error("read-only");
        }
    } else {
        // Permission bits do not stop root: run the writers as a throwaway
        // user who can write the directory but not the file.
        let users = TempUsers::create("ro", 1)
            .expect("as root, a throwaway user must be creatable (useradd, runuser)");
        // The desk is shared by the user's group, which may work in its
        // directory (a world-writable one would be refused); the file
        // itself stays read-only.
        let st = std::process::Command::new("chgrp")
            .arg(&users.group)
            .arg(f.dir.path())
            .arg(&f.db)
            .status()
            .unwrap();
        assert!(st.success());
        std::fs::set_permissions(f.dir.path(), std::fs::Permissions::from_mode(0o2770)).unwrap();
        std::fs::set_permissions(&f.more, std::fs::Permissions::from_mode(0o644)).unwrap();
        let user = &users.users[0];
        let writers_refused = || {
            for w in writers(&f) {
                let out = users.run_as(user, &f.db, &args(&w));
                out.assert_one_line_error("read-only");
            }
        };
        writers_refused();
        // No role, no reading.
        users
            .run_as(user, &f.db, &["list"])
            .assert_one_line_error("has no role on this desk");
        // Permission bits do not stop root, the desk's supervisor.
        let out = run(&f.db, &["roles", "grant", user, "agent"]);
        assert_eq!(out.code, 0, "{out:?}");
        before = snapshot(&f.db);
        writers_refused();
        // With a role, readers read the read-only file.
        let out = users.run_as(user, &f.db, &["list"]);
        assert_eq!(out.code, 0, "{out:?}");
    }
    std::fs::set_permissions(&f.db, std::fs::Permissions::from_mode(0o660)).unwrap();
    assert_eq!(snapshot(&f.db), before, "nothing was written");
    assert_eq!(integrity(&f.db), "ok");
}

#[test]
fn a_database_locked_by_another_process() {
    let f = fixture();
    let before = snapshot(&f.db);
    let lock = sql(&f.db);
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    for w in writers(&f) {
        let t0 = Instant::now();
        let out = Out::of(
            desk_cmd(&f.db)
                .env("REFUND_DESK_BUSY_TIMEOUT_MS", "300")
                .args(args(&w))
                .output()
                .unwrap(),
        );
        out.assert_one_line_error("the database is busy");
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "{w:?} waited {:?}",
            t0.elapsed()
        );
    }
    // Readers are not blocked by a writer (WAL).
    let out = run(&f.db, &["show", "E-1"]);
    assert_eq!(out.code, 0, "{out:?}");
    lock.execute_batch("ROLLBACK").unwrap();
    assert_eq!(snapshot(&f.db), before, "nothing was written");

    // A lock held for less than the busy timeout is waited for, not an error.
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let child = desk_cmd(&f.db)
        .env("REFUND_DESK_BUSY_TIMEOUT_MS", "5000")
        .args(["act", "E-1", "take"])
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    lock.execute_batch("COMMIT").unwrap();
    let out = Out::of(child.wait_with_output().unwrap());
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(snapshot(&f.db).1, before.1 + 1, "one event");
}

#[test]
fn a_schema_newer_than_the_binary() {
    let f = fixture();
    sql(&f.db)
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    let before = snapshot(&f.db);
    let mut all = writers(&f);
    all.push(vec!["list".into()]);
    all.push(vec!["show".into(), "E-1".into()]);
    for w in all {
        let out = run(&f.db, &args(&w));
        out.assert_one_line_error("schema version 99, newer than this refund-desk knows");
        assert!(out.stderr.contains("upgrade refund-desk"), "{out:?}");
    }
    assert_eq!(count(&f.db, "PRAGMA user_version"), 99);
    assert_eq!(snapshot(&f.db), before, "nothing was written");
}

#[test]
fn a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("no/such/dir/desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("D", 2)).unwrap();
    for a in [
        vec!["list"],
        vec!["import", input.to_str().unwrap()],
        vec!["act", "D-1", "take"],
    ] {
        let out = run(&db, &a);
        out.assert_one_line_error("does not exist");
    }
    assert!(!dir.path().join("no").exists(), "no directory was made");
}

/// A tiny tmpfs, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        if !is_root() {
            return None;
        }
        std::fs::create_dir_all(at).ok()?;
        let ok = std::process::Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then(|| Tmpfs(at.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk() {
    let dir = tempfile::tempdir().unwrap();
    let Some(fs) = Tmpfs::mount(&dir.path().join("tiny"), "1536k") else {
        println!("NOTE full disk: skipped (needs root to mount a tiny tmpfs)");
        return;
    };
    let db = fs.0.join("desk.db");
    let first = dir.path().join("first.jsonl");
    std::fs::write(&first, lcic_file("F", 20)).unwrap();
    let out = run(&db, &["import", first.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    let before = snapshot(&db);
    // Far more than fits: the one transaction of the batch cannot complete.
    let big = dir.path().join("big.jsonl");
    std::fs::write(&big, lcic_file("G", 6_000)).unwrap();
    let out = run(&db, &["import", big.to_str().unwrap()]);
    out.assert_one_line_error("the disk is full");
    assert_eq!(snapshot(&db), before, "nothing was written");
    assert_eq!(integrity(&db), "ok");
    // The desk still works for small things once the failed write is gone.
    let out = run(&db, &["act", "F-1", "take"]);
    assert_eq!(out.code, 0, "{out:?}");
    drop(fs);
}

/// Every command an agent might run on a desk, readers and writers.
fn every_command(f: &Fixture) -> Vec<Vec<String>> {
    let mut all = writers(f);
    for a in [
        &["list"][..],
        &["show", "E-1"],
        &["export", "events"],
        &["check"],
        &["init"],
    ] {
        all.push(a.iter().map(|s| s.to_string()).collect());
    }
    all
}

#[test]
fn a_directory_where_the_desk_should_be() {
    let f = fixture();
    let dir_db = f.dir.path().join("folder.db");
    std::fs::create_dir(&dir_db).unwrap();
    for a in every_command(&f) {
        let out = run(&dir_db, &args(&a));
        out.assert_one_line_error(&format!(
            "{} is a directory, not a refund-desk desk",
            dir_db.display()
        ));
    }
    assert_eq!(
        std::fs::read_dir(&dir_db).unwrap().count(),
        0,
        "nothing made inside"
    );
}

#[test]
fn a_truncated_or_malformed_file() {
    let f = fixture();
    let good = std::fs::read(&f.db).unwrap();
    let page = u16::from_be_bytes([good[16], good[17]]) as usize;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        // Cut at a page boundary: the header still says how long it was.
        (
            "cut.db",
            good[..good.len() - 2 * page].to_vec(),
            "is truncated",
        ),
        // Cut mid-page, as a copy that stopped would be.
        (
            "mid.db",
            good[..good.len() - page / 2].to_vec(),
            "is truncated",
        ),
        (
            "page.db",
            {
                let mut b = good.clone();
                b[16] = 0x03; // page size 0x0300: not a power of two
                b
            },
            "is malformed",
        ),
        (
            "schema.db",
            {
                let mut b = good.clone();
                // The schema table's page, after the file header: garbage.
                for (i, x) in b[100..page].iter_mut().enumerate() {
                    *x = (i * 7 + 3) as u8;
                }
                b
            },
            "the desk file is damaged",
        ),
    ];
    for (name, bytes, why) in cases {
        let db = f.dir.path().join(name);
        std::fs::write(&db, &bytes).unwrap();
        for a in every_command(&f) {
            let out = run(&db, &args(&a));
            out.assert_one_line_error(why);
            assert!(
                out.stderr.contains(db.to_str().unwrap()),
                "names the file: {out:?}"
            );
            assert_eq!(std::fs::read(&db).unwrap(), bytes, "{name}: {a:?} wrote");
        }
    }
}

#[test]
fn a_world_writable_desk_or_directory() {
    use std::os::unix::fs::PermissionsExt;
    let f = fixture();
    let before = snapshot(&f.db);
    let set = |p: &Path, mode: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set(&f.db, 0o666);
    for a in every_command(&f) {
        let out = run(&f.db, &args(&a));
        out.assert_one_line_error("is writable by everyone (mode 0666)");
        assert!(
            out.stderr
                .contains(&format!("chmod o-w {}", f.db.display())),
            "{out:?}"
        );
    }
    set(&f.db, 0o660);
    set(f.dir.path(), 0o777);
    for a in every_command(&f) {
        let out = run(&f.db, &args(&a));
        out.assert_one_line_error("is writable by everyone (mode 0777)");
        assert!(
            out.stderr
                .contains(&format!("chmod o-w {}", f.dir.path().display())),
            "{out:?}"
        );
    }
    // Nor is a new desk made there.
    let fresh = f.dir.path().join("new.db");
    run(&fresh, &["init"]).assert_one_line_error("is writable by everyone");
    assert!(!fresh.exists());
    set(f.dir.path(), 0o700);
    assert_eq!(snapshot(&f.db), before, "nothing was written");
}

#[test]
fn companions_that_belong_to_someone_else() {
    use std::os::unix::fs::PermissionsExt;
    if !is_root() {
        println!("NOTE companions owned by others: skipped (needs root to create a user)");
        return;
    }
    let users = TempUsers::create("co", 1)
        .expect("as root, a throwaway user must be creatable (useradd, runuser)");
    let user = &users.users[0];
    let f = fixture();
    let before = snapshot(&f.db);
    // Planted beside the desk by a user outside its owner and group.
    for ext in ["-wal", "-shm"] {
        let planted = with_ext(&f.db, ext);
        std::fs::write(&planted, b"").unwrap();
        let st = std::process::Command::new("chown")
            .arg(format!("{user}:{}", users.group))
            .arg(&planted)
            .status()
            .unwrap();
        assert!(st.success());
        for a in every_command(&f) {
            let out = run(&f.db, &args(&a));
            out.assert_one_line_error(&format!(
                "{} belongs to neither the desk's owner nor its group",
                planted.display()
            ));
        }
        assert!(planted.exists(), "left for a person to look at");
        std::fs::remove_file(&planted).unwrap();
    }
    // The desk's own group, but not writable by the agent who must use it.
    let st = std::process::Command::new("chgrp")
        .arg(&users.group)
        .arg(f.dir.path())
        .arg(&f.db)
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::set_permissions(f.dir.path(), std::fs::Permissions::from_mode(0o2770)).unwrap();
    assert_eq!(run(&f.db, &["roles", "grant", user, "agent"]).code, 0);
    let before = (before.0, before.1 + 1, before.2, snapshot(&f.db).3);
    let shm = with_ext(&f.db, "-shm");
    std::fs::write(&shm, b"").unwrap();
    std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::process::Command::new("chgrp")
        .arg(&users.group)
        .arg(&shm)
        .status()
        .unwrap();
    for a in [&["list"][..], &["act", "E-1", "take"]] {
        users
            .run_as(user, &f.db, a)
            .assert_one_line_error(&format!("{} cannot be written by {user}", shm.display()));
    }
    std::fs::remove_file(&shm).unwrap();
    assert_eq!(snapshot(&f.db), before, "nothing was written");
}

fn with_ext(db: &Path, ext: &str) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(ext);
    p.into()
}

#[test]
fn a_read_only_filesystem() {
    let dir = tempfile::tempdir().unwrap();
    if !is_root() {
        println!("NOTE read-only filesystem: skipped (needs root to mount one)");
        return;
    }
    let fs = Tmpfs::mount(&dir.path().join("ro"), "8m").expect("as root, a tmpfs must mount");
    let db = fs.0.join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("O", 5)).unwrap();
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);
    assert_eq!(run(&db, &["act", "O-1", "take"]).code, 0);
    let st = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&fs.0)
        .status()
        .unwrap();
    assert!(st.success(), "remount read-only");
    let before = std::fs::read(&db).unwrap();
    let more = dir.path().join("more.jsonl");
    std::fs::write(&more, lcic_file("P", 2)).unwrap();
    for a in [
        &["import", more.to_str().unwrap()][..],
        &["act", "O-2", "take"],
        &["roles", "grant", "nobody", "agent"],
        &[], // the console
    ] {
        run(&db, a)
            .assert_one_line_error(&format!("{} is on a read-only filesystem", db.display()));
    }
    // Reading needs no writing.
    for a in [
        &["list"][..],
        &["show", "O-1"],
        &["export", "events"],
        &["check"],
    ] {
        let out = run(&db, a);
        assert_eq!(out.code, 0, "{a:?}: {out:?}");
    }
    assert!(run(&db, &["show", "O-1"]).stdout.contains("initial_review"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
    drop(fs);
}
