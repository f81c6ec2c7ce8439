//! A panic while the console is up leaves the terminal usable: raw mode off
//! (the shell echoes and reads lines again) and the alternate screen left.

use std::process::Command;

#[test]
fn a_panic_in_the_console_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let bin = assert_cmd::cargo::cargo_bin("refund-desk");
    // Only creating commands make a desk; the console opens one.
    let made = Command::new(&bin)
        .arg("--db")
        .arg(&db)
        .arg("init")
        .env_remove("REFUND_DESK_NOW")
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    // After the console dies, the same pty reports its mode with `stty -a`.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"stty rows 24 cols 80; "$0" --db "$1"; echo "exit=$?"; stty -a; echo END"#)
        .arg(&bin)
        .arg(&db)
        .env("REFUND_DESK_FAULT", "panic")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("TERM", "xterm-256color");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    let before = p.exp_string("END").unwrap();
    assert!(
        before.contains("exit=101"),
        "the console should have panicked: {before:?}"
    );
    assert!(
        before.contains("\u{1b}[?1049l"),
        "alternate screen not left: {before:?}"
    );
    // Mouse capture is not ratatui's to restore: the console's hook undoes it.
    let enabled = before.find("\u{1b}[?1000h").expect("mouse capture was on");
    let disabled = before
        .rfind("\u{1b}[?1000l")
        .expect("mouse capture left on");
    assert!(disabled > enabled, "mouse capture left on: {before:?}");
    let mode = before.split("exit=101").nth(1).unwrap_or_default();
    // (rexpect starts its pty with echo off, so echo is not a sign here.)
    for flag in ["icanon", "isig", "iexten"] {
        assert!(
            mode.split_whitespace().any(|w| w == flag),
            "terminal left without {flag}: {mode}"
        );
    }
}
