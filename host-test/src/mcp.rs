//! `dockerhub-org mcp`: every action of the component as a Model Context Protocol tool, served over
//! standard input and output with the official Rust SDK (`rmcp`).
//!
//! The tool list is the component's own manifest (`describe`): per action its name, title,
//! description, input JSON Schema, output JSON Schema when the manifest has one, and the
//! read-only/destructive/idempotent flags as annotations. An action that needs no OAT scope never
//! talks to Docker Hub, so only those are marked closed-world (`openWorldHint: false`).
//!
//! A call runs the action in the same wasmtime runtime the CLI uses (a fresh store per call, the JWT
//! cached between calls; concurrent first calls share one token exchange, [`crate::cache`]). The
//! host is synchronous, so each call runs on tokio's blocking pool. A message too large to read gets
//! a JSON-RPC error ([`crate::mcp_input`]).
//! Success is `structuredContent` (the action's JSON output) plus the same JSON as text; an action
//! error is a result with `isError: true` whose structured content names the error kind (the
//! kebab-case WIT case), message and detail.
//!
//! **Every write is previewed first.** A tool whose action is not read-only (the manifest's
//! `read_only`) runs with `dry_run: true` unless the caller sent `dry_run: false` itself: an absent
//! `dry_run` and a `null` one (which language-model clients send for optional fields) are both a
//! preview, and the answer says how to apply it. A write without a `dry_run` input cannot be
//! previewed, so this server lists it but refuses to run it (none exists today; the CLI runs it).

use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use dockerhub_org_wire::body::{Absent, ErrorBody};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt as _};
use serde_json::{Value, json};

use crate::connect::{OAT_ENV, Target, connect};
use crate::manifest::{Action, Manifest};
use crate::runtime::{ActionError, action_error_kind, error_detail, error_message};
use crate::secrets::Secrets;
use crate::{Outcome, Runtime};

/// The kind reported when the host, not the action, failed (a trap, time or memory exhausted).
pub const HOST_ERROR_KIND: &str = "host-error";

/// Connects as `target` says and serves MCP on standard input/output until the client closes it.
/// Nothing but protocol messages is written to standard output.
pub fn serve_stdio(target: &Target, toolsets: &Toolsets) -> Result<()> {
    let connection = connect(target)?;
    let server = ActionServer::new(connection.runtime, connection.secrets, target.simulate)?.with_toolsets(toolsets);
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime for the MCP server")?;
    let served = tokio.block_on(async move {
        // Standard input through a reader that answers messages too large to read (`mcp_input`).
        let transport = (crate::mcp_input::bounded(tokio::io::stdin()), tokio::io::stdout());
        let service = server.serve(transport).await.context("starting the MCP session")?;
        service.waiting().await.context("serving MCP")?;
        anyhow::Ok(())
    });
    // An action still running when the client hung up is not waited for.
    tokio.shutdown_background();
    drop(connection.simulator);
    served
}

/// What the server does about a tool's `dry_run` (from the manifest's `read_only` flag and whether
/// the input schema has a `dry_run` property).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// A read-only action: run as asked.
    Nothing,
    /// A write with a `dry_run` input: run with `dry_run: true` unless the caller sent `false`.
    Previewed,
    /// A write without a `dry_run` input: it cannot be previewed, so this server does not run it.
    Unpreviewable,
}

/// One manifest action as an MCP tool.
#[derive(Debug, Clone)]
pub struct ActionTool {
    /// The tool as listed.
    pub tool: Tool,
    /// Whether and how its calls are previewed.
    pub writes: Writes,
    /// The manifest's toolset of the action (`members`, `teams`, ..., `connection`, `health`).
    pub toolset: String,
    /// A listing (its input has `page_size`): an agent's call without `page_size` or `max_items`
    /// gets a small first page.
    pub listing: bool,
}

/// The toolsets `--toolsets` takes; `all` adds the tools no agent needs by default (the
/// connection-form tools and the single health checks, whose manifest toolsets are `connection`
/// and `health`; `run-health-checks` is in `admin`). `org` (export-org, plan-org, apply-org) is
/// listed only when asked for: its document schema is large, and the default tool list has a
/// size budget (`tests/mcp.rs`).
pub const TOOLSETS: &[&str] = &["members", "invites", "teams", "audit", "workflows", "admin", "org", "all"];

/// The toolsets listed when `--toolsets` is not given.
pub const DEFAULT_TOOLSETS: &str = "members,invites,teams,audit,workflows,admin";

/// Which toolsets a server lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolsets(Vec<String>);

impl Default for Toolsets {
    fn default() -> Self {
        DEFAULT_TOOLSETS.parse().unwrap_or(Toolsets(Vec::new()))
    }
}

impl std::str::FromStr for Toolsets {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let names: Vec<String> =
            text.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect();
        if names.is_empty() {
            return Err(format!("name at least one toolset: {}", TOOLSETS.join(", ")));
        }
        match names.iter().find(|n| !TOOLSETS.contains(&n.as_str())) {
            Some(unknown) => Err(format!("unknown toolset \"{unknown}\"; the toolsets are {}", TOOLSETS.join(", "))),
            None => Ok(Toolsets(names)),
        }
    }
}

impl Toolsets {
    /// Whether a tool of manifest toolset `toolset` is listed.
    pub fn lists(&self, toolset: &str) -> bool {
        self.0.iter().any(|t| t == "all" || t == toolset)
    }
}

/// Items an agent's listing call gets when it gives neither `page_size` nor `max_items` (with
/// `all_pages`: the first this many, truncated, with where to continue).
pub const AGENT_FIRST_ITEMS: u64 = 20;

/// For a listing called without `page_size` and `max_items` with `all_pages: true`: asks for the
/// first [`AGENT_FIRST_ITEMS`] only (a whole roster is often 100 KB an agent does not need).
/// Returns whether it did.
pub fn agent_first_page(tool: &ActionTool, arguments: &mut Option<JsonObject>) -> bool {
    if !tool.listing {
        return false;
    }
    let arguments = arguments.get_or_insert_with(JsonObject::new);
    let given = |key: &str| arguments.get(key).is_some_and(|v| !v.is_null());
    if given("page_size") || given("max_items") || arguments.get("all_pages") != Some(&Value::Bool(true)) {
        return false;
    }
    arguments.insert("max_items".to_string(), json!(AGENT_FIRST_ITEMS));
    true
}

/// The note added to a listing answer that has more to fetch: how to get it.
pub fn more_note(tool: &str, output: &Value, first_page: bool) -> Option<String> {
    let next = output["paging"]["next_page"].as_u64()?;
    let why = if first_page {
        format!("Only the first {AGENT_FIRST_ITEMS} items were fetched (all_pages without page_size or max_items). ")
    } else {
        String::new()
    };
    Some(format!(
        "{why}There are more: call {tool} again with the same arguments and \"page\": {next}, or give \"max_items\" \
         (up to 100000) with \"all_pages\": true; \"fields\" keeps each item small."
    ))
}

/// The text definitions of the manifest's input schemas (path segments, emails, times, ...): their
/// patterns are for validators, not for an agent choosing arguments; the component checks them.
const TEXT_DEFS: &[&str] =
    &["Segment", "Email", "Text", "DateTime", "DateOrDateTime", "InviteId", "AuditAction", "ApiPath", "TeamId"];

/// An input schema as an agent needs it: the properties with their types, enums, bounds and
/// descriptions, the exactly-one groups, without the text patterns (the component checks them and
/// names the field), the blank-text alternatives, nor the top-level title and description (the
/// tool's own).
pub fn compact_input(schema: &Value) -> Value {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("not");
                map.remove("default");
                if let Some(Value::String(text)) = map.get_mut("description") {
                    *text = first_sentence(text, FIELD_DESCRIPTION_CHARS);
                }
                // The bound of the integer type itself says nothing to an agent.
                if map.get("maximum").and_then(Value::as_u64).is_some_and(|m| m >= u64::from(u32::MAX)) {
                    map.remove("maximum");
                }
                // An optional field may be left out, so `null` among its types says nothing more.
                if let Some(Value::Array(types)) = map.get_mut("type") {
                    types.retain(|t| t != "null");
                    if types.len() == 1 {
                        let only = types.remove(0);
                        map.insert("type".into(), only);
                    }
                }
                if let Some(Value::Array(branches)) = map.get_mut("anyOf") {
                    branches.retain(|b| !(b["type"] == "string" && b["pattern"] == r"^\s*$"));
                    branches.retain(|b| {
                        b.as_object().is_none_or(|o| !(o.len() == 1 && o.get("type") == Some(&json!("null"))))
                    });
                    if branches.len() == 1
                        && let Some(Value::Object(only)) = branches.pop()
                    {
                        map.remove("anyOf");
                        for (key, value) in only {
                            map.entry(key).or_insert(value);
                        }
                    }
                }
                // After the merge above, which may bring a `$ref` up from a branch.
                if let Some(name) = map.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
                    && TEXT_DEFS.contains(&name)
                {
                    let ty = if name == "TeamId" { json!(["integer", "string"]) } else { json!("string") };
                    map.remove("$ref");
                    map.insert("type".into(), ty);
                }
                if let Some(Value::Array(branches)) = map.get_mut("anyOf") {
                    let simple: Vec<Value> = branches
                        .iter()
                        .filter(|b| b.as_object().is_some_and(|o| o.len() == 1 && o.contains_key("type")))
                        .map(|b| b["type"].clone())
                        .collect();
                    if simple.len() == branches.len() {
                        let types: Vec<Value> = simple
                            .into_iter()
                            .flat_map(|t| if let Value::Array(a) = t { a } else { vec![t] })
                            .collect();
                        map.remove("anyOf");
                        map.insert("type".into(), Value::Array(types));
                    }
                }
                if let Some(Value::Array(branches)) = map.get("oneOf")
                    && branches.iter().all(|b| b.get("const").is_some())
                {
                    let values: Vec<Value> = branches.iter().map(|b| b["const"].clone()).collect();
                    map.remove("oneOf");
                    map.insert("enum".into(), Value::Array(values));
                }
                // An exactly-one branch: which field is given is enough.
                if map.len() == 2 && map.contains_key("required") && map.contains_key("properties") {
                    map.remove("properties");
                }
                map.values_mut().for_each(walk);
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut compact = schema.clone();
    if let Value::Object(map) = &mut compact {
        for key in ["$schema", "title", "description"] {
            map.remove(key);
        }
        if let Some(Value::Object(defs)) = map.get_mut("$defs") {
            defs.retain(|name, _| !TEXT_DEFS.contains(&name.as_str()));
            // The property that refers to a definition describes it for the agent.
            for def in defs.values_mut() {
                if let Value::Object(def) = def {
                    def.remove("description");
                }
            }
            if defs.is_empty() {
                map.remove("$defs");
            }
        }
    }
    walk(&mut compact);
    compact
}

/// An output schema as an agent's client checks `structuredContent` with it: an object and its
/// required top-level fields (the full schema is the manifest's, through `describe`).
pub fn compact_output(schema: &Value) -> Value {
    let mut compact = json!({ "type": "object" });
    if let Some(required) = schema.get("required") {
        compact["required"] = required.clone();
    }
    compact
}

/// The description an agent reads: the manifest's first sentence (which says when to use the
/// tool), cut at a clause boundary with "…" when that sentence runs past [`DESCRIPTION_CHARS`];
/// the whole description is the manifest's (`describe`).
pub fn short_description(description: &str) -> String {
    first_sentence(description, DESCRIPTION_CHARS)
}

/// The first sentence of `text`, cut at a clause boundary with "…" past `most` characters.
fn first_sentence(text: &str, most: usize) -> String {
    // Line breaks from doc comments read as spaces.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let description = text.as_str();
    // The first ". " that ends a sentence of some length (not "e.g. " early on).
    let first = description
        .match_indices(". ")
        .map(|(at, _)| at + 1)
        .find(|&end| description[..end].chars().count() >= 40)
        .map_or(description, |end| &description[..end]);
    if first.chars().count() <= most {
        return first.to_string();
    }
    let limit = first.char_indices().nth(most).map_or(first.len(), |(at, _)| at);
    let head = &first[..limit];
    let cut = head.rfind("; ").or_else(|| head.rfind(", ")).or_else(|| head.rfind(' ')).unwrap_or(limit);
    format!("{}…", head[..cut].trim_end_matches([',', ';', ' ', '(']))
}

/// See [`short_description`].
pub const DESCRIPTION_CHARS: usize = 200;

/// The most an input field's description keeps (its first sentence, cut): the field's name, type
/// and bounds say the rest, and the component names the field when a value is wrong.
const FIELD_DESCRIPTION_CHARS: usize = 120;

/// The sentence added to the description of every tool that changes the organization.
pub const DRY_RUN_NOTE: &str = "Previews (dry_run: true) unless you pass dry_run: false.";

/// The sentence added to the description of a write this server will not run.
pub const UNPREVIEWABLE_NOTE: &str = "Not run by this MCP server: it changes the organization and has no dry_run \
     preview. Run it with the dockerhub-org CLI instead.";

/// The error kind of a call this server refuses to run (a write that cannot be previewed).
pub const NOT_PREVIEWABLE_KIND: &str = "not-previewable";

/// The tools for every action in `manifest` (the JSON `describe` returns).
pub fn tools_from_manifest(manifest: &Value) -> Result<Vec<ActionTool>> {
    Manifest::from_value(manifest)?.actions.iter().map(tool_from_action).collect()
}

fn tool_from_action(action: &Action) -> Result<ActionTool> {
    let name = action.name.as_str();
    let (read_only, destructive, idempotent) = (action.read_only, action.destructive, action.idempotent);
    let input_schema = &action.input_schema;
    let scopes = &action.scopes;
    let has_dry_run = input_schema.get("properties").and_then(|p| p.get("dry_run")).is_some();
    let writes = match (read_only, has_dry_run) {
        (true, _) => Writes::Nothing,
        (false, true) => Writes::Previewed,
        (false, false) => Writes::Unpreviewable,
    };

    let title = action.title().to_string();
    let mut description = short_description(&action.description);
    if scopes.is_empty() {
        description.push_str("\n\nLocal: contacts nothing and needs no token.");
    } else {
        description.push_str(&format!("\n\nOAT scopes needed: {}.", scopes.join(", ")));
    }
    match writes {
        Writes::Nothing => {}
        Writes::Previewed => description.push_str(&format!("\n\n{DRY_RUN_NOTE}")),
        Writes::Unpreviewable => description.push_str(&format!("\n\n{UNPREVIEWABLE_NOTE}")),
    }

    let annotations = ToolAnnotations::with_title(title.clone())
        .read_only(read_only)
        .destructive(destructive)
        .idempotent(idempotent)
        // An action that needs no OAT scope never reaches Docker Hub.
        .open_world(!scopes.is_empty());
    let Value::Object(compact_in) = compact_input(&Value::Object(input_schema.clone())) else {
        bail!("manifest action \"{name}\" has an input schema that is not an object");
    };
    let mut tool =
        Tool::new(name.to_string(), description, Arc::new(compact_in)).with_title(title).with_annotations(annotations);
    if let Some(Value::Object(compact)) = Some(&action.output_schema).filter(|s| s.is_object()).map(compact_output) {
        tool = tool.with_raw_output_schema(Arc::new(compact));
    }
    let toolset = action.toolset.as_deref().unwrap_or("admin").to_string();
    let listing = input_schema.get("properties").and_then(|p| p.get("page_size")).is_some();
    Ok(ActionTool { tool, writes, toolset, listing })
}

/// How one call's input was settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepared {
    /// Run the action with this JSON input.
    Run {
        /// The action's input.
        input: String,
        /// Why the call is a preview, if it is one: the answer then says how to apply it.
        preview: Option<PreviewReason>,
    },
    /// Do not run it: the tool is [`Writes::Unpreviewable`].
    Refused,
}

/// Why a write ran as a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewReason {
    /// The caller sent no `dry_run`, or `null`: the server sent `dry_run: true`.
    Defaulted,
    /// The caller asked for `dry_run: true`.
    Asked,
}

/// The JSON input for a call of `tool` with MCP `arguments`. A [`Writes::Previewed`] tool gets
/// `dry_run: true` unless the caller sent `dry_run: false` (absent and `null` are both a preview);
/// the one exception is a request whose `method` is GET (api-request's reads), which changes
/// nothing. A `dry_run` of another type is passed on for the component to refuse as invalid input.
pub fn action_input(tool: &ActionTool, arguments: Option<JsonObject>) -> Prepared {
    let mut arguments = arguments.unwrap_or_default();
    let preview = match tool.writes {
        Writes::Unpreviewable => return Prepared::Refused,
        Writes::Nothing => None,
        Writes::Previewed => {
            let reads =
                arguments.get("method").and_then(Value::as_str).is_some_and(|m| m.trim().eq_ignore_ascii_case("GET"));
            match arguments.get("dry_run") {
                None | Some(Value::Null) if reads => None,
                None | Some(Value::Null) => {
                    arguments.insert("dry_run".to_string(), Value::Bool(true));
                    Some(PreviewReason::Defaulted)
                }
                Some(Value::Bool(true)) => Some(PreviewReason::Asked),
                Some(_) => None,
            }
        }
    };
    Prepared::Run { input: Value::Object(arguments).to_string(), preview }
}

/// The text added to a preview's answer: what happened and how to apply the change.
pub fn preview_note(tool: &str, reason: PreviewReason) -> String {
    let why = match reason {
        PreviewReason::Defaulted => "dry_run was not given (or was null), so this was a preview (dry_run: true)",
        PreviewReason::Asked => "This was a preview (dry_run: true)",
    };
    format!(
        "{why} and nothing was changed. To apply the change shown, call {tool} again with the same arguments and \
         \"dry_run\": false."
    )
}

/// The answer to a call of a write this server does not run ([`Writes::Unpreviewable`]).
pub fn refused_result(tool: &str) -> CallToolResult {
    error_result(json!({
        "error": NOT_PREVIEWABLE_KIND,
        "message": format!(
            "{tool} changes the organization and has no dry_run preview, so this MCP server does not run it \
             (every write is previewed here first); run it with `dockerhub-org run {tool}` instead."
        ),
    }))
}

/// The MCP result of one action call. `missing_credential_hint` is appended to a
/// `missing-credential` message (where the server reads its connection values from).
pub fn tool_result(
    outcome: Result<Outcome>,
    preview_note: Option<&str>,
    missing_credential_hint: Option<&str>,
) -> CallToolResult {
    match outcome {
        Ok(Ok(output)) => match serde_json::from_str::<Value>(&output) {
            Ok(value @ Value::Object(_)) => {
                let mut result = CallToolResult::structured(value);
                // The text copy is the action's own output text, unchanged.
                result.content = vec![ContentBlock::text(output)];
                if let Some(note) = preview_note {
                    result.content.push(ContentBlock::text(note));
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

/// An action error as JSON: `error` (the kind), `message`, `detail` (parsed when it is JSON), the
/// guest's `hints`, and the rate limit's `retry_after` or the upstream `status` and `docker_message`
/// when the case has them; absent ones are left out ([`ErrorBody`], the body the service writes).
fn action_error_json(error: &ActionError, missing_credential_hint: Option<&str>) -> Value {
    let mut message = error_message(error).to_string();
    if let (ActionError::MissingCredential(_), Some(hint)) = (error, missing_credential_hint) {
        message = format!("{message} {hint}");
    }
    let (retry_after, upstream) = match error {
        ActionError::RateLimited(info) => (info.retry_after, None),
        ActionError::Upstream(info) => (None, Some((info.status, info.docker_message.as_deref()))),
        _ => (None, None),
    };
    let body = ErrorBody {
        detail: error_detail(error),
        retry_after,
        upstream,
        hints: true,
        ..ErrorBody::new(action_error_kind(error), &message)
    };
    body.to_json(Absent::Omitted)
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
        let server = ActionServer { inner: Arc::new(Inner { runtime, secrets, tools, missing_credential_hint }) };
        Ok(server.with_toolsets(&Toolsets::default()))
    }

    /// The same server listing (and running) only the tools of `toolsets`.
    pub fn with_toolsets(self, toolsets: &Toolsets) -> Self {
        let inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => return ActionServer { inner: shared },
        };
        let manifest: Option<Value> = inner.runtime.describe().ok().and_then(|m| serde_json::from_str(&m).ok());
        let every = manifest.as_ref().and_then(|m| tools_from_manifest(m).ok()).unwrap_or(inner.tools);
        let tools = every.into_iter().filter(|t| toolsets.lists(&t.toolset)).collect();
        ActionServer { inner: Arc::new(Inner { tools, ..inner }) }
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
                 Every tool that changes something previews by default (dry_run: true unless you pass \
                 dry_run: false; null counts as not given): show the plan to the user before carrying it out. \
                 Errors come back as tool results with isError and an error kind (invalid-input, not-found, \
                 rate-limited, ...).",
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
        if request.name == crate::mcp_input::OVERSIZED_TOOL {
            return Err(crate::mcp_input::oversized_error(request.arguments.as_ref()));
        }
        if request.name == crate::mcp_input::DUPLICATE_KEY_TOOL {
            return Err(crate::mcp_input::duplicate_key_error(request.arguments.as_ref()));
        }
        let Some(tool) = self.find(&request.name) else {
            return Err(McpError::invalid_params(
                format!("no tool named \"{}\"; tools/list has every action", request.name),
                None,
            ));
        };
        let name = tool.tool.name.to_string();
        let mut arguments = request.arguments;
        let first_page = agent_first_page(tool, &mut arguments);
        let (input, preview) = match action_input(tool, arguments) {
            Prepared::Run { input, preview } => (input, preview),
            Prepared::Refused => return Ok(refused_result(&name).into()),
        };
        let note = preview.map(|reason| preview_note(&name, reason));
        let inner = self.inner.clone();
        let outcome = tokio::task::spawn_blocking(move || inner.runtime.call(&name, &input, &inner.secrets))
            .await
            .unwrap_or_else(|joined| Err(anyhow!("the action's worker thread failed: {joined}")));
        let more = match &outcome {
            Ok(Ok(output)) if tool.listing => {
                serde_json::from_str::<Value>(output).ok().and_then(|v| more_note(&tool.tool.name, &v, first_page))
            }
            _ => None,
        };
        let note = match (note, more) {
            (Some(a), Some(b)) => Some(format!("{a}\n{b}")),
            (a, b) => a.or(b),
        };
        Ok(tool_result(outcome, note.as_deref(), self.inner.missing_credential_hint.as_deref()).into())
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

    /// A manifest entry for an action that is not read-only.
    fn write_action(name: &str, destructive: bool, properties: Value) -> Value {
        let mut entry = action(name, destructive, json!(["Member Edit"]), properties);
        entry["read_only"] = json!(false);
        entry
    }

    fn input(tool: &ActionTool, arguments: Value) -> Prepared {
        action_input(tool, Some(arguments.as_object().unwrap().clone()))
    }

    fn ran(prepared: Prepared) -> (Value, Option<PreviewReason>) {
        match prepared {
            Prepared::Run { input, preview } => (serde_json::from_str(&input).unwrap(), preview),
            Prepared::Refused => panic!("refused"),
        }
    }

    #[test]
    fn every_write_previews_unless_dry_run_is_false() {
        let dry_run = json!({"dry_run": {"type": ["boolean", "null"]}, "role": {"type": "string"}});
        let manifest = json!({"actions": [
            write_action("offboard-member", true, dry_run.clone()),
            // Not destructive, still a write: previewed as well.
            write_action("update-member-role", false, dry_run.clone()),
            action("list-members", false, json!(["Member Read"]), dry_run),
        ]});
        let tools = tools_from_manifest(&manifest).unwrap();
        let (offboard, role, list) = (&tools[0], &tools[1], &tools[2]);
        assert_eq!(
            (offboard.writes, role.writes, list.writes),
            (Writes::Previewed, Writes::Previewed, Writes::Nothing)
        );
        assert!(role.tool.description.as_deref().unwrap().ends_with(DRY_RUN_NOTE));
        assert!(!list.tool.description.as_deref().unwrap().contains("dry_run"));

        for tool in [offboard, role] {
            let omitted = ran(input(tool, json!({"role": "owner"})));
            assert_eq!(omitted, (json!({"role": "owner", "dry_run": true}), Some(PreviewReason::Defaulted)));
            let null = ran(input(tool, json!({"role": "owner", "dry_run": null})));
            assert_eq!(null, (json!({"role": "owner", "dry_run": true}), Some(PreviewReason::Defaulted)));
            assert_eq!(ran(action_input(tool, None)), (json!({"dry_run": true}), Some(PreviewReason::Defaulted)));
            let asked = ran(input(tool, json!({"dry_run": true})));
            assert_eq!(asked, (json!({"dry_run": true}), Some(PreviewReason::Asked)));
            assert_eq!(ran(input(tool, json!({"dry_run": false}))), (json!({"dry_run": false}), None));
            // Not a boolean: passed on, for the component to refuse as invalid input.
            assert_eq!(ran(input(tool, json!({"dry_run": "false"}))), (json!({"dry_run": "false"}), None));
        }
        // A read-only tool is run as asked.
        assert_eq!(ran(input(list, json!({"dry_run": null}))), (json!({"dry_run": null}), None));
    }

    #[test]
    fn an_api_request_get_is_not_previewed_and_every_other_method_is() {
        let properties = json!({"dry_run": {}, "method": {}, "path": {}});
        let tools = tools_from_manifest(&json!({"actions": [write_action("api-request", true, properties)]})).unwrap();
        let get = ran(input(&tools[0], json!({"method": " get ", "path": "/x", "dry_run": null})));
        assert_eq!(get, (json!({"method": " get ", "path": "/x", "dry_run": null}), None));
        let delete = ran(input(&tools[0], json!({"method": "DELETE", "path": "/x"})));
        assert_eq!(delete.1, Some(PreviewReason::Defaulted));
        assert_eq!(delete.0["dry_run"], true);
    }

    #[test]
    fn a_write_without_a_dry_run_input_is_listed_but_never_run() {
        let tools = tools_from_manifest(&json!({"actions": [write_action("wipe", true, json!({"x": {}}))]})).unwrap();
        assert_eq!(tools[0].writes, Writes::Unpreviewable);
        assert!(tools[0].tool.description.as_deref().unwrap().ends_with(UNPREVIEWABLE_NOTE));
        assert_eq!(input(&tools[0], json!({"x": 1})), Prepared::Refused);
        let refused = serde_json::to_value(refused_result("wipe")).unwrap();
        assert_eq!(refused["isError"], true);
        assert_eq!(refused["structuredContent"]["error"], NOT_PREVIEWABLE_KIND);
        assert!(refused["content"][0]["text"].as_str().unwrap().contains("dockerhub-org run wipe"), "{refused}");
    }

    #[test]
    fn a_previews_answer_says_how_to_apply_it() {
        let note = preview_note("remove-member", PreviewReason::Defaulted);
        let result =
            serde_json::to_value(tool_result(Ok(Ok(r#"{"dry_run":true}"#.into())), Some(&note), None)).unwrap();
        let text = result["content"][1]["text"].as_str().unwrap();
        assert!(text.contains("nothing was changed"), "{text}");
        assert!(text.contains(r#"call remove-member again with the same arguments and "dry_run": false"#), "{text}");
        assert!(preview_note("x", PreviewReason::Asked).starts_with("This was a preview"));
    }

    #[test]
    fn a_manifest_action_without_an_input_schema_is_refused_by_name() {
        let broken = json!({"actions": [{"name": "x", "read_only": true, "destructive": false, "idempotent": true}]});
        let error = tools_from_manifest(&broken).unwrap_err().to_string();
        assert!(error.contains("\"x\"") && error.contains("input_schema"), "{error}");
    }

    #[test]
    fn outputs_are_structured_content_with_a_text_copy() {
        let result = tool_result(Ok(Ok(r#"{"count":2}"#.to_string())), None, None);
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
        let value = serde_json::to_value(tool_result(Ok(Err(error)), None, None)).unwrap();
        assert_eq!(value["isError"], true);
        assert_eq!(
            value["structuredContent"],
            json!({"error": "rate-limited", "message": "Rate limited.", "detail": {"resume_page": 3},
                   "retry_after": 1_700_000_000})
        );
        assert_eq!(value["content"][0]["text"], "rate-limited: Rate limited.\ndetail: {\"resume_page\":3}");

        let missing = ActionError::MissingCredential(ErrorInfo { message: "Token is required.".into(), detail: None });
        let value = serde_json::to_value(tool_result(Ok(Err(missing)), None, Some("Set DOCKERHUB_OAT."))).unwrap();
        assert_eq!(value["structuredContent"]["message"], "Token is required. Set DOCKERHUB_OAT.");

        let host = serde_json::to_value(tool_result(Err(anyhow!("fuel exhausted")), None, None)).unwrap();
        assert_eq!(host["structuredContent"], json!({"error": HOST_ERROR_KIND, "message": "fuel exhausted"}));
    }
}
