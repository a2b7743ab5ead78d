//! The crate map's invariants, read from `cargo metadata`: the solver libraries and the generic
//! layer know no model and no command line, and the generic layer depends on no other crate of
//! the workspace (but `workspace-hack`, which holds no code). A dependency added against the map
//! fails here, naming the path to it. And, read from `cargo tree`: a `-p` build of any package
//! compiles its dependencies with the features of the workspace's test build, so they are built
//! once.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// The workspace's packages and their normal (library) dependencies, by name; build and dev
/// dependencies are left out: a test or benchmark may pose the nerve problem.
fn library_dependencies() -> BTreeMap<String, Vec<String>> {
    let out = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON");
    let packages = meta["packages"].as_array().expect("packages");
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().expect("name").to_owned())
                .collect();
            (p["name"].as_str().expect("name").to_owned(), deps)
        })
        .collect()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Every crate `root` reaches through library dependencies, with the path to it
/// (`hh-pinn → hh-io → hh-core`); crates outside the workspace end a path.
fn reachable(graph: &BTreeMap<String, Vec<String>>, root: &str) -> BTreeMap<String, String> {
    let mut paths = BTreeMap::from([(root.to_owned(), root.to_owned())]);
    let mut todo = vec![root.to_owned()];
    while let Some(name) = todo.pop() {
        for dep in graph.get(&name).into_iter().flatten() {
            if !paths.contains_key(dep) {
                let path = format!("{} → {dep}", paths[&name]);
                paths.insert(dep.clone(), path);
                todo.push(dep.clone());
            }
        }
    }
    paths
}

#[test]
fn solver_libraries_know_no_model_and_no_command_line() {
    let graph = library_dependencies();
    let forbidden = [
        "hh-model",
        "hh-fhn",
        "hh-cli",
        "hh-eval",
        "experiments",
        "clap",
        "indicatif",
        "anyhow",
    ];
    for root in ["hh-core", "hh-io", "hh-fd", "hh-pinn"] {
        assert!(graph.contains_key(root), "{root} is not in the workspace");
        let paths = reachable(&graph, root);
        let bad: Vec<&String> = forbidden.iter().filter_map(|f| paths.get(*f)).collect();
        assert!(bad.is_empty(), "{root} depends on {bad:?}");
    }
}

#[test]
fn the_generic_layer_depends_on_no_crate_of_the_workspace() {
    let graph = library_dependencies();
    let internal: BTreeSet<&String> = graph.keys().collect();
    let paths = reachable(&graph, "hh-core");
    let inside: Vec<&String> = paths
        .iter()
        .filter(|(name, _)| {
            *name != "hh-core" && *name != "workspace-hack" && internal.contains(name)
        })
        .map(|(_, path)| path)
        .collect();
    assert!(inside.is_empty(), "hh-core depends on {inside:?}");
}

/// `cargo tree`'s packages with their enabled features (`name vX.Y.Z [f,g]`), for `args`.
fn features(args: &[&str]) -> BTreeSet<String> {
    let out = Command::new(cargo())
        .args(["tree", "--locked", "--prefix", "none", "-f", "{p} [{f}]"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_end_matches(" (*)").to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn every_package_builds_the_dependencies_of_the_workspace() {
    let all = features(&["--workspace", "-e", "normal,build,dev"]);
    for package in library_dependencies().keys() {
        for edges in ["normal,build", "normal,build,dev"] {
            let own = features(&["-p", package, "-e", edges]);
            let differ: Vec<&String> = own.difference(&all).collect();
            assert!(
                differ.is_empty(),
                "`cargo build -p {package}` ({edges}) builds these with fewer features than \
                 `cargo test --workspace`; add the workspace's features to \
                 crates/workspace-hack/Cargo.toml: {differ:?}"
            );
        }
    }
}
