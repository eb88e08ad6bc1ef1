//! The MCP server's standard input, one message (line) at a time, with a bound that answers.
//!
//! rmcp reads at most [`MAX_MESSAGE_BYTES`] per message and drops a longer one without a word, so
//! a client that sent a 20 MB tool call waited for an answer that never came. This reader sits in
//! front of rmcp: lines within the bound pass through unchanged; a longer one is never buffered
//! (it is scanned as it streams past, in constant memory, for its top-level JSON-RPC `id`) and is
//! replaced by a small request with the same `id` for the reserved tool [`OVERSIZED_TOOL`], which
//! the server answers with a JSON-RPC error ([`oversized_error`]). A message without an `id` (a
//! notification, or not JSON) gets no answer, as JSON-RPC says; it is noted on standard error.

use rmcp::ErrorData as McpError;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, DuplexStream};

/// The largest message read: rmcp's own limit (16 MiB).
pub const MAX_MESSAGE_BYTES: usize = rmcp::transport::async_rw::DEFAULT_MAX_LINE_LENGTH;

/// The tool an oversized request is replaced with; its one argument, `bytes`, is how long the
/// message was (at least).
pub const OVERSIZED_TOOL: &str = "dockerhub-org/message-too-large";

/// The tool a message that gives a key twice is replaced with; its one argument, `key`, names
/// it. rmcp's JSON reading keeps the last of two equal keys, so `{"dry_run": true, "dry_run":
/// false}` would reach the server as a real run: such a message is refused instead, as the
/// component refuses such an input.
pub const DUPLICATE_KEY_TOOL: &str = "dockerhub-org/duplicate-key";

/// The JSON-RPC error for a call of [`DUPLICATE_KEY_TOOL`] with `arguments`.
pub fn duplicate_key_error(arguments: Option<&serde_json::Map<String, Value>>) -> McpError {
    let key = arguments.and_then(|a| a.get("key")).and_then(Value::as_str).unwrap_or_default();
    McpError::invalid_params(
        format!(
            "the message gives the key \"{key}\" twice in one object; each key may be given once, so that no value \
             silently overrides another (a dry run must never become a real run): send it once"
        ),
        Some(json!({"field": key, "expected": "each key once"})),
    )
}

/// `line` itself, or, when an object in it gives a key twice, a call of [`DUPLICATE_KEY_TOOL`]
/// with the message's `id` (a notification is dropped, with a note on standard error).
fn checked(line: Vec<u8>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&line) else { return line };
    let Some(key) = dockerhub_org::actions::input::duplicate_key(text) else { return line };
    let id = serde_json::from_str::<Value>(text).ok().and_then(|m| m.get("id").cloned());
    match id.filter(|id| id.is_string() || id.is_number()) {
        Some(id) => {
            let request = json!({
                "jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": DUPLICATE_KEY_TOOL, "arguments": {"key": key}},
            });
            format!("{request}\n").into_bytes()
        }
        None => {
            eprintln!("dockerhub-org mcp: dropped a notification that gives the key \"{key}\" twice");
            b"\n".to_vec()
        }
    }
}

/// `input` with every line longer than [`MAX_MESSAGE_BYTES`] replaced as the module comment says.
/// Spawns the forwarding task on the current tokio runtime.
pub fn bounded(input: impl AsyncRead + Unpin + Send + 'static) -> DuplexStream {
    let (reader, writer) = tokio::io::duplex(64 * 1024);
    tokio::spawn(forward(input, writer, MAX_MESSAGE_BYTES));
    reader
}

/// The JSON-RPC error for a call of [`OVERSIZED_TOOL`] with `arguments`.
pub fn oversized_error(arguments: Option<&serde_json::Map<String, Value>>) -> McpError {
    let bytes = arguments.and_then(|a| a.get("bytes")).and_then(Value::as_u64).unwrap_or(0);
    McpError::invalid_request(
        format!(
            "the message was {bytes} bytes or more; this server reads messages of at most {MAX_MESSAGE_BYTES} bytes \
             (16 MiB), and an action's input is at most 1 MiB: send a smaller one"
        ),
        Some(json!({"bytes": bytes, "max_bytes": MAX_MESSAGE_BYTES})),
    )
}

/// Copies `input` to `output` line by line, replacing lines longer than `max` bytes.
async fn forward(mut input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin, max: usize) {
    let mut line: Vec<u8> = Vec::new();
    let mut oversized: Option<Oversized> = None;
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = match input.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        let mut rest = &chunk[..read];
        while !rest.is_empty() {
            let newline = memchr::memchr(b'\n', rest);
            let part = &rest[..newline.map_or(rest.len(), |at| at + 1)];
            rest = &rest[part.len()..];
            if let Some(big) = oversized.as_mut() {
                big.feed(part);
            } else if line.len() + part.len() > max {
                let mut big = Oversized::default();
                big.feed(&line);
                big.feed(part);
                line = Vec::new();
                oversized = Some(big);
            } else {
                line.extend_from_slice(part);
            }
            if newline.is_none() {
                continue;
            }
            let out = match oversized.take() {
                Some(big) => big.replacement(),
                None => checked(std::mem::take(&mut line)),
            };
            if output.write_all(&out).await.is_err() || output.flush().await.is_err() {
                return;
            }
        }
    }
    if !line.is_empty() {
        let _ = output.write_all(&line).await;
    }
    let _ = output.shutdown().await;
}

/// An oversized message streaming past: its length and what its scan found.
#[derive(Default)]
struct Oversized {
    bytes: u64,
    scan: IdScan,
}

impl Oversized {
    fn feed(&mut self, part: &[u8]) {
        self.bytes += part.len() as u64;
        part.iter().for_each(|&b| self.scan.byte(b));
    }

    /// The line that replaces the message: a call of [`OVERSIZED_TOOL`] with its `id`, or an empty
    /// line (skipped by rmcp) when it had none.
    fn replacement(self) -> Vec<u8> {
        let Some(id) = self.scan.id() else {
            eprintln!(
                "dockerhub-org mcp: dropped a message of {} bytes or more without a JSON-RPC id (at most {} bytes are read)",
                self.bytes, MAX_MESSAGE_BYTES
            );
            return b"\n".to_vec();
        };
        let request = json!({
            "jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": OVERSIZED_TOOL, "arguments": {"bytes": self.bytes}},
        });
        format!("{request}\n").into_bytes()
    }
}

/// Where a scan is in the top-level object.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Top {
    /// Before a key (after `{` or `,`).
    #[default]
    Key,
    /// Reading a key; `true` while it may still be `id`.
    InKey,
    /// After a key, before `:`; whether the key was `id`.
    Colon(bool),
    /// After `:`, before the value; whether it is the id's.
    Value(bool),
    /// In a value; whether it is the id's (a scalar: string or number).
    InValue(bool),
}

/// Finds a JSON object's top-level `"id"` value in one pass over its bytes, in constant memory:
/// only the current top-level key and the id's value (when short) are kept.
#[derive(Default)]
struct IdScan {
    depth: u32,
    in_string: bool,
    escaped: bool,
    top: Top,
    key: Vec<u8>,
    value: Vec<u8>,
    id: Option<Vec<u8>>,
}

/// The longest key or id value kept.
const MAX_KEPT: usize = 256;

impl IdScan {
    fn keep(buffer: &mut Vec<u8>, b: u8) {
        if buffer.len() <= MAX_KEPT {
            buffer.push(b);
        }
    }

    fn byte(&mut self, b: u8) {
        let top_level = self.depth == 1;
        if self.in_string {
            let ends = !self.escaped && b == b'"';
            self.escaped = !self.escaped && b == b'\\';
            if ends {
                self.in_string = false;
            }
            match self.top {
                _ if !top_level => {}
                Top::InKey if ends => self.top = Top::Colon(self.key == b"id"),
                Top::InKey => Self::keep(&mut self.key, b),
                Top::InValue(true) => Self::keep(&mut self.value, b),
                _ => {}
            }
            return;
        }
        match b {
            b'"' => {
                self.in_string = true;
                match self.top {
                    Top::Key if top_level => {
                        self.key.clear();
                        self.top = Top::InKey;
                    }
                    Top::Value(is_id) if top_level => {
                        self.value = vec![b'"'];
                        self.top = Top::InValue(is_id);
                    }
                    _ => {}
                }
            }
            b'{' | b'[' => {
                if let Top::Value(_) = self.top
                    && top_level
                {
                    self.top = Top::InValue(false);
                }
                self.depth += 1;
            }
            b'}' | b']' => {
                if top_level {
                    self.finish_value();
                }
                self.depth = self.depth.saturating_sub(1);
            }
            b',' if top_level => {
                self.finish_value();
                self.top = Top::Key;
            }
            b':' if top_level => {
                if let Top::Colon(is_id) = self.top {
                    self.top = Top::Value(is_id);
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if top_level => match self.top {
                Top::Value(is_id) => {
                    self.value = vec![b];
                    self.top = Top::InValue(is_id);
                }
                Top::InValue(true) => Self::keep(&mut self.value, b),
                _ => {}
            },
            _ => {}
        }
    }

    fn finish_value(&mut self) {
        if self.top == Top::InValue(true) && self.value.len() <= MAX_KEPT {
            self.id = Some(std::mem::take(&mut self.value));
        }
    }

    /// The id found: a JSON string or number (anything else is no JSON-RPC id).
    fn id(&self) -> Option<Value> {
        let value: Value = serde_json::from_slice(self.id.as_deref()?).ok()?;
        (value.is_string() || value.is_number()).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt as _;

    use super::*;

    fn scan(text: &str) -> Option<Value> {
        let mut scan = IdScan::default();
        text.bytes().for_each(|b| scan.byte(b));
        scan.id()
    }

    #[test]
    fn the_top_level_id_is_found_wherever_it_is() {
        assert_eq!(scan(r#"{"jsonrpc":"2.0","id":7,"method":"tools/call"}"#), Some(json!(7)));
        assert_eq!(
            scan(r#"{"method":"x","params":{"id":1,"a":[{"id":2}]},"id":"req-\"9\""}"#),
            Some(json!("req-\"9\""))
        );
        assert_eq!(scan(r#"{ "params" : { "arguments" : { "s" : "\"id\":5," } } , "id" : 42 }"#), Some(json!(42)));
        assert_eq!(scan(r#"{"jsonrpc":"2.0","method":"notifications/x","params":{"id":3}}"#), None);
        assert_eq!(scan(r#"{"id":{"a":1}}"#), None);
        assert_eq!(scan(r#"{"id":null}"#), None);
        assert_eq!(scan("garbage"), None);
    }

    async fn forwarded(input: Vec<u8>, max: usize) -> String {
        let (mut reader, writer) = tokio::io::duplex(1024);
        let forwarding = tokio::spawn(forward(std::io::Cursor::new(input), writer, max));
        let mut out = String::new();
        reader.read_to_string(&mut out).await.unwrap();
        forwarding.await.unwrap();
        out
    }

    #[test]
    fn short_lines_pass_and_a_long_one_becomes_a_request_with_its_id() {
        let tokio = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let long = format!(
            r#"{{"method":"tools/call","params":{{"arguments":{{"s":"{}"}}}},"id":12,"jsonrpc":"2.0"}}"#,
            "x".repeat(500)
        );
        let input = format!("{{\"id\":1}}\n{long}\n{{\"id\":2}}\n{}\ntail", "y".repeat(300));
        let out = tokio.block_on(forwarded(input.into_bytes(), 100));
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(lines[0], r#"{"id":1}"#);
        let replaced: Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(replaced["id"], 12);
        assert_eq!(replaced["params"]["name"], OVERSIZED_TOOL);
        assert_eq!(replaced["params"]["arguments"]["bytes"], long.len() + 1);
        assert_eq!(lines[2], r#"{"id":2}"#);
        assert_eq!(lines[3], "", "a long line without an id is dropped");
        assert_eq!(lines[4], "tail", "an unterminated last line is passed on for rmcp to judge");
    }

    #[test]
    fn a_message_that_gives_a_key_twice_becomes_a_request_that_is_refused() {
        let tokio = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let call = r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"remove-member","arguments":{"username":"bob","dry_run":true,"dry_run":false}}}"#;
        let note = r#"{"jsonrpc":"2.0","method":"notifications/x","params":{"a":1,"a":2}}"#;
        let out = tokio.block_on(forwarded(format!("{call}\n{note}\n{{\"id\":3}}\n").into_bytes(), 10_000));
        let lines: Vec<&str> = out.split('\n').collect();
        let replaced: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!((&replaced["id"], &replaced["params"]["name"]), (&json!(5), &json!(DUPLICATE_KEY_TOOL)));
        assert_eq!(replaced["params"]["arguments"]["key"], "dry_run");
        assert_eq!(lines[1], "", "a notification with a key given twice is dropped");
        assert_eq!(lines[2], r#"{"id":3}"#, "other messages pass unchanged");
        let e = duplicate_key_error(replaced["params"]["arguments"].as_object());
        assert!(e.message.contains("\"dry_run\" twice"), "{}", e.message);
    }
}
