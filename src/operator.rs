//! The operator is the OS user running the program: read from the kernel
//! (the process's real uid), not from `$USER`, which anyone can set.

/// The login name of the real uid, or `uid:N` when it has no passwd entry.
pub fn current() -> String {
    let Some(uid) = real_uid() else {
        return std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    };
    name_of(uid).unwrap_or_else(|| format!("uid:{uid}"))
}

fn real_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn name_of(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let id: u32 = f.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    })
}
