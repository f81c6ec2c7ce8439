//! Leases on a PostgreSQL desk (store::leases on a server): a ticket opened
//! is held for LEASE_SECONDS, others see who holds it, and a lease is only
//! ever the session user's own — claimed, renewed and released through the
//! desk's functions by real OS users.

mod common;
mod reliability_util;

use common::pg::{cluster, literal};
use common::{base, Desk, NOW};
use refund_desk::domain::calendar::Calendar;
use refund_desk::domain::policy::Policy;
use refund_desk::pg::PgStore;
use refund_desk::store::{Access, Clock, Opening, LEASE_SECONDS};
use reliability_util::TempUsers;

#[test]
fn a_lease_shows_who_is_on_a_ticket_until_it_runs_out_and_is_only_ones_own() {
    let Some(users) = TempUsers::create("pl", 1) else {
        eprintln!("SKIPPED (not root): leases with a real OS user");
        return;
    };
    let ann = users.users[0].clone();
    let desk = Desk::new();
    let r = desk.import("t.jsonl", &format!("{}\n", base("lcic")));
    assert_eq!(r.0, 0, "{}", r.2);
    desk.grant_login(&[&ann]);
    assert_eq!(desk.run(&["roles", "grant", &ann, "agent"]).0, 0);
    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap();
    let mut me = PgStore::open_with(
        &desk.url,
        Policy::builtin(),
        Calendar::plain(),
        Opening::new(Access::Write, Clock::Pinned(now)),
    )
    .unwrap();
    let us = |t: chrono::DateTime<chrono::FixedOffset>| t.timestamp_micros();
    let later = now + chrono::Duration::seconds(LEASE_SECONDS + 1);
    // ann, from psql, as the console would: claim(ticket, until, now).
    let psql = |sql: &str| {
        let out = cluster().unwrap().psql_as(Some(&ann), &desk.url, sql);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let claim = |at: i64| {
        psql(&format!(
            "SELECT coalesce(refund_desk.claim('L-1', {}, {at}), '-')",
            at + LEASE_SECONDS * 1_000_000
        ))
    };

    assert_eq!(me.claim("L-1", now).unwrap(), None);
    assert_eq!(claim(us(now)), me.operator, "held by the test user");
    assert_eq!(me.held_by_other("L-1", now).unwrap(), None);
    // Run out, it is anyone's: ann takes it, and the holder is ann.
    assert_eq!(claim(us(later)), "-");
    assert_eq!(me.held_by_other("L-1", later).unwrap(), Some(ann.clone()));
    assert_eq!(me.claim("L-1", later).unwrap(), Some(ann.clone()));
    // Releasing another's lease does nothing; ann's own release frees it.
    me.release("L-1").unwrap();
    assert_eq!(me.held_by_other("L-1", later).unwrap(), Some(ann.clone()));
    psql(&format!("SELECT refund_desk.release({})", literal("L-1")));
    assert_eq!(me.held_by_other("L-1", later).unwrap(), None);
    // Nobody writes a lease in another's name.
    let out = cluster().unwrap().psql_as(
        Some(&ann),
        &desk.url,
        "INSERT INTO refund_desk.leases VALUES ('L-1', 'nobody', 9223372036854775807)",
    );
    assert!(!out.status.success());
}
