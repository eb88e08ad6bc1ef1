//! `describe`: the action manifest.
//!
//! The manifest is generated natively from [`crate::actions::TABLES`] and the Rust input types
//! (schemars), written to `src/manifest.json` as compact JSON (it is a third of what the component
//! carries as data; `jq . src/manifest.json` reads it), and embedded in the component as text, so
//! the wasm build carries no schema generator. A native test fails when the file is out of date; run
//! `UPDATE_MANIFEST=1 cargo test -p dockerhub-org manifest` to regenerate it.

/// The manifest JSON.
pub fn describe() -> &'static str {
    include_str!("manifest.json")
}

/// Builds the manifest from the action table.
#[cfg(not(target_arch = "wasm32"))]
pub fn generate() -> serde_json::Value {
    use crate::actions::all;
    use serde_json::json;

    let actions: Vec<serde_json::Value> = all()
        .map(|a| {
            let example: serde_json::Value = serde_json::from_str(a.about.example).unwrap_or(serde_json::Value::Null);
            json!({
                "name": a.name,
                "title": a.about.title,
                "description": a.about.description,
                "scopes": a.about.scopes,
                "read_only": a.about.read_only,
                "destructive": a.about.destructive,
                "idempotent": a.about.idempotent,
                "example": example,
                "input_schema": (a.about.input_schema)(),
                "output_schema": (a.about.output_schema)(),
            })
        })
        .collect();
    json!({
        "plugin": "dockerhub-org",
        "version": env!("CARGO_PKG_VERSION"),
        "actions": actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_json_is_up_to_date() {
        let fresh = serde_json::to_string(&generate()).unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/manifest.json");
        if std::env::var_os("UPDATE_MANIFEST").is_some() {
            std::fs::write(path, &fresh).unwrap();
            return;
        }
        assert!(
            describe() == fresh,
            "src/manifest.json is out of date: run `UPDATE_MANIFEST=1 cargo test -p dockerhub-org manifest`"
        );
    }

    #[test]
    fn every_example_is_a_json_object() {
        for a in crate::actions::all() {
            let v: serde_json::Value =
                serde_json::from_str(a.about.example).unwrap_or_else(|e| panic!("{}: {e}", a.name));
            assert!(v.is_object(), "{}", a.name);
        }
    }
}
