//! Key → Action per mode. Defaults live here; `keymap.toml` may rebind any
//! action. The same table, read backwards (action → keys), writes the footer
//! and the `?` help, so they cannot drift from the real bindings.

use super::action::{Action, Verb};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Where keys are read. `Global` applies under every other mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Global,
    List,
    Menu,
    Form,
    Confirm,
    Search,
    Help,
    Letter,
    Dashboard,
    Pick,
    Finance,
}

impl Mode {
    pub const ALL: [Mode; 11] = [
        Mode::Global,
        Mode::List,
        Mode::Menu,
        Mode::Form,
        Mode::Confirm,
        Mode::Search,
        Mode::Help,
        Mode::Letter,
        Mode::Dashboard,
        Mode::Pick,
        Mode::Finance,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Global => "global",
            Mode::List => "list",
            Mode::Menu => "menu",
            Mode::Form => "form",
            Mode::Confirm => "confirm",
            Mode::Search => "search",
            Mode::Help => "help",
            Mode::Letter => "letter",
            Mode::Dashboard => "dashboard",
            Mode::Pick => "pick",
            Mode::Finance => "finance",
        }
    }

    /// Modes where unbound printable keys are typed into a field.
    pub fn takes_text(self) -> bool {
        matches!(self, Mode::Form | Mode::Search)
    }
}

/// One key with its modifiers, normalised: Shift is folded into the
/// character itself (`A`, not `S-a`), as terminals report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(code, KeyCode::Char(_) | KeyCode::BackTab) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code = match code {
            // Ctrl-letters arrive lower-case on most terminals.
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        Key { code, mods }
    }

    pub fn from_event(e: &KeyEvent) -> Key {
        Key::new(e.code, e.modifiers)
    }

    pub fn event(self) -> KeyEvent {
        KeyEvent::new(self.code, self.mods)
    }

    /// Parses one key: `j`, `A`, `<Enter>`, `<C-c>`, `<A-x>`, `<S-Up>`, `<lt>`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        let inner = s
            .strip_prefix('<')
            .and_then(|r| r.strip_suffix('>'))
            .ok_or_else(|| format!("bad key {s:?}: write a single character or <Name>"))?;
        let mut mods = KeyModifiers::NONE;
        let mut rest = inner;
        loop {
            let m = match rest.get(..2) {
                Some("C-") | Some("c-") => KeyModifiers::CONTROL,
                Some("A-") | Some("a-") | Some("M-") | Some("m-") => KeyModifiers::ALT,
                Some("S-") | Some("s-") => KeyModifiers::SHIFT,
                _ => break,
            };
            if rest.len() == 2 {
                break;
            }
            mods |= m;
            rest = &rest[2..];
        }
        let mut cs = rest.chars();
        let code = match (cs.next(), cs.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "cr" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "bs" | "backspace" => KeyCode::Backspace,
                "del" | "delete" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "space" => KeyCode::Char(' '),
                "lt" => KeyCode::Char('<'),
                "gt" => KeyCode::Char('>'),
                f if f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                    KeyCode::F(f[1..].parse().unwrap_or(1))
                }
                _ => return Err(format!("unknown key {s:?}")),
            },
        };
        Ok(Key::new(code, mods))
    }

    /// Parses a key sequence such as `jj<Enter>a<C-c>`. A `<` that does not
    /// open a known key name is the character itself.
    pub fn parse_seq(s: &str) -> Result<Vec<Key>, String> {
        let mut out = Vec::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if c == '<' {
                if let Some(end) = rest.find('>') {
                    if let Ok(k) = Key::parse(&rest[..=end]) {
                        out.push(k);
                        rest = &rest[end + 1..];
                        continue;
                    }
                }
            }
            out.push(Key::new(KeyCode::Char(c), KeyModifiers::NONE));
            rest = &rest[c.len_utf8()..];
        }
        Ok(out)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char('<') => "lt".to_string(),
            KeyCode::Char(c) if self.mods.is_empty() => return write!(f, "{c}"),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "BS".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut prefix = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            prefix.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            prefix.push_str("A-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            prefix.push_str("S-");
        }
        write!(f, "<{prefix}{name}>")
    }
}

/// Bindings per mode, in the order help lists them.
#[derive(Clone, Debug)]
pub struct Keymap {
    modes: BTreeMap<Mode, Vec<(Action, Vec<Key>)>>,
}

fn defaults() -> Vec<(Mode, Action, &'static [&'static str])> {
    use Action as A;
    use Mode as M;
    vec![
        (M::Global, A::Quit, &["<C-c>"]),
        (M::List, A::Quit, &["q"]),
        (M::List, A::Down, &["j", "<Down>"]),
        (M::List, A::Up, &["k", "<Up>"]),
        (M::List, A::PageDown, &["<PgDn>", "<C-f>"]),
        (M::List, A::PageUp, &["<PgUp>", "<C-b>"]),
        (M::List, A::Top, &["g", "<Home>"]),
        (M::List, A::Bottom, &["G", "<End>"]),
        (M::List, A::NextTab, &["<Tab>", "l", "<Right>"]),
        (M::List, A::PrevTab, &["<S-Tab>", "h", "<Left>"]),
        (M::List, A::Menu, &["a"]),
        (M::List, A::Do(Verb::Take), &["t"]),
        (M::List, A::Do(Verb::Evaluate), &["e"]),
        (M::List, A::Do(Verb::Approve), &["A"]),
        (M::List, A::Do(Verb::Reject), &["R"]),
        (M::List, A::Do(Verb::RequestInfo), &["i"]),
        (M::List, A::Do(Verb::InfoReceived), &["I"]),
        (M::List, A::Do(Verb::Accept), &["c"]),
        (M::List, A::Do(Verb::Appeal), &["P"]),
        (M::List, A::Do(Verb::Offer), &["o"]),
        (M::List, A::Do(Verb::Agree), &["y"]),
        (M::List, A::Do(Verb::Revise), &["V"]),
        (M::List, A::Do(Verb::Execute), &["x"]),
        (M::List, A::Do(Verb::Complete), &["d"]),
        (M::List, A::Do(Verb::Close), &["C"]),
        (M::List, A::Do(Verb::Withdraw), &["W"]),
        (M::List, A::Do(Verb::SignOff), &["S"]),
        (M::List, A::Do(Verb::Decline), &["D"]),
        // Team work: H hands the ticket off to someone, n writes a note.
        (M::List, A::Do(Verb::Assign), &["H"]),
        (M::List, A::Do(Verb::Note), &["n"]),
        (M::List, A::Search, &["/"]),
        (M::List, A::FilterState, &["f"]),
        (M::List, A::FilterVerdict, &["v"]),
        (M::List, A::FilterProduct, &["p"]),
        (M::List, A::ClearFilters, &["F"]),
        (M::List, A::ToggleSort, &["s"]),
        (M::List, A::ToggleLang, &["L"]),
        (M::List, A::Zoom, &["<Enter>", "z"]),
        (M::List, A::DetailDown, &["J", "<C-d>"]),
        (M::List, A::DetailUp, &["K", "<C-u>"]),
        (M::List, A::Refresh, &["<C-r>"]),
        (M::List, A::Letter, &["m"]),
        (M::List, A::CopyId, &["Y"]),
        (M::List, A::Dashboard, &["b"]),
        (M::List, A::Finance, &["$"]),
        // Marks as k9s and ranger have them: Space marks (and moves on),
        // Shift-arrows extend a range as lazygit does, C-Space marks from
        // the last mark to here (k9s), C-a all, Esc clears.
        (M::List, A::ToggleMark, &["<Space>"]),
        (M::List, A::MarkDown, &["<S-Down>"]),
        (M::List, A::MarkUp, &["<S-Up>"]),
        (M::List, A::MarkRange, &["<C-Space>"]),
        (M::List, A::MarkAll, &["<C-a>"]),
        (M::List, A::ClearMarks, &["<Esc>"]),
        (M::List, A::Help, &["?"]),
        (M::Menu, A::Down, &["j", "<Down>"]),
        (M::Menu, A::Up, &["k", "<Up>"]),
        (M::Menu, A::Choose, &["<Enter>"]),
        (M::Menu, A::Cancel, &["<Esc>", "q"]),
        (M::Form, A::Confirm, &["<Enter>"]),
        (M::Form, A::Cancel, &["<Esc>"]),
        (M::Form, A::NextField, &["<Tab>", "<Down>"]),
        (M::Form, A::PrevField, &["<S-Tab>", "<Up>"]),
        (M::Form, A::Pick, &["<Space>"]),
        (M::Form, A::Left, &["<Left>"]),
        (M::Form, A::Right, &["<Right>"]),
        (M::Form, A::Home, &["<Home>", "<C-a>"]),
        (M::Form, A::End, &["<End>", "<C-e>"]),
        (M::Form, A::DeleteChar, &["<BS>"]),
        (M::Form, A::DeleteNext, &["<Del>"]),
        (M::Form, A::DeleteWord, &["<C-w>"]),
        (M::Form, A::ClearField, &["<C-u>"]),
        (M::Confirm, A::Confirm, &["y", "<Enter>"]),
        (M::Confirm, A::Cancel, &["n", "<Esc>", "q"]),
        (M::Search, A::Confirm, &["<Enter>"]),
        (M::Search, A::Cancel, &["<Esc>"]),
        (M::Search, A::Left, &["<Left>"]),
        (M::Search, A::Right, &["<Right>"]),
        (M::Search, A::Home, &["<Home>", "<C-a>"]),
        (M::Search, A::End, &["<End>", "<C-e>"]),
        (M::Search, A::DeleteChar, &["<BS>"]),
        (M::Search, A::DeleteNext, &["<Del>"]),
        (M::Search, A::DeleteWord, &["<C-w>"]),
        (M::Search, A::ClearField, &["<C-u>"]),
        (M::Pick, A::Down, &["j", "<Down>"]),
        (M::Pick, A::Up, &["k", "<Up>"]),
        (M::Pick, A::Top, &["g", "<Home>"]),
        (M::Pick, A::Bottom, &["G", "<End>"]),
        (M::Pick, A::Toggle, &["<Space>"]),
        (M::Pick, A::Choose, &["<Enter>"]),
        (M::Pick, A::Cancel, &["<Esc>", "q"]),
        (M::Help, A::Down, &["j", "<Down>"]),
        (M::Help, A::Up, &["k", "<Up>"]),
        (M::Help, A::PageDown, &["<PgDn>", "<Space>"]),
        (M::Help, A::PageUp, &["<PgUp>"]),
        (M::Help, A::Cancel, &["<Esc>", "q", "?"]),
        (M::Letter, A::Copy, &["y", "c"]),
        (M::Letter, A::RecordSent, &["s"]),
        (M::Letter, A::Down, &["j", "<Down>"]),
        (M::Letter, A::Up, &["k", "<Up>"]),
        (M::Letter, A::PageDown, &["<PgDn>", "<Space>"]),
        (M::Letter, A::PageUp, &["<PgUp>"]),
        (M::Letter, A::Cancel, &["<Esc>", "q", "m"]),
        (M::Dashboard, A::Dashboard, &["b", "<Esc>"]),
        (M::Dashboard, A::Refresh, &["<C-r>"]),
        (M::Dashboard, A::Help, &["?"]),
        (M::Dashboard, A::Quit, &["q"]),
        (M::Finance, A::Finance, &["$", "<Esc>"]),
        (M::Finance, A::Down, &["j", "<Down>"]),
        (M::Finance, A::Up, &["k", "<Up>"]),
        (M::Finance, A::PageDown, &["<PgDn>", "<C-f>"]),
        (M::Finance, A::PageUp, &["<PgUp>", "<C-b>"]),
        (M::Finance, A::Top, &["g", "<Home>"]),
        (M::Finance, A::Bottom, &["G", "<End>"]),
        (M::Finance, A::PrevMonth, &["[", "h", "<Left>"]),
        (M::Finance, A::NextMonth, &["]", "l", "<Right>"]),
        (M::Finance, A::SetRange, &["r"]),
        (M::Finance, A::WriteCsv, &["w"]),
        (M::Finance, A::Refresh, &["<C-r>"]),
        (M::Finance, A::Help, &["?"]),
        (M::Finance, A::Quit, &["q"]),
    ]
}

impl Default for Keymap {
    fn default() -> Self {
        let mut modes: BTreeMap<Mode, Vec<(Action, Vec<Key>)>> = BTreeMap::new();
        for (mode, action, keys) in defaults() {
            let keys = keys
                .iter()
                .map(|k| Key::parse(k).expect("default keys parse"))
                .collect();
            modes.entry(mode).or_default().push((action, keys));
        }
        Keymap { modes }
    }
}

/// Verbs the menu may offer although no list key is bound to them.
fn menu_default_order() -> impl Iterator<Item = Verb> {
    Verb::ALL.into_iter()
}

impl Keymap {
    /// The defaults with `toml` applied: each `[mode]` table maps an action
    /// name to a key or a list of keys, replacing that action's defaults
    /// (an empty list unbinds it). Any key bound twice is refused.
    pub fn with_overrides(toml_text: &str) -> Result<Keymap, String> {
        let table: toml::Table = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        let mut map = Keymap::default();
        for (mode_name, entries) in &table {
            let mode = Mode::ALL
                .into_iter()
                .find(|m| m.name() == mode_name)
                .ok_or_else(|| {
                    format!(
                        "unknown mode [{mode_name}]; modes: {}",
                        Mode::ALL.map(|m| m.name()).join(", ")
                    )
                })?;
            let entries = entries
                .as_table()
                .ok_or_else(|| format!("[{mode_name}] must be a table of action = keys"))?;
            for (action_name, value) in entries {
                let action = Action::parse(action_name).ok_or_else(|| {
                    format!(
                        "[{mode_name}] unknown action {action_name:?}; actions: {}",
                        Action::all_names().join(", ")
                    )
                })?;
                let texts: Vec<&str> = match value {
                    toml::Value::String(s) => vec![s.as_str()],
                    toml::Value::Array(a) => a
                        .iter()
                        .map(|v| {
                            v.as_str().ok_or_else(|| {
                                format!("[{mode_name}] {action_name}: keys are strings")
                            })
                        })
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(format!(
                            "[{mode_name}] {action_name}: a key or a list of keys"
                        ))
                    }
                };
                let keys = texts
                    .into_iter()
                    .map(|t| Key::parse(t).map_err(|e| format!("[{mode_name}] {action_name}: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                let list = map.modes.entry(mode).or_default();
                match list.iter_mut().find(|(a, _)| *a == action) {
                    Some(entry) => entry.1 = keys,
                    None => list.push((action, keys)),
                }
            }
        }
        map.check()?;
        Ok(map)
    }

    /// Refuses a key bound to two actions in one mode, or shadowing a global
    /// key, and a keymap that leaves no way to quit the list.
    pub fn check(&self) -> Result<(), String> {
        // Every popup closes back to the list, so a quit key there (or a
        // global one) is a way out from anywhere.
        if self.keys_for(Mode::List, Action::Quit).is_empty() {
            return Err(
                "no key quits the console: bind quit in [list] or [global] (the defaults are q and <C-c>)"
                    .into(),
            );
        }
        let globals: Vec<(Key, Action)> = self.pairs(Mode::Global).collect();
        for mode in Mode::ALL {
            let mut seen: Vec<(Key, Action)> = if mode == Mode::Global {
                Vec::new()
            } else {
                globals.clone()
            };
            for (key, action) in self.pairs(mode) {
                if let Some((_, other)) = seen.iter().find(|(k, a)| *k == key && *a != action) {
                    return Err(format!(
                        "key {key} is bound twice in [{}]: to {} and to {}",
                        mode.name(),
                        other.name(),
                        action.name()
                    ));
                }
                seen.push((key, action));
            }
        }
        Ok(())
    }

    fn pairs(&self, mode: Mode) -> impl Iterator<Item = (Key, Action)> + '_ {
        self.modes
            .get(&mode)
            .into_iter()
            .flatten()
            .flat_map(|(a, keys)| keys.iter().map(move |k| (*k, *a)))
    }

    /// The user's keymap: `$REFUND_DESK_KEYMAP`, else
    /// `<config dir>/refund-desk/keymap.toml` if it exists, else the defaults.
    pub fn load() -> anyhow::Result<Keymap> {
        let path = match std::env::var_os("REFUND_DESK_KEYMAP").filter(|p| !p.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => match directories::ProjectDirs::from("", "", "refund-desk") {
                Some(d) if d.config_dir().join("keymap.toml").exists() => {
                    d.config_dir().join("keymap.toml")
                }
                _ => return Ok(Keymap::default()),
            },
        };
        let text = crate::text::read_limited(&path, crate::text::SETTINGS_FILE_LIMIT)
            .map_err(|e| anyhow::anyhow!("cannot read keymap {}: {e}", path.display()))?;
        Keymap::with_overrides(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// What `key` means in `mode` (the mode's own bindings first, then global).
    pub fn lookup(&self, mode: Mode, key: Key) -> Option<Action> {
        self.pairs(mode)
            .chain(self.pairs(Mode::Global))
            .find(|(k, _)| *k == key)
            .map(|(_, a)| a)
    }

    /// The reverse map: the keys bound to `action` in `mode` (or globally).
    pub fn keys_for(&self, mode: Mode, action: Action) -> Vec<Key> {
        let own: Vec<Key> = self
            .pairs(mode)
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k)
            .collect();
        if own.is_empty() {
            self.pairs(Mode::Global)
                .filter(|(_, a)| *a == action)
                .map(|(k, _)| k)
                .collect()
        } else {
            own
        }
    }

    /// Keys of `action` in `mode` as shown to the operator: "j/<Down>".
    pub fn label(&self, mode: Mode, action: Action) -> String {
        self.keys_for(mode, action)
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The bindings of one mode in order, for help.
    pub fn bindings(&self, mode: Mode) -> Vec<(Action, Vec<Key>)> {
        let mut out: Vec<(Action, Vec<Key>)> = self
            .modes
            .get(&mode)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, keys)| !keys.is_empty())
            .collect();
        if mode == Mode::List {
            // Verbs with no key are still reachable from the menu: list them too.
            for v in menu_default_order() {
                if !out.iter().any(|(a, _)| *a == Action::Do(v)) {
                    out.push((Action::Do(v), Vec::new()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print_round_trip() {
        for s in [
            "j", "A", "<Enter>", "<C-c>", "<S-Tab>", "<PgDn>", "<lt>", "<Space>", "<F5>",
        ] {
            let k = Key::parse(s).unwrap();
            assert_eq!(Key::parse(&k.to_string()).unwrap(), k, "{s}");
        }
        let seq = Key::parse_seq("jj<Enter>a<C-c><x").unwrap();
        assert_eq!(seq.len(), 7);
        assert_eq!(seq[2].code, KeyCode::Enter);
        assert_eq!(seq[5].code, KeyCode::Char('<'));
    }

    #[test]
    fn defaults_have_no_duplicates_and_reverse_map_agrees() {
        let km = Keymap::default();
        km.check().unwrap();
        for mode in Mode::ALL {
            for (action, keys) in km.bindings(mode) {
                for k in keys {
                    assert_eq!(km.lookup(mode, k), Some(action), "{mode:?} {k}");
                }
            }
        }
    }

    #[test]
    fn overrides_replace_and_duplicates_are_refused() {
        let km = Keymap::with_overrides("[list]\ntake = [\"T\", \"<F2>\"]\n").unwrap();
        assert_eq!(
            km.lookup(Mode::List, Key::parse("T").unwrap()),
            Some(Action::Do(Verb::Take))
        );
        assert_eq!(km.lookup(Mode::List, Key::parse("t").unwrap()), None);
        let err = Keymap::with_overrides("[list]\ntake = \"e\"\n").unwrap_err();
        assert!(
            err.contains("bound twice") && err.contains("evaluate"),
            "{err}"
        );
        let err = Keymap::with_overrides("[list]\ntake = \"<C-c>\"\n").unwrap_err();
        assert!(err.contains("bound twice"), "{err}");
        assert!(Keymap::with_overrides("[lst]\ntake = \"T\"\n").is_err());
        assert!(Keymap::with_overrides("[list]\nfly = \"T\"\n").is_err());
        assert!(Keymap::with_overrides("[list]\ntake = \"<Nope>\"\n").is_err());
    }

    #[test]
    fn a_keymap_must_keep_a_way_to_quit() {
        let err = Keymap::with_overrides("[global]\nquit = []\n[list]\nquit = []\n").unwrap_err();
        assert!(err.contains("no key quits"), "{err}");
        // One way left is enough.
        Keymap::with_overrides("[list]\nquit = []\n").unwrap();
        Keymap::with_overrides("[global]\nquit = []\n").unwrap();
        Keymap::with_overrides("[global]\nquit = []\n[list]\nquit = \"Q\"\n").unwrap();
    }
}
