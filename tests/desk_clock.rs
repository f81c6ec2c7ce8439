//! The clock (SPEC §3): `REFUND_DESK_NOW` pins business time only on a desk
//! created with it set — a test or demo desk, marked so in the desk. On any
//! other desk every command run with it is refused and nothing is written,
//! so no one back-dates a real desk's events or reopens a closed window.

mod reliability_util;
use reliability_util::*;
use std::path::Path;

const NOW: &str = "2026-11-23T10:00:00+08:00";
/// NOW as events store it (UTC, milliseconds).
const NOW_STAMP: &str = "2026-11-23T02:00:00.000Z";

fn pinned(db: &Path, args: &[&str]) -> Out {
    Out::of(
        desk_cmd(db)
            .env("REFUND_DESK_NOW", NOW)
            .args(args)
            .output()
            .unwrap(),
    )
}

fn meta(db: &Path, key: &str) -> Option<String> {
    sql(db)
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .ok()
}

fn stamps(db: &Path, action: &str) -> Vec<String> {
    sql(db)
        .prepare("SELECT at FROM events WHERE action = ?1 ORDER BY seq")
        .unwrap()
        .query_map([action], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn refund_desk_now_is_refused_on_a_real_desk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("R", 4)).unwrap();
    assert_eq!(run(&db, &["import", input.to_str().unwrap()]).code, 0);
    for a in [
        &["act", "R-1", "take"][..],
        &["act", "R-1", "approve", "--amount", "90.00"],
    ] {
        assert_eq!(run(&db, a).code, 0);
    }
    assert_eq!(meta(&db, "desk_kind").as_deref(), Some("real"));
    assert_eq!(meta(&db, "clock").as_deref(), Some("system"));
    let more = dir.path().join("more.jsonl");
    std::fs::write(&more, lcic_file("S", 2)).unwrap();
    let before = std::fs::read(&db).unwrap();
    for a in [
        &["act", "R-2", "take"][..],
        &["act", "R-1", "appeal"],
        &["import", more.to_str().unwrap()],
        &["roles", "grant", "nobody", "agent"],
        &["demo", "--tickets", "2"],
        &["list"],
        &["show", "R-1"],
        &["letter", "R-1"],
        &["snapshot"],
        &["check"],
        &["export", "events"],
        &["policy", "show"],
        &["policy", "diff", "--builtin"],
        &["init"],
        &[], // the console
    ] {
        let out = pinned(&db, a);
        out.assert_one_line_error("REFUND_DESK_NOW is set, but");
        assert!(
            out.stderr.contains("a real desk on the system clock"),
            "{a:?}: {out:?}"
        );
        assert_eq!(std::fs::read(&db).unwrap(), before, "{a:?} wrote");
    }
    assert!(stamps(&db, "appeal").is_empty());
}

#[test]
fn a_desk_made_with_a_pinned_clock_keeps_to_it_while_set() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let input = dir.path().join("t.jsonl");
    std::fs::write(&input, lcic_file("T", 3)).unwrap();
    let out = pinned(&db, &["import", input.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(meta(&db, "desk_kind").as_deref(), Some("test"));
    assert_eq!(meta(&db, "clock").as_deref(), Some("pinned"));
    // The creator's role and the import are stamped by the pinned clock.
    assert_eq!(stamps(&db, "role_grant"), [NOW_STAMP]);
    assert_eq!(stamps(&db, "import"), [NOW_STAMP; 3]);
    assert_eq!(pinned(&db, &["act", "T-1", "take"]).code, 0);
    assert_eq!(stamps(&db, "take"), [NOW_STAMP]);
    // Without the variable, the same desk runs on the system clock.
    let t0 = chrono::Utc::now();
    assert_eq!(run(&db, &["act", "T-2", "take"]).code, 0);
    let t1 = chrono::Utc::now();
    let at = chrono::DateTime::parse_from_rfc3339(&stamps(&db, "take")[1]).unwrap();
    let ms = |t: chrono::DateTime<chrono::Utc>| t.timestamp_millis();
    assert!(
        ms(t0) <= at.timestamp_millis() && at.timestamp_millis() <= ms(t1),
        "{at} not between {t0} and {t1}"
    );
}

#[test]
fn a_demo_desk_is_pinned_only_if_made_so() {
    let dir = tempfile::tempdir().unwrap();
    let pinned_demo = dir.path().join("pinned.db");
    assert_eq!(pinned(&pinned_demo, &["demo", "--tickets", "3"]).code, 0);
    assert_eq!(meta(&pinned_demo, "desk_kind").as_deref(), Some("demo"));
    assert_eq!(meta(&pinned_demo, "clock").as_deref(), Some("pinned"));
    assert_eq!(pinned(&pinned_demo, &["list"]).code, 0);

    let demo = dir.path().join("demo.db");
    assert_eq!(run(&demo, &["demo", "--tickets", "3"]).code, 0);
    assert_eq!(meta(&demo, "clock").as_deref(), Some("system"));
    pinned(&demo, &["list"]).assert_one_line_error("is a demo desk on the system clock");
}

#[test]
fn a_refund_desk_now_that_is_no_instant_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let out = Out::of(
        desk_cmd(&db)
            .env("REFUND_DESK_NOW", "last tuesday")
            .arg("init")
            .output()
            .unwrap(),
    );
    out.assert_one_line_error("is not an RFC 3339 instant");
    assert!(!db.exists(), "nothing made");
}
