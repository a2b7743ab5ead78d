//! All-or-nothing output.

use std::io;
use std::path::{Path, PathBuf};

/// An output directory written atomically: files are written into a hidden staging directory next
/// to the target and [`AtomicDir::commit`] swaps it into place with renames. Until then the
/// previous contents of the target are untouched; on error or panic the staging directory is
/// removed.
///
/// ```
/// let root = tempfile::tempdir().unwrap();
/// let out = root.path().join("run");
/// let dir = hh_io::AtomicDir::new(&out).unwrap();
/// std::fs::write(dir.path().join("a.txt"), "1").unwrap();
/// assert!(!out.exists());
/// dir.commit().unwrap();
/// assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "1");
/// ```
#[derive(Debug)]
pub struct AtomicDir {
    target: PathBuf,
    staging: tempfile::TempDir,
}

impl AtomicDir {
    /// Prepares to write `target` (its parent directories are created).
    pub fn new(target: impl AsRef<Path>) -> io::Result<Self> {
        let target = target.as_ref().to_path_buf();
        let parent = parent_of(&target);
        std::fs::create_dir_all(&parent)?;
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{}.partial-", file_name(&target)))
            .tempdir_in(&parent)?;
        Ok(Self { target, staging })
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        self.staging.path()
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the staged files into place, replacing the previous contents of the target.
    pub fn commit(self) -> io::Result<PathBuf> {
        let staged = self.staging.keep();
        let parent = parent_of(&self.target);
        let old = if self.target.exists() {
            let old = tempfile::Builder::new()
                .prefix(&format!(".{}.old-", file_name(&self.target)))
                .tempdir_in(&parent)?
                .keep();
            std::fs::remove_dir(&old)?;
            std::fs::rename(&self.target, &old)?;
            Some(old)
        } else {
            None
        };
        if let Err(e) = std::fs::rename(&staged, &self.target) {
            if let Some(old) = &old {
                std::fs::rename(old, &self.target)?;
            }
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        if let Some(old) = old {
            std::fs::remove_dir_all(old)?;
        }
        Ok(self.target)
    }
}

/// Writes one file atomically (a temporary sibling renamed over the target).
pub fn write_atomic(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref();
    let parent = parent_of(path);
    std::fs::create_dir_all(&parent)?;
    let mut tmp = tempfile::NamedTempFile::new_in(&parent)?;
    io::Write::write_all(&mut tmp, bytes.as_ref())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_previous_contents_only_on_commit() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("old.txt"), "old").unwrap();

        let dir = AtomicDir::new(&out).unwrap();
        std::fs::write(dir.path().join("new.txt"), "new").unwrap();
        drop(dir); // a failed run
        assert!(out.join("old.txt").exists());
        assert_eq!(
            std::fs::read_dir(root.path()).unwrap().count(),
            1,
            "staging left behind"
        );

        let dir = AtomicDir::new(&out).unwrap();
        std::fs::write(dir.path().join("new.txt"), "new").unwrap();
        dir.commit().unwrap();
        assert!(!out.join("old.txt").exists());
        assert!(out.join("new.txt").exists());
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
