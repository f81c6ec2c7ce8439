//! The real binary in a pseudo-terminal: one ticket from submitted to
//! completed with keystrokes alone, then the events checked in the database.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-05T10:00:00+08:00";
const EXAMPLES: &str = include_str!("fixtures/examples/tickets.jsonl");

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("refund-desk")
}

fn show(db: &Path, id: &str) -> serde_json::Value {
    let out = Command::new(bin())
        .arg("--db")
        .arg(db)
        .args(["show", id, "--json"])
        .env("REFUND_DESK_NOW", NOW)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits until the ticket reaches `state` (the console commits as it goes).
fn wait_state(db: &Path, id: &str, state: &str) {
    let start = Instant::now();
    loop {
        let v = show(db, id);
        if v["state"] == state {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{id} never reached {state}; it is {}",
            v["state"]
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// rexpect buffers what it sends: flush so the console sees each key now.
fn type_keys(p: &mut rexpect::session::PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

#[test]
fn one_ticket_from_submitted_to_completed_by_keystrokes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let file = dir.path().join("tickets.jsonl");
    std::fs::write(&file, EXAMPLES).unwrap();
    let st = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&file)
        .env("REFUND_DESK_NOW", NOW)
        .status()
        .unwrap();
    assert!(st.success());

    // rexpect's pty starts at 0×0: give it a size before the console starts.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"stty rows 24 cols 80 && exec "$0" "$@""#)
        .arg(bin())
        .arg("--db")
        .arg(&db)
        .env("REFUND_DESK_NOW", NOW)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("REFUND_DESK_KEYMAP");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("refund-desk").unwrap();
    p.exp_string("LC-1001").unwrap();

    // All queue (h: previous queue from Incoming), then find the ticket.
    type_keys(&mut p, "h");
    type_keys(&mut p, "/LC-1001\r");
    type_keys(&mut p, "t");
    wait_state(&db, "LC-1001", "initial_review");
    type_keys(&mut p, "e");
    wait_state(&db, "LC-1001", "evaluation");
    // Approve: the amount is pre-filled from the verdict; Enter submits, y confirms.
    type_keys(&mut p, "A");
    type_keys(&mut p, "\r");
    type_keys(&mut p, "y");
    wait_state(&db, "LC-1001", "feedback");
    // Accept is irreversible too: it asks first.
    type_keys(&mut p, "c");
    type_keys(&mut p, "y");
    wait_state(&db, "LC-1001", "execution");
    // Execute on the original route, confirmed.
    type_keys(&mut p, "x");
    type_keys(&mut p, "\r");
    type_keys(&mut p, "y");
    let start = Instant::now();
    while show(&db, "LC-1001")["workflow"]["execution"].is_null() {
        assert!(start.elapsed() < Duration::from_secs(15), "never executed");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Complete: type the payout reference, submit, confirm.
    type_keys(&mut p, "d");
    type_keys(&mut p, "PAY-2026-0001\r");
    type_keys(&mut p, "y");
    wait_state(&db, "LC-1001", "completed");
    type_keys(&mut p, "q");
    let tail = p.exp_eof().unwrap();
    assert!(
        tail.contains("\u{1b}[?1049l"),
        "alternate screen left on exit"
    );
    let status = p.process().wait().unwrap();
    // nix's WaitStatus is not re-exported; its Debug form is "Exited(Pid(N), 0)".
    let status = format!("{status:?}");
    assert!(
        status.starts_with("Exited(") && status.ends_with(", 0)"),
        "{status}"
    );

    let v = show(&db, "LC-1001");
    let actions: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| *a != "import")
        .collect();
    assert_eq!(
        actions,
        ["take", "evaluate", "approve", "accept", "execute", "complete"]
    );
    let events = v["events"].as_array().unwrap();
    let approve = events.iter().find(|e| e["action"] == "approve").unwrap();
    assert_eq!(approve["payload"]["amount"], "95.00");
    let complete = events.last().unwrap();
    assert_eq!(complete["to"], "completed");
    assert_eq!(v["workflow"]["payout_reference"], "PAY-2026-0001");
    assert!(events
        .iter()
        .skip(1)
        .all(|e| e["operator"] == events[1]["operator"]));
}

/// The column (1-based, as the terminal reports mouse events) where
/// `label` starts on the tab bar of a 100-column screen.
fn tab_column(label: &str) -> usize {
    let bar = " New 23│Mine 0│Review 0│Eval 0│Feedback 0│Nego 0│Exec 0│Pending 0│Overdue 0│Done 0│All 23│";
    let byte = bar.find(label).unwrap();
    bar[..byte].chars().count() + 1
}

#[test]
fn mouse_clicks_tabs_wheel_moves_and_the_id_is_copied_with_osc_52() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let file = dir.path().join("tickets.jsonl");
    std::fs::write(&file, EXAMPLES).unwrap();
    let st = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(&file)
        .env("REFUND_DESK_NOW", NOW)
        .status()
        .unwrap();
    assert!(st.success());
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"stty rows 24 cols 100 && exec "$0" "$@""#)
        .arg(bin())
        .arg("--db")
        .arg(&db)
        .env("REFUND_DESK_NOW", NOW)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("REFUND_DESK_KEYMAP");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    let start = p.exp_string("LC-1001").unwrap();
    assert!(start.contains("\u{1b}[?1000h"), "mouse capture not enabled");
    // SGR mouse reports: a left click on the Done tab (row 2), pressed and
    // released; the Done queue is empty.
    let done = tab_column("Done 0");
    type_keys(&mut p, &format!("\u{1b}[<0;{done};2M\u{1b}[<0;{done};2m"));
    type_keys(&mut p, "Y");
    p.exp_string("no ticket selected").unwrap();
    // Back to All by a click, two notches of the wheel over the list, copy.
    let all = tab_column("All 23");
    type_keys(&mut p, &format!("\u{1b}[<0;{all};2M\u{1b}[<0;{all};2m"));
    type_keys(&mut p, "\u{1b}[<65;5;5M\u{1b}[<65;5;5M");
    type_keys(&mut p, "Y");
    // OSC 52 with "LC-1005" in base64.
    p.exp_string("\u{1b}]52;c;TEMtMTAwNQ==").unwrap();
    type_keys(&mut p, "q");
    let tail = p.exp_eof().unwrap();
    assert!(tail.contains("\u{1b}[?1000l"), "mouse capture left on");
    assert!(tail.contains("\u{1b}[?1049l"), "alternate screen left on");
}

/// Whether process `pid` still runs (a zombie waiting to be reaped has ended).
fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit(')').next().map(|r| r.trim_start().to_string()))
        .is_some_and(|r| !r.starts_with('Z') && !r.starts_with('X'))
}

#[test]
fn a_console_whose_terminal_hangs_up_exits_even_when_sighup_never_reaches_it() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let st = Command::new(bin())
        .arg("--db")
        .arg(&db)
        .arg("init")
        .env_remove("REFUND_DESK_NOW")
        .status()
        .unwrap();
    assert!(st.success());
    // `script` holds the pty; the console ignores SIGHUP, as it does when a
    // `runuser` between it and the terminal keeps the signal to itself.
    let inner = format!(
        "trap '' HUP; stty rows 24 cols 80; echo PID=$$; exec '{}' --db '{}'",
        bin().display(),
        db.display()
    );
    let mut script = Command::new("script")
        .args(["-q", "-c", &format!("sh -c \"{inner}\""), "/dev/null"])
        .env("TERM", "xterm-256color")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux");
    let mut out = script.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            let _ = tx.send(String::from_utf8_lossy(&seen).to_string());
        }
    });
    // Whatever happens, nothing started here outlives the test.
    struct Reap(Option<String>);
    impl Drop for Reap {
        fn drop(&mut self) {
            if let Some(pid) = self.0.take().filter(|p| running(p)) {
                let _ = Command::new("kill").args(["-9", &pid]).status();
            }
        }
    }
    let mut reap = Reap(None);
    // The console is up once its first frame is drawn.
    let mut text = String::new();
    while !(text.contains("PID=") && text.contains("no ticket selected")) {
        if let Some(pid) = text.split("PID=").nth(1) {
            reap.0 = Some(pid.chars().take_while(|c| c.is_ascii_digit()).collect());
        }
        text = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| {
                let _ = script.kill();
                panic!("the console never drew: {text:?}")
            });
    }
    let pid: String = text
        .split("PID=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    assert!(running(&pid));
    // The terminal goes away: its master side closes with `script`.
    script.kill().unwrap();
    script.wait().unwrap();
    let start = Instant::now();
    while running(&pid) && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    reap.0 = Some(pid.clone());
    assert!(
        !running(&pid),
        "the console outlived its terminal (spinning on end-of-file)"
    );
}
