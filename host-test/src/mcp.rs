//! `dockerhub-org mcp`: every action of the component as a Model Context Protocol tool, served over
//! standard input and output with the official Rust SDK (`rmcp`).
//!
//! The tool list is the component's own manifest (`describe`): per action its name, title,
//! description, input JSON Schema, output JSON Schema when the manifest has one, and the
//! read-only/destructive/idempotent flags as annotations. An action that needs no OAT scope never
//! talks to Docker Hub, so only those are marked closed-world (`openWorldHint: false`).
//!
//! A call runs the action in the same wasmtime runtime the CLI uses (a fresh store per call, the JWT
//! cached between calls). The host is synchronous, so each call runs on tokio's blocking pool.
//! Success is `structuredContent` (the action's JSON output) plus the same JSON as text; an action
//! error is a result with `isError: true` whose structured content names the error kind (the
//! kebab-case WIT case), message and detail. Destructive tools that have a `dry_run` input default
//! to a preview: when the caller omits `dry_run`, the server sends `dry_run: true` and says so.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt as _};
use serde_json::{Value, json};

use crate::connect::{OAT_ENV, Target, connect};
use crate::runtime::{ActionError, error_detail, error_kind, error_message};
use crate::secrets::Secrets;
use crate::{Outcome, Runtime};

/// The kind reported when the host, not the action, failed (a trap, fuel or memory exhausted).
pub const HOST_ERROR_KIND: &str = "host-error";

/// Connects as `target` says and serves MCP on standard input/output until the client closes it.
/// Nothing but protocol messages is written to standard output.
pub fn serve_stdio(target: &Target) -> Result<()> {
    let connection = connect(target)?;
    let server = ActionServer::new(connection.runtime, connection.secrets, target.simulate)?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime for the MCP server")?;
    let served = tokio.block_on(async move {
        let service = server.serve(rmcp::transport::stdio()).await.context("starting the MCP session")?;
        service.waiting().await.context("serving MCP")?;
        anyhow::Ok(())
    });
    // An action still running when the client hung up is not waited for.
    tokio.shutdown_background();
    drop(connection.simulator);
    served
}

/// One manifest action as an MCP tool.
#[derive(Debug, Clone)]
pub struct ActionTool {
    /// The tool as listed.
    pub tool: Tool,
    /// The server sends `dry_run: true` when the caller omits `dry_run`.
    pub dry_run_by_default: bool,
}

/// The sentence added to the description of a tool that previews by default.
pub const DRY_RUN_NOTE: &str = "Preview by default: when dry_run is omitted this server sends dry_run: true (a GET \
     excepted), so nothing changes; pass dry_run: false to carry it out.";

/// The tools for every action in `manifest` (the JSON `describe` returns).
pub fn tools_from_manifest(manifest: &Value) -> Result<Vec<ActionTool>> {
    let actions = manifest["actions"].as_array().context("the manifest has no \"actions\" array")?;
    actions.iter().map(tool_from_action).collect()
}

fn tool_from_action(action: &Value) -> Result<ActionTool> {
    let name = action["name"].as_str().context("a manifest action has no \"name\"")?;
    let flag =
        |key: &str| action[key].as_bool().ok_or_else(|| anyhow!("manifest action \"{name}\" has no boolean \"{key}\""));
    let (read_only, destructive, idempotent) = (flag("read_only")?, flag("destructive")?, flag("idempotent")?);
    let Some(input_schema) = action["input_schema"].as_object() else {
        bail!("manifest action \"{name}\" has no \"input_schema\" object");
    };
    let scopes: Vec<&str> = action["scopes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
    let dry_run_by_default = destructive && input_schema.get("properties").and_then(|p| p.get("dry_run")).is_some();

    let title = action["title"].as_str().unwrap_or(name).to_string();
    let mut description = action["description"].as_str().unwrap_or_default().to_string();
    if scopes.is_empty() {
        description.push_str("\n\nLocal: contacts nothing and needs no token.");
    } else {
        description.push_str(&format!("\n\nOAT scopes needed: {}.", scopes.join(", ")));
    }
    if dry_run_by_default {
        description.push_str("\n\n");
        description.push_str(DRY_RUN_NOTE);
    }

    let annotations = ToolAnnotations::with_title(title.clone())
        .read_only(read_only)
        .destructive(destructive)
        .idempotent(idempotent)
        // An action that needs no OAT scope never reaches Docker Hub.
        .open_world(!scopes.is_empty());
    let mut tool = Tool::new(name.to_string(), description, Arc::new(input_schema.clone()))
        .with_title(title)
        .with_annotations(annotations);
    if let Some(output_schema) = action.get("output_schema").and_then(Value::as_object) {
        tool = tool.with_raw_output_schema(Arc::new(output_schema.clone()));
    }
    Ok(ActionTool { tool, dry_run_by_default })
}

/// The JSON input for a call of `tool` with MCP `arguments`: `dry_run: true` added when the tool
/// previews by default, the caller did not say, and the call is not a GET (api-request's reads).
pub fn action_input(tool: &ActionTool, arguments: Option<JsonObject>) -> (String, bool) {
    let mut arguments = arguments.unwrap_or_default();
    // A request whose `method` is GET (api-request's reads) changes nothing: no preview needed.
    let reads = arguments.get("method").and_then(Value::as_str).is_some_and(|m| m.trim().eq_ignore_ascii_case("GET"));
    let defaulted = tool.dry_run_by_default && !reads && !arguments.contains_key("dry_run");
    if defaulted {
        arguments.insert("dry_run".to_string(), Value::Bool(true));
    }
    (Value::Object(arguments).to_string(), defaulted)
}

/// The MCP result of one action call. `missing_credential_hint` is appended to a
/// `missing-credential` message (where the server reads its connection values from).
pub fn tool_result(
    outcome: Result<Outcome>,
    dry_run_defaulted: bool,
    missing_credential_hint: Option<&str>,
) -> CallToolResult {
    match outcome {
        Ok(Ok(output)) => match serde_json::from_str::<Value>(&output) {
            Ok(value @ Value::Object(_)) => {
                let mut result = CallToolResult::structured(value);
                // The text copy is the action's own output text, unchanged.
                result.content = vec![ContentBlock::text(output)];
                if dry_run_defaulted {
                    result.content.push(ContentBlock::text(
                        "dry_run was not given, so this was a preview (dry_run: true) and nothing was changed; \
                         call again with dry_run: false to carry it out.",
                    ));
                }
                result
            }
            Ok(_) => error_result(json!({
                "error": HOST_ERROR_KIND,
                "message": "the action's output is not a JSON object (a bug in the component; please report it)",
            })),
            // Valid JSON nested deeper than serde_json reads (128 levels; only api-request can
            // return such a body): the action succeeded, so its text is the result, unchanged.
            Err(_) => CallToolResult::success(vec![ContentBlock::text(output)]),
        },
        Ok(Err(error)) => error_result(action_error_json(&error, missing_credential_hint)),
        Err(failure) => error_result(json!({"error": HOST_ERROR_KIND, "message": format!("{failure:#}")})),
    }
}

/// An action error as JSON: `error` (the kind), `message`, `detail` (parsed when it is JSON), and the
/// rate limit's `retry_after` or the upstream `status` and `docker_message` when the case has them.
fn action_error_json(error: &ActionError, missing_credential_hint: Option<&str>) -> Value {
    let mut message = error_message(error).to_string();
    if let (ActionError::MissingCredential(_), Some(hint)) = (error, missing_credential_hint) {
        message = format!("{message} {hint}");
    }
    let mut value = json!({"error": error_kind(error), "message": message});
    if let Some(detail) = error_detail(error) {
        value["detail"] = serde_json::from_str(detail).unwrap_or_else(|_| Value::String(detail.to_string()));
    }
    match error {
        ActionError::RateLimited(info) => {
            if let Some(at) = info.retry_after {
                value["retry_after"] = json!(at);
            }
        }
        ActionError::Upstream(info) => {
            value["status"] = json!(info.status);
            if let Some(docker) = &info.docker_message {
                value["docker_message"] = json!(docker);
            }
        }
        _ => {}
    }
    value
}

/// `isError: true` with `value` as structured content and `kind: message` (and the detail) as text.
fn error_result(value: Value) -> CallToolResult {
    let mut text =
        format!("{}: {}", value["error"].as_str().unwrap_or(HOST_ERROR_KIND), value["message"].as_str().unwrap_or(""));
    if let Some(detail) = value.get("detail") {
        text.push_str(&format!("\ndetail: {detail}"));
    }
    let mut result = CallToolResult::structured_error(value);
    result.content = vec![ContentBlock::text(text)];
    result
}

/// The MCP server: the tools from the manifest, each call run by the component.
#[derive(Clone)]
pub struct ActionServer {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Runtime,
    secrets: Secrets,
    tools: Vec<ActionTool>,
    missing_credential_hint: Option<String>,
}

impl ActionServer {
    /// A server for `runtime` calling with `secrets`; its tools come from the component's manifest.
    /// `simulated` servers need no hint about credentials.
    pub fn new(runtime: Runtime, secrets: Secrets, simulated: bool) -> Result<Self> {
        let manifest: Value = serde_json::from_str(&runtime.describe()?).context("the manifest is not JSON")?;
        let tools = tools_from_manifest(&manifest)?;
        let missing_credential_hint = (!simulated).then(|| {
            format!(
                "The MCP server reads the token from {OAT_ENV} and the organization from --org or DOCKERHUB_ORG \
                 in its own environment: set them where the client starts it."
            )
        });
        Ok(ActionServer { inner: Arc::new(Inner { runtime, secrets, tools, missing_credential_hint }) })
    }

    /// The tools this server lists.
    pub fn tools(&self) -> &[ActionTool] {
        &self.inner.tools
    }

    fn find(&self, name: &str) -> Option<&ActionTool> {
        self.inner.tools.iter().find(|t| t.tool.name == name)
    }
}

impl ServerHandler for ActionServer {
    fn get_info(&self) -> ServerConfig {
        let implementation = Implementation::new("dockerhub-org", env!("CARGO_PKG_VERSION"))
            .with_title("Docker Hub organization administration")
            .with_description(
                "Members, roles, invites, teams, audit logs and settings of one Docker Hub organization, through \
                 the dockerhub-org WebAssembly component.",
            );
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(implementation)
            .with_instructions(
                "Each tool is one action on the connected Docker Hub organization. Read-only tools change nothing. \
                 Destructive tools with a dry_run input preview by default (dry_run: true unless you pass \
                 dry_run: false): show the plan to the user before carrying it out. Errors come back as tool \
                 results with isError and an error kind (invalid-input, not-found, rate-limited, ...).",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.inner.tools.iter().map(|t| t.tool.clone()).collect()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.find(name).map(|t| t.tool.clone())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(tool) = self.find(&request.name) else {
            return Err(McpError::invalid_params(
                format!("no tool named \"{}\"; tools/list has every action", request.name),
                None,
            ));
        };
        let (input, defaulted) = action_input(tool, request.arguments);
        let name = tool.tool.name.to_string();
        let inner = self.inner.clone();
        let outcome = tokio::task::spawn_blocking(move || inner.runtime.call(&name, &input, &inner.secrets))
            .await
            .unwrap_or_else(|joined| Err(anyhow!("the action's worker thread failed: {joined}")));
        Ok(tool_result(outcome, defaulted, self.inner.missing_credential_hint.as_deref()).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{ErrorInfo, RateLimitInfo};

    fn action(name: &str, destructive: bool, scopes: Value, properties: Value) -> Value {
        json!({
            "name": name, "title": format!("Title of {name}"), "description": "Does it.",
            "read_only": !destructive, "destructive": destructive, "idempotent": true, "scopes": scopes,
            "input_schema": {"type": "object", "properties": properties, "additionalProperties": false},
        })
    }

    #[test]
    fn manifest_flags_become_annotations_and_scopes_decide_the_open_world() {
        let manifest = json!({"actions": [
            action("list-members", false, json!(["Member Read"]), json!({"page": {"type": "integer"}})),
            action("connection-schema", false, json!([]), json!({})),
        ]});
        let tools = tools_from_manifest(&manifest).unwrap();
        let listed = serde_json::to_value(&tools[0].tool).unwrap();
        assert_eq!(listed["name"], "list-members");
        assert_eq!(listed["title"], "Title of list-members");
        assert_eq!(listed["inputSchema"]["properties"]["page"]["type"], "integer");
        assert_eq!(
            listed["annotations"],
            json!({"title": "Title of list-members", "readOnlyHint": true, "destructiveHint": false,
                   "idempotentHint": true, "openWorldHint": true})
        );
        assert!(listed["description"].as_str().unwrap().ends_with("OAT scopes needed: Member Read."));
        assert!(listed.get("outputSchema").is_none(), "no output schema in the manifest, none listed");
        let local = serde_json::to_value(&tools[1].tool).unwrap();
        assert_eq!(local["annotations"]["openWorldHint"], false);
    }

    #[test]
    fn an_output_schema_in_the_manifest_is_listed_as_the_output_schema() {
        let mut entry = action("get-team", false, json!(["Group Read"]), json!({}));
        entry["output_schema"] = json!({"type": "object", "required": ["team"]});
        let tools = tools_from_manifest(&json!({"actions": [entry]})).unwrap();
        let listed = serde_json::to_value(&tools[0].tool).unwrap();
        assert_eq!(listed["outputSchema"], json!({"type": "object", "required": ["team"]}));
    }

    #[test]
    fn destructive_tools_with_dry_run_preview_unless_told_otherwise() {
        let manifest = json!({"actions": [
            action("offboard-member", true, json!(["Member Edit"]), json!({"dry_run": {"type": "boolean"}})),
            action("remove-member", true, json!(["Member Edit"]), json!({"member": {"type": "string"}})),
        ]});
        let tools = tools_from_manifest(&manifest).unwrap();
        let (offboard, remove) = (&tools[0], &tools[1]);
        assert!(offboard.dry_run_by_default);
        assert!(offboard.tool.description.as_deref().unwrap().ends_with(DRY_RUN_NOTE));
        assert!(!remove.dry_run_by_default, "no dry_run input, nothing to default");

        let omitted = action_input(offboard, Some(json!({"email": "a@b.example"}).as_object().unwrap().clone()));
        assert_eq!(
            serde_json::from_str::<Value>(&omitted.0).unwrap(),
            json!({"email": "a@b.example", "dry_run": true})
        );
        assert!(omitted.1);
        let explicit = action_input(offboard, Some(json!({"dry_run": false}).as_object().unwrap().clone()));
        assert_eq!(explicit, (r#"{"dry_run":false}"#.to_string(), false));
        assert_eq!(action_input(remove, None), ("{}".to_string(), false));
    }

    #[test]
    fn a_manifest_action_without_an_input_schema_is_refused_by_name() {
        let broken = json!({"actions": [{"name": "x", "read_only": true, "destructive": false, "idempotent": true}]});
        let error = tools_from_manifest(&broken).unwrap_err().to_string();
        assert!(error.contains("\"x\"") && error.contains("input_schema"), "{error}");
    }

    #[test]
    fn outputs_are_structured_content_with_a_text_copy() {
        let result = tool_result(Ok(Ok(r#"{"count":2}"#.to_string())), false, None);
        let value = serde_json::to_value(&result).unwrap();
        assert_eq!(value["isError"], false);
        assert_eq!(value["structuredContent"], json!({"count": 2}));
        assert_eq!(value["content"], json!([{"type": "text", "text": "{\"count\":2}"}]));
    }

    #[test]
    fn action_errors_are_error_results_with_their_kind_message_and_detail() {
        let error = ActionError::RateLimited(RateLimitInfo {
            message: "Rate limited.".into(),
            retry_after: Some(1_700_000_000),
            detail: Some(r#"{"resume_page":3}"#.into()),
        });
        let value = serde_json::to_value(tool_result(Ok(Err(error)), false, None)).unwrap();
        assert_eq!(value["isError"], true);
        assert_eq!(
            value["structuredContent"],
            json!({"error": "rate-limited", "message": "Rate limited.", "detail": {"resume_page": 3},
                   "retry_after": 1_700_000_000})
        );
        assert_eq!(value["content"][0]["text"], "rate-limited: Rate limited.\ndetail: {\"resume_page\":3}");

        let missing = ActionError::MissingCredential(ErrorInfo { message: "Token is required.".into(), detail: None });
        let value = serde_json::to_value(tool_result(Ok(Err(missing)), false, Some("Set DOCKERHUB_OAT."))).unwrap();
        assert_eq!(value["structuredContent"]["message"], "Token is required. Set DOCKERHUB_OAT.");

        let host = serde_json::to_value(tool_result(Err(anyhow!("fuel exhausted")), false, None)).unwrap();
        assert_eq!(host["structuredContent"], json!({"error": HOST_ERROR_KIND, "message": "fuel exhausted"}));
    }
}
