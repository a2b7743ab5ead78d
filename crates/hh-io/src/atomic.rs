//! All-or-nothing output that never replaces what the user had.
//!
//! An output directory is *ours* when it is empty or holds a `manifest.json` (every result of this
//! workspace) or a `checkpoint.safetensors` (a training checkpoint). Only such a directory is ever
//! replaced; a file, a device, a link, `.`/`..`/`/` or a foreign directory is refused before any
//! work starts ([`check_output`]).
//!
//! Writing goes to a hidden sibling `.NAME.partial-XXXXXX` (`NAME` shortened so that the sibling's
//! name fits the file system's limit) that the writing process holds an advisory lock (`flock`)
//! on. Once locked, it gets a marker file [`STAGING_MARKER`] holding the target's name: that
//! marker, never a name pattern, is what makes a directory ours to sweep. [`AtomicDir::commit`]
//! swaps it with the target in one `renameat2(RENAME_EXCHANGE)` (or renames it into place with
//! `RENAME_NOREPLACE` when there is no target), so at every instant the target path holds either
//! the complete old or the complete new results, and then deletes the old ones. Where the file
//! system cannot exchange, two renames are used, the old results marked with [`OLD_MARKER`], and
//! a crash between them is repaired by the next run. A run that is killed leaves its marked
//! `.partial-*` directory behind, unlocked; the next run on the same target deletes it. A
//! directory without our marker (yours, or another run's in the instant before it is locked) is
//! never touched.

use hh_core::ConfigError;
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Files whose presence marks a directory as written by this workspace.
pub const OURS_MARKERS: [&str; 2] = ["manifest.json", "checkpoint.safetensors"];

/// The file, inside a staging directory, holding the name of the target it is staged for.
pub const STAGING_MARKER: &str = ".hh-staging";

/// The file, inside the old results moved aside by the two-rename fallback, holding the name of
/// the target they are to be moved back to.
pub const OLD_MARKER: &str = ".hh-old";

/// The most bytes of the target's name kept in a sibling's name: `.` + 200 + `.partial-XXXXXX`
/// stays within the 255 bytes of `NAME_MAX`.
const NAME_BYTES_KEPT: usize = 200;

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
            .prefix(&format!(".{}.partial-", short_name(&dir.target)))
            .permissions(dir_permissions())
            .tempdir_in(&parent)?
            .keep();
        dir.staging = staging;
        dir._lock = Some(
            lock(&dir.staging)?
                .ok_or_else(|| io::Error::other(format!("{} is locked", dir.staging.display())))?,
        );
        // Marked only once locked: a sweep never takes a directory that is still being set up.
        std::fs::write(dir.staging.join(STAGING_MARKER), target_name(&dir.target))?;
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
        std::fs::remove_file(self.staging.join(STAGING_MARKER))?;
        loop {
            match exchange(&self.staging, &self.target) {
                Ok(()) => {
                    // The staging path now holds the old contents.
                    remove_all(&self.staging)?;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    match rename_noreplace(&self.staging, &self.target) {
                        Ok(()) => break,
                        // Another run committed first: exchange with its results instead.
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                        Err(e) if exchange_unsupported(&e) => {
                            std::fs::rename(&self.staging, &self.target)?;
                            break;
                        }
                        Err(e) => return Err(e),
                    }
                }
                Err(e) if exchange_unsupported(&e) => {
                    if self.target.exists() {
                        self.replace_in_two_renames()?;
                        remove_all(&self.staging)?;
                    } else {
                        std::fs::rename(&self.staging, &self.target)?;
                    }
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        self.committed = true;
        Ok(self.target.clone())
    }

    /// The fallback where `RENAME_EXCHANGE` is not available: the target, marked with
    /// [`OLD_MARKER`], moves to `.NAME.old-*`, the staging directory to the target. A crash
    /// between the two leaves no target and a marked `.old-*` directory, which
    /// [`AtomicDir::new`] moves back.
    fn replace_in_two_renames(&self) -> io::Result<()> {
        let parent = parent_of(&self.target);
        let old = tempfile::Builder::new()
            .prefix(&format!(".{}.old-", short_name(&self.target)))
            .tempdir_in(&parent)?
            .keep();
        std::fs::remove_dir(&old)?;
        std::fs::write(self.target.join(OLD_MARKER), target_name(&self.target))?;
        std::fs::rename(&self.target, &old)?;
        if let Err(e) = std::fs::rename(&self.staging, &self.target) {
            std::fs::rename(&old, &self.target)?;
            let _ = std::fs::remove_file(self.target.join(OLD_MARKER));
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
/// (a checkpoint directory inside the results would be swapped away with them). The paths are
/// compared as the file system resolves them (links followed), not as they are spelled.
pub fn check_distinct(field_a: &str, a: &Path, field_b: &str, b: &Path) -> Result<(), ConfigError> {
    let (ra, rb) = (resolve(a), resolve(b));
    if ra.starts_with(&rb) || rb.starts_with(&ra) {
        return Err(ConfigError::Output {
            field: field_b.into(),
            path: b.to_owned(),
            reason: format!(
                "must be a directory apart from `{field_a}` {} (they resolve to {} and {})",
                a.display(),
                ra.display(),
                rb.display()
            ),
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

/// Deletes the `.NAME.partial-*` directories of killed runs (marked with [`STAGING_MARKER`] for
/// this target, and unlocked), and moves back old results of the two-rename fallback (marked
/// with [`OLD_MARKER`]) when a crash left no target. Anything without our marker, whatever its
/// name, is left as it is.
fn sweep_leftovers(parent: &Path, target: &Path) -> io::Result<()> {
    let short = short_name(target);
    let (partial, old) = (format!(".{short}.partial-"), format!(".{short}.old-"));
    let name = target_name(target);
    for entry in std::fs::read_dir(parent)? {
        let entry = entry?;
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let path = entry.path();
        if !entry.file_type()?.is_dir() {
            continue;
        }
        if file.starts_with(&partial) && marked(&path, STAGING_MARKER, &name) {
            if let Some(_lock) = lock(&path)? {
                // Checked again under the lock: the marker is only ever written under it.
                if marked(&path, STAGING_MARKER, &name) {
                    remove_all(&path)?;
                }
            }
        } else if file.starts_with(&old) && marked(&path, OLD_MARKER, &name) {
            if target.exists() {
                remove_all(&path)?;
            } else {
                std::fs::rename(&path, target)?;
                std::fs::remove_file(target.join(OLD_MARKER))?;
            }
        }
    }
    Ok(())
}

/// Whether `dir` holds the regular file `marker` naming the target `name`.
fn marked(dir: &Path, marker: &str, name: &[u8]) -> bool {
    let path = dir.join(marker);
    std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file())
        && hh_core::input::read_bytes(marker, &path, 4096).is_ok_and(|b| b == name)
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

/// Renames `a` to `b` unless `b` exists (`AlreadyExists` then).
#[cfg(target_os = "linux")]
fn rename_noreplace(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::NOREPLACE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn rename_noreplace(_: &Path, _: &Path) -> io::Result<()> {
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

/// `path` as the file system resolves it: its deepest existing ancestor canonicalised (links
/// followed), the rest appended free of `.`/`..` components.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut rest = Vec::new();
    let mut base = absolute.as_path();
    let resolved = loop {
        match base.canonicalize() {
            Ok(c) => break c,
            Err(_) => match (base.parent(), base.components().next_back()) {
                (Some(parent), Some(last)) => {
                    rest.push(last.as_os_str().to_owned());
                    base = parent;
                }
                _ => break base.to_path_buf(),
            },
        }
    };
    let mut out = resolved;
    for c in rest.iter().rev() {
        match Path::new(c).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            Some(_) => out.push(c),
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

/// The target's name, as its markers hold it.
fn target_name(path: &Path) -> Vec<u8> {
    path.file_name()
        .map_or_else(Vec::new, |n| n.as_encoded_bytes().to_vec())
}

/// The target's name shortened to at most [`NAME_BYTES_KEPT`] bytes (at a character boundary),
/// for the names of its hidden siblings.
fn short_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let mut end = name.len().min(NAME_BYTES_KEPT);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_owned()
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
        // A killed run: an unlocked staging directory with our marker.
        let dead = root.path().join(".res.partial-dead01");
        std::fs::create_dir(&dead).unwrap();
        std::fs::write(dead.join(STAGING_MARKER), "res").unwrap();
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
        let old = root.path().join(".res.old-abc123");
        ours(&old, "old");
        std::fs::write(old.join(OLD_MARKER), "res").unwrap();
        let out = root.path().join("res");
        let dir = AtomicDir::new(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("data.txt")).unwrap(),
            "old"
        );
        assert_eq!(
            names(&out),
            ["data.txt", "manifest.json"],
            "the marker goes"
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

    /// A tree as text: every path under `dir` with its kind and contents.
    fn tree(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.push(format!("{}/", p.display()));
                out.extend(tree(&p));
            } else {
                out.push(format!("{} {:?}", p.display(), std::fs::read(&p).unwrap()));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn what_only_looks_like_a_leftover_is_left_as_it_was() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        for user in [".out.old-backup", ".out.partial-mine", ".out.partial-x"] {
            std::fs::create_dir(root.path().join(user)).unwrap();
            std::fs::write(root.path().join(user).join("notes.txt"), "mine").unwrap();
        }
        std::fs::write(root.path().join(".out.partial-file"), "mine").unwrap();
        // A marker naming another target does not make a directory ours either.
        std::fs::write(
            root.path().join(".out.partial-x").join(STAGING_MARKER),
            "other",
        )
        .unwrap();
        let before = tree(root.path());
        // No target yet: the old-looking directory is not moved into its place.
        let dir = AtomicDir::new(&out).unwrap();
        drop(dir);
        assert_eq!(tree(root.path()), before);
        let dir = AtomicDir::new(&out).unwrap();
        std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
        dir.commit().unwrap();
        let dir = AtomicDir::new(&out).unwrap();
        std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
        dir.commit().unwrap();
        let after: Vec<String> = tree(root.path())
            .into_iter()
            .filter(|l| !l.starts_with(&out.display().to_string()))
            .collect();
        assert_eq!(after, before);
        assert_eq!(names(&out), ["manifest.json"], "no marker in the results");
    }

    #[test]
    fn a_staging_directory_is_never_swept_before_it_is_marked() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        // Another run's directory in the instant between its creation and its lock and marker.
        let fresh = root.path().join(".res.partial-fresh1");
        std::fs::create_dir(&fresh).unwrap();
        let dir = AtomicDir::new(&out).unwrap();
        assert!(fresh.is_dir());
        drop(dir);
    }

    #[test]
    fn names_up_to_the_file_systems_limit_work() {
        let root = tempfile::tempdir().unwrap();
        for len in [200, 240, 250, 255] {
            let out = root.path().join("n".repeat(len));
            let dir = AtomicDir::new(&out).unwrap();
            std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
            dir.commit().unwrap();
            let dir = AtomicDir::new(&out).unwrap();
            dir.commit().unwrap();
            assert!(out.is_dir(), "{len}");
        }
        let too_long = root.path().join("n".repeat(256));
        assert!(check_output("out", &too_long).is_err());
    }

    #[test]
    fn concurrent_commits_on_one_target_all_succeed() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("res");
        std::thread::scope(|s| {
            for i in 0..16 {
                let out = &out;
                s.spawn(move || {
                    let dir = AtomicDir::new(out).unwrap();
                    std::fs::write(dir.path().join("manifest.json"), i.to_string()).unwrap();
                    dir.commit().unwrap();
                });
            }
        });
        assert_eq!(names(&out), ["manifest.json"]);
        assert_eq!(names(root.path()), ["res"]);
    }

    #[test]
    fn outputs_reached_through_links_are_compared_resolved() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        ours(&out, "old");
        let link = root.path().join("lnk");
        std::os::unix::fs::symlink(&out, &link).unwrap();
        for ck in [link.join("ck"), link.clone(), out.join("../out/ck")] {
            assert!(
                check_distinct("out", &out, "checkpoint-dir", &ck).is_err(),
                "{}",
                ck.display()
            );
            assert!(check_distinct("out", &link, "checkpoint-dir", &ck).is_err());
        }
        check_distinct(
            "out",
            &out,
            "checkpoint-dir",
            &root.path().join("out.checkpoint"),
        )
        .unwrap();
    }

    #[test]
    fn distinct_outputs() {
        let (a, b) = (Path::new("runs/x"), Path::new("runs/x/../x"));
        assert!(check_distinct("out", a, "checkpoint-dir", b).is_err());
        assert!(check_distinct("out", a, "checkpoint-dir", Path::new("runs/x/ck")).is_err());
        check_distinct("out", a, "checkpoint-dir", Path::new("runs/x.checkpoint")).unwrap();
    }
}
