//! The wiremock mocks the test files mount alike: an API call with the test bearer and an exact
//! query, a page of a listing, and the member search that resolving a person by username or email
//! sends.

use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Match, Mock, MockBuilder, Request, ResponseTemplate};

use super::{Hub, bearer, fixture};

/// Matches a request whose query string is exactly `self.0` (no query at all when empty).
pub struct QueryIs(pub String);

impl Match for QueryIs {
    fn matches(&self, request: &Request) -> bool {
        request.url.query().unwrap_or("") == self.0
    }
}

/// Matches a request with no body.
pub struct NoBody;

impl Match for NoBody {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty()
    }
}

/// A mock for `verb` on `route` carrying the test bearer token and exactly the query `query`.
pub fn api(verb: &str, route: &str, query: &str) -> MockBuilder {
    Mock::given(method(verb)).and(path(route)).and(QueryIs(query.to_string())).and(header("authorization", bearer()))
}

/// A listing's one and only page holding `results` (Docker's page object, no links).
pub fn one_page(results: &[Value]) -> Value {
    json!({ "count": results.len(), "next": null, "previous": null, "results": results })
}

/// Mounts `GET <route>?page=<page>&page_size=<size>` (exactly that query, with the bearer) answering
/// `body`, expected `times` times.
pub async fn mount_page(hub: &Hub, route: &str, page: u32, size: u32, body: Value, times: u64) {
    api("GET", route, &format!("page={page}&page_size={size}"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .named(format!("{route} page {page}"))
        .expect(times)
        .mount(&hub.server)
        .await;
}

/// Mounts pages 1 to `pages` of `route` at 100 a page, page `n` answering `fixtures/<stem>-<n>.json`,
/// each expected `times` times.
pub async fn mount_fixture_pages(hub: &Hub, route: &str, stem: &str, pages: u32, times: u64) {
    for n in 1..=pages {
        mount_page(hub, route, n, 100, fixture(&format!("{stem}-{n}.json")), times).await;
    }
}

/// Mounts the member search that resolving a person sends, `GET /v2/orgs/acme/members` with exactly
/// `search=<search>&page=1&page_size=100` (`search` as sent: percent-encoded), answering `body`,
/// expected `times` times.
pub async fn member_search(hub: &Hub, search: &str, body: Value, times: u64) {
    api("GET", "/v2/orgs/acme/members", &format!("search={search}&page=1&page_size=100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .named(format!("member search for {search}"))
        .expect(times)
        .mount(&hub.server)
        .await;
}

/// Mounts `DELETE <route>` (with the bearer, no query) as Docker answers a resource deleted twice:
/// 204 the first time, then 404 with `{"detail": detail}`; each answer expected once.
pub async fn mount_delete_once(hub: &Hub, route: &str, detail: &str) {
    api("DELETE", route, "")
        .respond_with(ResponseTemplate::new(204))
        .up_to_n_times(1)
        .named(format!("DELETE {route}"))
        .expect(1)
        .mount(&hub.server)
        .await;
    api("DELETE", route, "")
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({ "detail": detail })))
        .named(format!("DELETE {route} again"))
        .expect(1)
        .mount(&hub.server)
        .await;
}

/// Mounts `GET /v2/orgs/acme/members` (any query, any token) answering the three members of
/// `fixtures/members/page-small.json`, expected `times` times.
pub async fn mount_small_listing(hub: &Hub, times: u64) {
    Mock::given(method("GET"))
        .and(path("/v2/orgs/acme/members"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("members/page-small.json")))
        .named("member listing (small)")
        .expect(times)
        .mount(&hub.server)
        .await;
}
