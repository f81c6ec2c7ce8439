//! Where an import's time goes, phase by phase, printed to stderr when
//! `REFUND_DESK_IMPORT_PHASES` is set (`scripts/bench.sh` sets it): the
//! figures the README's performance notes are made of.

use std::time::{Duration, Instant};

pub(crate) const VAR: &str = "REFUND_DESK_IMPORT_PHASES";

#[derive(Debug, Default)]
pub(crate) struct Phases {
    on: bool,
    spent: Vec<(&'static str, Duration)>,
}

impl Phases {
    pub(crate) fn from_env() -> Phases {
        Phases {
            on: std::env::var_os(VAR).is_some_and(|v| !v.is_empty()),
            spent: Vec::new(),
        }
    }

    pub(crate) fn on(&self) -> bool {
        self.on
    }

    /// Adds `d` to the phase `name` (phases are listed in first-seen order).
    pub(crate) fn add(&mut self, name: &'static str, d: Duration) {
        if !self.on {
            return;
        }
        match self.spent.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => *t += d,
            None => self.spent.push((name, d)),
        }
    }

    /// Runs `f`, counting its time to `name`.
    pub(crate) fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        if !self.on {
            return f();
        }
        let start = Instant::now();
        let out = f();
        self.add(name, start.elapsed());
        out
    }

    /// CPU time of the calling thread so far (Linux; zero elsewhere or when
    /// off), so the report can say which thread was busy and which waited.
    pub(crate) fn thread_cpu(on: bool) -> Duration {
        if !on {
            return Duration::ZERO;
        }
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
        // Fields after the command (which may hold spaces): state is the 3rd,
        // utime and stime the 14th and 15th, in clock ticks (100 a second).
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let ticks: u64 = rest
            .split_whitespace()
            .skip(11)
            .take(2)
            .filter_map(|t| t.parse::<u64>().ok())
            .sum();
        Duration::from_millis(ticks * 10)
    }

    pub(crate) fn report(&self) {
        if !self.on {
            return;
        }
        let line: Vec<String> = self
            .spent
            .iter()
            .map(|(n, d)| format!("{n} {:.2} s", d.as_secs_f64()))
            .collect();
        eprintln!("import phases: {}", line.join(", "));
    }
}
