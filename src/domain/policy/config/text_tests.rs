//! Clause and flag texts: two voices in four languages, all required.

use super::*;

fn load_with(name: &str, text: &str) -> Result<Policy, PolicyError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    Policy::load(Some(dir.path()))
}

fn builtin_text(name: &str) -> &'static str {
    BUILTIN.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn every_clause_and_flag_has_desk_and_customer_texts_in_four_languages() {
    let p = Policy::builtin();
    let texts = Clause::ALL
        .iter()
        .map(|c| (c.to_string(), p.clause_text(*c)))
        .chain(Flag::ALL.iter().map(|f| (f.to_string(), p.flag_text(*f))));
    for (id, t) in texts {
        for lang in Language::ALL {
            assert!(!t.desk(*lang).trim().is_empty(), "{id} desk {lang}");
            assert!(!t.customer(*lang).trim().is_empty(), "{id} customer {lang}");
            // Each text in its own language, not a copy of the English one.
            if *lang != Language::En {
                assert_ne!(t.desk(*lang), t.en, "{id} desk {lang}");
                assert_ne!(t.customer(*lang), t.customer.en, "{id} customer {lang}");
            }
        }
    }
}

#[test]
fn customer_texts_carry_no_instructions_for_the_desk() {
    // Words that tell an agent what to do, in the four languages.
    let instructions = [
        "review by hand",
        "review against",
        "supervisor",
        "人工审核",
        "请结合",
        "须主管",
        "人手で審査",
        "スーパーバイザー",
        "수동으로 검토",
        "관리자 승인",
        "검토하십시오",
        "してください",
    ];
    let p = Policy::builtin();
    let texts = Clause::ALL
        .iter()
        .map(|c| (c.to_string(), p.clause_text(*c)))
        .chain(Flag::ALL.iter().map(|f| (f.to_string(), p.flag_text(*f))));
    for (id, t) in texts {
        for lang in Language::ALL {
            let text = t.customer(*lang);
            for word in instructions {
                assert!(!text.contains(word), "{id} customer {lang}: {text}");
            }
        }
    }
    // The clause this was seen with: its desk text does instruct, in every language.
    let chat = p.clause_text(Clause::ChatNoRule);
    assert!(chat.zh.contains("人工审核") && chat.desk(Language::Ja).contains("人手で審査"));
    assert!(chat
        .customer(Language::En)
        .contains("reviewed individually"));
}

#[test]
fn a_missing_text_is_refused_with_file_line_and_reason() {
    let chat = builtin_text("chat.toml");
    // Desk Korean removed.
    let no_ko = chat
        .lines()
        .filter(|l| !l.starts_with("ko = \"Chat에는"))
        .collect::<Vec<_>>()
        .join("\n");
    let e = load_with("chat.toml", &no_ko).unwrap_err();
    assert!(e.file.ends_with("chat.toml"), "{e}");
    assert!(e.reason.contains("ko"), "{e}");
    let header = no_ko
        .lines()
        .position(|l| l == "[clauses.CHAT-NO-RULE]")
        .unwrap();
    assert!(e.line > header, "{e}");

    // The whole customer voice removed.
    let cut = chat.find("[clauses.CHAT-NO-RULE.customer]").unwrap();
    let e = load_with("chat.toml", &chat[..cut]).unwrap_err();
    assert!(e.reason.contains("customer"), "{e}");
    assert!(e.line > 1, "{e}");
}

#[test]
fn a_blank_text_is_refused_on_its_line() {
    let lcic = builtin_text("lcic.toml");
    let target = lcic
        .lines()
        .skip_while(|l| *l != "[clauses.LCIC-WINDOW.customer]")
        .find(|l| l.starts_with("ja = "))
        .unwrap();
    let line = lcic.lines().position(|l| l == target).unwrap() + 1;
    let e = load_with("lcic.toml", &lcic.replace(target, "ja = \"  \"")).unwrap_err();
    assert_eq!(e.line, line, "{e}");
    assert!(e.to_string().contains("lcic.toml:"), "{e}");
    assert!(e.reason.contains("empty text"), "{e}");
}

#[test]
fn an_unknown_language_or_voice_is_refused() {
    let trtc = builtin_text("trtc.toml");
    let e = load_with(
        "trtc.toml",
        &trtc.replace(
            "[clauses.TRTC-USED.customer]\n",
            "[clauses.TRTC-USED.customer]\nfr = \"x\"\n",
        ),
    )
    .unwrap_err();
    assert!(e.reason.contains("unknown field"), "{e}");
}
