//! CSV damage never hides a row (SPEC §1 "Bad input"): a quoted cell left
//! open at the end of the file is reported at the line where it opened and
//! the rows after it are still read; a header naming a column twice refuses
//! the file. And, generated: for any file of good, bad and blank lines with
//! CSV quote damage or broken JSON, the tickets imported plus the lines
//! rejected (with their line numbers) account for every non-blank line,
//! in the import report and in the database.

mod common;

use common::input::eval_file;
use common::Desk;
use proptest::prelude::*;
use std::collections::BTreeSet;

const HEADER: &str = "id,received_at,product,account.id,package.billing,package.purchased_at,payment.currency,payment.cash,reason";

fn row(id: &str, cash: &str) -> String {
    format!("{id},2026-11-03T10:00:00+08:00,lcic,acc-{id},monthly,2026-11-02T10:00:00+08:00,USD,{cash},unused")
}

#[test]
fn an_unclosed_quote_is_reported_where_it_opened_and_later_rows_still_count() {
    let file = [
        HEADER.to_string(),
        row("Q-1", "90.00"),
        row("Q-2", "\"90.00"), // line 3: the quote never closes
        row("Q-3", "90.00"),
        String::new(),
        row("Q-4", "1.005"), // line 6: bad on its own
        row("Q-5", "90.00"),
    ]
    .join("\n")
        + "\n";
    let run = eval_file("open.csv", file.as_bytes());
    assert_eq!(run.code, Some(3));
    assert_eq!(run.ids, ["Q-1", "Q-3", "Q-5"], "{:?}", run.stderr);
    assert_eq!(run.stderr.len(), 2, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("open.csv:3: ") && run.stderr[0].contains("never closed"),
        "{:?}",
        run.stderr
    );
    assert!(
        run.stderr[1].starts_with("open.csv:6: ") && run.stderr[1].contains("payment.cash"),
        "{:?}",
        run.stderr
    );
}

#[test]
fn an_unclosed_quote_on_the_last_line_or_after_a_multi_line_cell() {
    // No newline at the end, nothing after: one report, nothing re-read.
    let file = format!("{HEADER}\n{}\n{}", row("Q-1", "90.00"), row("Q-2", "\"90"));
    let run = eval_file("last.csv", file.as_bytes());
    assert_eq!(run.ids, ["Q-1"]);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("last.csv:3: "),
        "{:?}",
        run.stderr
    );
    // A cell legitimately spanning lines 2–3 closes; the quote opened on
    // line 3 does not: reported at line 3, naming the row's first line.
    let header = format!("{HEADER},subject");
    let file = format!(
        "{header}\n{},\"two\nlines\",\"oops\n{},ok\n",
        row("Q-1", "90.00"),
        row("Q-2", "90.00")
    );
    let run = eval_file("span.csv", file.as_bytes());
    assert_eq!(run.ids, ["Q-2"], "{:?}", run.stderr);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("span.csv:3: ") && run.stderr[0].contains("starts on line 2"),
        "{:?}",
        run.stderr
    );
}

#[test]
fn a_rejected_row_running_over_several_lines_says_which() {
    // Two stray quotes pair up: the rows between become one cell.
    let file = [
        HEADER.to_string(),
        row("P-1", "\"90.00"),
        row("P-2", "90.00"),
        row("P-3", "\"90.00"),
        row("P-4", "90.00"),
    ]
    .join("\n")
        + "\n";
    let run = eval_file("pair.csv", file.as_bytes());
    assert_eq!(run.ids, ["P-4"]);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("pair.csv:2: ")
            && run.stderr[0].contains("from line 2 to line 4"),
        "{:?}",
        run.stderr
    );
}

#[test]
fn a_header_naming_a_column_twice_refuses_the_file() {
    for header in [
        format!("{HEADER},payment.cash"),
        format!("{HEADER}, payment.cash "),
        HEADER.replacen("account.id", " id", 1),
    ] {
        let file = format!("{header}\n{},5.00\n", row("D-1", "90.00"));
        let run = eval_file("dup.csv", file.as_bytes());
        assert_eq!(run.code, Some(3));
        assert!(
            run.ids.is_empty(),
            "{header}: last column won: {:?}",
            run.ids
        );
        assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
        assert!(
            run.stderr[0].starts_with("dup.csv:1: ") && run.stderr[0].contains("twice"),
            "{:?}",
            run.stderr
        );
    }
    // A column and one inside it cannot both hold a value, in either order.
    let file = format!(
        "package.billing,{HEADER}\nmonthly,{}\n",
        row("D-2", "90.00")
    )
    .replacen(",package.billing,", ",package,", 1);
    let run = eval_file("clash.csv", file.as_bytes());
    assert!(run.ids.is_empty(), "{:?}", run.ids);
    assert!(run.stderr[0].contains("clashes"), "{:?}", run.stderr);
}

// ---------------------------------------------------------------------------
// Generated files: every non-blank line is accounted for.

#[derive(Clone, Debug)]
enum Item {
    Good,
    /// Valid CSV/JSON, invalid ticket.
    Bad,
    Blank(&'static str),
    /// JSONL: cut short, a key twice, or nested too deep. CSV: a stray
    /// quote opening the cash cell (it runs to the next stray quote or to
    /// the end of the file), or one inside it (text, a bad amount).
    Damaged(u8),
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        6 => Just(Item::Good),
        2 => Just(Item::Bad),
        2 => prop::sample::select(vec!["", " ", "\t", "  \t "]).prop_map(Item::Blank),
        2 => (0u8..3).prop_map(Item::Damaged),
    ]
}

fn json_line(id: &str, item: &Item) -> String {
    let good = common::lcic(id, &format!("acc-{id}"), "2026-11-03T10:00:00+08:00");
    match item {
        Item::Good => good,
        Item::Bad => good.replacen("\"lcic\"", "\"sms\"", 1),
        Item::Damaged(0) => good[..good.len() / 2].to_string(),
        Item::Damaged(1) => good.replacen("\"cash\":", "\"cash\":\"1.00\",\"cash\":", 1),
        Item::Damaged(_) => format!(
            "{},\"x\":{}1{}}}",
            &good[..good.len() - 1],
            "[".repeat(40),
            "]".repeat(40)
        ),
        Item::Blank(s) => s.to_string(),
    }
}

fn csv_line(id: &str, item: &Item) -> String {
    match item {
        Item::Good => row(id, "90.00"),
        Item::Bad => row(id, "90.00").replacen(",lcic,", ",sms,", 1),
        Item::Damaged(0) | Item::Damaged(1) => row(id, "\"90.00"),
        Item::Damaged(_) => row(id, "9\"0.00"),
        Item::Blank(s) => s.to_string(),
    }
}

/// The lines a report covers: `FILE:N: reason`, or every line of the row
/// when the reason says it runs over several.
fn covered(stderr: &str, file: &str) -> Result<Vec<usize>, String> {
    let mut out = Vec::new();
    for l in stderr.lines().filter(|l| l.starts_with(file)) {
        let rest = &l[file.len() + 1..];
        let (n, reason) = rest.split_once(": ").ok_or(format!("odd report {l}"))?;
        let n: usize = n.parse().map_err(|_| format!("odd line number in {l}"))?;
        match reason.split_once("runs from line ") {
            Some((_, span)) => {
                let (a, b) = span.split_once(" to line ").ok_or(l.to_string())?;
                let b: String = b.chars().take_while(char::is_ascii_digit).collect();
                let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
                if a != n {
                    return Err(format!("span not at its line: {l}"));
                }
                out.extend(a..=b);
            }
            // An unclosed quote in a row that began on an earlier line.
            None => match reason.split_once("starts on line ") {
                Some((_, from)) => {
                    let from: String = from.chars().take_while(char::is_ascii_digit).collect();
                    out.extend(from.parse::<usize>().unwrap()..=n);
                }
                None => out.push(n),
            },
        }
    }
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn every_non_blank_line_is_imported_or_reported(
        items in prop::collection::vec(item(), 1..30),
        csv in any::<bool>(),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let name = if csv { "gen.csv" } else { "gen.jsonl" };
        let mut lines: Vec<String> = Vec::new();
        if csv {
            lines.push(HEADER.to_string());
        }
        // Physical line → the id written on it.
        let mut ids: Vec<(usize, String)> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let id = format!("G-{i}");
            lines.push(if csv { csv_line(&id, it) } else { json_line(&id, it) });
            if !matches!(it, Item::Blank(_)) {
                ids.push((lines.len(), id));
            }
        }
        let eol = if crlf { "\r\n" } else { "\n" };
        let text = format!("{}{}{eol}", if bom { "\u{feff}" } else { "" }, lines.join(eol));
        let desk = Desk::new();
        let path = desk.write(name, &text);
        let (code, _, stderr) = desk.run(&["import", path.to_str().unwrap()]);
        prop_assert!(code == 0 || code == 3, "exit {}: {}", code, stderr);

        let file = path.to_str().unwrap();
        let rejected = covered(&stderr, file).map_err(TestCaseError::fail)?;
        let reports = stderr.lines().filter(|l| l.starts_with(file)).count();
        let stored: BTreeSet<String> = {
            // Through the binary: the same on either engine.
            let (code, out, err) = desk.run(&["list", "--json"]);
            prop_assert!(code == 0, "list: {}", err);
            let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
            rows.iter().map(|r| r["id"].as_str().unwrap().to_string()).collect()
        };
        let summary = format!("imported {} new, 0 updated, 0 unchanged, {reports} rejected", stored.len());
        prop_assert!(stderr.contains(&summary), "want {:?} in {}", summary, stderr);

        let non_blank: BTreeSet<usize> = ids.iter().map(|(n, _)| *n).collect();
        let mut seen = BTreeSet::new();
        for n in &rejected {
            prop_assert!(seen.insert(*n), "line {} reported twice: {}", n, stderr);
        }
        for (n, id) in &ids {
            let imported = stored.contains(id);
            prop_assert!(
                imported != seen.contains(n),
                "line {} ({}): imported {} and reported {}\n{}\n{}",
                n, id, imported, seen.contains(n), text, stderr
            );
        }
        // A row's span may hold blank lines (inside a quoted cell), but no
        // report stands on one, or past the end.
        let last = lines.len();
        prop_assert!(seen.iter().all(|n| (1..=last).contains(n)), "{}", stderr);
        for l in stderr.lines().filter(|l| l.starts_with(file)) {
            let n: usize = l[file.len() + 1..].split(':').next().unwrap().parse().unwrap();
            prop_assert!(non_blank.contains(&n), "a report on a blank line: {}", l);
        }
        // Good lines no damage reached are all imported.
        if !items.iter().any(|i| matches!(i, Item::Damaged(0 | 1))) || !csv {
            for ((n, id), it) in ids.iter().zip(items.iter().filter(|i| !matches!(i, Item::Blank(_)))) {
                prop_assert_eq!(stored.contains(id), matches!(it, Item::Good), "line {}", n);
            }
        }
    }
}
