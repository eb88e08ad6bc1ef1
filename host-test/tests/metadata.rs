//! The built component carries its name, version, description, licence and source repository as
//! component-model metadata (what `wasm-tools metadata show` reads), equal to the guest package's
//! fields in Cargo.toml and to the version the component's own manifest reports.

use std::process::Command;

use dockerhub_org_host::{COMPONENT, Runtime, RuntimeConfig};
use serde_json::Value;
use wasm_metadata::Payload;

/// The guest package as `cargo metadata` reads Cargo.toml.
fn guest_package() -> Value {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path", manifest])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let workspace: Value = serde_json::from_slice(&output.stdout).unwrap();
    workspace["packages"].as_array().unwrap().iter().find(|p| p["name"] == "dockerhub-org").unwrap().clone()
}

#[test]
fn the_component_carries_the_guest_packages_name_version_description_licence_and_source() {
    let payload = Payload::from_binary(COMPONENT).expect("the embedded component parses");
    assert!(matches!(payload, Payload::Component { .. }), "the outermost item is a component");
    let metadata = payload.metadata();
    let package = guest_package();
    let text = |value: Option<String>| value.unwrap_or_default();

    assert_eq!(metadata.name.as_deref(), Some("dockerhub-org"));
    assert_eq!(text(metadata.version.as_ref().map(|v| v.to_string())), package["version"].as_str().unwrap());
    assert_eq!(text(metadata.description.as_ref().map(|d| d.to_string())), package["description"].as_str().unwrap());
    assert_eq!(text(metadata.licenses.as_ref().map(|l| l.to_string())), package["license"].as_str().unwrap());
    match package["repository"].as_str() {
        Some(repository) => assert_eq!(text(metadata.source.as_ref().map(|s| s.to_string())), repository),
        None => assert!(metadata.source.is_none(), "a source the package does not declare"),
    }

    // The same version the component reports in its manifest.
    let runtime = Runtime::embedded(RuntimeConfig::default()).unwrap();
    let manifest: Value = serde_json::from_str(&runtime.describe().unwrap()).unwrap();
    assert_eq!(text(metadata.version.as_ref().map(|v| v.to_string())), manifest["version"].as_str().unwrap());
}
