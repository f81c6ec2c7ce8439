//! SPEC §1 input through the `eval` command on whole files (no database):
//! exit codes, physical line numbers across blank lines, CRLF and invalid
//! UTF-8, reasons free of control characters, duplicate ids, rejected lines
//! never counting as earlier tickets, CSV files and stdin. One line's
//! validation is in import_input_lines.rs.

mod common;

use assert_cmd::Command;
use common::input::{eval_file, good, lcic, line};
use common::{merge, with};
use refund_desk::ingest::read_all;
use serde_json::{json, Value};

#[test]
fn eval_exits_0_when_every_line_is_good() {
    let file = format!("{}\n{}\n", good("A-1"), good("A-2"));
    let run = eval_file("ok.jsonl", file.as_bytes());
    assert_eq!(run.code, Some(0));
    assert_eq!(run.ids, ["A-1", "A-2"]);
    assert!(run.stderr.is_empty(), "{:?}", run.stderr);
}

#[test]
fn eval_of_a_missing_file_is_an_error_not_a_rejection() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("refund-desk")
        .unwrap()
        .current_dir(dir.path())
        .args(["eval", "nope.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.jsonl"));
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    let bad = line(&lcic(json!({"id": "B-1", "payment": {"cash": 1}}), &[]));
    let file = format!("\n{}\n\n   \n\t\n{bad}\n\n{}\n", good("A-1"), good("A-2"));
    let run = eval_file("blank.jsonl", file.as_bytes());
    assert_eq!(run.code, Some(3));
    assert_eq!(run.ids, ["A-1", "A-2"]);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("blank.jsonl:6: "),
        "{:?}",
        run.stderr
    );
}

#[test]
fn crlf_line_endings() {
    let bad = line(&lcic(json!({"id": "B-1", "product": "sms"}), &[]));
    let file = format!("{}\r\n\r\n{bad}\r\n{}\r\n", good("A-1"), good("A-2"));
    let run = eval_file("crlf.jsonl", file.as_bytes());
    assert_eq!(run.code, Some(3));
    assert_eq!(run.ids, ["A-1", "A-2"]);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("crlf.jsonl:3: "),
        "{:?}",
        run.stderr
    );
    // A file without a final newline still reads its last line.
    let file = format!("{}\r\n{}", good("A-1"), good("A-2"));
    let run = eval_file("crlf.jsonl", file.as_bytes());
    assert_eq!((run.code, run.ids.len()), (Some(0), 2));
}

#[test]
fn invalid_utf8_line_is_rejected_on_its_own() {
    let mut file = Vec::new();
    file.extend_from_slice(good("A-1").as_bytes());
    file.push(b'\n');
    let broken = good("A-9").replace("unused", "un\u{1}used");
    let mut broken = broken.into_bytes();
    let at = broken.iter().position(|&b| b == 1).unwrap();
    broken[at] = 0xff;
    file.extend_from_slice(&broken);
    file.push(b'\n');
    file.extend_from_slice(good("A-2").as_bytes());
    file.push(b'\n');
    let run = eval_file("utf8.jsonl", &file);
    assert_eq!(run.code, Some(3));
    assert_eq!(run.ids, ["A-1", "A-2"]);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("utf8.jsonl:2: "),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr[0].contains("UTF-8"), "{:?}", run.stderr);
}

#[test]
fn reasons_never_carry_control_characters_to_the_terminal() {
    let bad = line(&lcic(json!({"reason": "x\u{1b}[2J\u{7}\r\n"}), &[]));
    let run = eval_file("ctl.jsonl", format!("{bad}\n").as_bytes());
    assert_eq!(run.code, Some(3));
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        !run.stderr[0].chars().any(|c| c.is_control()),
        "{:?}",
        run.stderr[0]
    );
}

#[test]
fn duplicate_ids_identical_is_fine_different_is_rejected() {
    let same = good("D-1");
    // The same JSON value written with another key order and spacing.
    let reordered = {
        let v: Value = serde_json::from_str(&same).unwrap();
        let mut keys: Vec<_> = v.as_object().unwrap().iter().collect();
        keys.reverse();
        let parts: Vec<String> = keys.iter().map(|(k, v)| format!("{k:?} : {v}")).collect();
        format!("{{ {} }}", parts.join(" , "))
    };
    let run = eval_file(
        "dup.jsonl",
        format!("{same}\n{reordered}\n{same}\n").as_bytes(),
    );
    assert_eq!(run.code, Some(0), "{:?}", run.stderr);
    assert!(run.stderr.is_empty());
    assert!(run.ids.iter().all(|id| id == "D-1") && !run.ids.is_empty());
    assert!(run.verdicts.windows(2).all(|w| w[0] == w[1]));

    let changed = line(&lcic(
        json!({"id": "D-1", "payment": {"cash": "1.00"}}),
        &[],
    ));
    let run = eval_file(
        "dup.jsonl",
        format!("{same}\n{changed}\n{}\n", good("D-2")).as_bytes(),
    );
    assert_eq!(run.code, Some(3));
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("dup.jsonl:2: "),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr[0].contains("conflicts"), "{:?}", run.stderr);
    assert_eq!(run.ids, ["D-1", "D-2"]);
    assert_eq!(run.verdicts[0]["amount"], "100.00", "the first line stands");
}

#[test]
fn rejected_lines_never_count_as_earlier_tickets() {
    let trtc = |id: &str, received: &str, patch: Value| {
        let mut v = with(
            "trtc",
            json!({"id": id, "received_at": received,
                   "package": {"purchased_at": received}}),
        );
        merge(&mut v, patch);
        line(&v)
    };
    // T-1 is invalid (bad currency), T-1b conflicts with T-0 (needs_info):
    // neither is an earlier full refund for T-2.
    let file = [
        trtc(
            "T-1",
            "2026-11-03T10:00:00+08:00",
            json!({"payment": {"currency": "usd"}}),
        ),
        trtc(
            "T-0",
            "2026-11-03T09:00:00+08:00",
            json!({"package": {"sdk_app_id": null}}),
        ),
        trtc("T-0", "2026-11-03T09:00:00+08:00", json!({})),
        trtc("T-2", "2026-11-04T10:00:00+08:00", json!({})),
    ]
    .join("\n");
    let run = eval_file("ctx.jsonl", file.as_bytes());
    assert_eq!(run.code, Some(3));
    assert_eq!(run.ids, ["T-0", "T-2"]);
    assert_eq!(run.verdicts[0]["kind"], "needs_info");
    assert_eq!(
        run.verdicts[1]["kind"], "full_refund",
        "{:?}",
        run.verdicts[1]
    );
    assert_eq!(run.stderr.len(), 2, "{:?}", run.stderr);
    assert!(run.stderr[0].starts_with("ctx.jsonl:1: "));
    assert!(run.stderr[1].starts_with("ctx.jsonl:3: "));
}

#[test]
fn read_all_gives_one_outcome_per_non_blank_line() {
    let text = format!("{}\n\nnot json\r\n{}\n", good("A-1"), good("A-2"));
    let mut seen = Vec::new();
    read_all("x.jsonl", text.as_bytes(), |o, _| {
        seen.push(o.map(|p| (p.line, p.ticket.id)).map_err(|r| r.line))
    })
    .unwrap();
    assert_eq!(
        seen,
        vec![
            Ok((1, "A-1".to_string())),
            Err(3),
            Ok((4, "A-2".to_string()))
        ]
    );
}

// ---------------------------------------------------------------------------
// CSV

const CSV_HEADER: &str = "id,received_at,product,account.id,account.name,package.billing,\
package.sdk_app_id,package.purchased_at,package.used_units,payment.currency,payment.cash,\
payment.voucher,contract.signed_at,contract.overrides_policy,incident.outage_hours,\
incident.provider_caused,reason,evidence,description";

fn csv_file() -> String {
    [
        CSV_HEADER,
        // 2: LCIC full refund: voucher excluded, empty cells absent.
        "C-1,2026-11-03T10:00:00+08:00,lcic,acc-1,,monthly,,2026-11-01T10:00:00+08:00,0,USD,80.00,15.00,,,,,unused,a.png;b.pdf,\"wrong tier, sorry\"",
        // 3: amount with 3 decimals: rejected.
        "C-2,2026-11-03T10:00:00+08:00,lcic,acc-2,,monthly,,2026-11-01T10:00:00+08:00,0,USD,1.005,,,,,,unused,,",
        // 4: live with a contract overriding the policy (boolean cell).
        "C-3,2026-11-20T10:00:00+08:00,live,acc-3,Live Co,contract,,,,USD,9000.00,,2026-10-25T00:00:00+08:00,true,80,true,outage,,",
        // 5: a quoted description spanning two physical lines.
        "C-4,2026-11-03T10:00:00+08:00,trtc,acc-4,,monthly,1400000001,,,USD,50,,,,,,unused,,\"line one",
        "line two\"",
        // 7: a boolean that is not true/false: rejected.
        "C-5,2026-11-20T10:00:00+08:00,live,acc-5,,contract,,,,USD,9000.00,,2026-10-25T00:00:00+08:00,yes,80,true,outage,,",
        // 8: blank row
        "",
        // 9: live outage, numeric hours and booleans from text.
        "C-6,2026-11-20T10:00:00+08:00,live,acc-6,,contract,,,,USD,9000.00,,2026-10-25T00:00:00+08:00,false,80,true,outage,,",
        // 10: too few cells: rejected.
        "C-7,2026-11-03T10:00:00+08:00,lcic",
    ]
    .join("\n")
        + "\n"
}

#[test]
fn csv_rows_are_read_like_json_lines() {
    let run = eval_file("tickets.csv", csv_file().as_bytes());
    assert_eq!(run.code, Some(3), "{:?}", run.stderr);
    assert_eq!(run.ids, ["C-1", "C-3", "C-4", "C-6"]);
    assert_eq!(run.verdicts[0]["kind"], "full_refund");
    assert_eq!(run.verdicts[0]["amount"], "80.00");
    assert_eq!(run.verdicts[1]["clauses"][0], "LIVE-CONTRACT");
    // purchased_at empty → absent → needs_info.
    assert_eq!(run.verdicts[2]["kind"], "needs_info");
    assert_eq!(run.verdicts[2]["missing"], json!(["package.purchased_at"]));
    // activated_at / term_days columns are absent for C-6 → needs_info for both.
    assert_eq!(
        run.verdicts[3]["missing"],
        json!(["package.activated_at", "package.term_days"])
    );
    assert_eq!(run.stderr.len(), 3, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("tickets.csv:3: "),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr[0].contains("payment.cash"), "{:?}", run.stderr);
    assert!(
        run.stderr[1].starts_with("tickets.csv:7: "),
        "{:?}",
        run.stderr
    );
    assert!(
        run.stderr[1].contains("overrides_policy"),
        "{:?}",
        run.stderr
    );
    assert!(
        run.stderr[2].starts_with("tickets.csv:10: "),
        "{:?}",
        run.stderr
    );
}

#[test]
fn csv_cells_take_their_field_types() {
    let mut tickets = Vec::new();
    let mut rejected = Vec::new();
    read_all("tickets.csv", csv_file().as_bytes(), |o, _| match o {
        Ok(p) => tickets.push(p.ticket),
        Err(r) => rejected.push(r.line),
    })
    .unwrap();
    assert_eq!(rejected, [3, 7, 10]);
    let c1 = &tickets[0];
    assert_eq!(c1.evidence, ["a.png", "b.pdf"]);
    assert_eq!(c1.account_name, None, "empty cell is absent");
    assert_eq!(c1.package.sdk_app_id, None);
    assert_eq!(c1.description.as_deref(), Some("wrong tier, sorry"));
    assert_eq!(c1.payment.voucher, "15.00".parse().unwrap());
    let c3 = &tickets[1];
    assert!(c3.contract.overrides_policy);
    assert_eq!(c3.account_name.as_deref(), Some("Live Co"));
    assert_eq!(c3.incident.outage_hours, Some("80".parse().unwrap()));
    assert_eq!(c3.incident.provider_caused, Some(true));
    let c4 = &tickets[2];
    assert_eq!(c4.description.as_deref(), Some("line one\nline two"));
    assert_eq!(c4.package.sdk_app_id.as_deref(), Some("1400000001"));
    let c6 = &tickets[3];
    assert!(!c6.contract.overrides_policy);
}

#[test]
fn csv_with_crlf_reports_physical_line_numbers() {
    let file = format!(
        "{CSV_HEADER}\r\nC-1,2026-11-03T10:00:00+08:00,lcic,acc-1,,monthly,,2026-11-01T10:00:00+08:00,x,USD,80.00,,,,,,unused,,\r\nC-2,2026-11-03T10:00:00+08:00,lcic,acc-1,,monthly,,2026-11-01T10:00:00+08:00,0,USD,80.00,,,,,,unused,,\r\n"
    );
    let run = eval_file("crlf.csv", file.as_bytes());
    assert_eq!(run.code, Some(3));
    assert_eq!(run.ids, ["C-2"]);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("crlf.csv:2: "),
        "{:?}",
        run.stderr
    );
    assert!(run.stderr[0].contains("used_units"), "{:?}", run.stderr);
}

#[test]
fn csv_blank_lines_still_count_in_line_numbers() {
    let row = |id: &str, used: &str| {
        format!("{id},2026-11-03T10:00:00+08:00,lcic,acc-1,,monthly,,2026-11-01T10:00:00+08:00,{used},USD,80.00,,,,,,unused,,")
    };
    let file = format!(
        "{CSV_HEADER}\n{}\n\n\n{}\n",
        row("C-1", "0"),
        row("C-2", "x")
    );
    let run = eval_file("blank.csv", file.as_bytes());
    assert_eq!(run.code, Some(3));
    assert_eq!(run.ids, ["C-1"]);
    assert_eq!(run.stderr.len(), 1, "{:?}", run.stderr);
    assert!(
        run.stderr[0].starts_with("blank.csv:5: "),
        "{:?}",
        run.stderr
    );
}

#[test]
fn stdin_with_a_bad_first_line_is_still_json_lines() {
    let input = format!("oops, not json\n{}\n{}\n", good("A-1"), good("A-2"));
    let out = Command::cargo_bin("refund-desk")
        .unwrap()
        .args(["eval", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(
        stdout.lines().count(),
        2,
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("-:1: "), "{stderr}");
}
