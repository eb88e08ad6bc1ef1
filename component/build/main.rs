//! Builds the plugin component and the composed WASI service, with no wasmtime in this build
//! script's dependencies, so cargo runs it beside wasmtime's and cranelift's compile rather than
//! after it. One module per job:
//!
//! - [`toolchain`]: finds a Rust toolchain that can build wasm32-unknown-unknown (the active one
//!   with the target installed, or Debian's `rustc-web` with `-Zbuild-std`);
//! - [`guest`]: the nested wasm32 cargo build of one workspace package (the plugin or an adapter);
//! - [`wasm_opt`]: Binaryen's optimiser over the plugin's core module, when it is installed;
//! - [`componentize`]: a core module into a component, and the package metadata written into it;
//! - [`service`]: the two adapters composed around the plugin into the HTTP service;
//! - [`rerun`]: the files whose change makes cargo run this script again.
//!
//! Outputs: `target/dockerhub-org.wasm` and `target/dockerhub-org-service.wasm` (where the tests,
//! the docs, `.ci` and the JS host find them), the same two files in OUT_DIR, and their OUT_DIR
//! paths as `links` metadata (`cargo:component=…`, `cargo:service=…`) for the build script of the
//! package depending on this one (`host-test`, which precompiles the component for its engine).
//!
//! `DOCKERHUB_ORG_PREBUILT=path` uses a component built elsewhere: nothing is compiled and no
//! service is composed.

use std::env;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

mod componentize;
mod guest;
mod rerun;
mod service;
mod toolchain;
mod wasm_opt;

fn main() -> Result<()> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir.parent().context("component/ has no parent directory")?.to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let target_dir = env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target_dir = if target_dir.is_relative() { root.join(target_dir) } else { target_dir };
    std::fs::create_dir_all(&target_dir).with_context(|| format!("creating {}", target_dir.display()))?;

    rerun::watch(&root)?;
    let component_out = out_dir.join("dockerhub-org.wasm");

    let Some(prebuilt) = env::var_os("DOCKERHUB_ORG_PREBUILT") else {
        let toolchain = toolchain::Toolchain::find()?;
        let guest_dir = guest::target_dir(&root, &target_dir);
        let core = wasm_opt::optimise(&guest::build(&toolchain, &root, &guest_dir, "dockerhub-org")?);
        let component = componentize::add_metadata(&root, &componentize::encode(&core)?)?;
        publish(&component, &component_out, &target_dir, "component")?;

        // The same plugin as an HTTP service for standard WASI engines (docs/deploy.md).
        let service = service::compose(&toolchain, &root, &guest_dir, &component)?;
        publish(&service, &out_dir.join("dockerhub-org-service.wasm"), &target_dir, "service")?;
        return Ok(());
    };
    let prebuilt = PathBuf::from(prebuilt);
    println!("cargo:rerun-if-changed={}", prebuilt.display());
    let component = std::fs::read(&prebuilt).with_context(|| {
        format!("reading DOCKERHUB_ORG_PREBUILT={} (a built dockerhub-org.wasm)", prebuilt.display())
    })?;
    publish(&component, &component_out, &target_dir, "component")
}

/// Writes `bytes` to `out` (in OUT_DIR) and to the file of the same name in `target_dir`, and hands
/// `out`'s path on as the `links` metadata `key`.
fn publish(bytes: &[u8], out: &Path, target_dir: &Path, key: &str) -> Result<()> {
    write_atomically(out, bytes)?;
    write_atomically(&target_dir.join(out.file_name().context("an output without a file name")?), bytes)?;
    println!("cargo:{key}={}", out.display());
    Ok(())
}

/// Writes through a temporary file and a rename, so a reader never sees half a component.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("wasm.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}
