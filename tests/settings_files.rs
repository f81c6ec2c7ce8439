//! Keymap, policy and calendar files are read through a size limit (1 MiB),
//! so `/dev/zero` or a runaway file is refused at once instead of being read
//! until memory runs out; and a keymap that leaves no way to quit the
//! console is refused with a reason.

mod common;

use common::Desk;

const ONE_MIB: usize = 1 << 20;

#[test]
fn a_keymap_that_never_ends_is_refused() {
    let desk = Desk::new();
    let big = desk.write("big.toml", &format!("# {}\n", "x".repeat(ONE_MIB)));
    for path in [std::path::Path::new("/dev/zero"), big.as_path()] {
        let out = desk
            .cmd()
            .env("REFUND_DESK_KEYMAP", path)
            .args(["snapshot", "--demo"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("keymap") && err.contains("1048576 bytes"),
            "{err}"
        );
    }
    // Just under the limit is read.
    let fits = desk.write("fits.toml", &format!("#{}\n", "x".repeat(ONE_MIB - 3)));
    let out = desk
        .cmd()
        .env("REFUND_DESK_KEYMAP", &fits)
        .args(["snapshot", "--demo"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_keymap_with_no_way_to_quit_is_refused() {
    let desk = Desk::new();
    let trap = desk.write("trap.toml", "[global]\nquit = []\n[list]\nquit = []\n");
    let out = desk
        .cmd()
        .env("REFUND_DESK_KEYMAP", &trap)
        .args(["snapshot", "--demo"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("no key quits the console"), "{err}");
    // Moving quit to another key is fine.
    let moved = desk.write("moved.toml", "[global]\nquit = []\n[list]\nquit = \"Q\"\n");
    let out = desk
        .cmd()
        .env("REFUND_DESK_KEYMAP", &moved)
        .args(["snapshot", "--demo"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn policy_and_calendar_files_that_never_end_are_refused() {
    let desk = Desk::new();
    let tickets = desk.write(
        "t.jsonl",
        &(common::lcic("L-1", "a", "2026-11-03T10:00:00+08:00") + "\n"),
    );
    let dir = desk.dir.path().join("policy");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("lcic.toml")).unwrap();
    let (code, _, err) = desk.run(&[
        "eval",
        tickets.to_str().unwrap(),
        "--policy-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("lcic.toml") && err.contains("1048576 bytes"),
        "{err}"
    );
    // Calendars are given to `policy diff/apply` only; the desk must exist.
    assert_eq!(desk.run(&["import", tickets.to_str().unwrap()]).0, 0);
    let (code, _, err) = desk.run(&["policy", "diff", "--calendar", "/dev/zero"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("1048576 bytes"), "{err}");
}
