//! Who the operator is, and the modes of the files beside the desk: the
//! operator comes from the real uid through the system's user database, a
//! process inside a remapping user namespace is refused, and files the
//! program creates beside the desk stay as open to its group as the desk,
//! whatever the umask.

mod reliability_util;
use reliability_util::*;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn inside_unshare_r_an_agent_is_not_taken_for_root() {
    let users = TempUsers::create("ns", 1).expect("needs root (CI runs as root)");
    let dir = tempfile::tempdir().unwrap();
    let shared = users.shared_dir(dir.path());
    let db = shared.join("desk.db");
    let input = shared.join("t.jsonl");
    std::fs::write(&input, lcic_file("N", 3)).unwrap();
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);
    let before = std::fs::read(&db).unwrap();

    // unshare -Ur maps the agent's uid to 0 inside: the kernel then reports
    // uid 0, and a name looked up from it would be "root".
    let agent = &users.users[0];
    let out = Out::of(
        Command::new("runuser")
            .args(["-u", agent, "--", "unshare", "-Ur"])
            .arg(bin())
            .arg("--db")
            .arg(&db)
            .args(["act", "N-0", "take"])
            .env_remove("REFUND_DESK_NOW")
            .output()
            .unwrap(),
    );
    out.assert_one_line_error("user namespace");
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing written");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM events WHERE operator = 'root' AND action = 'take'"
        ),
        0
    );
}

#[test]
fn the_operator_is_the_login_name_of_the_real_uid_not_user() {
    let users = TempUsers::create("id", 1).expect("needs root (CI runs as root)");
    let dir = tempfile::tempdir().unwrap();
    let shared = users.shared_dir(dir.path());
    let db = shared.join("desk.db");
    let input = shared.join("t.jsonl");
    std::fs::write(&input, lcic_file("I", 1)).unwrap();
    let agent = &users.users[0];
    // The creator is the first supervisor; $USER claims to be someone else.
    let out = Out::of(
        users
            .cmd_as(agent, &db)
            .args(["import", input.to_str().unwrap()])
            .env("USER", "root")
            .env("LOGNAME", "root")
            .output()
            .unwrap(),
    );
    assert_eq!(out.code, 0, "{out:?}");
    let granted: String = sql(&db)
        .query_row("SELECT name FROM operators", [], |r| r.get(0))
        .unwrap();
    assert_eq!(&granted, agent);
}

#[test]
fn the_bulk_lock_and_wal_files_stay_open_to_the_group_under_umask_077() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("U", 20_000)).unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("umask 077; exec \"$0\" --db \"$1\" import \"$2\"")
        .arg(bin())
        .arg(&db)
        .arg(&input)
        .env_remove("REFUND_DESK_NOW")
        .env_remove("REFUND_DESK_DB")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The -wal and -shm exist while the import runs; look at them then.
    let (wal, shm) = (
        dir.path().join("desk.db-wal"),
        dir.path().join("desk.db-shm"),
    );
    let mut seen = None;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while seen.is_none() && std::time::Instant::now() < deadline {
        if let (Ok(w), Ok(s)) = (std::fs::metadata(&wal), std::fs::metadata(&shm)) {
            seen = Some((
                w.permissions().mode() & 0o777,
                s.permissions().mode() & 0o777,
            ));
        }
        std::thread::yield_now();
    }
    assert!(child.wait().unwrap().success());
    let (w, s) = seen.expect("the import never had a -wal and -shm");
    assert_eq!(mode(&db), 0o660);
    assert_eq!(w & 0o060, 0o060, "-wal {w:o} shuts the group out");
    assert_eq!(s & 0o060, 0o060, "-shm {s:o} shuts the group out");
    let lock = dir.path().join("desk.db-bulk");
    assert_eq!(
        mode(&lock) & 0o060,
        0o060,
        "the bulk lock {:o} shuts the group out",
        mode(&lock)
    );
}
