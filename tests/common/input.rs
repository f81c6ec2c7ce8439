//! The `eval` command run on a file, and the ticket lines fed to it: shared
//! by the import_input_*.rs tests. Not glob re-exported from `common`: its
//! `lcic` (a ticket as JSON) is not `common::lcic` (a ticket line).

use super::tickets::{remove, with};
use assert_cmd::Command;
use serde_json::{json, Value};

/// What `refund-desk eval NAME` did on a file with `content`, run from the
/// file's directory so messages start with `NAME:`.
pub struct Run {
    pub code: Option<i32>,
    /// The id of each stdout line, in order.
    pub ids: Vec<String>,
    /// Each stdout line's verdict, in order.
    pub verdicts: Vec<Value>,
    pub stderr: Vec<String>,
}

pub fn eval_file(name: &str, content: &[u8]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), content).unwrap();
    let out = Command::cargo_bin("refund-desk")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", name])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    Run {
        code: out.status.code(),
        ids: lines
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect(),
        verdicts: lines.iter().map(|l| l["verdict"].clone()).collect(),
        stderr: String::from_utf8(out.stderr)
            .expect("stderr is UTF-8")
            .lines()
            .map(str::to_owned)
            .collect(),
    }
}

pub fn line(v: &Value) -> String {
    serde_json::to_string(v).unwrap()
}

/// A valid LCIC ticket line with this id.
pub fn good(id: &str) -> String {
    line(&with("lcic", json!({"id": id})))
}

/// The base LCIC ticket with `patch` merged in and `gone` paths removed.
pub fn lcic(patch: Value, gone: &[&str]) -> Value {
    let mut v = with("lcic", patch);
    for p in gone {
        remove(&mut v, p);
    }
    v
}
