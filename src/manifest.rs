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
    use serde_json::json;

    let actions: Vec<serde_json::Value> = crate::actions::TABLES
        .iter()
        .flat_map(|table| table.actions.iter().map(move |a| (toolset(table.toolset, a.name), a)))
        .map(|(toolset, a)| {
            let example: serde_json::Value = serde_json::from_str(a.about.example).unwrap_or(serde_json::Value::Null);
            let mut input_schema = serde_json::to_value((a.about.input_schema)()).unwrap_or_default();
            let mut output_schema = serde_json::to_value((a.about.output_schema)()).unwrap_or_default();
            crate::actions::schema::listing_fields(&mut input_schema, &mut output_schema);
            let errors = error_kinds(&a.about, &input_schema);
            json!({
                "name": a.name,
                "toolset": toolset,
                "title": a.about.title,
                "description": a.about.description,
                "scopes": a.about.scopes,
                "read_only": a.about.read_only,
                "destructive": a.about.destructive,
                "idempotent": a.about.idempotent,
                "listing": a.about.listing,
                "example": example,
                "input_schema": input_schema,
                "output_schema": output_schema,
                "errors": errors,
            })
        })
        .collect();
    json!({
        "plugin": "dockerhub-org",
        "version": env!("CARGO_PKG_VERSION"),
        "error": error_body(),
        "actions": actions,
    })
}

/// The toolset an action is listed under: its table's, except `run-health-checks` (which runs
/// the single checks of the `health` table) in `admin`.
#[cfg(not(target_arch = "wasm32"))]
fn toolset(table: &'static str, action: &str) -> &'static str {
    match table {
        "health" if action == "run-health-checks" => "admin",
        toolset => toolset,
    }
}

/// When an error of `kind` comes back, what to do (the manifest's `when`; its name and `retry` are
/// the contract's table, [`dockerhub_org_wire::Kind`]).
#[cfg(not(target_arch = "wasm32"))]
fn when(kind: dockerhub_org_wire::Kind) -> &'static str {
    use dockerhub_org_wire::Kind;
    match kind {
        Kind::InvalidInput => {
            "Fix the field named by detail.field (a JSON pointer into the input); detail.expected says what it takes."
        }
        Kind::MissingCredential => "Give the connection value the message names (organization name, access token).",
        Kind::Unauthorized => "Docker Hub refused the access token: replace it.",
        Kind::Forbidden => {
            "The token lacks a scope, or the organization's plan lacks the feature: the message says which."
        }
        Kind::NotFound => {
            "Nothing of that name exists; list to find the right one (missing_ok makes removals succeed instead)."
        }
        Kind::Conflict => {
            "The change contradicts the current state (a name in use, the last owner): change that first."
        }
        Kind::RateLimited => "Retry after detail.retry_after / retry-after (unix seconds).",
        Kind::Upstream => {
            "Retry later when the status is 5xx; a write that failed so may have been carried out: read the state first."
        }
        Kind::Transport => {
            "Retry later after a timeout or refused connection; a host not allowed or a body too large needs a change first."
        }
        Kind::InvalidResponse => "Docker Hub answered with something unreadable; report it.",
        Kind::LimitExceeded => {
            "Retry with a narrower query, from detail.resume_page, or with a longer deadline (detail.limit names the limit)."
        }
    }
}

/// The error body, described once: what every host shows for a failed call (the CLI's `--json`
/// error, the MCP server's structured error; the WIT `action-error` case is `kind`).
#[cfg(not(target_arch = "wasm32"))]
fn error_body() -> serde_json::Value {
    use dockerhub_org_wire::Kind;
    use serde_json::json;
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    json!({
        "schema": {
            "type": "object",
            "required": ["kind", "message"],
            "properties": {
                "kind": { "enum": kinds, "description": "The WIT action-error case." },
                "message": { "type": "string", "description": "What happened and what to do, for a person." },
                "detail": {
                    "type": ["object", "null"],
                    "description": "Context as JSON. invalid-input: field (a JSON pointer into the input) and expected (what it takes).",
                    "properties": {
                        "field": { "type": "string", "format": "json-pointer" },
                        "expected": { "type": "string" },
                        "hints": { "type": "array", "items": { "type": "string" } }
                    }
                },
                "hints": { "type": "array", "items": { "type": "string" }, "description": "Fixes, when known (the guest's are detail.hints)." }
            }
        },
        "kinds": Kind::ALL
            .iter()
            .map(|kind| json!({ "kind": kind.name(), "retry": kind.retry(), "when": when(*kind) }))
            .collect::<Vec<_>>(),
    })
}

/// The kinds `about`'s action can return: every action can refuse its input; one that calls Docker
/// Hub (it needs a scope) can meet every answer and failure of the network and its limits; one that
/// names something (a person, a team, an invite) can find nothing; one that writes can conflict.
#[cfg(not(target_arch = "wasm32"))]
fn error_kinds(about: &crate::actions::About, input_schema: &serde_json::Value) -> Vec<serde_json::Value> {
    use serde_json::json;
    let online = !about.scopes.is_empty();
    let names = ["username", "member", "email", "team", "team_id", "id", "members", "path"]
        .iter()
        .any(|f| input_schema["properties"].get(*f).is_some());
    let writes = !about.read_only;
    use dockerhub_org_wire::Kind;
    Kind::ALL
        .iter()
        .filter(|kind| match kind {
            Kind::InvalidInput => true,
            Kind::NotFound => online && names,
            Kind::Conflict => online && writes,
            _ => online,
        })
        .map(|kind| json!({ "kind": kind.name(), "retry": kind.retry() }))
        .collect()
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
    fn every_table_names_a_toolset_the_mcp_server_knows() {
        let known = ["members", "invites", "teams", "audit", "workflows", "admin", "org", "connection", "health"];
        for table in crate::actions::TABLES {
            assert!(known.contains(&table.toolset), "unknown toolset {}", table.toolset);
        }
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
