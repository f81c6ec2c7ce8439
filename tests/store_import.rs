//! Import through the real binary and a real desk (a SQLite file, or a
//! PostgreSQL database as pg_store_import runs it): bad lines are
//! reported with their line numbers while good lines land; re-imports are
//! idempotent; conflicts are refused unless --update; verdicts follow.

mod common;
use common::*;

#[test]
fn bad_lines_are_reported_with_line_numbers_and_good_lines_land() {
    let desk = Desk::new();
    let good = lcic("OK-1", "A", "2026-11-03T10:00:00+08:00");
    let lines = [
        good.clone(),
        "{not json".to_string(),
        good.replace("OK-1", "BAD-missing")
            .replace(r#""product":"lcic","#, ""),
        good.replace("OK-1", "BAD-enum")
            .replace(r#""reason":"unused""#, r#""reason":"bored""#),
        good.replace("OK-1", "BAD-amount")
            .replace(r#""90.00""#, "90.00"),
        good.replace("OK-1", "BAD-order").replace(
            r#""purchased_at":"2026-11-03T10:00:00+08:00""#,
            r#""purchased_at":"2026-11-04T10:00:00+08:00""#,
        ),
        String::new(),
        good.replace("OK-1", "OK-2"),
        good.replace(r#""90.00""#, r#""91.00""#),
    ];
    let (code, _, err) = desk.import("t.jsonl", &lines.join("\n"));
    assert_eq!(code, 3, "{err}");
    let path = desk.dir.path().join("t.jsonl");
    let p = path.display();
    for (line, what) in [
        (2, "not valid JSON"),
        (3, "missing required field product"),
        (4, "reason: unknown value \"bored\""),
        (5, "amounts must be JSON strings"),
        (6, "received_at is before package.purchased_at"),
        (9, "conflicts with existing ticket"),
    ] {
        assert!(
            err.contains(&format!("{p}:{line}: ")) && err.contains(what),
            "line {line} ({what}) not reported in:\n{err}"
        );
    }
    let (_, out, _) = desk.run(&["list", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["OK-1", "OK-2"]);
}

#[test]
fn re_import_is_a_no_op_and_update_records_an_event() {
    let desk = Desk::new();
    let (code, _, err) = desk.run(&["import", examples().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("imported 23 new"), "{err}");
    let (code, _, err) = desk.run(&["import", examples().to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(err.contains("0 new, 0 updated, 23 unchanged"), "{err}");
    // The same JSON value with keys reordered and spaces is identical content.
    let same = r#"{ "received_at":"2026-11-03T10:00:00+08:00", "id":"X", "product":"lcic","account":{"id":"A"},"reason":"unused","package":{"billing":"monthly","purchased_at":"2026-11-03T10:00:00+08:00"},"payment":{"currency":"USD","cash":"90.00"}}"#;
    desk.import("a.jsonl", &lcic("X", "A", "2026-11-03T10:00:00+08:00"));
    let (code, _, err) = desk.import("b.jsonl", same);
    assert_eq!(code, 0, "{err}");

    let changed = lcic("X", "A", "2026-11-03T10:00:00+08:00").replace("90.00", "80.00");
    let (code, _, err) = desk.import("c.jsonl", &changed);
    assert_eq!(code, 3);
    assert!(err.contains("conflicts with existing ticket"), "{err}");
    assert_eq!(desk.show("X")["verdict"]["amount"], "90.00");

    let p = desk.write("c.jsonl", &changed);
    let (code, _, err) = desk.run(&["import", "--update", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let shown = desk.show("X");
    assert_eq!(shown["verdict"]["amount"], "80.00");
    let actions: Vec<&str> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["import", "update", "reverdict"]);
}

#[test]
fn stdin_and_csv_import() {
    let desk = Desk::new();
    let out = desk
        .cmd()
        .args(["import", "-"])
        .write_stdin(lcic("S-1", "A", "2026-11-03T10:00:00+08:00"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = "id,received_at,product,account.id,reason,package.billing,package.purchased_at,package.used_units,payment.currency,payment.cash,evidence\n\
               C-1,2026-11-03T10:00:00+08:00,lcic,A2,unused,monthly,2026-11-02T10:00:00+08:00,0,USD,12.50,a.png;b.pdf\n\
               C-2,2026-11-03T10:00:00+08:00,lcic,A3,unused,monthly,,x,USD,1,\n";
    let (code, _, err) = desk.import("t.csv", csv);
    assert_eq!(code, 3);
    assert!(
        err.contains("t.csv:3: package.used_units: expected an integer"),
        "{err}"
    );
    let c1 = desk.show("C-1");
    assert_eq!(c1["verdict"]["amount"], "12.50");
    assert_eq!(
        c1["ticket"]["evidence"],
        serde_json::json!(["a.png", "b.pdf"])
    );
}

#[test]
fn an_earlier_ticket_imported_later_recomputes_the_later_verdicts() {
    let desk = Desk::new();
    // Two full refunds then a third: the third is abuse_suspected, whatever the import order.
    desk.import("late.jsonl", &lcic("C", "ACC", "2026-11-20T10:00:00+08:00"));
    assert_eq!(desk.show("C")["verdict"]["flags"], serde_json::json!([]));
    let earlier = [
        lcic("A", "ACC", "2026-10-01T10:00:00+08:00"),
        lcic("B", "ACC", "2026-11-01T10:00:00+08:00"),
    ]
    .join("\n");
    let (_, _, err) = desk.import("early.jsonl", &earlier);
    assert!(err.contains("1 earlier verdicts changed"), "{err}");
    let c = desk.show("C");
    assert_eq!(
        c["verdict"]["flags"],
        serde_json::json!(["abuse_suspected"])
    );
    assert_eq!(c["verdict"]["related"], serde_json::json!(["A", "B"]));
    let last = c["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "reverdict");
    assert_eq!(last["from"], last["to"]);
}

#[test]
fn a_policy_change_recomputes_stored_verdicts() {
    let desk = Desk::new();
    desk.import(
        "t.jsonl",
        &lcic("W", "A", "2026-11-03T10:00:00+08:00").replace(
            r#""purchased_at":"2026-11-03T10:00:00+08:00""#,
            r#""purchased_at":"2026-10-27T10:00:00+08:00""#,
        ),
    );
    assert_eq!(desk.show("W")["verdict"]["kind"], "reject");
    let policy = desk.dir.path().join("policy");
    std::fs::create_dir(&policy).unwrap();
    let lcic_toml =
        include_str!("../assets/policies/lcic.toml").replace("window_days = 5", "window_days = 7");
    std::fs::write(policy.join("lcic.toml"), lcic_toml).unwrap();
    let before = desk.show("W");
    // The desk's policy changes only by `policy apply` (SPEC §2).
    let (code, _, err) = desk.run(&["policy", "apply", "--policy-dir", policy.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v = desk.show("W");
    assert_eq!(v["verdict"]["kind"], "full_refund");
    assert_ne!(v["policy_version"], before["policy_version"]);
}

#[test]
fn list_filters_and_json_shape() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let (code, out, _) = desk.run(&[
        "list",
        "--verdict",
        "full_refund",
        "--product",
        "lcic",
        "--json",
    ]);
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["LC-1001", "LC-1002"]);
    assert_eq!(rows[0]["verdict"]["amount"], "95.00");
    assert_eq!(rows[0]["state"], "submitted");
    let (code, _, err) = desk.run(&["list", "--state", "nonsense"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn search_finds_ids_accounts_names_and_words_in_any_script() {
    let desk = Desk::new();
    desk.run(&["import", examples().to_str().unwrap()]);
    let ids = |q: &str| -> Vec<String> {
        let (code, out, err) = desk.run(&["list", "--search", q, "--json"]);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
        rows.iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("退款"), ["LV-4001", "LC-1002"]);
    assert_eq!(ids("환불"), ["TR-2001"]);
    assert_eq!(ids("返金"), ["CH-3001"]);
    assert_eq!(
        ids("LC-100"),
        ["LC-1001", "LC-1004", "LC-1005", "LC-1006", "LC-1007", "LC-1008", "LC-1002", "LC-1003"]
    );
    assert_eq!(ids("streamco"), ["TR-2001", "TR-2002"]);
    assert_eq!(ids("bright minds"), ["LC-1001"]);
    assert!(ids("nothing-like-this").is_empty());
    // An update re-indexes the ticket's words.
    let changed = lcic("S-9", "A", "2026-11-03T10:00:00+08:00");
    desk.import("a.jsonl", &changed);
    let with_words = changed.replace(
        r#""reason":"unused""#,
        r#""reason":"unused","description":"duplicate invoice""#,
    );
    let p = desk.write("b.jsonl", &with_words);
    desk.run(&["import", "--update", p.to_str().unwrap()]);
    assert_eq!(ids("duplicate invoice"), ["S-9"]);
}

/// The initial-review clock starts on the local date of `received_at`: an
/// update that moves it moves the due dates of tickets still in that stage —
/// in `show`, in the list (the Overdue queue) and in the per-day counts.
#[test]
fn update_moving_received_at_moves_the_first_stage_clock() {
    let desk = Desk::new();
    let early = |id: &str| lcic(id, id, "2026-11-03T10:00:00+08:00");
    let late = |id: &str| lcic(id, id, "2026-11-20T10:00:00+08:00");
    let (code, _, err) = desk.import("a.jsonl", &format!("{}\n{}", early("M-1"), early("M-2")));
    assert_eq!(code, 0, "{err}");
    // M-2 is taken (its case is now stored); M-1 was never touched.
    assert_eq!(desk.act("M-2", &["take"]).0, 0);
    let overdue = || -> i64 {
        let sql = "SELECT coalesce(sum(n), 0) FROM due_counts WHERE day < '2026-11-23'";
        match desk.engine {
            Engine::Sqlite => {
                let c = rusqlite::Connection::open(&desk.db).unwrap();
                c.query_row(sql, [], |r| r.get(0)).unwrap()
            }
            Engine::Postgres => {
                let sql = sql.replace("FROM ", "FROM refund_desk.");
                let out = pg::cluster().unwrap().psql_as(None, &desk.url, &sql);
                assert!(out.status.success(), "{out:?}");
                String::from_utf8(out.stdout)
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap()
            }
        }
    };
    assert_eq!(overdue(), 2, "3 Nov + 3 bd = 6 Nov, overdue on 23 Nov");
    let (code, _, err) = desk.run(&[
        "import",
        "--update",
        desk.write("b.jsonl", &format!("{}\n{}", late("M-1"), late("M-2")))
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 updated"), "{err}");
    // Fri 20 Nov + 3 business days = Wed 25 Nov; breach + 5 = Fri 27 Nov.
    for id in ["M-1", "M-2"] {
        let shown = desk.show(id);
        assert_eq!(shown["due"]["target"], "2026-11-25", "show {id}");
        assert_eq!(shown["due"]["breach"], "2026-11-27", "show {id}");
    }
    let (_, out, _) = desk.run(&["list", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    for r in &rows {
        assert_eq!(r["due"]["target"], "2026-11-25", "list {}", r["id"]);
    }
    assert_eq!(overdue(), 0);
}
