//! A cache entry as stored in `wasi:keyvalue`, which has no TTL: the expiry (Unix seconds, 8 bytes
//! big-endian) is stored in front of the value and checked against `wasi:clocks/wall-clock` on
//! every read.

/// Bytes in front of the value.
const HEADER: usize = 8;

/// What a stored entry holds at time `now`.
#[derive(Debug, PartialEq, Eq)]
pub enum Entry {
    /// Still valid: the value.
    Fresh(Vec<u8>),
    /// Past its expiry, or not written by this adapter: delete it.
    Stale,
}

/// The bytes to store for `value`, valid for `ttl_seconds` from `now` (Unix seconds). `None` for a
/// zero TTL: nothing should be stored (the reference host stores nothing either).
pub fn encode(value: &[u8], now: u64, ttl_seconds: u32) -> Option<Vec<u8>> {
    if ttl_seconds == 0 {
        return None;
    }
    let expires = now.saturating_add(u64::from(ttl_seconds));
    let mut bytes = Vec::with_capacity(HEADER + value.len());
    bytes.extend_from_slice(&expires.to_be_bytes());
    bytes.extend_from_slice(value);
    Some(bytes)
}

/// Reads stored `bytes` at `now` (Unix seconds).
pub fn decode(mut bytes: Vec<u8>, now: u64) -> Entry {
    let Some(header) = bytes.get(..HEADER).and_then(|h| <[u8; HEADER]>::try_from(h).ok()) else {
        return Entry::Stale;
    };
    if u64::from_be_bytes(header) <= now {
        return Entry::Stale;
    }
    bytes.drain(..HEADER);
    Entry::Fresh(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_fresh_until_its_expiry_and_stale_from_then_on() {
        let stored = encode(b"jwt", 1_000, 60).unwrap();
        assert_eq!(decode(stored.clone(), 1_000), Entry::Fresh(b"jwt".to_vec()));
        assert_eq!(decode(stored.clone(), 1_059), Entry::Fresh(b"jwt".to_vec()));
        assert_eq!(decode(stored, 1_060), Entry::Stale);
    }

    #[test]
    fn zero_ttl_stores_nothing_and_foreign_bytes_are_stale() {
        assert_eq!(encode(b"x", 1, 0), None);
        assert_eq!(decode(b"short".to_vec(), 0), Entry::Stale);
        assert_eq!(decode(Vec::new(), 0), Entry::Stale);
    }

    #[test]
    fn an_empty_value_round_trips() {
        assert_eq!(decode(encode(b"", 5, 1).unwrap(), 5), Entry::Fresh(Vec::new()));
    }
}
