//! `refund-desk demo --tickets N`: realistic generated tickets, imported
//! through the same path as a real file, and a few hundred of them walked
//! through the workflow so every queue has something in it (by alice and
//! bob on a file desk; on PostgreSQL by the session's user, see `walkers`).

use super::{ExitCode, Setup};
use crate::desk::Desk;
use crate::domain::demo::DemoGenerator;
use crate::domain::workflow::{Action, Actor, Party, Role, Route};
use crate::store::{DeskKind, ImportOptions};
use std::io::Read;

/// Streams generated JSON Lines, so a million tickets never sit in memory.
struct DemoReader {
    generator: DemoGenerator,
    remaining: u64,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for DemoReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.remaining == 0 {
                return Ok(0);
            }
            self.remaining -= 1;
            self.buf.clear();
            self.pos = 0;
            self.buf
                .extend_from_slice(self.generator.next_line().as_bytes());
            self.buf.push(b'\n');
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Fills `store` with `tickets` demo tickets; returns how many were walked.
pub fn fill(
    store: &mut Desk,
    tickets: u64,
    seed: u64,
    progress: impl FnMut(crate::store::ImportStep),
) -> anyhow::Result<u64> {
    let now = store.now();
    let reader = DemoReader {
        generator: DemoGenerator::new(seed, now),
        remaining: tickets,
        buf: Vec::new(),
        pos: 0,
    };
    let mut rejected = Vec::new();
    store.import(
        "demo",
        reader,
        ImportOptions::default(),
        |r| rejected.push(r.clone()),
        progress,
    )?;
    anyhow::ensure!(
        rejected.is_empty(),
        "the demo generator produced invalid tickets: {rejected:?}"
    );
    walk_some(store, tickets.min(600))
}

/// Who walks the demo tickets: two made-up operators on a file desk. On
/// PostgreSQL the server records every write as the session's user and
/// made-up names have no login there, so the demo walks as you (the desk's
/// creator is its first supervisor).
fn walkers(store: &mut Desk) -> anyhow::Result<(Actor, Actor)> {
    if let crate::desk::Location::Postgres(_) = store.location() {
        let me = store.actor()?;
        return Ok((me.clone(), me));
    }
    for (name, role) in [("alice", Role::Agent), ("bob", Role::Supervisor)] {
        if store.role_of(name)?.is_none() {
            store.set_role(name, Some(role))?;
        }
    }
    Ok((store.actor_named("alice")?, store.actor_named("bob")?))
}

/// Moves a spread of tickets through the workflow as the demo's operators.
fn walk_some(store: &mut Desk, how_many: u64) -> anyhow::Result<u64> {
    let (alice, bob) = walkers(store)?;
    let now = store.now();
    // A desk clears its backlog: tickets older than two weeks are done, so
    // the demo's queues look like a working desk, not a pile of breaches.
    // The newest are spread over every stage.
    let two_weeks_ago = (now - chrono::Duration::days(14)).timestamp_micros();
    let all = Default::default();
    let mut rows = store.page(&all, Default::default(), &crate::store::Page::First, 2_000)?;
    let newest = store.page(
        &all,
        Default::default(),
        &crate::store::Page::Last,
        how_many as usize,
    )?;
    rows.extend(
        newest
            .into_iter()
            .filter(|r| r.received_us >= two_weeks_ago),
    );
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert(r.id.clone()));
    let rows: Vec<(usize, crate::store::ListRow)> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            (
                if r.received_us < two_weeks_ago {
                    9
                } else {
                    i % 10
                },
                r,
            )
        })
        .collect();
    let mut walked = 0;
    for (depth, row) in &rows {
        let (depth, row) = (*depth, row);
        if depth < 3 {
            continue; // stays submitted
        }
        let who = if row.id.len() % 3 == 0 { &bob } else { &alice };
        let amount = row.verdict.amount.or(row.verdict.ceiling);
        let mut steps = vec![Action::Take];
        if depth >= 4 {
            steps.push(if depth == 4 {
                Action::RequestInfo {
                    note: "copy of the invoice".into(),
                }
            } else {
                Action::Evaluate
            });
        }
        if depth >= 6 {
            steps.push(match (amount, row.verdict.clauses.first()) {
                (Some(a), _) => Action::Approve {
                    amount: Some(a),
                    note: None,
                },
                (None, Some(c)) => Action::Reject {
                    clauses: vec![c.to_string()],
                    note: None,
                },
                (None, None) => Action::Withdraw {
                    note: Some("customer withdrew".into()),
                },
            });
        }
        if depth == 7 {
            steps.push(Action::Appeal {
                amount: None,
                note: Some("please reconsider".into()),
            });
            if let Some(a) = amount {
                steps.push(Action::Offer {
                    amount: a,
                    party: Party::Desk,
                    note: None,
                });
            }
        }
        if depth >= 8 && amount.is_none() {
            steps.push(Action::Close {
                note: Some("customer informed of the decision".into()),
            });
        } else if depth >= 8 {
            steps.push(Action::Accept);
            steps.push(Action::Execute {
                route: Route::Original,
                account: None,
            });
        }
        if depth == 9 {
            steps.push(Action::Complete {
                reference: format!("PAY-{}", row.id),
            });
        }
        for step in steps {
            // A refused step (a guard, a four-eyes proposal) simply ends the walk here.
            match store.act(&row.id, &step, who, None, now) {
                Ok(crate::store::ActOutcome::Done { pending: false, .. }) => {}
                _ => break,
            }
        }
        walked += 1;
    }
    Ok(walked)
}

pub fn run(setup: &Setup, tickets: u64, seed: u64, print: bool) -> anyhow::Result<ExitCode> {
    if print {
        let mut generator = DemoGenerator::new(seed, setup.clock.now());
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for _ in 0..tickets {
            use std::io::Write;
            writeln!(out, "{}", generator.next_line())?;
        }
        return Ok(ExitCode::Ok);
    }
    let started = std::time::Instant::now();
    // Demo tickets walked by made-up operators belong only in a desk made
    // for them: looked at read-only first, so a refusal changes nothing.
    let location = setup.location(false)?;
    let exists = match &location {
        crate::desk::Location::File(path) => std::fs::symlink_metadata(path).is_ok(),
        crate::desk::Location::Postgres(url) => crate::pg::PgStore::exists(url)?,
    };
    if exists {
        let kind = setup.open_reader_any()?.kind();
        if kind != DeskKind::Demo {
            eprintln!(
                "refund-desk: demo: {} is a {} desk: demo writes only into a new file or a desk demo created",
                location.shown(),
                kind.as_str()
            );
            return Ok(ExitCode::Error);
        }
    }
    let mut store = setup.open_or_create(DeskKind::Demo)?;
    let mut bar = super::import::Progress::new("demo", None);
    let walked = fill(&mut store, tickets, seed, |step| bar.step(step))?;
    bar.finish();
    eprintln!(
        "generated {tickets} demo tickets into {} ({walked} moved through the workflow) in {:.1} s",
        store.shown(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::Ok)
}
