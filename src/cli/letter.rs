//! `refund-desk letter ID`: the customer reply draft for the ticket's
//! current decision or offer, in the customer's language.

use super::{ExitCode, Setup};
use crate::domain::letter::draft;

pub fn run(setup: &Setup, id: &str) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let d = store.detail(id)?;
    let today = store.now().with_timezone(&store.policy.tz).date_naive();
    match draft(
        &d.ticket,
        &d.verdict,
        &d.case,
        &store.policy,
        &store.calendar,
        today,
    ) {
        Ok(letter) => {
            // Names and notes come from customer data: keep them inert.
            println!("Subject: {}\n", crate::text::inert(&letter.subject));
            for line in letter.body.lines() {
                println!("{}", crate::text::inert(line));
            }
            Ok(ExitCode::Ok)
        }
        Err(why) => {
            eprintln!("refund-desk: letter {id}: {why}");
            Ok(ExitCode::Error)
        }
    }
}
