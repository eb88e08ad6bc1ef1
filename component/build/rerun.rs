//! The rerun triggers: what makes cargo run this build script again.
//!
//! Every file, not only the directories: a directory entry is only seen to change when files are
//! added or removed in it, so edits deep inside `src/` would leave a stale component embedded.

use std::path::Path;

use anyhow::{Context, Result};

/// Watches the workspace manifest and lock file, the guest's build script and every file of the
/// guest (`src/`), the WIT (`wit/`), the adapters (`adapters/`) and the build scripts' shared code
/// (`build/`), and the prebuilt-component variable.
pub fn watch(root: &Path) -> Result<()> {
    for watched in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    for dir in ["src", "wit", "adapters", "build"] {
        watch_tree(&root.join(dir))?;
    }
    println!("cargo:rerun-if-env-changed=DOCKERHUB_ORG_PREBUILT");
    Ok(())
}

/// Emits `rerun-if-changed` for `dir` and every file and directory below it.
fn watch_tree(dir: &Path) -> Result<()> {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            watch_tree(&path)?;
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Ok(())
}
