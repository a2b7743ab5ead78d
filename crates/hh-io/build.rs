//! Records the git revision the workspace is built from (`HH_GIT_REVISION`, read by
//! `hh_io::git_revision`), so that a run's manifest names the code that produced it, whatever
//! `git` (if any) is on the `PATH` when it runs.
//!
//! The value is `git rev-parse HEAD` with `-dirty` when tracked files differ from it, or
//! `unknown` outside a repository. The script runs again when HEAD, the branch it points to, the
//! index or any source of the workspace changes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Reading the status must not rewrite the index (which would rerun this script).
        .env("GIT_OPTIONAL_LOCKS", "0")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

fn main() {
    let crate_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = crate_dir.join("../..");
    let revision = match git(&crate_dir, &["rev-parse", "HEAD"]) {
        Some(rev) if !rev.is_empty() => {
            let dirty = git(
                &crate_dir,
                &["status", "--porcelain", "--untracked-files=no"],
            )
            .is_some_and(|s| !s.is_empty());
            if dirty { format!("{rev}-dirty") } else { rev }
        }
        _ => "unknown".into(),
    };
    println!("cargo:rustc-env=HH_GIT_REVISION={revision}");
    if let Some(git_dir) = git(&crate_dir, &["rev-parse", "--absolute-git-dir"]) {
        let git_dir = PathBuf::from(git_dir);
        for file in ["HEAD", "index", "packed-refs"] {
            println!("cargo:rerun-if-changed={}", git_dir.join(file).display());
        }
        if let Some(branch) = git(&crate_dir, &["symbolic-ref", "-q", "HEAD"]) {
            println!("cargo:rerun-if-changed={}", git_dir.join(branch).display());
        }
    }
    for source in ["crates", "experiments", "tests", "Cargo.toml", "Cargo.lock"] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(source).display()
        );
    }
}
