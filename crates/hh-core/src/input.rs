//! Reading a file the user named or a run directory holds: untrusted input.
//!
//! Every file this workspace reads goes through [`read_bytes`] (or [`read_text`]): the path is
//! opened without blocking (a FIFO would otherwise wait forever for a writer), the *opened* file
//! must be a regular file (no FIFO, device or directory, and no swap between a check and the
//! read), its size is bounded before anything is allocated, the buffer is reserved fallibly, and
//! no more than the bound is read even if the file grows meanwhile. Errors name the field or flag
//! the path came from.

use std::io::Read;
use std::path::Path;

use crate::ConfigError;

/// Reads all of `path`, a regular file of at most `max_bytes` (links are followed).
pub fn read_bytes(field: &str, path: &Path, max_bytes: u64) -> Result<Vec<u8>, ConfigError> {
    let refuse = |reason: String| ConfigError::Unreadable {
        field: field.into(),
        path: path.to_owned(),
        reason,
    };
    let file = open_nonblocking(path).map_err(|e| refuse(e.to_string()))?;
    let meta = file.metadata().map_err(|e| refuse(e.to_string()))?;
    if !meta.is_file() {
        return Err(refuse("not a regular file".into()));
    }
    if meta.len() > max_bytes {
        return Err(refuse(format!(
            "{} bytes, at most {max_bytes} allowed",
            meta.len()
        )));
    }
    let mut bytes = Vec::new();
    let len = usize::try_from(meta.len()).map_err(|_| refuse("too large to hold".into()))?;
    bytes
        .try_reserve_exact(len)
        .map_err(|_| refuse(format!("{len} bytes do not fit in this process's memory")))?;
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(e.to_string()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(refuse(format!(
            "more than {max_bytes} bytes (it grew while read)"
        )));
    }
    Ok(bytes)
}

/// [`read_bytes`], as UTF-8 text.
pub fn read_text(field: &str, path: &Path, max_bytes: u64) -> Result<String, ConfigError> {
    String::from_utf8(read_bytes(field, path, max_bytes)?).map_err(|e| ConfigError::Unreadable {
        field: field.into(),
        path: path.to_owned(),
        reason: format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Opens `path` for reading with `O_NONBLOCK`, so that opening a FIFO returns at once.
#[cfg(unix)]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bounded_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "x = 1\n").unwrap();
        assert_eq!(read_text("config", &file, 6).unwrap(), "x = 1\n");
        let big = read_bytes("config", &file, 5).unwrap_err().to_string();
        assert!(
            big.contains("`config`") && big.contains("at most 5"),
            "{big}"
        );
        // A FIFO is refused at once instead of blocking the reader.
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let e = read_bytes("resume", &fifo, 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`resume`") && e.contains("not a regular file"),
            "{e}"
        );
        for other in [dir.path(), Path::new("/dev/zero")] {
            assert!(read_bytes("config", other, 1 << 20).is_err());
        }
        std::fs::write(&file, b"\xff\xfe").unwrap();
        let e = read_text("merge", &file, 10).unwrap_err().to_string();
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
