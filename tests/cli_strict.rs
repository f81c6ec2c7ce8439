//! A strict, self-describing command line (SPEC §4): every option and
//! argument says what it is, an option the action does not take is refused
//! (exit 2) naming both, and the shells can complete it all.

mod common;
use clap::CommandFactory;
use common::Desk;
use refund_desk::cli::act::flag;
use refund_desk::cli::Cli;
use refund_desk::domain::workflow::{ActionKind, Param};

/// Every argument of `cmd` and its subcommands, as `path: arg`, without help.
fn undescribed(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
    let here = format!("{path} {}", cmd.get_name()).trim().to_string();
    if cmd.get_about().is_none() && !path.is_empty() {
        out.push(format!("{here}: the subcommand itself"));
    }
    for arg in cmd.get_arguments() {
        if arg.get_help().is_none() && arg.get_long_help().is_none() {
            out.push(format!("{here}: {}", arg.get_id()));
        }
    }
    for sub in cmd.get_subcommands() {
        undescribed(sub, &here, out);
    }
}

#[test]
fn every_subcommand_option_and_argument_has_help() {
    let mut cmd = Cli::command();
    // Builds the generated help and version flags in, so they are walked too.
    cmd.build();
    let mut missing = Vec::new();
    undescribed(&cmd, "", &mut missing);
    assert!(missing.is_empty(), "without help text: {missing:#?}");
}

/// A value the option parses, so that only the option's presence is judged.
fn sample(p: Param) -> &'static str {
    match p {
        Param::Amount => "5",
        Param::Clause => "LCIC-USED",
        Param::Note => "n",
        Param::Party => "desk",
        Param::Route => "alternate",
        Param::Account => "IBAN",
        Param::Reference => "PAY-1",
        Param::To => "ann",
        Param::Set => "package.expires_at=2026-12-01T00:00:00+08:00",
    }
}

#[test]
fn an_option_the_action_does_not_take_is_refused_naming_both() {
    // The issue's own example first, then every pair from the domain's table.
    let desk = Desk::new();
    let (code, out, err) = desk.run(&[
        "act",
        "L-1",
        "evaluate",
        "--amount",
        "5",
        "--route",
        "alternate",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("--amount is not an option of evaluate"),
        "{err}"
    );
    assert!(!desk.db.exists(), "refused before any desk is opened");
    use strum::VariantArray;
    for kind in ActionKind::ALL {
        for p in Param::VARIANTS {
            if kind.params().contains(p) {
                continue;
            }
            let (code, _, err) = desk.run(&["act", "L-1", kind.name(), flag(*p), sample(*p)]);
            assert_eq!(code, 2, "{kind} {}: {err}", flag(*p));
            assert!(
                err.contains(&format!("{} is not an option of {kind}", flag(*p))),
                "{kind} {}: {err}",
                flag(*p)
            );
        }
    }
}

#[test]
fn the_table_names_every_option_act_has() {
    // Each parameter is an option of `act` spelt as `flag` says, and its
    // help lists exactly the actions that take it.
    let mut cmd = Cli::command();
    // Each subcommand's options are built when it is parsed (cli::deferred).
    cmd.build();
    let act = cmd.find_subcommand("act").unwrap();
    use strum::VariantArray;
    for p in Param::VARIANTS {
        let long = flag(*p).trim_start_matches("--");
        let arg = act
            .get_arguments()
            .find(|a| a.get_long() == Some(long))
            .unwrap_or_else(|| panic!("act has no {}", flag(*p)));
        let help = arg.get_help().unwrap().to_string();
        let takers: Vec<&str> = ActionKind::ALL
            .into_iter()
            .filter(|k| k.params().contains(p))
            .map(ActionKind::name)
            .collect();
        assert!(
            help.ends_with(&format!("[{}]", takers.join(", "))),
            "{help}"
        );
    }
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_actions_and_options() {
    let desk = Desk::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef refund-desk"),
        ("fish", "complete -c refund-desk"),
    ] {
        let (code, out, err) = desk.run(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(
            out.contains(marker),
            "{shell}: {}",
            &out[..out.len().min(300)]
        );
        for word in [
            "info_received",
            "payout_returned",
            "ids-from",
            "expect-version",
        ] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    assert!(!desk.db.exists(), "completions touch no desk");
    let (code, _, _) = desk.run(&["completions", "tcsh"]);
    assert_eq!(code, 2);
}
