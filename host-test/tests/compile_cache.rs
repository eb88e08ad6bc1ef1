//! The compile cache as the `dockerhub-org` binary meets it on a machine where the embedded
//! precompiled code does not fit (forced with `DOCKERHUB_ORG_IGNORE_PRECOMPILED=1`): a fresh cache
//! is private, a damaged entry is removed and rebuilt without a crash, and a cache someone else
//! could have written (a symlink, another owner, group- or world-writable, for the directory and
//! for an entry) is neither followed nor run: the component is compiled in memory, with one
//! warning naming the path and the reason.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// What one run of `dockerhub-org actions --json` did.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run printed the manifest (so it ran the component) and exited 0, whatever the cache held.
    fn assert_served(&self) {
        assert_eq!(self.code, Some(0), "exited 0, not killed by a signal: {self:#?}");
        let manifest: Value = serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self:#?}"));
        assert!(manifest["actions"].as_array().is_some_and(|a| a.len() > 20), "{self:#?}");
    }

    /// The warning lines on standard error.
    fn warnings(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| l.starts_with("warning:")).collect()
    }

    /// Exactly one warning, naming `path` and containing `reason`.
    fn assert_one_warning(&self, path: &Path, reason: &str) {
        let warnings = self.warnings();
        assert_eq!(warnings.len(), 1, "one warning: {self:#?}");
        assert!(warnings[0].contains(&path.display().to_string()), "names {}: {self:#?}", path.display());
        assert!(warnings[0].contains(reason), "says {reason:?}: {self:#?}");
    }
}

/// Runs the CLI with the compile cache at `cache` and the precompiled code ignored.
fn run_with_cache(cache: &Path) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_dockerhub-org"))
        .args(["actions", "--json"])
        .env("DOCKERHUB_ORG_COMPILE_CACHE", cache)
        .env("DOCKERHUB_ORG_IGNORE_PRECOMPILED", "1")
        .env_remove("DOCKERHUB_OAT")
        .stdin(Stdio::null())
        .output()
        .expect("the CLI runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A fresh, empty scratch directory for `name` (its parent is the user's own).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-cache").join(name);
    if fs::symlink_metadata(&dir).is_ok() {
        // Put back what a test changed, so the directory can be removed.
        let _ = fs::set_permissions(&dir, fs::Permissions::from_mode(0o700));
        let _ = fs::remove_file(&dir);
        let _ = fs::remove_dir_all(&dir);
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The cache's entries (`*.cwasm`).
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .collect();
    found.sort();
    found
}

/// Every name in `dir`.
fn names(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    found.sort();
    found
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().mode() & 0o777
}

/// A cache filled by one run: the directory and its one entry.
fn filled(name: &str) -> (PathBuf, PathBuf) {
    let cache = scratch(name).join("cache");
    let run = run_with_cache(&cache);
    run.assert_served();
    assert_eq!(run.warnings(), Vec::<&str>::new(), "{run:#?}");
    let entries = entries(&cache);
    assert_eq!(entries.len(), 1, "{:?}", names(&cache));
    (cache, entries[0].clone())
}

#[test]
fn a_new_cache_is_private_and_its_entry_is_used_by_the_next_run() {
    let (cache, entry) = filled("fresh");
    assert_eq!(mode(&cache), 0o700, "the directory is created 0700");
    assert_eq!(mode(&entry), 0o600, "the entry is written 0600");
    assert_eq!(names(&cache).len(), 1, "no temporary file is left: {:?}", names(&cache));
    let written = fs::read(&entry).unwrap();

    let again = run_with_cache(&cache);
    again.assert_served();
    assert_eq!(again.warnings(), Vec::<&str>::new(), "{again:#?}");
    assert_eq!(fs::read(&entry).unwrap(), written, "loaded, not rewritten");
}

#[test]
fn a_damaged_entry_is_removed_and_rebuilt_without_a_crash() {
    let (cache, entry) = filled("damaged");
    let good = fs::read(&entry).unwrap();
    let mut flipped = good.clone();
    for i in (good.len() / 2..good.len()).step_by(4096) {
        flipped[i] ^= 0xff;
    }
    let damages: [(&str, Vec<u8>, &str); 3] = [
        ("truncated", good[..good.len() / 2].to_vec(), "digest does not match"),
        ("bytes flipped in the code", flipped, "digest does not match"),
        ("garbage", vec![0xcc; 4096], "unknown header"),
    ];
    for (what, bytes, reason) in damages {
        fs::write(&entry, &bytes).unwrap();
        let run = run_with_cache(&cache);
        run.assert_served();
        run.assert_one_warning(&entry, reason);
        assert!(run.warnings()[0].contains("removed and rebuilt"), "{what}: {run:#?}");
        let rebuilt = fs::read(&entry).unwrap();
        assert!(rebuilt != bytes && rebuilt.len() == good.len(), "{what}: rebuilt");
        assert_eq!(mode(&entry), 0o600, "{what}");
        let next = run_with_cache(&cache);
        next.assert_served();
        assert_eq!(next.warnings(), Vec::<&str>::new(), "{what}: the rebuilt entry is used: {next:#?}");
    }
}

#[test]
fn a_cache_directory_that_is_a_symlink_is_not_followed() {
    let (real, entry) = filled("symlinked-dir");
    let written = fs::read(&entry).unwrap();
    let before = names(&real);
    let link = real.with_file_name("link");
    symlink(&real, &link).unwrap();
    let run = run_with_cache(&link);
    run.assert_served();
    run.assert_one_warning(&link, "symbolic link");
    assert_eq!(names(&real), before, "nothing written through the link");
    assert_eq!(fs::read(&entry).unwrap(), written);
}

#[test]
fn a_group_or_world_writable_cache_directory_is_not_used() {
    let (cache, entry) = filled("writable-dir");
    // What lies there could have been written by anyone: even a valid-looking entry is not run.
    for (mode_bits, reason) in [(0o770, "writable by group"), (0o707, "writable by others")] {
        fs::set_permissions(&cache, fs::Permissions::from_mode(mode_bits)).unwrap();
        let run = run_with_cache(&cache);
        run.assert_served();
        run.assert_one_warning(&cache, reason);
        assert_eq!(entries(&cache), std::slice::from_ref(&entry));
    }
    fs::set_permissions(&cache, fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn a_cache_directory_owned_by_someone_else_is_not_used() {
    if running_as_root() {
        let (cache, entry) = filled("foreign-dir");
        std::os::unix::fs::chown(&cache, Some(65534), Some(65534)).unwrap();
        let run = run_with_cache(&cache);
        std::os::unix::fs::chown(&cache, Some(0), Some(0)).unwrap();
        run.assert_served();
        run.assert_one_warning(&cache, "owned by uid 65534");
        assert_eq!(entries(&cache), [entry]);
    } else {
        // Without root no file can be given away; an owner check still shows on root-owned /.
        let run = run_with_cache(Path::new("/"));
        run.assert_served();
        run.assert_one_warning(Path::new("/"), "owned by uid 0");
    }
}

#[test]
fn an_entry_that_is_a_symlink_or_writable_by_others_is_not_run() {
    let (cache, entry) = filled("bad-entry");
    let good = fs::read(&entry).unwrap();

    // A symlink planted under the entry's name, to a file of the attacker's (here, a copy of good
    // code): not followed, not replaced, and its target left alone.
    let target = cache.with_file_name("planted.cwasm");
    fs::write(&target, &good).unwrap();
    fs::remove_file(&entry).unwrap();
    symlink(&target, &entry).unwrap();
    let run = run_with_cache(&cache);
    run.assert_served();
    run.assert_one_warning(&entry, "symbolic link");
    assert!(fs::symlink_metadata(&entry).unwrap().file_type().is_symlink(), "left as it was");
    assert_eq!(fs::read(&target).unwrap(), good, "the target is untouched");

    // An entry anyone could have written.
    fs::remove_file(&entry).unwrap();
    fs::write(&entry, &good).unwrap();
    fs::set_permissions(&entry, fs::Permissions::from_mode(0o666)).unwrap();
    let run = run_with_cache(&cache);
    run.assert_served();
    run.assert_one_warning(&entry, "writable by group and others");
}

/// Whether the tests run as root (they can then give a directory to another user): the owner of a
/// file they create.
fn running_as_root() -> bool {
    let probe = scratch("whoami").join("probe");
    fs::write(&probe, b"").unwrap();
    fs::metadata(&probe).unwrap().uid() == 0
}
