//! The detail pane: the customer's words, the facts the policy read, the
//! verdict with its clause text, the refundable breakdown, due dates, the
//! negotiation and the history.

use super::{local, timeline};
use crate::domain::money::format_number;
use crate::domain::ticket::Timestamp;
use crate::domain::workflow::{Action as Wf, Decision, Party};
use crate::store::Detail;
use crate::text::{inert, width};
use crate::tui::action::{Action, Verb};
use crate::tui::app::App;
use crate::tui::keymap::Mode;
use crate::tui::theme::verdict_symbol;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

pub fn render(app: &App, area: Rect, beside: bool, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let title = match &app.detail {
        Some(d) => format!(" {} ", inert(&d.ticket.id)),
        None => " detail ".into(),
    };
    let block = Block::new()
        .borders(if beside { Borders::LEFT } else { Borders::TOP })
        .border_style(app.theme.dim)
        .title(Span::styled(title, app.theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(d) = &app.detail else {
        Paragraph::new(Line::styled("no ticket selected", app.theme.dim)).render(inner, buf);
        return;
    };
    Paragraph::new(lines(app, d))
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0))
        .render(inner, buf);
}

/// An amount as a person reads it in this currency: grouped, and with the
/// currency's own minor units (`9,000` yen, `1,234.50` dollars).
fn n2(currency: &str, amount: rust_decimal::Decimal) -> String {
    format_number(amount, currency)
}

fn section(app: &App, name: &str) -> Line<'static> {
    Line::styled(format!("── {name} "), app.theme.title)
}

fn kv(app: &App, k: &str, v: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:<13}"), app.theme.dim),
        Span::raw(inert(&v)),
    ])
}

fn ts(app: &App, t: &Timestamp) -> String {
    t.with_timezone(&app.store.policy().tz)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn lines(app: &App, d: &Detail) -> Vec<Line<'static>> {
    let t = &d.ticket;
    let v = &d.verdict;
    let cur = &v.currency;
    let th = &app.theme;
    let mut out = vec![Line::from(vec![
        Span::styled(inert(&t.id), th.header),
        Span::raw(format!(
            "  {} · {} · {}",
            t.product,
            d.case.state,
            d.case
                .assignee
                .as_deref()
                .map(|a| format!("assignee {}", inert(a)))
                .unwrap_or_else(|| "unassigned".into())
        )),
    ])];
    if let Some(who) = &app.lease_holder {
        out.push(Line::styled(
            format!("⚑ {} is working on this ticket", inert(who)),
            th.error,
        ));
    }
    pending(app, d, &mut out);
    out.push(kv(app, "received", ts(app, &t.received_at)));
    let name = t
        .account_name
        .as_deref()
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    out.push(kv(
        app,
        "account",
        format!("{}{name} ({})", t.account_id, t.account_status),
    ));
    if let Some(r) = t.requested_amount {
        out.push(kv(app, "requested", format!("{} {cur}", n2(cur, r))));
    }

    out.push(section(app, "Customer's words"));
    if let Some(s) = &t.subject {
        out.push(Line::styled(
            inert(s),
            Style::new().add_modifier(ratatui::style::Modifier::BOLD),
        ));
    }
    match &t.description {
        Some(s) => out.push(Line::raw(inert(s))),
        None if t.subject.is_none() => out.push(Line::styled("(no text)", th.dim)),
        None => {}
    }
    if !t.evidence.is_empty() {
        out.push(kv(app, "evidence", t.evidence.join("; ")));
    }

    out.push(section(app, "Verdict"));
    let amount = match (v.amount, v.ceiling) {
        (Some(a), _) => format!(" {} {cur}", n2(cur, a)),
        (None, Some(c)) => format!(" up to {} {cur}", n2(cur, c)),
        _ => String::new(),
    };
    out.push(Line::styled(
        format!("{} {}{amount}", verdict_symbol(v.kind), v.kind),
        th.verdict(v.kind),
    ));
    for (i, c) in v.clauses.iter().enumerate() {
        let text = app.store.policy().clause_text(*c);
        let text = if app.chinese { &text.zh } else { &text.en };
        let tag = if i == 0 { "deciding" } else { "also" };
        out.push(Line::from(vec![
            Span::styled(format!("{tag} {c}: "), th.key),
            Span::raw(inert(text)),
        ]));
    }
    for f in &v.flags {
        let text = app.store.policy().flag_text(*f);
        let text = if app.chinese { &text.zh } else { &text.en };
        out.push(Line::from(vec![
            Span::styled(format!("⚑ {f}: "), th.error),
            Span::raw(inert(text)),
        ]));
    }
    if !v.missing.is_empty() {
        out.push(kv(app, "missing", v.missing.join(", ")));
    }
    for (k, val) in &v.facts {
        out.push(kv(app, k, val.clone()));
    }
    if !v.related.is_empty() {
        out.push(kv(app, "related", v.related.join(", ")));
    }

    out.push(section(app, "Refundable"));
    let p = &t.payment;
    out.push(kv(
        app,
        "refunded",
        format!(
            "cash {} + commission credit {} + free credit {} = {} {cur}",
            n2(cur, p.cash),
            n2(cur, p.commission_credit),
            n2(cur, p.free_credit),
            n2(cur, p.base())
        ),
    ));
    out.push(Line::from(vec![
        Span::styled(format!("{:<13}", "not refunded"), th.dim),
        Span::styled(
            format!(
                "voucher {} · discount {}",
                n2(cur, p.voucher),
                n2(cur, p.discount)
            ),
            th.not_refunded,
        ),
    ]));
    if !p.frozen.is_zero() {
        out.push(kv(
            app,
            "unfreeze",
            format!(
                "{} {cur} frozen, released with the refund",
                n2(cur, p.frozen)
            ),
        ));
    }
    if let Some(i) = &p.invoice_issued_at {
        out.push(kv(app, "invoice", ts(app, i)));
    }

    out.push(section(app, "Facts read"));
    facts(app, d, &mut out);

    out.push(section(app, "Due"));
    match d.due {
        Some(due) if d.case.state.stage().is_some() => {
            let (label, _) =
                crate::tui::sla::label(app.store.calendar(), d.case.state, Some(due), app.today());
            let breach = due
                .breach
                .map(|b| format!(" · breach {b}"))
                .unwrap_or_default();
            out.push(kv(
                app,
                "target",
                format!("{}{breach} · {label}", due.target),
            ));
        }
        _ => out.push(Line::styled("no clock in this state", th.dim)),
    }

    negotiation(app, d, &mut out);

    out.push(section(app, "History"));
    out.extend(timeline::lines(app, &d.events, cur));
    out
}

fn facts(app: &App, d: &Detail, out: &mut Vec<Line<'static>>) {
    let t = &d.ticket;
    let k = &t.package;
    let mut pkg = format!("{} · {}", k.billing, k.source);
    if let Some(n) = &k.name {
        pkg = format!("{n} · {pkg}");
    }
    out.push(kv(app, "package", pkg));
    out.push(kv(app, "reason", t.reason.to_string()));
    let mut dates = Vec::new();
    for (name, at) in [
        ("purchased", &k.purchased_at),
        ("activated", &k.activated_at),
        ("expires", &k.expires_at),
    ] {
        if let Some(at) = at {
            dates.push(format!("{name} {}", ts(app, at)));
        }
    }
    if !dates.is_empty() {
        out.push(kv(app, "dates", dates.join(" · ")));
    }
    let total = k.total_units.map(|t| t.to_string()).unwrap_or("?".into());
    let mut units = format!("{} of {total} used", k.used_units);
    if k.gifted_units_used > 0 {
        units.push_str(&format!(" · gifted used {}", k.gifted_units_used));
    }
    if let Some(days) = k.term_days {
        units.push_str(&format!(" · term {days} d"));
    }
    out.push(kv(app, "units", units));
    if let Some(app_id) = &k.sdk_app_id {
        out.push(kv(app, "sdk app", app_id.clone()));
    }
    let c = &t.contract;
    if c.number.is_some() || c.signed_at.is_some() || c.overrides_policy {
        let signed = c
            .signed_at
            .as_ref()
            .map(|s| format!(" signed {}", ts(app, s)))
            .unwrap_or_default();
        let own = if c.overrides_policy {
            " · own refund terms"
        } else {
            ""
        };
        out.push(kv(
            app,
            "contract",
            format!("{}{signed}{own}", c.number.as_deref().unwrap_or("")),
        ));
    }
    let i = &t.incident;
    let mut inc = Vec::new();
    if let Some(s) = &i.started_at {
        inc.push(format!("from {}", ts(app, s)));
    }
    if let Some(h) = i.unresolved_hours {
        inc.push(format!("unresolved {h} h"));
    }
    if let Some(h) = i.outage_hours {
        inc.push(format!("outage {h} h"));
    }
    if let Some(b) = i.provider_caused {
        inc.push(format!("provider caused {b}"));
    }
    if let Some(b) = i.quality_gap_confirmed {
        inc.push(format!("quality gap confirmed {b}"));
    }
    if !inc.is_empty() {
        out.push(kv(app, "incident", inc.join(" · ")));
    }
}

/// What a waiting proposal would do, with its amount or route.
pub(super) fn proposal_text(action: &Wf, cur: &str) -> String {
    let money = |a: &Option<rust_decimal::Decimal>| {
        a.map(|a| format!(" {} {cur}", n2(cur, a)))
            .unwrap_or_default()
    };
    match action {
        Wf::Approve { amount, .. } | Wf::Agree { amount, .. } => {
            format!("{}{}", action.name(), money(amount))
        }
        Wf::Revise {
            decision: Decision::Approve { amount },
            ..
        } => format!("revise to approve {} {cur}", n2(cur, *amount)),
        Wf::Revise {
            decision: Decision::Reject { clauses },
            ..
        } => format!("revise to reject ({})", clauses.join(", ")),
        Wf::Execute { route, account } => format!(
            "execute via the {route} route{}",
            account
                .as_deref()
                .map(|a| format!(" to {a}"))
                .unwrap_or_default()
        ),
        other => other.name().to_string(),
    }
}

/// The four-eyes proposal, shown at the top of the detail: nothing moves
/// on this ticket until a second supervisor signs it off or declines it.
fn pending(app: &App, d: &Detail, out: &mut Vec<Line<'static>>) {
    let Some(p) = &d.case.pending else {
        return;
    };
    let th = &app.theme;
    let key = |a: Action| app.keymap.label(Mode::List, a);
    out.push(Line::from(vec![
        Span::styled("⧗ AWAITING SIGN-OFF ", th.breached),
        Span::styled(
            inert(&format!(
                " {} — proposed by {} at {}",
                proposal_text(&p.action, &d.verdict.currency),
                p.proposer,
                local(&p.at, app.store.policy().tz, "%Y-%m-%d %H:%M")
            )),
            th.error,
        ),
    ]));
    for r in &p.reasons {
        out.push(Line::from(vec![
            Span::styled("  needs a second person: ", th.dim),
            Span::raw(inert(r)),
        ]));
    }
    let hint = if p.proposer == app.operator() {
        format!(
            "  your proposal: another supervisor signs it off · {} withdraw proposal",
            key(Action::Do(Verb::Decline))
        )
    } else if app.role == Some(crate::domain::workflow::Role::Supervisor) {
        format!(
            "  {} sign off · {} decline (you are not {})",
            key(Action::Do(Verb::SignOff)),
            key(Action::Do(Verb::Decline)),
            inert(&p.proposer)
        )
    } else {
        format!(
            "  a supervisor other than {} signs it off or declines it",
            inert(&p.proposer)
        )
    };
    out.push(Line::styled(hint, th.dim));
}

/// The appeal, offers and counter-offers in order: when, who, what, why.
fn ledger(app: &App, d: &Detail, out: &mut Vec<Line<'static>>) {
    let c = &d.case;
    if c.ledger.is_empty() {
        return;
    }
    let th = &app.theme;
    let cur = &d.verdict.currency;
    out.push(section(app, "Negotiation"));
    let amounts: Vec<String> = c
        .ledger
        .iter()
        .map(|o| {
            o.amount
                .map(|a| format!("{} {cur}", n2(cur, a)))
                .unwrap_or("—".into())
        })
        .collect();
    let aw = amounts.iter().map(|a| width(a)).max().unwrap_or(0);
    for (o, amount) in c.ledger.iter().zip(amounts) {
        let what = match (o.kind.as_str(), o.party) {
            ("appeal", _) => "appeal",
            (_, Party::Customer) => "counter",
            _ => "offer",
        };
        let party_style = if o.party == Party::Customer {
            th.key
        } else {
            th.header
        };
        let mut spans = vec![
            Span::styled(local(&o.at, app.store.policy().tz, "%m-%d %H:%M "), th.dim),
            Span::styled(format!("{:<9}", o.party.as_str()), party_style),
            Span::raw(format!("{what:<8}")),
            Span::styled(
                format!("{}{amount}", " ".repeat(aw - width(&amount))),
                th.title,
            ),
        ];
        if let Some(n) = &o.note {
            spans.push(Span::raw(format!("  “{}”", inert(n))));
        }
        spans.push(Span::styled(format!("  by {}", inert(&o.by)), th.dim));
        out.push(Line::from(spans));
    }
}

fn negotiation(app: &App, d: &Detail, out: &mut Vec<Line<'static>>) {
    let c = &d.case;
    let cur = &d.verdict.currency;
    if c.decision.is_none() && c.pending.is_none() && c.ledger.is_empty() && c.execution.is_none() {
        return;
    }
    out.push(section(app, "Decision"));
    match &c.decision {
        Some(Decision::Approve { amount }) => out.push(kv(
            app,
            "decision",
            format!("approve {} {cur}", n2(cur, *amount)),
        )),
        Some(Decision::Reject { clauses }) => out.push(kv(
            app,
            "decision",
            format!("reject {}", clauses.join(", ")),
        )),
        None => {}
    }
    if let Some(p) = &c.pending {
        out.push(Line::from(vec![
            Span::styled(format!("{:<13}", "pending"), app.theme.error),
            Span::raw(inert(&format!(
                "{} by {}",
                proposal_text(&p.action, cur),
                p.proposer
            ))),
        ]));
    }
    ledger(app, d, out);
    if let Some(a) = c.agreed {
        out.push(kv(app, "agreed", format!("{} {cur}", n2(cur, a))));
    }
    if let Some(e) = &c.execution {
        if !c.ledger.is_empty() {
            out.push(section(app, "Payout"));
        }
        let account = e
            .account
            .as_deref()
            .map(|a| format!(" ({a})"))
            .unwrap_or_default();
        out.push(kv(
            app,
            "payout",
            format!(
                "{} {cur} via {} route{account} on {} · invoice {} · unfreeze {}",
                n2(cur, e.amount),
                e.route,
                e.executed_on,
                e.invoice_action,
                n2(cur, e.frozen_to_unfreeze)
            ),
        ));
        out.push(kv(
            app,
            "expected",
            format!("{} – {}", e.expected_from, e.expected_by),
        ));
    }
    if let Some(r) = &c.payout_reference {
        out.push(kv(app, "reference", r.clone()));
    }
}
