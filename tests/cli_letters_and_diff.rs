//! `letter` and `policy diff` through the real binary.

mod common;
use common::*;

#[test]
fn letter_follows_the_decision_in_the_customers_language() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let (code, _, err) = desk.run(&["letter", "TR-2001"]);
    assert_eq!(code, 1);
    assert!(err.contains("no decision or offer"), "{err}");
    for step in [&["take"][..], &["approve"], &["accept"]] {
        assert_eq!(desk.act("TR-2001", step).0, 0);
    }
    assert_eq!(desk.act("TR-2001", &["execute"]).0, 0);
    let (code, out, _) = desk.run(&["letter", "TR-2001"]);
    assert_eq!(code, 0);
    // contact.language = ko; frozen funds are mentioned; arrival window from execution.
    assert!(out.contains("환불 199.00 USD"), "{out}");
    assert!(out.contains("12.50 USD"), "{out}");
    assert!(
        out.contains("2026-12-14") && out.contains("2027-01-04"),
        "{out}"
    );

    assert_eq!(desk.act("LC-1003", &["take"]).0, 0);
    assert_eq!(
        desk.act("LC-1003", &["reject", "--clause", "LCIC-WINDOW"])
            .0,
        0
    );
    let (_, out, _) = desk.run(&["letter", "LC-1003"]);
    assert!(
        out.contains("More than five days") && out.contains("appeal"),
        "{out}"
    );
}

#[test]
fn policy_diff_lists_changes_without_applying_them() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let dir = desk.dir.path().join("new-policy");
    std::fs::create_dir(&dir).unwrap();
    let lcic =
        include_str!("../assets/policies/lcic.toml").replace("window_days = 5", "window_days = 7");
    std::fs::write(dir.join("lcic.toml"), lcic).unwrap();
    let (code, out, err) = desk.run(&[
        "policy",
        "diff",
        "--policy-dir",
        dir.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["LC-1003"]);
    assert_eq!(v["changes"][0]["new"]["kind"], "full_refund");
    assert_eq!(
        v["totals"][0],
        serde_json::json!({"currency": "CNY", "old": "0.00", "new": "1200.00", "change": "1200.00"})
    );
    // Nothing switched: the stored verdict is still the old one.
    assert_eq!(desk.show("LC-1003")["verdict"]["kind"], "reject");
}
