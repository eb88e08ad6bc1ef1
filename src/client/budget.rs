//! The limits of one call, checked by the guest before it runs out of memory or fuel: the
//! requests it may send, the bytes it may read from Docker Hub and write as output, and the linear
//! memory it may grow to. Past any of them the call ends as `limit-exceeded`, naming the limit,
//! with how far a listing got (added by the walk). The call's deadline is the fourth limit; the
//! host enforces it and the client names it ([`deadline_exceeded`]).
//!
//! The values leave wide room for real organizations: 10,000 members (the default `max_items`) are
//! 100 pages and about 6 MB of Docker's JSON. They are sized against the reference host's limits
//! (256 MiB of memory, 20 billion units of fuel, 8 MiB per body): reading [`MAX_READ_BYTES`] of the
//! densest JSON costs well under the fuel, and [`MEMORY_CEILING`] leaves room for one more page to
//! be parsed before the memory limit (docs/host.md).

use serde_json::json;

use crate::error::Error;

/// Most requests one call sends (token exchanges and retries included).
pub const MAX_REQUESTS: u32 = 2_000;
/// Most response-body bytes one call reads.
pub const MAX_READ_BYTES: u64 = 64 << 20;
/// Most bytes of output one call writes.
pub const MAX_OUTPUT_BYTES: usize = 64 << 20;
/// Most bytes of one response body the guest reads (a host may cap bodies lower; the reference
/// host caps them at 8 MiB).
pub const MAX_BODY_BYTES: usize = 16 << 20;
/// Most JSON values (objects, arrays, scalars) one response body may hold. Small values expand
/// many times over when read (`[0,0,…]` or `[{},{},…]` take 16 to 100 bytes of memory per byte of
/// text), so their number is bounded, not only the bytes. A page of 100 members is about 2,000.
pub const MAX_VALUES_PER_RESPONSE: usize = 100_000;
/// The linear memory past which the call stops before sending more (wasm32 only: the size is the
/// call's high-water mark, as a fresh instance serves each call). One more response within
/// [`MAX_BODY_BYTES`] and [`MAX_VALUES_PER_RESPONSE`] fits between it and 256 MiB.
pub const MEMORY_CEILING: usize = 160 << 20;

const MIB: u64 = 1 << 20;

/// The error for a call that has sent [`MAX_REQUESTS`] requests.
pub fn too_many_requests(sent: u32) -> Error {
    Error::limit_exceeded(
        "requests",
        u64::from(MAX_REQUESTS),
        format!(
            "This call has sent {sent} requests, the most one call may send. Narrow the query, use a larger page_size, or continue in another call."
        ),
    )
}

/// The error for a call whose responses passed [`MAX_READ_BYTES`].
pub fn too_many_bytes_read(read: u64) -> Error {
    Error::limit_exceeded(
        "bytes-read",
        MAX_READ_BYTES,
        format!(
            "Docker Hub's answers to this call reached {} MiB, more than the {} MiB one call may read. Narrow the query or continue in another call.",
            read / MIB,
            MAX_READ_BYTES / MIB
        ),
    )
}

/// The error for output text that passed [`MAX_OUTPUT_BYTES`].
pub fn too_much_output(written: usize) -> Error {
    Error::limit_exceeded(
        "output-bytes",
        MAX_OUTPUT_BYTES as u64,
        format!(
            "The output reached {} MiB, more than the {} MiB one call may write. Narrow the query or page through it with page and page_size.",
            written as u64 / MIB,
            MAX_OUTPUT_BYTES as u64 / MIB
        ),
    )
}

/// The error for a call whose memory passed [`MEMORY_CEILING`].
pub fn too_much_memory(bytes: usize) -> Error {
    Error::limit_exceeded(
        "memory",
        MEMORY_CEILING as u64,
        format!(
            "This call's answers took {} MiB of memory to read, more than the {} MiB one call may use. Narrow the query or continue in another call.",
            bytes as u64 / MIB,
            MEMORY_CEILING as u64 / MIB
        ),
    )
}

/// The error for a call whose deadline passed while `target` was being requested, after `sent`
/// requests.
pub fn deadline_exceeded(target: &str, seconds: u64, sent: u32, reason: &str) -> Error {
    Error::limit_exceeded(
        "deadline",
        seconds,
        format!(
            "The call reached its deadline of {seconds} s before Docker Hub answered {target} ({reason}; {sent} {} sent). Raise the deadline (the connection value \"call-timeout-seconds\", or --timeout), narrow the query, or continue in another call.",
            if sent == 1 { "request" } else { "requests" }
        ),
    )
    .add_detail(json!({ "requests": sent }))
}

/// Why a response body cannot be read within the call's memory, if it cannot: too many bytes, or
/// too many JSON values ([`MAX_VALUES_PER_RESPONSE`]; counted without parsing, stopping at the
/// bound, so a hostile body costs one pass over its bytes).
pub fn unreadable_body(body: &[u8]) -> Option<String> {
    if body.len() > MAX_BODY_BYTES {
        return Some(format!(
            "a body of {} MiB, more than the {} MiB the plugin reads",
            body.len() as u64 / MIB,
            MAX_BODY_BYTES as u64 / MIB
        ));
    }
    // A body holds at most one value more than it has bytes: a short one (a page of 100 members
    // is about 63 KB) cannot pass the bound, and is not scanned.
    if body.len() < MAX_VALUES_PER_RESPONSE {
        return None;
    }
    (json_values_at_least(body, MAX_VALUES_PER_RESPONSE + 1) > MAX_VALUES_PER_RESPONSE)
        .then(|| format!("more than {MAX_VALUES_PER_RESPONSE} JSON values in one body"))
}

/// An upper bound on the JSON values in `text` (one more than its commas and opening brackets
/// outside strings), counted up to `stop_at`.
fn json_values_at_least(text: &[u8], stop_at: usize) -> usize {
    let (mut values, mut in_string, mut escaped) = (1usize, false, false);
    for &byte in text {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b',' | b'[' | b'{' => {
                values += 1;
                if values >= stop_at {
                    return values;
                }
            }
            _ => {}
        }
    }
    values
}

/// The call's linear memory in bytes (wasm32), or `None` where there is no such measure.
pub fn memory_in_use() -> Option<usize> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(core::arch::wasm32::memory_size(0) * 65_536)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Checks the memory ceiling (see [`MEMORY_CEILING`]).
pub fn check_memory() -> Result<(), Error> {
    match memory_in_use() {
        Some(bytes) if bytes > MEMORY_CEILING => Err(too_much_memory(bytes)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_counted_outside_strings_only() {
        assert_eq!(json_values_at_least(br#"{"a":[1,2,3],"b":"x,y{[\",z"}"#, 100), 6);
        assert_eq!(json_values_at_least(b"[0,0,0,0,0,0]", 3), 3);
        assert!(unreadable_body(br#"{"count":1,"results":[{"username":"a"}]}"#).is_none());
        let hostile = format!("[{}0]", "0,".repeat(MAX_VALUES_PER_RESPONSE));
        assert!(unreadable_body(hostile.as_bytes()).unwrap().contains("JSON values"));
    }
}
