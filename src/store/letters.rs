//! Letters and the record of sending one (SPEC §4 `letter ID [--sent]`).

use super::query::Detail;
use super::rows::insert_event;
use super::{Store, StoreError};
use crate::domain::letter::{draft, Letter};
use rusqlite::OptionalExtension;
use serde_json::json;

impl Detail {
    /// The agent's note on the `request_info` that opened the current wait
    /// for information: what a request letter passes on to the customer.
    pub fn info_request_note(&self) -> Option<&str> {
        self.events
            .iter()
            .rev()
            .find(|e| e.action == "request_info")
            .and_then(|e| e.note.as_deref())
    }

    /// The customer letter for this ticket as it stands.
    pub fn letter(&self, policy: &crate::domain::policy::Policy) -> Result<Letter, String> {
        draft(
            &self.ticket,
            &self.verdict,
            &self.case,
            policy,
            self.info_request_note(),
        )
    }
}

impl Store {
    /// Records that `letter`, drafted from the ticket at `version`, was sent:
    /// a `letter_sent` event (from = to = the current state) carrying the
    /// exact text. Needs a role; refused as stale if the ticket changed since
    /// the draft was made, since the letter might no longer be the right one.
    /// The ticket itself is unchanged (sending a letter moves nothing).
    pub fn record_letter_sent(
        &mut self,
        id: &str,
        version: i64,
        letter: &Letter,
    ) -> Result<(), StoreError> {
        let actor = self.actor()?;
        self.writable()?;
        let sent_at = super::stamp(self.now());
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let row: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT version, updated_by, updated_at FROM tickets WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((now_version, by, at)) = row else {
            return Err(StoreError::NotFound(id.to_string()));
        };
        if now_version != version {
            return Err(StoreError::Stale { by, at });
        }
        insert_event(
            &tx,
            id,
            "letter_sent",
            "",
            &actor.name,
            &sent_at,
            None,
            json!({
                "language": letter.language,
                "subject": letter.subject,
                "body": letter.body,
                "version": version,
            }),
        )?;
        tx.commit()?;
        Ok(())
    }
}
