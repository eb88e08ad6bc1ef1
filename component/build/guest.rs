//! The guest build: one nested `cargo build --release --target wasm32-unknown-unknown` of a
//! workspace package (the plugin, or an adapter), in a target directory of its own.
//!
//! The nested cargo cannot share the outer target directory (it would wait forever on the lock the
//! outer cargo holds), so it gets `target/guest-<hash of the checkout>/`: one per checkout, so
//! worktrees sharing a CARGO_TARGET_DIR never read each other's guest modules.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result, bail};

use crate::toolchain::{TARGET, Toolchain};

/// The nested build's target directory for the checkout at `root`, under `target_dir`.
pub fn target_dir(root: &Path, target_dir: &Path) -> PathBuf {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(root, &mut hasher);
    target_dir.join(format!("guest-{:08x}", std::hash::Hasher::finish(&hasher) as u32))
}

/// Builds the workspace package `package` for wasm32 with `toolchain`; returns its core module's
/// path.
pub fn build(toolchain: &Toolchain, root: &Path, guest_target: &Path, package: &str) -> Result<PathBuf> {
    let mut command = toolchain.cargo_build();
    command
        .args(["--lib", "--locked", "-p", package, "--target", TARGET, "--target-dir"])
        .arg(guest_target)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .current_dir(root)
        // Build-script stdout is read by cargo as directives: keep the nested output on stderr.
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let status = command.status().context("starting the nested guest build")?;
    if !status.success() {
        bail!("the wasm32 build of {package} failed ({status}); its output is above");
    }
    Ok(guest_target.join(TARGET).join("release").join(format!("{}.wasm", package.replace('-', "_"))))
}
