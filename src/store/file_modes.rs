//! File modes of the desk and the files beside it. Agents share a desk by
//! group; SQLite creates `-wal` and `-shm` with the desk file's mode, but
//! through the creating process's umask — a umask of 022 made them 0644 for
//! a moment, and another agent opening then was told "read-only".

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// Clears the group's read and write bits from the process umask (keeping
/// the rest), so that every file this process creates beside the desk is as
/// accessible to the desk's group as the desk itself.
pub fn keep_group_access() {
    use nix::sys::stat::{umask, Mode};
    let old = umask(Mode::empty());
    umask(old - (Mode::S_IRGRP | Mode::S_IWGRP));
}

/// Gives a file this process owns the desk file's read/write bits, so a lock
/// file left behind never locks the group out. Files of other owners are
/// left alone (we may not chmod them).
pub fn match_desk_mode(file: &std::fs::File, desk: &Path) -> std::io::Result<()> {
    let Ok(desk_meta) = std::fs::metadata(desk) else {
        return Ok(());
    };
    let meta = file.metadata()?;
    if meta.uid() != nix::unistd::geteuid().as_raw() {
        return Ok(());
    }
    let want = (meta.mode() & 0o7777 & !0o666) | (desk_meta.mode() & 0o666);
    if meta.mode() & 0o7777 != want {
        file.set_permissions(std::fs::Permissions::from_mode(want))?;
    }
    Ok(())
}
