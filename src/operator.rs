//! The operator is the OS user running the program: the process's real uid,
//! named through the system's user database (NSS: passwd files, LDAP, SSSD),
//! never `$USER` or a name the process claims.

use anyhow::Context as _;

/// The login name of the real uid. Refused inside a user namespace that maps
/// the uid to another (`unshare -Ur` makes any user "root" there), and for a
/// uid the user database does not know.
pub fn current() -> anyhow::Result<String> {
    refuse_remapped_namespace()?;
    let uid = nix::unistd::getuid();
    let user = nix::unistd::User::from_uid(uid)
        .with_context(|| format!("cannot look up uid {uid} in the system's user database"))?
        .with_context(|| {
            format!("uid {uid} has no entry in the system's user database: refund-desk needs a named operator")
        })?;
    Ok(user.name)
}

/// Whether a login name exists in the system's user database.
pub fn exists(name: &str) -> anyhow::Result<bool> {
    Ok(nix::unistd::User::from_name(name)
        .with_context(|| format!("cannot look up {name:?} in the system's user database"))?
        .is_some())
}

/// In the initial user namespace `/proc/self/uid_map` is the identity over
/// the whole range; anything else means the uid the kernel reports is not the
/// uid that logged in.
fn refuse_remapped_namespace() -> anyhow::Result<()> {
    let map = match std::fs::read_to_string("/proc/self/uid_map") {
        Ok(m) => m,
        // No procfs (or no user namespaces in this kernel): nothing to remap.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).context("cannot read /proc/self/uid_map"),
    };
    match remapped(&map) {
        None => Ok(()),
        Some(mapping) => anyhow::bail!(
            "refusing to run inside a user namespace (uid map \"{mapping}\"): \
             the uid it reports is not the user who logged in"
        ),
    }
}

/// `None` for the identity over the whole uid range (the initial namespace),
/// else the mappings, one `inside outside count` triple after another.
fn remapped(uid_map: &str) -> Option<String> {
    let fields: Vec<&str> = uid_map.split_whitespace().collect();
    let identity = ["0", "0", "4294967295"];
    (fields != identity).then(|| fields.join(" "))
}

#[cfg(test)]
mod tests {
    use super::remapped;

    #[test]
    fn the_initial_namespace_is_the_identity_over_every_uid() {
        assert_eq!(remapped("         0          0 4294967295\n"), None);
    }

    #[test]
    fn unshare_r_maps_root_to_the_caller() {
        assert_eq!(
            remapped("         0       1000          1\n").as_deref(),
            Some("0 1000 1")
        );
    }

    #[test]
    fn a_partial_identity_map_is_a_namespace_too() {
        // Identity for a sub-range only: still not the initial namespace.
        assert_eq!(remapped("0 0 65536\n").as_deref(), Some("0 0 65536"));
    }
}
