//! `refund-desk export events [--since SEQ]`: the audit trail as JSON Lines
//! in the order it was written — tickets' events, role changes, policy
//! changes — for archiving. Reading: the desk is opened read-only.

use super::{ExitCode, Setup};
use std::io::Write;

pub fn events(setup: &Setup, since: i64) -> anyhow::Result<ExitCode> {
    let store = setup.open_reader()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    // JSON escapes every control character, so customer text stays inert.
    store.for_each_event(since, |e| {
        serde_json::to_writer(&mut out, &e)?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(ExitCode::Ok)
}
