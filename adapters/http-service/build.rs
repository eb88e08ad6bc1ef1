//! Writes the service's action table (`action_table.rs` in OUT_DIR, expanded by
//! `src/action_table.rs`) from the plugin's own declarations: the action names from
//! `wit/actions.wit` and whether each only reads from the generated manifest's `read_only`
//! (`src/manifest.json`). Adding an action to the plugin adds it here with nothing typed.

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "../../build/wit_actions.rs"]
mod wit_actions;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).join("../..");
    let (wit_path, manifest_path) = (root.join("wit/actions.wit"), root.join("src/manifest.json"));
    println!("cargo:rerun-if-changed={}", wit_path.display());
    println!("cargo:rerun-if-changed={}", manifest_path.display());

    let wit = std::fs::read_to_string(&wit_path).expect("reading wit/actions.wit");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).expect("reading src/manifest.json"))
            .expect("src/manifest.json is JSON");
    let read_only = |name: &str| {
        manifest["actions"]
            .as_array()
            .and_then(|actions| actions.iter().find(|a| a["name"] == name))
            .and_then(|a| a["read_only"].as_bool())
            .unwrap_or_else(|| {
                panic!("src/manifest.json has no read_only for {name}: regenerate it (UPDATE_MANIFEST=1)")
            })
    };
    let mut table = String::from("action_table! {\n");
    for name in wit_actions::action_names(&wit) {
        let access = if read_only(&name) { "read" } else { "write" };
        writeln!(table, "    {name:?} => {}: {access},", wit_actions::snake(&name)).unwrap();
    }
    table.push_str("}\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("action_table.rs"), table).expect("writing the action table");
}
