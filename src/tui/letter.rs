//! The customer letter: drafted by the domain for the selected ticket,
//! shown in a scrollable popup, copied by the terminal loop (OSC 52), and
//! recorded as sent (its exact text, at the version it was drafted from).

use super::action::Action;
use super::app::{App, Effect, Popup};
use crate::domain::letter::Letter;
use ratatui::layout::Rect;

/// What goes on the clipboard: the subject line, a blank line, the body;
/// every line inert, since names and notes are customer text.
pub fn clipboard_text(l: &Letter) -> String {
    let mut out = format!("Subject: {}\n\n", crate::text::inert(&l.subject));
    let body: Vec<String> = l.body.lines().map(crate::text::inert).collect();
    out.push_str(&body.join("\n"));
    out.push('\n');
    out
}

impl App {
    /// Whether the selected ticket is at a step the customer is written to
    /// about (a decision, an offer, the payout, a request for information).
    pub fn letter_possible(&self) -> bool {
        use crate::domain::workflow::State as S;
        self.detail.as_ref().is_some_and(|d| {
            matches!(
                d.case.state,
                S::Feedback | S::Negotiation | S::Execution | S::Completed | S::AwaitingInfo
            )
        })
    }

    /// Opens the draft for the selected ticket, or says why there is none.
    pub(super) fn open_letter(&mut self) {
        self.settle();
        let Some(d) = self.detail.as_ref() else {
            return self.error("no ticket selected");
        };
        let (id, version) = (d.ticket.id.clone(), d.version);
        let drafted = d.letter(self.store.policy());
        match drafted {
            Ok(letter) => self.popups.push(Popup::Letter {
                id,
                letter,
                scroll: 0,
                version,
                sent: None,
            }),
            Err(why) => self.error(format!("no letter for {id}: {why}")),
        }
    }

    pub(super) fn update_letter(&mut self, action: Action) {
        let screen = Rect::new(0, 0, self.size.0, self.size.1);
        let Some(Popup::Letter {
            id,
            letter,
            scroll,
            version,
            sent,
        }) = self.popups.last_mut()
        else {
            return;
        };
        let max = super::ui::letter::max_scroll(letter, screen);
        let page = super::ui::letter::text_area(screen).height.max(1);
        match action {
            Action::Down => *scroll = scroll.saturating_add(1).min(max),
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::PageDown => *scroll = scroll.saturating_add(page).min(max),
            Action::PageUp => *scroll = scroll.saturating_sub(page),
            Action::Copy => {
                let msg = format!(
                    "copied the {} letter for {id} to the clipboard (OSC 52)",
                    letter.language
                );
                let text = clipboard_text(letter);
                self.effects.push(Effect::Copy(text));
                self.info(msg);
            }
            Action::RecordSent if sent.is_some() => {
                let msg = format!(
                    "the {} letter for {id} is already recorded as sent",
                    letter.language
                );
                self.info(msg);
            }
            Action::RecordSent => {
                let (id, letter, version) = (id.clone(), letter.clone(), *version);
                self.record_sent(&id, &letter, version);
            }
            Action::Cancel => {
                self.popups.pop();
            }
            _ => {}
        }
    }

    /// Records the letter on screen as sent, judged against the version it
    /// was drafted from: a ticket changed since may need another letter, so
    /// that is refused and the letter stays open to be closed and drafted again.
    fn record_sent(&mut self, id: &str, letter: &Letter, version: i64) {
        match self.store.record_letter_sent(id, version, letter) {
            Ok(()) => {
                let at = self
                    .now
                    .with_timezone(&self.store.policy().tz)
                    .format("%Y-%m-%d %H:%M");
                let words = format!("recorded as sent by {} at {at}", self.operator());
                if let Some(Popup::Letter { sent, .. }) = self.popups.last_mut() {
                    *sent = Some(words);
                }
                self.info(format!(
                    "{id}: the {} letter is recorded as sent",
                    letter.language
                ));
                // The event is in the history now: reload the detail under the popup.
                self.refresh(Some(id.to_string()));
            }
            Err(crate::store::StoreError::Stale { by, at }) => {
                let at = super::ui::local(&at, self.store.policy().tz, "%Y-%m-%d %H:%M:%S");
                self.error(format!(
                    "{id} changed by {by} at {at} since this letter was drafted: not recorded; \
                     close it and open the letter again"
                ));
            }
            Err(e) => self.error(format!("{id}: letter not recorded: {e}")),
        }
    }
}
