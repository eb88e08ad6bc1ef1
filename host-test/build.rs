//! The host's build script has one job: precompile the plugin component for this host's wasmtime
//! engine (`build/precompile.rs`), so the CLI's first run deserializes machine code instead of
//! compiling.
//!
//! The component itself is built by the `dockerhub-org-component` crate (`component/`), whose
//! build script has no wasmtime dependency, so cargo runs the guest's wasm32 build while it
//! compiles wasmtime and cranelift; only this step waits for both. Its build script hands over the
//! paths as `links` metadata (`DEP_DOCKERHUB_ORG_COMPONENT`, `DEP_DOCKERHUB_ORG_SERVICE`), which
//! this script passes on to the host's code and tests as `DOCKERHUB_ORG_COMPONENT`,
//! `DOCKERHUB_ORG_SERVICE` (when a service was composed) and `DOCKERHUB_ORG_PRECOMPILED`.

use std::env;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The engine configuration the runtime uses (one definition for both).
#[path = "src/engine.rs"]
mod engine;
#[path = "build/precompile.rs"]
mod precompile;

fn main() -> Result<()> {
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let component = PathBuf::from(
        env::var_os("DEP_DOCKERHUB_ORG_COMPONENT")
            .context("the dockerhub-org-component dependency passed no component path (its `links` metadata)")?,
    );
    // Also rerun when the component file is rewritten (cargo reruns this script after the
    // component crate's anyway; this says so in the one place a reader looks).
    println!("cargo:rerun-if-changed={}", component.display());
    println!("cargo:rustc-env=DOCKERHUB_ORG_COMPONENT={}", component.display());
    if let Some(service) = env::var_os("DEP_DOCKERHUB_ORG_SERVICE") {
        println!("cargo:rustc-env=DOCKERHUB_ORG_SERVICE={}", Path::new(&service).display());
    }

    let bytes = std::fs::read(&component).with_context(|| format!("reading {}", component.display()))?;
    let precompiled = precompile::precompile(&bytes)?;
    let cwasm = out_dir.join("dockerhub-org.cwasm");
    let tmp = cwasm.with_extension(format!("cwasm.{}.tmp", std::process::id()));
    std::fs::write(&tmp, &precompiled).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &cwasm).with_context(|| format!("renaming to {}", cwasm.display()))?;
    println!("cargo:rustc-env=DOCKERHUB_ORG_PRECOMPILED={}", cwasm.display());
    Ok(())
}
