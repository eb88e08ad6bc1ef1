//! `describe`: the action manifest.
//!
//! The manifest is generated natively from [`crate::actions::TABLES`] and the Rust input types
//! (schemars), written to `src/manifest.json` as compact JSON (`jq . src/manifest.json` reads it),
//! and embedded in the component deflated by the build script (it was most of what the component
//! carries as data: deflated it is a seventh of its size), so the wasm build carries no schema
//! generator. A native test fails when the file is out of date; run
//! `UPDATE_MANIFEST=1 cargo test -p dockerhub-org manifest` to regenerate it.

/// The deflated manifest (build.rs).
static DEFLATED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/manifest.json.deflate"));

/// Room for the inflated manifest: a bound, so a corrupt blob cannot grow without end.
const MAX_MANIFEST_BYTES: usize = 8 << 20;

/// The manifest JSON.
pub fn describe() -> String {
    miniz_oxide::inflate::decompress_to_vec_with_limit(DEFLATED, MAX_MANIFEST_BYTES)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        // Unreachable for the blob build.rs wrote; a manifest that says so beats a trap.
        .unwrap_or_else(|| r#"{"error":"the embedded manifest could not be inflated"}"#.to_string())
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
