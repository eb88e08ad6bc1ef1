//! Checks the hand-kept feature-unification list in `host-test/Cargo.toml` (issue 30): wasmtime and
//! cranelift must be one unit, built once, for the host's build script (it precompiles the
//! component), the demo (`cargo run -p dockerhub-org-host`) and the tests (`cargo test`).
//!
//! Cargo shares a unit only when its package, profile and features, and those of everything below
//! it, are the same. Build dependencies are resolved in a feature graph of their own, and
//! dev-dependencies add features in `cargo test`, so a crate under wasmtime that one of those
//! graphs enables more features of (serde with `rc`, indexmap with `std`, …) makes a second
//! wasmtime and cranelift: minutes of compile on two cores. The list raises the features of those
//! crates to the same set everywhere; this test fails when it no longer does.
//!
//! How: `cargo tree --target host-tuple` (stable, no `-Z` flag) prints each package once per
//! distinct feature set it is built with, the build script's side included (checked against the
//! units of a real `cargo build --timings`: the same splits). For every package wasmtime depends on (and
//! wasmtime itself, and what their build scripts use), every graph below must show one and the
//! same feature set. A unit graph
//! (`cargo build --unit-graph`) would show the same, but it needs a nightly cargo.
//!
//! The profiles matter too (a build dependency is built with `build-override` unless
//! `[profile.dev.package."*"]` covers it, see the root Cargo.toml); `cargo tree` does not show them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// The feature graphs whose wasmtime must be one unit: a name for the message, and the
/// `cargo tree` arguments that resolve features the way that command does.
const GRAPHS: &[(&str, &[&str])] = &[
    (
        "the demo, `cargo build -p dockerhub-org-host` and .ci/bench",
        &["-p", "dockerhub-org-host", "-e", "normal,build"],
    ),
    ("`cargo test -p dockerhub-org-host`", &["-p", "dockerhub-org-host", "-e", "normal,build,dev"]),
    ("`cargo test --workspace` (the README's test command)", &["--workspace", "-e", "normal,build,dev"]),
];

/// The crates that must be built once; both must be in the checked set (a check that finds neither
/// would pass for nothing).
const ONCE: &[&str] = &["wasmtime", "cranelift-codegen"];

#[test]
fn wasmtime_and_everything_under_it_has_one_feature_set_in_every_graph() {
    let under_wasmtime: BTreeSet<String> =
        packages(&cargo_tree(&["-p", "wasmtime", "-e", "normal,build", "--format", "{p}"])).into_iter().collect();
    for name in ONCE {
        assert!(
            under_wasmtime.iter().any(|p| p.split(' ').next() == Some(name)),
            "{name} is not among the packages under wasmtime ({} found): the check would prove nothing",
            under_wasmtime.len()
        );
    }
    let graphs: Vec<(&str, String)> =
        GRAPHS.iter().map(|(name, args)| (*name, cargo_tree(&[args, &["--format", "{p}|{f}"][..]].concat()))).collect();
    let splits = splits(&graphs, &under_wasmtime);
    assert!(splits.is_empty(), "{}", report(&splits));
}

/// One package under wasmtime built with more than one feature set: each set with the graphs that
/// build it.
#[derive(Debug, PartialEq)]
struct Split {
    package: String,
    sets: BTreeMap<BTreeSet<String>, BTreeSet<String>>,
}

/// The packages of `under` that the graphs (name, `cargo tree --format '{p}|{f}'` output) build
/// with more than one feature set.
fn splits(graphs: &[(&str, String)], under: &BTreeSet<String>) -> Vec<Split> {
    let mut seen: BTreeMap<String, BTreeMap<BTreeSet<String>, BTreeSet<String>>> = BTreeMap::new();
    for (graph, output) in graphs {
        for line in output.lines() {
            let line = line.trim_end().trim_end_matches(" (*)");
            let Some((package, features)) = line.split_once('|') else { continue };
            if !under.contains(package) {
                continue;
            }
            let features = features.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect();
            seen.entry(package.to_string()).or_default().entry(features).or_default().insert(graph.to_string());
        }
    }
    seen.into_iter().filter(|(_, sets)| sets.len() > 1).map(|(package, sets)| Split { package, sets }).collect()
}

/// What is split, and the line that unifies it.
fn report(splits: &[Split]) -> String {
    let mut text = format!(
        "{} crate(s) under wasmtime are built with different features in different graphs, so cargo \
         builds wasmtime (and cranelift) more than once. Add or widen these lines in host-test/Cargo.toml, \
         under both [dependencies] and [build-dependencies] (the feature-unification list), then rerun \
         this test:\n",
        splits.len()
    );
    for split in splits {
        for (features, graphs) in &split.sets {
            let graphs: Vec<&str> = graphs.iter().map(String::as_str).collect();
            text += &format!("  {}: [{}] in {}\n", split.package, join(features), graphs.join("; "));
        }
        let union: BTreeSet<String> = split.sets.keys().flatten().cloned().collect();
        let mut words = split.package.split(' ');
        let (name, version) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
        let version = version.trim_start_matches('v').splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
        let wanted: Vec<String> = union.iter().filter(|f| *f != "default").map(|f| format!("{f:?}")).collect();
        let defaults = if union.contains("default") { "" } else { "default-features = false, " };
        text += &format!("  -> {name} = {{ version = \"{version}\", {defaults}features = [{}] }}\n", wanted.join(", "));
    }
    text + "(A feature named like an optional dependency may be implicit: check the names against the crate's [features].)"
}

fn join(features: &BTreeSet<String>) -> String {
    features.iter().map(String::as_str).collect::<Vec<_>>().join(",")
}

/// The package column of `cargo tree --prefix none` output, once each.
fn packages(output: &str) -> BTreeSet<String> {
    output.lines().map(|l| l.trim_end().trim_end_matches(" (*)").to_string()).filter(|l| !l.is_empty()).collect()
}

/// Runs `cargo tree` on this workspace (the lock file as committed, no network).
fn cargo_tree(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let output = Command::new(&cargo)
        // `--target host-tuple`: without a target, cargo tree merges the build script's side into
        // the normal one and shows one feature set where cargo builds two (libc was one).
        .args(["tree", "--locked", "--offline", "--target", "host-tuple", "--prefix", "none", "--manifest-path"])
        .arg(&manifest)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {cargo} tree: {e}"));
    assert!(
        output.status.success(),
        "`cargo tree {}` failed (run `cargo fetch --locked` if a crate is missing offline):\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo tree prints UTF-8")
}

#[test]
fn a_crate_under_wasmtime_with_two_feature_sets_is_reported_with_the_line_that_unifies_it() {
    let under: BTreeSet<String> = ["wasmtime v48.0.8", "serde v1.0.228"].map(String::from).into();
    let demo = "wasmtime v48.0.8|std\nserde v1.0.228|std\nserde v1.0.228|rc,std (*)\nclap v4.6.9|std\n".to_string();
    let tests = "wasmtime v48.0.8|std (*)\nserde v1.0.228|std\nclap v4.6.9|derive,std\n".to_string();
    let splits = splits(&[("demo", demo), ("tests", tests)], &under);
    assert_eq!(splits.len(), 1, "only serde is split among the crates under wasmtime: {splits:?}");
    assert_eq!(splits[0].package, "serde v1.0.228");
    let message = report(&splits);
    assert!(message.contains("serde v1.0.228: [rc,std] in demo"), "{message}");
    assert!(message.contains("serde v1.0.228: [std] in demo; tests"), "{message}");
    assert!(
        message.contains(r#"serde = { version = "1.0", default-features = false, features = ["rc", "std"] }"#),
        "{message}"
    );
}

#[test]
fn the_same_feature_set_in_every_graph_is_no_split() {
    let under: BTreeSet<String> = ["wasmtime v48.0.8"].map(String::from).into();
    let graph = "wasmtime v48.0.8|async,std\nwasmtime v48.0.8|async,std (*)\n".to_string();
    assert_eq!(splits(&[("demo", graph.clone()), ("tests", graph)], &under), vec![]);
}
