//! An action's JSON output, written once.
//!
//! A typed output is serialised once ([`IntoOutput`]). The member, team and team-member listings
//! write their object field by field with an [`ObjectWriter`]
//! (`actions::paging::write_listing`), so a 10 000-member roster goes into the output text page by
//! page as the pages arrive: neither the pages nor a tree of every member is kept (see
//! docs/performance.md). serde_json writes every key and value; this module only
//! places the commas and brackets between them.

use serde::Serialize;

use crate::client::Client;
use crate::client::rate_limit::RateLimit;
use crate::error::{Error, Result};

/// The `meta` block of every output that talked to Docker Hub.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Meta {
    /// HTTP requests this call sent (token exchanges and retries included).
    pub requests: u32,
    /// Docker Hub's rate-limit state from the last answer that reported it (`X-RateLimit-*`).
    pub rate_limit: Option<RateLimit>,
}

impl Meta {
    /// The client's request count and last rate-limit state.
    pub fn of(client: &Client) -> Self {
        Meta { requests: client.request_count(), rate_limit: client.rate_limit() }
    }
}

/// The JSON text of an action's output object.
#[derive(Debug, Clone, PartialEq)]
pub struct Output(String);

impl Output {
    /// The JSON text.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The JSON text, borrowed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What an action function may return: a typed output (serialised here, once) or an [`Output`]
/// already written (the streaming listings).
pub trait IntoOutput {
    /// The output text.
    fn into_output(self) -> Result<Output>;
}

impl IntoOutput for Output {
    fn into_output(self) -> Result<Output> {
        Ok(self)
    }
}

impl<T: Serialize> IntoOutput for T {
    fn into_output(self) -> Result<Output> {
        let mut buf = Vec::new();
        write_value(&mut buf, &self)?;
        // serde_json writes UTF-8.
        Ok(Output(String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())))
    }
}

/// Writes one JSON object: fields, and arrays whose elements come one at a time.
#[derive(Debug)]
pub struct ObjectWriter {
    buf: Vec<u8>,
    fields: usize,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl ObjectWriter {
    /// An empty object.
    pub fn new() -> Self {
        ObjectWriter { buf: vec![b'{'], fields: 0 }
    }

    fn key(&mut self, key: &str) -> Result<()> {
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
        write_value(&mut self.buf, key)?;
        self.buf.push(b':');
        Ok(())
    }

    /// Adds `key: value`.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<()> {
        self.key(key)?;
        write_value(&mut self.buf, value)
    }

    /// Opens the array `key`; it is closed when the returned writer is finished or dropped.
    pub fn array(&mut self, key: &str) -> Result<ArrayWriter<'_>> {
        self.key(key)?;
        self.buf.push(b'[');
        Ok(ArrayWriter { buf: &mut self.buf, len: 0, start: 0 })
    }

    /// Closes the object.
    pub fn finish(mut self) -> Output {
        self.buf.push(b'}');
        // Only serde_json output and ASCII punctuation went in.
        Output(String::from_utf8(self.buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
}

/// The elements of an array inside an [`ObjectWriter`].
#[derive(Debug)]
pub struct ArrayWriter<'w> {
    buf: &'w mut Vec<u8>,
    len: usize,
    /// Where the first element starts (to measure the average element).
    start: usize,
}

impl ArrayWriter<'_> {
    /// Appends one element.
    pub fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        if self.len == 0 {
            self.start = self.buf.len();
        } else {
            self.buf.push(b',');
        }
        self.len += 1;
        write_value(self.buf, value)
    }

    /// Elements written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no element has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Makes room for `total` elements in all, sized like the average one so far (plus an eighth),
    /// so a long listing does not grow its text by doubling, each step copying all written before.
    /// Cheap to call after every page: it only reserves when the room left looks too small.
    pub fn reserve_for(&mut self, total: usize) {
        if self.len == 0 || total <= self.len {
            return;
        }
        let average = (self.buf.len() - self.start).div_ceil(self.len) + 1;
        // A wrong `count` from the service must not reserve absurd amounts: the output's cap at most.
        let wanted = (total - self.len).saturating_mul(average).min(crate::client::budget::MAX_OUTPUT_BYTES);
        if self.buf.capacity() - self.buf.len() < wanted {
            // Only a hint: when the room cannot be had, the text grows as it is written.
            let _ = self.buf.try_reserve_exact(wanted + wanted / 8);
        }
    }
}

impl Drop for ArrayWriter<'_> {
    fn drop(&mut self) {
        self.buf.push(b']');
    }
}

/// Appends `value` to the output text, refusing to grow it past
/// [`MAX_OUTPUT_BYTES`](crate::client::budget::MAX_OUTPUT_BYTES).
fn write_value<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> Result<()> {
    serde_json::to_writer(&mut *buf, value)
        .map_err(|e| Error::invalid_response(format!("The plugin could not write its output: {e}.")))?;
    if buf.len() > crate::client::budget::MAX_OUTPUT_BYTES {
        return Err(crate::client::budget::too_much_output(buf.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn writes_fields_and_streamed_arrays_as_one_object() {
        let mut out = ObjectWriter::new();
        out.field("organization", "acme \"quoted\"").unwrap();
        {
            let mut members = out.array("members").unwrap();
            members.push(&json!({"username": "a"})).unwrap();
            members.reserve_for(3);
            members.push(&json!({"username": "b"})).unwrap();
            assert_eq!(members.len(), 2);
        }
        out.array("empty").unwrap();
        out.field("count", &Some(2)).unwrap();
        let text = out.finish().into_string();
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            json!({"organization": "acme \"quoted\"", "members": [{"username": "a"}, {"username": "b"}],
                   "empty": [], "count": 2})
        );
    }

    #[test]
    fn an_empty_object_and_a_typed_output_are_written() {
        assert_eq!(ObjectWriter::new().finish().as_str(), "{}");
        assert_eq!(json!({"a": [1]}).into_output().unwrap().as_str(), r#"{"a":[1]}"#);
    }
}
