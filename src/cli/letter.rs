//! `refund-desk letter ID [--sent]`: the customer reply draft for the
//! ticket's current decision, offer, payout or request, in the customer's
//! language; with `--sent`, recorded as sent.

use super::{ExitCode, Setup};
use crate::domain::letter::Letter;
use crate::store::StoreError;

pub fn run(setup: &Setup, id: &str, sent: bool) -> anyhow::Result<ExitCode> {
    // Drafting only reads; recording the letter as sent writes an event.
    let mut store = if sent {
        setup.open_store()?
    } else {
        setup.open_reader()?
    };
    let d = store.detail(id)?;
    let letter = match d.letter(store.policy()) {
        Ok(l) => l,
        Err(why) => {
            eprintln!("refund-desk: letter {id}: {why}");
            return Ok(ExitCode::Error);
        }
    };
    // Names and notes come from customer data: keep them inert. What is
    // printed is what is recorded, so the record is taken of the inert text.
    let shown = Letter {
        language: letter.language,
        subject: crate::text::inert(&letter.subject),
        body: letter
            .body
            .lines()
            .map(crate::text::inert)
            .collect::<Vec<_>>()
            .join("\n"),
    };
    if sent {
        match store.record_letter_sent(id, d.version, &shown) {
            Ok(()) => eprintln!(
                "refund-desk: recorded the {} letter for {id} as sent",
                shown.language
            ),
            Err(e @ (StoreError::Refused(_) | StoreError::Stale { .. })) => {
                eprintln!("refund-desk: letter {id}: {e}");
                return Ok(ExitCode::Error);
            }
            Err(e) => return Err(e.into()),
        }
    }
    println!("Subject: {}\n", shown.subject);
    println!("{}", shown.body);
    Ok(ExitCode::Ok)
}
