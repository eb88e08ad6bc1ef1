//! Which `wasi:config/store` keys a connection value is looked up under.
//!
//! The plugin asks for the keys it always has (`organization-name`, `organization-access-token`,
//! `hub-url`, `retry-budget-seconds`). `wasmtime serve -S config-var=...` and wasmCloud take them as
//! they are; Spin variable names allow only letters, digits and underscores, so the same key with
//! underscores (`organization_access_token`) is tried next.

/// The plugin's key for the Docker Hub base URL (the allow-list is built from it).
pub const HUB_URL: &str = "hub-url";
/// Optional: most requests of a batch in flight at once (1 sends them one after another).
pub const MAX_CONCURRENCY: &str = "max-concurrency";
/// Optional: the `wasi:keyvalue` bucket the cache opens (otherwise `""`, then `"default"`).
pub const CACHE_BUCKET: &str = "cache-bucket";

/// The keys to try for `key`, in order: the key itself, then its underscore spelling when that
/// differs.
pub fn candidates(key: &str) -> impl Iterator<Item = String> {
    let underscored = key.replace('-', "_");
    let second = (underscored != key).then_some(underscored);
    std::iter::once(key.to_string()).chain(second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyphenated_keys_are_also_tried_with_underscores() {
        assert_eq!(
            candidates("organization-access-token").collect::<Vec<_>>(),
            ["organization-access-token", "organization_access_token"]
        );
        assert_eq!(candidates("plain").collect::<Vec<_>>(), ["plain"]);
    }
}
