//! The plugin's actions as `wit/actions.wit` declares them: the one list every build script that
//! needs it reads (the guest's exports, the service's action table), so an action's name is typed
//! in the WIT and in its catalogue entry and nowhere else. Included with `#[path]` by the root
//! `build.rs` and `adapters/http-service/build.rs`.
//!
//! The interface's action functions have one shape, `NAME: func(input: string) -> result<string,
//! action-error>;`, one per line (the WIT is ours and the compiler checks the generated exports
//! against the bindings, so a function of another shape is a build error, not a silent omission).

/// The kebab-case names of the action functions of `wit` (the text of `wit/actions.wit`), in file
/// order; `describe` (no input) is not an action.
pub fn action_names(wit: &str) -> Vec<String> {
    wit.lines()
        .filter_map(|line| line.trim().split_once(": func(input: string)").map(|(name, _)| name.trim().to_string()))
        .collect()
}

/// `name` as its export's Rust function name (`list-members` -> `list_members`).
pub fn snake(name: &str) -> String {
    name.replace('-', "_")
}
