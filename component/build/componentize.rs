//! Componentize and label: a core wasm module into a component (`wit-component`, from the
//! component-type section the bindings embed), and the package's metadata written into it
//! (`wasm-metadata`).

use std::env;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Reads the core module at `core` and turns it into a component.
pub fn encode(core: &Path) -> Result<Vec<u8>> {
    let module = std::fs::read(core).with_context(|| format!("reading {}", core.display()))?;
    wit_component::ComponentEncoder::default()
        .module(&module)
        .with_context(|| format!("{} has no usable component-type section", core.display()))?
        .validate(true)
        .encode()
        .with_context(|| format!("encoding {} as a component", core.display()))
}

/// Writes the guest package's name, version, description, licence and (when Cargo.toml has one)
/// source repository into `component`, as the component-model metadata sections that
/// `wasm-tools metadata show` reads. The values come from `cargo metadata`, so Cargo.toml stays the
/// one place they are written.
pub fn add_metadata(root: &Path, component: &[u8]) -> Result<Vec<u8>> {
    use wasm_metadata::{AddMetadata, AddMetadataField::Set, Description, Licenses, Source, Version};
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .output()
        .context("running cargo metadata for the component's metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let workspace: serde_json::Value = serde_json::from_slice(&output.stdout).context("reading cargo metadata")?;
    let packages = workspace["packages"].as_array().context("cargo metadata lists no packages")?;
    let guest = packages.iter().find(|p| p["name"] == "dockerhub-org").context("no dockerhub-org package")?;
    let field = |key: &str| guest[key].as_str().filter(|v| !v.is_empty()).map(str::to_string);
    let mut metadata = AddMetadata::default();
    metadata.name = Set(field("name").context("the guest package has no name")?);
    metadata.version = Set(Version::new(field("version").context("the guest package has no version")?));
    metadata.description = Set(Description::new(field("description").context("set a description in Cargo.toml")?));
    let license = field("license").context("set a license in Cargo.toml")?;
    metadata.licenses = Set(Licenses::new(&license).with_context(|| format!("license {license:?} is not SPDX"))?);
    if let Some(repository) = field("repository") {
        metadata.source = Set(Source::new(&repository).with_context(|| format!("repository {repository:?}"))?);
    }
    metadata.to_wasm(component).context("writing the component's metadata")
}
