//! Access: the audit trail refuses UPDATE and DELETE at the database level;
//! the database file (and its WAL, shm and backups) is owner+group only; and
//! the command line offers no way around four-eyes, tried as real OS users.

mod reliability_util;
use reliability_util::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn with_ext(db: &Path, ext: &str) -> std::path::PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(ext);
    p.into()
}

#[test]
fn events_are_append_only_at_the_database_level() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("A", 3)).unwrap();
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);
    assert_eq!(run(&db, &["act", "A-1", "take"]).code, 0);
    let before = count(&db, "SELECT count(*) FROM events");
    let c = sql(&db);
    for attack in [
        "UPDATE events SET operator = 'someone-else'",
        "UPDATE events SET note = 'nothing happened' WHERE action = 'take'",
        "DELETE FROM events",
        "DELETE FROM events WHERE action = 'take'",
        "UPDATE OR REPLACE events SET seq = 1 WHERE seq = 2",
        // REPLACE deletes the old row without firing delete triggers.
        "INSERT OR REPLACE INTO events (seq, ticket_id, action, from_state, to_state, operator, at)
           SELECT seq, ticket_id, 'import', from_state, to_state, operator, at FROM events",
        "REPLACE INTO events (seq, ticket_id, action, from_state, to_state, operator, at)
           VALUES (1, 'A-1', 'import', 'submitted', 'submitted', 'x', 'y')",
        "INSERT INTO events (seq, ticket_id, action, from_state, to_state, operator, at)
           VALUES (1, 'A-1', 'import', 'submitted', 'submitted', 'x', 'y')
           ON CONFLICT (seq) DO UPDATE SET operator = 'x'",
    ] {
        let err = c
            .execute(attack, [])
            .expect_err(&format!("{attack} must be refused"));
        assert!(err.to_string().contains("append-only"), "{attack}: {err}");
    }
    drop(c);
    assert_eq!(count(&db, "SELECT count(*) FROM events"), before);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM events WHERE action = 'take' AND operator != 'someone-else'"
        ),
        1
    );
}

#[test]
fn the_database_and_its_companions_are_owner_and_group_only() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("P", 3)).unwrap();
    // Whatever the umask, the desk is 0660: the group of agents shares it,
    // others (customer data) get nothing.
    for umask in ["000", "022", "077"] {
        let db = dir.path().join(format!("desk-{umask}.db"));
        let out = Out::of(
            std::process::Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "umask {umask} && exec \"$0\" --db \"$1\" import \"$2\""
                ))
                .arg(bin())
                .arg(&db)
                .arg(&input)
                .output()
                .unwrap(),
        );
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(mode(&db), 0o660, "umask {umask}: database mode");
        // The WAL holds recent customer data too; SQLite gives it (and the
        // shm index) the database file's permissions.
        let hold = sql(&db); // keeps -wal/-shm in place while we look
        hold.execute_batch("BEGIN; SELECT count(*) FROM tickets; COMMIT;")
            .unwrap();
        for ext in ["-wal", "-shm"] {
            let p = with_ext(&db, ext);
            if p.exists() {
                assert_eq!(
                    mode(&p) & 0o007,
                    0,
                    "umask {umask}: {ext} is open to others"
                );
            }
        }
        drop(hold);
    }
    // A backup is as private as the original.
    let db = dir.path().join("desk-b.db");
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);
    let copy = dir.path().join("copy.db");
    let out = run(&db, &["backup", copy.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(mode(&copy), 0o660, "backup mode");
}

#[test]
fn no_command_line_path_around_four_eyes_for_real_os_users() {
    let Some(users) = TempUsers::create("fe", 2) else {
        println!(
            "NOTE four-eyes across OS users: skipped (needs root with useradd, groupadd, runuser); \
             the library-level version is in tests/store_act.rs"
        );
        return;
    };
    let (agent, sup) = (users.users[0].clone(), users.users[1].clone());
    let tmp = tempfile::tempdir().unwrap();
    let dir = users.shared_dir(tmp.path());
    let db = dir.join("desk.db");
    let input = dir.join("t.jsonl");
    // FE-1, FE-2: purchased 10 days before applying: LCIC-WINDOW, reject.
    // FE-3: a plain full refund of 90.00.
    let late = |id: &str| {
        lcic(id, &format!("acc-{id}"), "2026-11-13T10:00:00+08:00").replace(
            r#""purchased_at":"2026-11-13T10:00:00+08:00""#,
            r#""purchased_at":"2026-11-03T10:00:00+08:00""#,
        )
    };
    // FE-4: a live refund (LIVE-PRE), the one product an alternate route is for.
    let live = serde_json::json!({
        "id": "FE-4", "received_at": "2026-11-06T10:00:00+08:00", "product": "live",
        "account": {"id": "acc-FE-4"}, "reason": "changed_mind",
        "package": {"billing": "contract", "term_days": 90, "used_units": 0},
        "contract": {"signed_at": "2026-10-30T16:00:00+08:00"},
        "payment": {"currency": "USD", "cash": "900.00"}
    });
    let lines = [
        late("FE-1"),
        late("FE-2"),
        lcic("FE-3", "acc-FE-3", "2026-11-13T10:00:00+08:00"),
        live.to_string(),
    ];
    std::fs::write(&input, lines.join("\n")).unwrap();
    // root creates the desk and is its first supervisor.
    let out = run(&db, &["import", input.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    let gid = std::fs::metadata(&dir).unwrap().gid();
    assert_eq!(std::fs::metadata(&db).unwrap().gid(), gid, "shared group");
    let me = |u: &str, a: &[&str]| users.run_as(u, &db, a);
    let root = |a: &[&str]| run(&db, a);

    // Nobody without a role acts; only a supervisor grants.
    me(&agent, &["act", "FE-1", "take"]).assert_one_line_error("has no role on this desk");
    me(&agent, &["roles", "grant", &agent, "supervisor"]).assert_one_line_error("no role");
    assert_eq!(root(&["roles", "grant", &agent, "agent"]).code, 0);
    assert_eq!(root(&["roles", "grant", &sup, "supervisor"]).code, 0);
    me(&agent, &["roles", "grant", &agent, "supervisor"])
        .assert_one_line_error("only a supervisor can change roles");
    me(&sup, &["roles", "grant", &sup, "agent"])
        .assert_one_line_error("cannot change their own role");

    // The agent proposes approving against a reject verdict ...
    let ok = |o: Out| {
        assert_eq!(o.code, 0, "{o:?}");
        o.stdout
    };
    ok(me(&agent, &["act", "FE-1", "take"]));
    let out = ok(me(&agent, &["act", "FE-1", "approve", "--amount", "50.00"]));
    assert!(out.contains("waiting for a supervisor"), "{out}");
    // ... and cannot sign it off, not even claiming to be root.
    me(&agent, &["act", "FE-1", "sign_off"])
        .assert_one_line_error("only a supervisor can sign off");
    let out = Out::of(
        users
            .cmd_as(&agent, &db)
            .env("USER", "root")
            .env("LOGNAME", "root")
            .args(["act", "FE-1", "sign_off"])
            .output()
            .unwrap(),
    );
    out.assert_one_line_error("only a supervisor can sign off");
    // Nor move the ticket on while the proposal waits.
    me(&agent, &["act", "FE-1", "accept"]).assert_one_line_error("not possible");
    me(
        &agent,
        &["act", "FE-1", "reject", "--clause", "LCIC-WINDOW"],
    )
    .assert_one_line_error("waits for a supervisor's sign-off");
    // An agent above the verdict's limit: a proposal again, not an approval.
    ok(me(&agent, &["act", "FE-3", "take"]));
    let out = ok(me(&agent, &["act", "FE-3", "approve", "--amount", "95.00"]));
    assert!(out.contains("waiting for a supervisor"), "{out}");
    me(&agent, &["act", "FE-3", "sign_off"]).assert_one_line_error("only a supervisor");
    // The other person, a supervisor, signs off.
    ok(me(&sup, &["act", "FE-1", "sign_off", "--note", "checked"]));

    // A supervisor's own proposal needs another supervisor.
    ok(me(&sup, &["act", "FE-2", "take"]));
    let out = ok(me(&sup, &["act", "FE-2", "approve", "--amount", "40.00"]));
    assert!(out.contains("waiting for a supervisor"), "{out}");
    me(&sup, &["act", "FE-2", "sign_off"])
        .assert_one_line_error("four-eyes: the proposer cannot sign off their own proposal");
    // An alternate payout route too (live only: LCIC goes back the original way).
    ok(root(&["act", "FE-2", "sign_off"]));
    ok(me(&sup, &["act", "FE-2", "accept"]));
    let alternate = ["execute", "--route", "alternate", "--account", "IBAN X"];
    let on = |id: &'static str| [&["act", id][..], &alternate[..]].concat();
    me(&sup, &on("FE-2")).assert_one_line_error("only for live refunds");
    ok(me(&sup, &["act", "FE-4", "take"]));
    ok(me(&sup, &["act", "FE-4", "approve"]));
    ok(me(&sup, &["act", "FE-4", "accept"]));
    let out = ok(me(&sup, &on("FE-4")));
    assert!(out.contains("waiting for a supervisor"), "{out}");
    me(&sup, &["act", "FE-4", "sign_off"]).assert_one_line_error("four-eyes");
    me(&agent, &["act", "FE-4", "sign_off"]).assert_one_line_error("only a supervisor");
    ok(root(&["act", "FE-4", "sign_off"]));

    // The trail names who proposed and who signed, by their OS names.
    let c = sql(&db);
    let trail: Vec<(String, String, String)> = c
        .prepare(
            "SELECT ticket_id, operator, json_extract(payload, '$.proposer') FROM events
              WHERE action = 'sign_off' ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        trail,
        vec![
            ("FE-1".into(), sup.clone(), agent.clone()),
            ("FE-2".into(), "root".into(), sup.clone()),
            ("FE-4".into(), "root".into(), sup.clone()),
        ]
    );
    assert!(trail.iter().all(|(_, by, proposer)| by != proposer));
    println!("four-eyes: checked as OS users {agent} (agent) and {sup} (supervisor)");
}
