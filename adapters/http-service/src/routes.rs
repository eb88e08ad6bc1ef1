//! Which route a request takes: only three exist, anything else is 404 (unknown path) or 405
//! (known path, wrong method, with `Allow`).

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `POST /actions/{name}`: run the action (the name is not checked here).
    Action(String),
    /// `GET /actions`: the manifest.
    Manifest,
    /// `GET /health`: the health checks.
    Health,
}

/// Why a request has no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No such path (404).
    NotFound,
    /// The path exists but not for this method (405); the methods it takes, for `Allow`.
    MethodNotAllowed(&'static str),
}

/// The route for `method` on `path_with_query` (the query is ignored).
pub fn route(method: &str, path_with_query: &str) -> Result<Route, Refusal> {
    let path = path_with_query.split(['?', '#']).next().unwrap_or_default();
    let (route, allow) = match path {
        "/actions" => (Route::Manifest, "GET"),
        "/health" => (Route::Health, "GET"),
        _ => match path.strip_prefix("/actions/") {
            Some(name) if is_action_name(name) => (Route::Action(name.to_string()), "POST"),
            _ => return Err(Refusal::NotFound),
        },
    };
    if method == allow { Ok(route) } else { Err(Refusal::MethodNotAllowed(allow)) }
}

/// Action names are kebab-case words: lowercase letters, digits and single hyphens.
fn is_action_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .split('-')
            .all(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_routes_take_their_one_method() {
        assert_eq!(route("POST", "/actions/list-members"), Ok(Route::Action("list-members".into())));
        assert_eq!(route("GET", "/actions"), Ok(Route::Manifest));
        assert_eq!(route("GET", "/health?verbose=1"), Ok(Route::Health));
    }

    #[test]
    fn wrong_methods_are_405_with_the_allowed_one() {
        assert_eq!(route("GET", "/actions/list-members"), Err(Refusal::MethodNotAllowed("POST")));
        assert_eq!(route("DELETE", "/actions"), Err(Refusal::MethodNotAllowed("GET")));
        assert_eq!(route("POST", "/health"), Err(Refusal::MethodNotAllowed("GET")));
    }

    #[test]
    fn other_paths_are_404() {
        for path in [
            "/",
            "/actions/",
            "/actions/list-members/",
            "/actions/List",
            "/actions/a--b",
            "/actions/a/b",
            "/healthz",
            "",
        ] {
            assert_eq!(route("POST", path), Err(Refusal::NotFound), "{path}");
        }
    }
}
