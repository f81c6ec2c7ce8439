//! Compiles the built-in policy files (assets/policies/*.toml) into the
//! binary as JSON, with their digest and the text a desk stores for them:
//! every command starts by loading the built-in policy, and parsing 35 KB
//! of TOML was a sixth of the console's whole start-up (issue 14). The TOML
//! stays the source; `Policy::builtin` reads the JSON with the same serde
//! types, and a test checks it equals the policy parsed from the TOML.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// The order of `domain::policy::config::BUILTIN`.
const FILES: [&str; 5] = [
    "common.toml",
    "lcic.toml",
    "trtc.toml",
    "chat.toml",
    "live.toml",
];

/// `domain::policy::config::digest` over the built-in names and texts.
fn digest(files: &[(&str, String)]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for (name, text) in files {
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

fn main() {
    let dir = Path::new("assets/policies");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    let mut out = String::from("/// Each built-in policy file as JSON, in `BUILTIN` order.\n");
    out.push_str("pub(super) const JSON: [&str; 5] = [\n");
    for name in FILES {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // A broken built-in file is reported with its line by the tests,
        // which parse the TOML itself; here it only must not be compiled in.
        let value: toml::Value =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let json = serde_json::to_string(&value).expect("TOML values serialize as JSON");
        writeln!(out, "    {json:?},").unwrap();
        files.push((name, text));
    }
    out.push_str("];\n");
    writeln!(
        out,
        "/// `digest` of the built-in files.\npub(super) const DIGEST: u64 = {:#x};",
        digest(&files)
    )
    .unwrap();
    // What store::policy::files_json makes of them: the text a desk on the
    // built-in policy stores, compared as is when a desk is opened.
    let stored: BTreeMap<&str, &str> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let stored = serde_json::to_string(&stored).expect("strings serialize");
    writeln!(
        out,
        "/// The built-in files as a desk stores them (name -> text, JSON).\npub(super) const STORED: &str = {stored:?};"
    )
    .unwrap();
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_policy.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
