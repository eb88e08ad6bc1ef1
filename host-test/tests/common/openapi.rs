//! Docker's published OpenAPI document as a test oracle.
//!
//! The document (`shared/reference/dockerhub-api.yaml`, OpenAPI 3.0.3) is parsed once per process:
//! `serde_yaml` reads it into a `serde_json::Value`, `openapiv3` gives the typed model (paths,
//! operations, path- and operation-level parameters, request bodies, responses, with `$ref`s
//! resolved inside the document), and `jsonschema` validates values against the schemas. OpenAPI
//! 3.0 schemas are JSON Schema draft 4 plus a few keywords; `nullable: true` is converted to a
//! `null` type, the other extra keywords (`example`, `deprecated`, …) are annotations.
//!
//! [`Spec::check_request`] checks one request the component sent: the path matches a documented
//! template (segment by segment) and the method is documented for it; every path and query
//! parameter is declared for the operation and its value fits the declared schema; no query
//! parameter is repeated; the bearer token is sent exactly when the operation's security asks for
//! it; a body is sent only where a request body is declared, with a declared content type, and it
//! validates against the request-body schema (required fields included; undeclared top-level
//! fields are refused: Docker would silently ignore them); an `Accept` names a media type the
//! operation answers with. [`Spec::validate_response`] validates a response body.
//!
//! The spec's known flaws are handled by the [`DEVIATIONS`] list, each applied at one place in the
//! code and each shown to be needed by a test; nothing is skipped.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use dockerhub_org_host::http::SentRequest;
use openapiv3::{
    OpenAPI, Operation, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr, RequestBody, Response, StatusCode,
};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

/// Where Docker's OpenAPI document lives:
/// A verbatim copy of `shared/reference/dockerhub-api.yaml` (Docker's published document, from the
/// docker/docs repository), kept in the repository so a checkout without `shared/` beside it still
/// runs the conformance checks.
pub const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/openapi/dockerhub-api.yaml");

/// One way the checker departs from the letter of the spec, and why.
#[derive(Debug, Clone, Copy)]
pub struct Deviation {
    /// Short name, used in messages and in the README.
    pub id: &'static str,
    /// What the spec says, what Docker does, and what the checker does instead.
    pub reason: &'static str,
}

/// The allowed deviations from Docker's OpenAPI document, each with its reason. Each is applied in
/// exactly one place (search for its id) and `conformance.rs` shows each one is needed.
pub const DEVIATIONS: &[Deviation] = &[
    Deviation {
        id: "search-is-text",
        reason: "The shared `search` query parameter (components/parameters/search, used by the \
                 members listing) is typed `integer`, but it is a search term (username, full \
                 name or email) and the service takes text; the groups listings declare the same \
                 parameter as a string. The checker validates `search` values as strings.",
    },
    Deviation {
        id: "members-page-object",
        reason: "The 200 of `GET /v2/orgs/{org_name}/members` is typed as an array of \
                 `org_member_paginated`, but the service answers one page object \
                 (`{count, next, previous, results}`), as every other listing does. The checker \
                 validates the body against the array's item schema.",
    },
    Deviation {
        id: "member-role-editor",
        reason: "`org_member.role` enumerates `Owner`, `Member`, `Invitee`, but the Editor role \
                 exists: `PUT /v2/orgs/{org_name}/members/{username}` accepts `editor` and the \
                 listing's `role` filter offers it, so members come back as `Editor` (and the CSV \
                 export's `Permission` column says `Editor`). The checker adds `Editor` to both \
                 enums.",
    },
    Deviation {
        id: "export-permission-column",
        reason: "The CSV export's item schema requires a `Role` column but declares no such \
                 property; it declares `Permission`, which is the column the service writes \
                 (`Name,Username,Email,Type,Permission,Teams,Date Joined`). The checker requires \
                 `Permission` in place of `Role`.",
    },
    Deviation {
        id: "page-links-null",
        reason: "`next` and `previous` of the paginated listings (members, groups, group \
                 members) are typed `string` without `nullable`, but they are `null` on the last \
                 and first page (the spec's own generic `page` schema marks them nullable, and its \
                 group examples show `null`). The checker makes them nullable in every schema \
                 with `results` beside them.",
    },
    Deviation {
        id: "property-required-flag",
        reason: "`orgAccessTokenResource` and `createOrgAccessTokenRequest` mark properties with \
                 `required: true` (a Swagger 2 habit): invalid in an OpenAPI 3.0 Schema Object, \
                 where `required` is the parent's list of names, so neither `openapiv3` nor a \
                 JSON Schema validator can read it. The loader moves each such flag into the \
                 parent's `required` list, as meant. This repair is always applied (the document \
                 does not load otherwise); it touches only out-of-scope schemas.",
    },
    Deviation {
        id: "custom-role-names",
        reason: "The role enums (`org_member.role`, the member `PUT` body, the listing's `role` \
                 filter) list only core roles and the team `PATCH` body and `org_group` have no \
                 `role`, but docker/docs pull request 25996 (merged 2026-09-01) documents that a \
                 member's and a team's role may be a custom role's name, that a team's role is \
                 set with `PATCH` (only), and that `org_group` carries it. The checker takes any \
                 string for those roles and adds a string `role` to the team `PATCH` body and \
                 `org_group`.",
    },
    Deviation {
        id: "registry-access-management",
        reason: "The document has no Registry Access Management endpoint, but Docker serves \
                 `GET`/`PUT /v2/orgs/{org_name}/settings/registry-access-management` (its \
                 terraform provider's `internal/hubclient/client_organization.go` uses both; its \
                 pull request 141 with an organization access token) and the token reference \
                 names its scopes. The checker adds the two operations with the body that client \
                 sends: `enabled`, `standard_registries[{id, allowed}]`, \
                 `custom_registries[{address, friendly_name, allowed}]`.",
    },
    Deviation {
        id: "no-trailing-slash",
        reason: "Stricter than the spec, which never says it: Docker answers 404 to a documented \
                 path with a trailing slash (no template ends in one), so a request path ending \
                 in `/`, or with an empty segment, is a violation even though a lenient router \
                 could match it.",
    },
];

/// Requests checked so far in this process (all test threads together).
static CHECKED: AtomicUsize = AtomicUsize::new(0);

/// How many requests [`assert_conformant`] has checked in this process.
pub fn checked_count() -> usize {
    CHECKED.load(Ordering::SeqCst)
}

/// The spec with the [`DEVIATIONS`] applied, parsed once per process.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::load(true))
}

/// A documented operation: upper-case method and path template, as the spec writes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OperationId {
    /// `GET`, `PUT`, …
    pub method: String,
    /// `/v2/orgs/{org_name}/members`
    pub template: String,
}

impl std::fmt::Display for OperationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.template)
    }
}

/// Docker's OpenAPI document, ready to check requests and responses.
pub struct Spec {
    /// The typed model.
    api: OpenAPI,
    /// `components` of the document, converted to JSON Schema (with deviations when enabled).
    components: Value,
    /// Whether the [`DEVIATIONS`] are applied.
    deviations: bool,
    /// Compiled validators by schema (serialized), so each schema is compiled once.
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Spec {
    /// Parses the document; `deviations: false` gives the letter of the spec (tests use it to
    /// show each deviation is needed).
    pub fn load(deviations: bool) -> Spec {
        let text = std::fs::read_to_string(SPEC_PATH).unwrap_or_else(|e| panic!("{SPEC_PATH}: {e}"));
        let mut raw: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{SPEC_PATH} is not YAML: {e}"));
        // property-required-flag
        lift_required_flags(&mut raw);
        if deviations {
            // member-role-editor, in the export's Permission column too
            let permission = raw
                .pointer_mut("/paths/~1v2~1orgs~1{org_name}~1members~1export/get/responses/200/content/text~1csv/schema/items/properties/Permission/enum")
                .and_then(Value::as_array_mut)
                .expect("the export's Permission column has an enum");
            permission.push(json!("Editor"));
            // export-permission-column
            let required = raw
                .pointer_mut("/paths/~1v2~1orgs~1{org_name}~1members~1export/get/responses/200/content/text~1csv/schema/items/required")
                .and_then(Value::as_array_mut)
                .expect("the export's rows have required columns");
            for column in required.iter_mut().filter(|c| *c == "Role") {
                *column = json!("Permission");
            }
        }
        if deviations {
            // custom-role-names: the request side (the member PUT, the listing's filter, team PATCH)
            for pointer in [
                "/paths/~1v2~1orgs~1{org_name}~1members~1{username}/put/requestBody/content/application~1json/schema/properties/role",
                "/components/parameters/role/schema",
            ] {
                raw.pointer_mut(pointer)
                    .and_then(Value::as_object_mut)
                    .expect("a role schema with an enum")
                    .remove("enum")
                    .expect("the role schema has an enum");
            }
            raw.pointer_mut(
                "/paths/~1v2~1orgs~1{org_name}~1groups~1{group_name}/patch/requestBody/content/application~1json/schema/properties",
            )
            .and_then(Value::as_object_mut)
            .expect("the team PATCH body has properties")
            .insert("role".into(), json!({ "type": "string", "description": "A core or custom role's name." }));
            // registry-access-management
            let registry = |required: &[&str], properties: Value| json!({ "type": "object", "required": required, "properties": properties });
            let setting = json!({
                "type": "object",
                "required": ["enabled"],
                "properties": {
                    "enabled": { "type": "boolean" },
                    "standard_registries": { "type": "array", "items": registry(&["id", "allowed"], json!({
                        "id": { "type": "string" }, "allowed": { "type": "boolean" },
                    })) },
                    "custom_registries": { "type": "array", "items": registry(&["address", "allowed"], json!({
                        "address": { "type": "string" }, "friendly_name": { "type": "string" },
                        "allowed": { "type": "boolean" },
                    })) },
                },
            });
            let answer =
                json!({ "200": { "description": "OK", "content": { "application/json": { "schema": setting } } } });
            raw["paths"]["/v2/orgs/{org_name}/settings/registry-access-management"] = json!({
                "parameters": [{ "$ref": "#/components/parameters/org_name" }],
                "get": {
                    "summary": "Get Registry Access Management settings (undocumented; terraform provider)",
                    "security": [{ "bearerAuth": [] }],
                    "responses": answer,
                },
                "put": {
                    "summary": "Replace Registry Access Management settings (undocumented; terraform provider)",
                    "security": [{ "bearerAuth": [] }],
                    "requestBody": { "required": true, "content": { "application/json": { "schema": setting } } },
                    "responses": answer,
                },
            });
        }
        let api: OpenAPI =
            serde_json::from_value(raw.clone()).unwrap_or_else(|e| panic!("{SPEC_PATH} is not OpenAPI 3.0: {e}"));
        let mut components = raw.get("components").cloned().unwrap_or_else(|| json!({}));
        if deviations {
            // member-role-editor
            let role = components
                .pointer_mut("/schemas/org_member/properties/role/enum")
                .and_then(Value::as_array_mut)
                .expect("org_member.role has an enum");
            role.push(json!("Editor"));
            // custom-role-names: the answers (a member's role may be a custom role's name; a team
            // carries its role)
            components
                .pointer_mut("/schemas/org_member/properties/role")
                .and_then(Value::as_object_mut)
                .expect("org_member.role")
                .remove("enum");
            components
                .pointer_mut("/schemas/org_group/properties")
                .and_then(Value::as_object_mut)
                .expect("org_group has properties")
                .insert("role".into(), json!({ "type": "string" }));
        }
        let components = to_json_schema(components, deviations);
        Spec { api, components, deviations, validators: Mutex::new(HashMap::new()) }
    }

    /// Every documented operation, in the document's order.
    pub fn operations(&self) -> Vec<OperationId> {
        self.api
            .operations()
            .map(|(template, method, _)| OperationId {
                method: method.to_ascii_uppercase(),
                template: template.to_string(),
            })
            .collect()
    }

    /// The operation's summary.
    pub fn summary(&self, id: &OperationId) -> String {
        self.operation(&id.method, &id.template).and_then(|(_, op)| op.summary.clone()).unwrap_or_default()
    }

    fn path_item(&self, template: &str) -> Option<&PathItem> {
        self.api.paths.paths.get(template).and_then(ReferenceOr::as_item)
    }

    fn operation(&self, method: &str, template: &str) -> Option<(&PathItem, &Operation)> {
        let item = self.path_item(template)?;
        let method = method.to_ascii_lowercase();
        item.iter().find(|(m, _)| *m == method).map(|(_, op)| (item, op))
    }

    /// The documented template a concrete, still percent-encoded path matches: literal segments
    /// must be equal, `{param}` segments take any non-empty segment; the template with the most
    /// literal segments wins (`/members/export` over `/members/{username}`).
    pub fn match_path(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        self.api
            .paths
            .paths
            .keys()
            .filter_map(|template| {
                let parts: Vec<&str> = template.trim_start_matches('/').split('/').collect();
                if parts.len() != segments.len() {
                    return None;
                }
                let mut literals = 0;
                for (part, segment) in parts.iter().zip(&segments) {
                    if is_template_param(part) {
                        if segment.is_empty() {
                            return None;
                        }
                    } else if part == segment {
                        literals += 1;
                    } else {
                        return None;
                    }
                }
                Some((literals, template))
            })
            .max_by_key(|(literals, _)| *literals)
            .map(|(_, template)| template.clone())
    }

    /// The operation's parameters: path-level ones, overridden by operation-level ones of the same
    /// name and location, every `$ref` resolved.
    fn parameters(&self, item: &PathItem, op: &Operation) -> Vec<Parameter> {
        let mut out: Vec<Parameter> = Vec::new();
        for reference in item.parameters.iter().chain(&op.parameters) {
            let parameter = self.resolve_parameter(reference);
            out.retain(|p| {
                !(p.parameter_data_ref().name == parameter.parameter_data_ref().name
                    && location(p) == location(&parameter))
            });
            out.push(parameter);
        }
        out
    }

    fn resolve_parameter(&self, reference: &ReferenceOr<Parameter>) -> Parameter {
        match reference {
            ReferenceOr::Item(p) => p.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
                let components = self.api.components.as_ref().expect("components");
                self.resolve_parameter(
                    components.parameters.get(name).unwrap_or_else(|| panic!("dangling $ref {reference}")),
                )
            }
        }
    }

    fn resolve_request_body(&self, reference: &ReferenceOr<RequestBody>) -> RequestBody {
        match reference {
            ReferenceOr::Item(b) => b.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/requestBodies/")
                    .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
                let components = self.api.components.as_ref().expect("components");
                self.resolve_request_body(
                    components.request_bodies.get(name).unwrap_or_else(|| panic!("dangling $ref {reference}")),
                )
            }
        }
    }

    fn resolve_response(&self, reference: &ReferenceOr<Response>) -> Response {
        match reference {
            ReferenceOr::Item(r) => r.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix("#/components/responses/")
                    .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
                let components = self.api.components.as_ref().expect("components");
                self.resolve_response(
                    components.responses.get(name).unwrap_or_else(|| panic!("dangling $ref {reference}")),
                )
            }
        }
    }

    /// The response documented for `status` (an exact code, else its range, else `default`).
    fn response(&self, op: &Operation, status: u16) -> Option<Response> {
        let responses = &op.responses;
        responses
            .responses
            .get(&StatusCode::Code(status))
            .or_else(|| responses.responses.get(&StatusCode::Range(status / 100)))
            .or(responses.default.as_ref())
            .map(|r| self.resolve_response(r))
    }

    /// Errors of `instance` against an OpenAPI schema (already in JSON form), `$ref`s resolved
    /// against the document's components. `strict` refuses undeclared top-level properties.
    fn schema_errors(&self, schema: &Value, instance: &Value, strict: bool) -> Vec<String> {
        let mut schema = to_json_schema(schema.clone(), self.deviations);
        if strict {
            refuse_undeclared_properties(&mut schema);
        }
        let key = schema.to_string();
        let validator = {
            let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .entry(key)
                .or_insert_with(|| {
                    let root = json!({ "allOf": [schema], "components": self.components });
                    let validator = jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft4)
                        .should_validate_formats(true)
                        .build(&root)
                        .unwrap_or_else(|e| panic!("the spec's schema does not compile: {e}"));
                    Arc::new(validator)
                })
                .clone()
        };
        validator.iter_errors(instance).map(|e| format!("{} (at `{}`)", e, e.instance_path())).collect()
    }

    /// Checks one request; returns the operation it stands for, or what is wrong with it.
    pub fn check_request(&self, request: &SentRequest) -> Result<OperationId, Vec<String>> {
        let url = url::Url::parse(&request.url).map_err(|e| vec![format!("the URL does not parse: {e}")])?;
        let path = url.path();
        // no-trailing-slash
        if self.deviations && path.len() > 1 && (path.ends_with('/') || path.contains("//")) {
            return Err(vec!["the path ends in `/` or has an empty segment; Docker answers 404 to it".into()]);
        }
        let template = self.match_path(path).ok_or_else(|| vec![format!("no documented path matches `{path}`")])?;
        let Some((item, op)) = self.operation(&request.method, &template) else {
            let documented: Vec<String> = self
                .path_item(&template)
                .map(|i| i.iter().map(|(m, _)| m.to_ascii_uppercase()).collect())
                .unwrap_or_default();
            return Err(vec![format!(
                "{} is not documented for {template} (documented: {})",
                request.method,
                documented.join(", ")
            )]);
        };
        let id = OperationId { method: request.method.clone(), template: template.clone() };
        let parameters = self.parameters(item, op);
        let mut problems = Vec::new();

        // Path parameters: each `{name}` is declared, and its decoded value fits its schema.
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        for (part, segment) in template.trim_start_matches('/').split('/').zip(&segments) {
            if !is_template_param(part) {
                continue;
            }
            let name = &part[1..part.len() - 1];
            let value = percent_decode_str(segment).decode_utf8_lossy().into_owned();
            match parameters.iter().find(|p| matches!(p, Parameter::Path { .. }) && p.parameter_data_ref().name == name)
            {
                None => problems.push(format!("path parameter `{name}` is not declared")),
                Some(p) => problems.extend(
                    self.parameter_errors(p, &value).into_iter().map(|e| format!("path parameter `{name}`: {e}")),
                ),
            }
        }

        // Query parameters: declared, not repeated, values fit; required ones present.
        let declared: Vec<&Parameter> = parameters.iter().filter(|p| matches!(p, Parameter::Query { .. })).collect();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in url.query_pairs() {
            if seen.contains(&name.to_string()) {
                problems.push(format!("query parameter `{name}` is repeated"));
            }
            seen.push(name.to_string());
            match declared.iter().find(|p| p.parameter_data_ref().name == name) {
                None => {
                    let names: Vec<&str> = declared.iter().map(|p| p.parameter_data_ref().name.as_str()).collect();
                    problems.push(format!("query parameter `{name}` is not declared (declared: {})", names.join(", ")));
                }
                Some(p) => problems.extend(
                    self.parameter_errors(p, &value)
                        .into_iter()
                        .map(|e| format!("query parameter `{name}`={value:?}: {e}")),
                ),
            }
        }
        for p in &declared {
            let data = p.parameter_data_ref();
            if data.required && !seen.contains(&data.name) {
                problems.push(format!("required query parameter `{}` is missing", data.name));
            }
        }

        // Security: a bearer exactly where the operation asks for one.
        let security = op.security.as_ref().or(self.api.security.as_ref());
        let wants_bearer = security.is_some_and(|s| s.iter().any(|req| !req.is_empty()));
        let authorization = header(request, "authorization");
        match (wants_bearer, authorization) {
            (true, None) => {
                problems.push("the operation requires `bearerAuth` but no Authorization header was sent".into())
            }
            (true, Some(v)) if !v.starts_with("Bearer ") || v.len() <= "Bearer ".len() => {
                problems.push("the Authorization header is not `Bearer <token>`".into())
            }
            (false, Some(_)) => {
                problems.push("the operation takes no credentials but an Authorization header was sent".into())
            }
            _ => {}
        }

        // Body: only where declared, with a declared media type, valid against the schema.
        let body = request.body.as_deref().filter(|b| !b.is_empty());
        match (op.request_body.as_ref().map(|b| self.resolve_request_body(b)), body) {
            (None, Some(_)) => problems.push("a body was sent but the operation declares no request body".into()),
            (Some(declared), None) if declared.required => {
                problems.push("the operation requires a request body but none was sent".into())
            }
            (Some(declared), Some(bytes)) => {
                let content_type = header(request, "content-type")
                    .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
                match content_type.as_deref().and_then(|ct| declared.content.get(ct).map(|m| (ct, m))) {
                    None => problems.push(format!(
                        "Content-Type {content_type:?} is not one the operation declares ({})",
                        declared.content.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                    Some((media_type, declared_media)) => match serde_json::from_slice::<Value>(bytes) {
                        Err(e) => problems.push(format!("the {media_type} body does not parse: {e}")),
                        Ok(value) => {
                            if let Some(schema) = &declared_media.schema {
                                let schema = serde_json::to_value(schema).expect("schema serializes");
                                problems.extend(
                                    self.schema_errors(&schema, &value, true)
                                        .into_iter()
                                        .map(|e| format!("request body: {e}")),
                                );
                            }
                        }
                    },
                }
            }
            (_, None) => {}
        }

        // Accept: a media type one of the operation's success responses has.
        if let Some(accept) = header(request, "accept") {
            let offered: Vec<String> = op
                .responses
                .responses
                .iter()
                .filter(|(code, _)| {
                    matches!(code, StatusCode::Code(c) if (200..300).contains(c)) || **code == StatusCode::Range(2)
                })
                .flat_map(|(_, r)| self.resolve_response(r).content.keys().cloned().collect::<Vec<_>>())
                .collect();
            let asked: Vec<String> =
                accept.split(',').map(|m| m.split(';').next().unwrap_or("").trim().to_ascii_lowercase()).collect();
            if !offered.is_empty() && !asked.iter().any(|m| m == "*/*" || offered.contains(m)) {
                problems.push(format!(
                    "Accept `{accept}` names no media type the operation answers with ({})",
                    offered.join(", ")
                ));
            }
        }

        if problems.is_empty() { Ok(id) } else { Err(problems) }
    }

    /// Errors of a parameter's (decoded, textual) value against its schema; the text is read as
    /// the schema's type says (integer, number, boolean) first.
    fn parameter_errors(&self, parameter: &Parameter, value: &str) -> Vec<String> {
        let data = parameter.parameter_data_ref();
        let ParameterSchemaOrContent::Schema(schema) = &data.format else {
            return vec!["the parameter is described by `content`, which the checker does not read".into()];
        };
        let mut schema = serde_json::to_value(schema).expect("schema serializes");
        if let ReferenceOr::Reference { reference } =
            serde_json::from_value::<ReferenceOr<Value>>(schema.clone()).expect("schema")
        {
            schema = self.components.pointer(reference.trim_start_matches("#/components")).cloned().unwrap_or(schema);
        }
        // search-is-text
        if self.deviations && data.name == "search" && matches!(parameter, Parameter::Query { .. }) {
            schema["type"] = json!("string");
        }
        let typed = match schema.get("type").and_then(Value::as_str) {
            Some("integer") => value.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(value)),
            Some("number") => value
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or_else(|| json!(value)),
            Some("boolean") => match value {
                "true" => json!(true),
                "false" => json!(false),
                _ => json!(value),
            },
            _ => json!(value),
        };
        let mut errors = self.schema_errors(&schema, &typed, false);
        if data.required && value.is_empty() {
            errors.push("a required parameter is empty".into());
        }
        errors
    }

    /// Errors of a response body against the schema documented for `status` of the operation.
    pub fn validate_response(&self, id: &OperationId, status: u16, media_type: &str, body: &Value) -> Vec<String> {
        let Some((_, op)) = self.operation(&id.method, &id.template) else {
            return vec![format!("{id} is not documented")];
        };
        let Some(response) = self.response(op, status) else {
            return vec![format!("{id} documents no {status} response")];
        };
        let Some(schema) = response.content.get(media_type).and_then(|m| m.schema.as_ref()) else {
            return vec![format!("{id} {status} documents no {media_type} schema")];
        };
        let mut schema = serde_json::to_value(schema).expect("schema serializes");
        // members-page-object
        if self.deviations && id.method == "GET" && id.template == "/v2/orgs/{org_name}/members" && status == 200 {
            schema = schema["items"].clone();
        }
        self.schema_errors(&schema, body, false)
    }

    /// The schema documented for a response, after `$ref` resolution and conversion (for the CSV
    /// export, whose rows are checked by column).
    pub fn response_schema(&self, id: &OperationId, status: u16, media_type: &str) -> Value {
        let (_, op) = self.operation(&id.method, &id.template).unwrap_or_else(|| panic!("{id} is not documented"));
        let response = self.response(op, status).unwrap_or_else(|| panic!("{id} documents no {status}"));
        let schema = response
            .content
            .get(media_type)
            .and_then(|m| m.schema.as_ref())
            .unwrap_or_else(|| panic!("{id} {status}: no {media_type}"));
        to_json_schema(serde_json::to_value(schema).expect("schema serializes"), self.deviations)
    }

    /// Errors of a request body against the operation's request-body schema (strict, as for sent
    /// requests).
    pub fn validate_request_body(&self, id: &OperationId, body: &Value) -> Vec<String> {
        let (_, op) = self.operation(&id.method, &id.template).unwrap_or_else(|| panic!("{id} is not documented"));
        let declared = op
            .request_body
            .as_ref()
            .map(|b| self.resolve_request_body(b))
            .unwrap_or_else(|| panic!("{id} has no request body"));
        let schema =
            declared.content.get("application/json").and_then(|m| m.schema.as_ref()).expect("a JSON request body");
        self.schema_errors(&serde_json::to_value(schema).expect("schema serializes"), body, true)
    }
}

/// What a mock generated from Docker's OpenAPI document answers: the status, media type and body
/// of an operation's documented success.
#[derive(Debug, Clone)]
pub struct ExampleAnswer {
    /// The lowest documented 2xx status.
    pub status: u16,
    /// Its first documented media type (none for a response without content).
    pub content_type: Option<String>,
    /// The example body.
    pub body: Vec<u8>,
}

impl Spec {
    /// What a mock generated from the document (as Prism or an OpenAPI-generated stub does) answers
    /// `method path` with, whatever the query and body: the operation's lowest documented 2xx
    /// response, with the media type's own example, else one built from the schema's examples
    /// ([`Spec::example_of`]). The letter of the document is served (the member listing as an
    /// array of page objects). `None` when no documented operation matches.
    pub fn example_answer(&self, method: &str, path: &str) -> Option<ExampleAnswer> {
        let template = self.match_path(path)?;
        let (_, op) = self.operation(method, &template)?;
        let (status, response) = op
            .responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
                _ => None,
            })
            .min_by_key(|(c, _)| *c)?;
        let response = self.resolve_response(response);
        let Some((media, content)) = response.content.iter().next() else {
            return Some(ExampleAnswer { status, content_type: None, body: Vec::new() });
        };
        let value = if let Some(example) = &content.example {
            example.clone()
        } else if let Some(example) =
            content.examples.values().filter_map(ReferenceOr::as_item).find_map(|e| e.value.clone())
        {
            example
        } else if let Some(schema) = &content.schema {
            self.example_of(&to_json_schema(serde_json::to_value(schema).expect("schema serializes"), false))
        } else {
            Value::Null
        };
        let body = if media == "text/csv" { csv_of(&value).into_bytes() } else { value.to_string().into_bytes() };
        Some(ExampleAnswer { status, content_type: Some(media.clone()), body })
    }

    /// An example value of a schema (already in JSON form), as OpenAPI mock generators build one:
    /// the schema's `example`, else its `default`, else its first `enum` value; objects from their
    /// properties' examples (with `allOf` parts merged), arrays of one example item, and
    /// placeholders (`"string"`, `0`, `true`) for bare scalars. `$ref`s are resolved against the
    /// document's components.
    pub fn example_of(&self, schema: &Value) -> Value {
        self.example_at(schema, 0)
    }

    fn example_at(&self, schema: &Value, depth: usize) -> Value {
        let Some(map) = schema.as_object().filter(|_| depth < 16) else { return Value::Null };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            let target = reference.strip_prefix("#/components").and_then(|p| self.components.pointer(p));
            return target.map_or(Value::Null, |t| self.example_at(t, depth + 1));
        }
        if let Some(example) = map.get("example").or_else(|| map.get("default")) {
            return example.clone();
        }
        if let Some(first) = map.get("enum").and_then(Value::as_array).and_then(|v| v.first()) {
            return first.clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(option) =
                map.get(key).and_then(Value::as_array).and_then(|o| o.iter().find(|o| o["type"] != json!("null")))
            {
                return self.example_at(option, depth + 1);
            }
        }
        let mut object = Map::new();
        let mut is_object = false;
        for part in map.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            if let Value::Object(fields) = self.example_at(part, depth + 1) {
                is_object = true;
                object.extend(fields);
            }
        }
        if let Some(Value::Object(properties)) = map.get("properties") {
            is_object = true;
            for (name, property) in properties {
                object.insert(name.clone(), self.example_at(property, depth + 1));
            }
        }
        if is_object {
            return Value::Object(object);
        }
        let kind = match map.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(types)) => {
                types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null")
            }
            _ => "",
        };
        match kind {
            "array" => json!([self.example_at(map.get("items").unwrap_or(&Value::Null), depth + 1)]),
            "object" => json!({}),
            "string" => json!("string"),
            "integer" | "number" => json!(0),
            "boolean" => json!(true),
            _ => Value::Null,
        }
    }
}

/// An array of flat objects as CSV: a header of the first object's keys, one row per object,
/// every field quoted.
fn csv_of(value: &Value) -> String {
    let rows: Vec<&Map<String, Value>> = value.as_array().into_iter().flatten().filter_map(Value::as_object).collect();
    let Some(first) = rows.first() else { return String::new() };
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let columns: Vec<&String> = first.keys().collect();
    let mut out = columns.iter().map(|c| quote(c.as_str())).collect::<Vec<_>>().join(",");
    for row in &rows {
        out.push('\n');
        let fields: Vec<String> = columns
            .iter()
            .map(|c| match row.get(*c) {
                Some(Value::String(text)) => quote(text),
                Some(Value::Null) | None => quote(""),
                Some(other) => quote(&other.to_string()),
            })
            .collect();
        out.push_str(&fields.join(","));
    }
    out.push('\n');
    out
}

/// Moves `required: true|false` found on property schemas into the parent's `required` list
/// (property-required-flag).
fn lift_required_flags(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(lift_required_flags),
        Value::Object(map) => {
            let mut lifted = Vec::new();
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    if let Some(Value::Bool(flag)) = property.as_object_mut().and_then(|p| p.remove("required"))
                        && flag
                    {
                        lifted.push(Value::from(name.as_str()));
                    }
                }
            }
            if !lifted.is_empty() {
                let required = map.entry("required").or_insert_with(|| json!([]));
                if let Value::Array(names) = required {
                    names.extend(lifted);
                }
            }
            map.values_mut().for_each(lift_required_flags);
        }
        _ => {}
    }
}

/// Whether a template segment is a `{param}`.
fn is_template_param(part: &str) -> bool {
    part.len() > 2 && part.starts_with('{') && part.ends_with('}')
}

/// Where a parameter goes (`path`, `query`, …).
fn location(p: &Parameter) -> &'static str {
    match p {
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Path { .. } => "path",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// A request header's value (names compare case-insensitively).
fn header<'a>(request: &'a SentRequest, name: &str) -> Option<&'a str> {
    request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Converts an OpenAPI 3.0 Schema Object (and everything below it) to JSON Schema draft 4:
/// `nullable: true` becomes a `null` type (or an `anyOf` with `null` where there is no `type`).
/// With `deviations`, page links beside `results` become nullable (page-links-null). Example and
/// default values are left as they are.
fn to_json_schema(value: Value, deviations: bool) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|v| to_json_schema(v, deviations)).collect()),
        Value::Object(map) => {
            let mut map: Map<String, Value> = map
                .into_iter()
                .map(|(k, v)| match k.as_str() {
                    "example" | "examples" | "default" | "enum" => (k, v),
                    _ => (k, to_json_schema(v, deviations)),
                })
                .collect();
            // page-links-null
            if deviations
                && let Some(Value::Object(properties)) = map.get_mut("properties")
                && properties.contains_key("results")
            {
                for link in ["next", "previous"] {
                    if let Some(Value::Object(p)) = properties.get_mut(link)
                        && p.get("type") == Some(&json!("string"))
                    {
                        p.insert("type".into(), json!(["string", "null"]));
                    }
                }
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get("type").cloned() {
                    Some(Value::String(t)) => {
                        map.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(values)) = map.get_mut("enum") {
                            values.push(Value::Null);
                        }
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(&mut map));
                        map.insert("anyOf".into(), json!([{"type": "null"}, inner]));
                    }
                }
            }
            Value::Object(map)
        }
        other => other,
    }
}

/// Adds `additionalProperties: false` to the top-level object schema of a request body (and to
/// inline object schemas under its properties) that declares `properties` and says nothing about
/// additional ones. Schemas reached through `$ref` or `allOf` are left as they are (draft 4 cannot
/// combine `additionalProperties` across `allOf`).
fn refuse_undeclared_properties(schema: &mut Value) {
    let Some(map) = schema.as_object_mut() else { return };
    if map.contains_key("$ref") || map.contains_key("allOf") {
        return;
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for property in properties.values_mut() {
            refuse_undeclared_properties(property);
        }
        if !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), json!(false));
        }
    }
}

/// Whether a URL addresses a server on this machine (the wiremock hub or the simulator); requests
/// to anything else are not Docker Hub traffic of a test.
pub fn is_test_server(url: &str) -> bool {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .is_some_and(|h| h == "127.0.0.1" || h == "localhost" || h == "[::1]")
}

/// Checks every request to a test server against the spec, panicking with every violation
/// (method, URL, what is wrong). Requests the guest refused are never sent, so never checked.
/// With `CONFORMANCE_LOG=<file>` each checked request's operation is appended to that file.
pub fn assert_conformant(action: &str, requests: &[SentRequest]) {
    let spec = spec();
    let mut report = String::new();
    for request in requests.iter().filter(|r| is_test_server(&r.url)) {
        CHECKED.fetch_add(1, Ordering::SeqCst);
        match spec.check_request(request) {
            Ok(id) => log_checked(action, &id),
            Err(problems) => {
                let _ = writeln!(report, "  {} {}", request.method, request.url);
                for p in problems {
                    let _ = writeln!(report, "    - {p}");
                }
            }
        }
    }
    assert!(report.is_empty(), "`{action}` sent requests that do not conform to Docker's OpenAPI:\n{report}");
}

fn log_checked(action: &str, id: &OperationId) {
    if let Some(path) = std::env::var_os("CONFORMANCE_LOG") {
        use std::io::Write as _;
        if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            // One write per line, so lines from parallel tests never interleave.
            let _ = file.write_all(format!("{action}\t{id}\n").as_bytes());
        }
    }
}
