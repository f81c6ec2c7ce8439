//! `refund-desk snapshot` and keymap.toml through the real binary.

mod common;

use common::Desk;
use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2026-11-05T10:00:00+08:00";
const EXAMPLES: &str = include_str!("fixtures/examples/tickets.jsonl");

/// The binary on the desk at `db` (a file or a PostgreSQL URL), with its
/// settings under `dir`.
fn run_at(dir: &Path, db: &str, args: &[&str], keymap: Option<&Path>) -> Output {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("refund-desk"));
    c.args(args)
        .env("REFUND_DESK_DB", db)
        .env("REFUND_DESK_NOW", NOW)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env_remove("REFUND_DESK_KEYMAP");
    if let Some(k) = keymap {
        c.env("REFUND_DESK_KEYMAP", k);
    }
    c.output().unwrap()
}

fn run(desk: &Desk, args: &[&str], keymap: Option<&Path>) -> Output {
    run_at(desk.dir.path(), &desk.url, args, keymap)
}

/// A desk of the test binary's engine with the examples imported.
fn desk() -> Desk {
    let desk = Desk::new();
    let file = desk.write("t.jsonl", EXAMPLES);
    let out = run(&desk, &["import", file.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    desk
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn snapshot_renders_after_keys_at_the_given_size() {
    let desk = desk();
    let text = stdout(&run(&desk, &["snapshot"], None));
    assert_eq!(text.lines().count(), 24);
    // 80 columns: the short queue names, so that more tabs fit.
    assert!(text.contains("New 23"), "{text}");
    let text = stdout(&run(
        &desk,
        &[
            "snapshot",
            "--width",
            "120",
            "--height",
            "40",
            "--keys",
            "<S-Tab>jja",
        ],
        None,
    ));
    assert_eq!(text.lines().count(), 40);
    assert!(text.contains("actions on LC-1005"), "{text}");
    assert!(text
        .lines()
        .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 120));
}

#[test]
fn keymap_file_rebinds_and_footer_and_help_follow() {
    let desk = desk();
    let km = desk.dir.path().join("keymap.toml");
    std::fs::write(&km, "[list]\ntake = \"T\"\nhelp = [\"?\", \"<F1>\"]\n").unwrap();
    let text = stdout(&run(&desk, &["snapshot"], Some(&km)));
    assert!(text.contains(" T take"), "{text}");
    let text = stdout(&run(&desk, &["snapshot", "--keys", "<F1>"], Some(&km)));
    assert!(
        text.contains("help — keys") && text.contains("T "),
        "{text}"
    );
    // T is take now; a snapshot never writes, so the take is refused.
    let text = stdout(&run(&desk, &["snapshot", "--keys", "T"], Some(&km)));
    assert!(
        text.contains("LC-1001 take:") && text.contains("for reading only"),
        "{text}"
    );
}

#[test]
fn duplicate_bindings_are_refused_with_a_clear_error() {
    let desk = desk();
    let km = desk.dir.path().join("keymap.toml");
    std::fs::write(&km, "[list]\ntake = \"e\"\n").unwrap();
    let out = run(&desk, &["snapshot"], Some(&km));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keymap.toml") && err.contains("key e is bound twice in [list]"),
        "{err}"
    );
}

#[test]
fn demo_snapshot_opens_on_a_fresh_demo_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let text = stdout(&run_at(
        dir.path(),
        db.to_str().unwrap(),
        &["--demo", "snapshot", "--keys", "<S-Tab>"],
        None,
    ));
    assert!(
        text.contains("refund-desk") && text.contains("All 400"),
        "{text}"
    );
    assert!(
        !dir.path().join("desk.db").exists(),
        "--demo leaves --db alone"
    );
}

#[test]
fn the_console_without_a_terminal_says_so_and_writes_no_escape_sequence() {
    let desk = desk();
    // `output()` gives the child no terminal: stdin null, stdout a pipe.
    let out = run(&desk, &[], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "stdout {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!out.stderr.contains(&0x1b), "an escape sequence: {err:?}");
}
