//! All-or-nothing output that never replaces what the user had.
//!
//! An output directory is *ours* when it is empty or holds a `manifest.json` (every result of this
//! workspace) or a `checkpoint.safetensors` (a training checkpoint). Only such a directory is ever
//! replaced; a file, a device, a link, `.`/`..`/`/` or a foreign directory is refused before any
//! work starts ([`check_output`]).
//!
//! Writing goes to a hidden sibling `.NAME.partial-XXXXXX` that the writing process holds an
//! advisory lock (`flock`) on. [`AtomicDir::commit`] swaps it with the target in one
//! `renameat2(RENAME_EXCHANGE)`, so at every instant the target path holds either the complete old
//! or the complete new results, and then deletes the old ones. Where the file system cannot
//! exchange, two renames are used and a crash between them is repaired by the next run. A run that
//! is killed leaves its `.partial-*` directory behind, unlocked; the next run on the same target
//! deletes such leftovers.

use hh_model::ConfigError;
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Files whose presence marks a directory as written by this workspace.
pub const OURS_MARKERS: [&str; 2] = ["manifest.json", "checkpoint.safetensors"];

/// An output directory written atomically: files are written into a hidden staging directory next
/// to the target and [`AtomicDir::commit`] swaps it into place. Until then the previous contents
/// of the target are untouched; on error or panic the staging directory, and any parent
/// directory created for it, is removed.
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
    staging: PathBuf,
    /// Held open so the advisory lock lasts as long as this value.
    _lock: Option<File>,
    /// Parent directories created for the target, outermost first, removed again on failure.
    created: Vec<PathBuf>,
    committed: bool,
}

impl AtomicDir {
    /// Prepares to write `target`: refuses a target that is not ours ([`check_output`], as an
    /// [`io::ErrorKind::InvalidInput`] error), creates missing parents, deletes the leftovers of
    /// killed runs on the same target and creates the locked staging directory.
    pub fn new(target: impl AsRef<Path>) -> io::Result<Self> {
        let target = target.as_ref().to_path_buf();
        if let Some(reason) = refusal(&target) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing {}: {reason}", target.display()),
            ));
        }
        let parent = parent_of(&target);
        let created = create_parents(&parent)?;
        let mut dir = Self {
            staging: PathBuf::new(),
            target,
            _lock: None,
            created,
            committed: false,
        };
        sweep_leftovers(&parent, &dir.target)?;
        // Mode 0777 before the umask, like `mkdir`, so results get the user's usual permissions.
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{}.partial-", file_name(&dir.target)))
            .permissions(dir_permissions())
            .tempdir_in(&parent)?
            .keep();
        dir.staging = staging;
        dir._lock = Some(
            lock(&dir.staging)?
                .ok_or_else(|| io::Error::other(format!("{} is locked", dir.staging.display())))?,
        );
        Ok(dir)
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The final location.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Swaps the staged files into place and deletes the previous contents of the target.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        if let Some(reason) = refusal(&self.target) {
            // Something not ours appeared at the target while we were working.
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing {}: {reason}", self.target.display()),
            ));
        }
        if self.target.exists() {
            match exchange(&self.staging, &self.target) {
                Ok(()) => {}
                Err(e) if exchange_unsupported(&e) => self.replace_in_two_renames()?,
                Err(e) => return Err(e),
            }
            // The staging path now holds the old contents.
            remove_all(&self.staging)?;
        } else {
            std::fs::rename(&self.staging, &self.target)?;
        }
        self.committed = true;
        Ok(self.target.clone())
    }

    /// The fallback where `RENAME_EXCHANGE` is not available: the target moves to `.NAME.old-*`,
    /// the staging directory to the target. A crash between the two leaves no target and an
    /// `.old-*` directory, which [`AtomicDir::new`] moves back.
    fn replace_in_two_renames(&self) -> io::Result<()> {
        let parent = parent_of(&self.target);
        let old = tempfile::Builder::new()
            .prefix(&format!(".{}.old-", file_name(&self.target)))
            .tempdir_in(&parent)?
            .keep();
        std::fs::remove_dir(&old)?;
        std::fs::rename(&self.target, &old)?;
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            std::fs::rename(&old, &self.target)?;
            return Err(e);
        }
        // Leaves the old contents at the staging path, as an exchange would.
        std::fs::rename(&old, &self.staging)
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if !self.staging.as_os_str().is_empty() {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
        for dir in self.created.iter().rev() {
            if std::fs::remove_dir(dir).is_err() {
                break;
            }
        }
    }
}

/// Checks, before any work starts, that `path` may be used as the output directory of a run
/// (see the module documentation); the error names the command-line or config `field`.
pub fn check_output(field: &str, path: &Path) -> Result<(), ConfigError> {
    match refusal(path) {
        None => Ok(()),
        Some(reason) => Err(ConfigError::Output {
            field: field.into(),
            path: path.to_owned(),
            reason,
        }),
    }
}

/// Checks that two output directories of one run are distinct and neither lies inside the other
/// (a checkpoint directory inside the results would be swapped away with them).
pub fn check_distinct(field_a: &str, a: &Path, field_b: &str, b: &Path) -> Result<(), ConfigError> {
    let (na, nb) = (normalise(a), normalise(b));
    if na.starts_with(&nb) || nb.starts_with(&na) {
        return Err(ConfigError::Output {
            field: field_b.into(),
            path: b.to_owned(),
            reason: format!("must be a directory apart from `{field_a}` {}", a.display()),
        });
    }
    Ok(())
}

/// Why `target` must not be written, or `None` when it may be.
fn refusal(target: &Path) -> Option<String> {
    if !matches!(target.components().next_back(), Some(Component::Normal(_))) {
        return Some("names no directory of its own (such as ., .. or /); give a new path".into());
    }
    // The nearest existing ancestor must be a directory (`a/f.txt/b` with a file `f.txt` fails).
    for ancestor in target.ancestors().skip(1) {
        let ancestor = if ancestor.as_os_str().is_empty() {
            Path::new(".")
        } else {
            ancestor
        };
        match std::fs::metadata(ancestor) {
            Ok(m) if m.is_dir() => break,
            Ok(_) => return Some(format!("{} is not a directory", ancestor.display())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Some(format!("{}: {e}", ancestor.display())),
        }
    }
    let meta = match std::fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return None,
        Err(e) => return Some(e.to_string()),
    };
    if meta.file_type().is_symlink() {
        return Some("it is a symbolic link; give the directory itself".into());
    }
    if !meta.is_dir() {
        return Some("it exists and is not a directory; it is left as it is".into());
    }
    let mut entries = match std::fs::read_dir(target) {
        Ok(entries) => entries.peekable(),
        Err(e) => return Some(e.to_string()),
    };
    let empty = entries.peek().is_none();
    let ours = OURS_MARKERS
        .iter()
        .any(|m| std::fs::symlink_metadata(target.join(m)).is_ok_and(|m| m.file_type().is_file()));
    if empty || ours {
        None
    } else {
        Some(format!(
            "it is a directory these tools did not write (it holds none of {}); it is left as \
             it is: remove it or choose another path",
            OURS_MARKERS.join(", ")
        ))
    }
}

/// Creates `dir` and its missing ancestors; returns those created, outermost first.
fn create_parents(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let missing: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    std::fs::create_dir_all(dir)?;
    Ok(missing.into_iter().rev().collect())
}

/// Deletes `.NAME.partial-*` directories that no live process holds the lock of, and moves an
/// `.NAME.old-*` directory back when a crash of the two-rename fallback left no target.
fn sweep_leftovers(parent: &Path, target: &Path) -> io::Result<()> {
    let name = file_name(target);
    let (partial, old) = (format!(".{name}.partial-"), format!(".{name}.old-"));
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let path = entry.path();
        if !entry.file_type()?.is_dir() {
            continue;
        }
        if file.starts_with(&partial) {
            if let Some(_lock) = lock(&path)? {
                remove_all(&path)?;
            }
        } else if file.starts_with(&old) {
            if target.exists() {
                remove_all(&path)?;
            } else {
                std::fs::rename(&path, target)?;
            }
        }
    }
    Ok(())
}

/// Takes the exclusive advisory lock of directory `dir` without blocking: `None` when another
/// process holds it. On platforms without `flock` every directory counts as unlocked.
fn lock(dir: &Path) -> io::Result<Option<File>> {
    let file = match File::open(dir) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, flock};
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => Ok(Some(file)),
            Err(rustix::io::Errno::WOULDBLOCK) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(unix))]
    Ok(Some(file))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Errors with which a file system says it cannot exchange two names.
fn exchange_unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported
        || matches!(e.raw_os_error(), Some(code) if [22, 38, 95].contains(&code)) // EINVAL, ENOSYS, EOPNOTSUPP
}

fn remove_all(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn dir_permissions() -> std::fs::Permissions {
    std::os::unix::fs::PermissionsExt::from_mode(0o777)
}

#[cfg(unix)]
fn file_permissions() -> std::fs::Permissions {
    std::os::unix::fs::PermissionsExt::from_mode(0o666)
}

/// Writes one file atomically (a temporary sibling renamed over the target), with the mode a
/// plain `std::fs::write` would give it.
pub fn write_atomic(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref();
    let parent = parent_of(path);
    std::fs::create_dir_all(&parent)?;
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    builder.permissions(file_permissions());
    let mut tmp = builder.tempfile_in(&parent)?;
    io::Write::write_all(&mut tmp, bytes.as_ref())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `path` made absolute and free of `.`/`..` components (without following links), for
/// comparing two paths a user typed.
fn normalise(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = PathBuf::new();
    for c in absolute.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
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

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn ours(dir: &Path, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("manifest.json"), "{}").unwrap();
        std::fs::write(dir.join("data.txt"), text).unwrap();
    }

    #[test]
    fn replaces_previous_contents_only_on_commit() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        ours(&out, "old");

        let dir = AtomicDir::new(&out).unwrap();
        std::fs::write(dir.path().join("data.txt"), "new").unwrap();
        drop(dir); // a failed run
        assert_eq!(
            std::fs::read_to_string(out.join("data.txt")).unwrap(),
            "old"
        );
        assert_eq!(names(root.path()), ["res"], "staging left behind");

        let dir = AtomicDir::new(&out).unwrap();
        std::fs::write(dir.path().join("new.txt"), "new").unwrap();
        dir.commit().unwrap();
        assert_eq!(names(&out), ["new.txt"]);
        assert_eq!(names(root.path()), ["res"]);
    }

    #[test]
    fn what_is_not_ours_is_refused_and_left_as_it_was() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("f.txt");
        std::fs::write(&file, "precious").unwrap();
        let foreign = root.path().join("photos");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("a.jpg"), "x").unwrap();
        let link = root.path().join("link");
        std::os::unix::fs::symlink(&foreign, &link).unwrap();
        for bad in [
            file.clone(),
            foreign.clone(),
            link,
            file.join("sub"),
            PathBuf::from("."),
            PathBuf::from(".."),
            PathBuf::from("/"),
            root.path().join("x/.."),
            PathBuf::from("/dev/null"),
        ] {
            let e = AtomicDir::new(&bad).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{}", bad.display());
            assert!(check_output("out", &bad).is_err(), "{}", bad.display());
        }
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious");
        assert_eq!(names(&foreign), ["a.jpg"]);
        assert_eq!(names(root.path()), ["f.txt", "link", "photos"]);
        // Empty directories and our own results are fine.
        let empty = root.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        check_output("out", &empty).unwrap();
        check_output("out", &root.path().join("new/deeper")).unwrap();
    }

    #[test]
    fn a_failed_run_removes_the_parents_it_created() {
        let root = tempfile::tempdir().unwrap();
        let dir = AtomicDir::new(root.path().join("a/b/c")).unwrap();
        assert!(root.path().join("a/b").is_dir());
        drop(dir);
        assert!(names(root.path()).is_empty());
    }

    #[test]
    fn leftovers_of_killed_runs_are_swept_but_live_runs_are_not() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        ours(&out, "old");
        // A killed run: an unlocked staging directory.
        std::fs::create_dir(root.path().join(".res.partial-dead01")).unwrap();
        // A live run on the same target holds its lock.
        let live = AtomicDir::new(&out).unwrap();
        let second = AtomicDir::new(&out).unwrap();
        let partials = names(root.path())
            .into_iter()
            .filter(|n| n.starts_with(".res.partial-"))
            .count();
        assert_eq!(
            partials, 2,
            "the live staging directories stay, the dead one goes"
        );
        assert!(live.path().is_dir() && second.path().is_dir());
        drop((live, second));
        assert_eq!(names(root.path()), ["res"]);
    }

    #[test]
    fn a_crash_inside_the_two_rename_fallback_is_repaired() {
        let root = tempfile::tempdir().unwrap();
        ours(&root.path().join(".res.old-abc123"), "old");
        let out = root.path().join("res");
        let dir = AtomicDir::new(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("data.txt")).unwrap(),
            "old"
        );
        std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
        dir.commit().unwrap();
        assert_eq!(names(&out), ["manifest.json"]);
        assert_eq!(names(root.path()), ["res"]);
    }

    #[test]
    fn outputs_get_the_modes_of_plain_writes() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let plain_dir = root.path().join("plain");
        std::fs::create_dir(&plain_dir).unwrap();
        std::fs::write(plain_dir.join("f"), "x").unwrap();
        let dir = AtomicDir::new(root.path().join("out")).unwrap();
        write_atomic(dir.path().join("f"), "x").unwrap();
        let out = dir.commit().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&out), mode(&plain_dir));
        assert_eq!(mode(&out.join("f")), mode(&plain_dir.join("f")));
    }

    #[test]
    fn distinct_outputs() {
        let (a, b) = (Path::new("runs/x"), Path::new("runs/x/../x"));
        assert!(check_distinct("out", a, "checkpoint-dir", b).is_err());
        assert!(check_distinct("out", a, "checkpoint-dir", Path::new("runs/x/ck")).is_err());
        check_distinct("out", a, "checkpoint-dir", Path::new("runs/x.checkpoint")).unwrap();
    }
}
