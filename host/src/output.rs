//! `--output FILE`, the safe atomic file: each sample goes to a new temporary
//! in FILE's directory that is then renamed over FILE, and nothing else is
//! ever opened for writing or replaced.
//!
//! The temporary is created `O_CREAT|O_EXCL|O_NOFOLLOW` under an
//! unpredictable name chosen by the `tempfile` crate, given FILE's permission
//! bits, and synced before the rename; on any failure it is removed and FILE
//! is untouched. A FILE that is a directory, a device, a FIFO, a socket or a
//! symbolic link is refused.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use tempfile::Builder;

use crate::failure::Failure;

/// How much of FILE's name the temporary's name repeats (255 bytes at most
/// in all, less `.`, `.`, six random characters and `.tmp`).
const NAME_IN_TEMPORARY: usize = 200;

/// The mode of a new FILE, less the umask.
const NEW_FILE_MODE: u32 = 0o644;

/// Replaces `path` with `bytes` so that readers see the old file or the new
/// one, never a mix; on failure the old file stays and no temporary is left.
pub fn replace(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let fail = |e| Failure::Output(path.to_owned(), e);
    let refuse = |what| Err(Failure::NotAFile(path.to_owned(), what));
    // `-o .`, `-o ..`, `-o dir/`: a directory by its very spelling.
    let name = match path.file_name() {
        Some(name) if !path.as_os_str().as_encoded_bytes().ends_with(b"/") => name,
        _ => return refuse("is a directory"),
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let old = match fs::symlink_metadata(path) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e)),
    };
    if let Some(what) = old.as_ref().and_then(|meta| not_a_file(&meta.file_type())) {
        return refuse(what);
    }
    // `.NAME.XXXXXX.tmp`, NAME cut so that the whole stays within the 255
    // bytes a name may have wherever FILE's own name fits.
    let mut prefix = std::ffi::OsString::from(".");
    let cut = name
        .as_bytes()
        .get(..NAME_IN_TEMPORARY)
        .unwrap_or(name.as_bytes());
    prefix.push(std::ffi::OsStr::from_bytes(cut));
    prefix.push(".");
    // tempfile picks the random name and retries on a name that exists; the
    // open is ours, to say O_NOFOLLOW besides O_CREAT|O_EXCL.
    let temporary = Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .make_in(dir, |name| {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(NEW_FILE_MODE)
                .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
                .open(name)
        })
        .map_err(fail)?;
    // From here the temporary is removed when `temporary` is dropped, on
    // every path out of this function but the successful `persist`.
    let written = (|| {
        let mut file: &File = temporary.as_file();
        file.write_all(bytes)?;
        if let Some(old) = &old {
            // The permission bits only: no set-id or sticky bits, and the
            // owner stays whoever runs tcpcount (giving the file to FILE's
            // owner, who may be anyone in a shared directory, would hand them
            // the temporary before the rename).
            file.set_permissions(Permissions::from_mode(old.mode() & 0o777))?;
        }
        file.sync_all()
    })();
    written.map_err(fail)?;
    temporary.persist(path).map_err(|e| fail(e.error))?;
    // The rename is durable once the directory is synced; a directory that
    // cannot be opened or synced (some FUSE mounts) still has the new file.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// What a file of this type is, if it is not a regular file.
fn not_a_file(kind: &fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_file() {
        None
    } else if kind.is_dir() {
        Some("is a directory")
    } else if kind.is_symlink() {
        Some(
            "is a symbolic link; tcpcount replaces only regular files, so name the file it points to",
        )
    } else if kind.is_fifo() {
        Some("is a FIFO, not a regular file; left alone")
    } else if kind.is_socket() {
        Some("is a socket, not a regular file; left alone")
    } else if kind.is_block_device() || kind.is_char_device() {
        Some("is a device, not a regular file; left alone")
    } else {
        Some("is not a regular file; left alone")
    }
}
