//! Walking a listing: when it stops, how pages are batched, the item cap, and what an interrupted
//! walk reports.

use super::super::paging::{DEFAULT_CONCURRENCY, PageSpec};
use super::*;
use crate::api::{Endpoint, Page, Paged};
use crate::error::{ErrorKind, Result};

/// What a walk collected, for the assertions.
#[derive(Debug)]
struct Listing<T> {
    items: Vec<T>,
    count: Option<u64>,
    pages: u32,
}

/// Every item `Client::walk` hands over, in order.
fn list_all_pages<L: Paged>(
    client: &Client,
    spec: PageSpec,
    page: &dyn Fn(u32) -> Endpoint<L>,
) -> Result<Listing<L::Item>> {
    let mut items = Vec::new();
    let walked = client.walk(spec, page, &mut |chunk, _| {
        items.extend(chunk);
        Ok(())
    })?;
    Ok(Listing { items, count: walked.count, pages: walked.pages })
}

const MEMBERS: &str = "/v2/orgs/acme/members";

fn build(page_size: u32) -> impl Fn(u32) -> Endpoint<Page<Value>> {
    move |page| request(Method::Get, MEMBERS).query("page", page).query("page_size", page_size).into()
}

fn page_route(page: u32, page_size: u32) -> String {
    format!("GET {MEMBERS}?page={page}&page_size={page_size}")
}

/// Page `page` holding `len` items (numbered by their place in the whole listing), with `count`
/// and, when `next`, a link to the next page.
fn page(page: u32, page_size: u32, len: u32, count: Option<u64>, next: bool) -> Answer {
    let first = (page - 1) * page_size;
    let results: Vec<Value> = (first..first + len).map(|i| json!({ "id": i })).collect();
    let next = next.then(|| format!("https://elsewhere.example/v2/orgs/acme/members?page={}", page + 1));
    ok_json(200, json!({ "count": count, "next": next, "previous": null, "results": results }))
}

/// How a walk must end.
#[derive(Debug)]
enum Ends {
    /// With `items` items (numbered from the first page's first), `pages` pages and `count`.
    Listed { items: u32, pages: u32, count: Option<u64> },
    /// With an error of `kind` whose detail holds every field of `detail` (`Null`: no detail).
    Failed { kind: ErrorKind, detail: Value },
}

/// One walk: its spec, the answers per page, and how it must end.
struct Row {
    behaviour: &'static str,
    spec: PageSpec,
    pages: Vec<(u32, Answer)>,
    ends: Ends,
    /// Sizes of the batches sent.
    batches: Vec<usize>,
}

fn spec(page_size: u32) -> PageSpec {
    PageSpec { start_page: 1, page_size, max_items: 10_000, truncate: false }
}

fn rows() -> Vec<Row> {
    let c = Some;
    vec![
        Row {
            behaviour: "without a count, pages are followed one by one until no next",
            spec: spec(2),
            pages: vec![
                (1, page(1, 2, 2, None, true)),
                (2, page(2, 2, 2, None, true)),
                (3, page(3, 2, 1, None, false)),
            ],
            ends: Ends::Listed { items: 5, pages: 3, count: None },
            batches: vec![],
        },
        Row {
            behaviour: "an empty page stops the walk even when it names a next page",
            spec: spec(2),
            pages: vec![(1, page(1, 2, 2, None, true)), (2, page(2, 2, 0, None, true))],
            ends: Ends::Listed { items: 2, pages: 2, count: None },
            batches: vec![],
        },
        Row {
            behaviour: "a full page without next is the last",
            spec: spec(2),
            pages: vec![(1, page(1, 2, 2, None, false))],
            ends: Ends::Listed { items: 2, pages: 1, count: None },
            batches: vec![],
        },
        Row {
            behaviour: "with a count, the remaining pages go out in one batch",
            spec: spec(2),
            pages: vec![
                (1, page(1, 2, 2, c(7), true)),
                (2, page(2, 2, 2, c(7), true)),
                (3, page(3, 2, 2, c(7), true)),
                (4, page(4, 2, 1, c(7), false)),
            ],
            ends: Ends::Listed { items: 7, pages: 4, count: c(7) },
            batches: vec![3],
        },
        Row {
            behaviour: "a count too high: the page past the real end answers 404 and the walk ends there",
            spec: spec(2),
            pages: vec![
                (1, page(1, 2, 2, c(8), true)),
                (2, page(2, 2, 2, c(8), true)),
                (3, page(3, 2, 2, c(8), true)),
                (4, status(404)),
            ],
            ends: Ends::Listed { items: 6, pages: 3, count: c(8) },
            batches: vec![3],
        },
        Row {
            behaviour: "a count too high: an empty page past the end ends the walk",
            spec: spec(2),
            pages: vec![
                (1, page(1, 2, 2, c(8), true)),
                (2, page(2, 2, 2, c(8), true)),
                (3, page(3, 2, 2, c(8), true)),
                (4, page(4, 2, 0, c(8), false)),
            ],
            ends: Ends::Listed { items: 6, pages: 4, count: c(8) },
            batches: vec![3],
        },
        Row {
            behaviour: "a batched page without next ends the walk; later answers of its batch are dropped",
            spec: spec(2),
            pages: vec![
                (1, page(1, 2, 2, c(8), true)),
                (2, page(2, 2, 2, c(8), false)),
                (3, page(3, 2, 2, c(8), true)),
                (4, page(4, 2, 2, c(8), false)),
            ],
            ends: Ends::Listed { items: 4, pages: 2, count: c(8) },
            batches: vec![3],
        },
        Row {
            behaviour: "a walk stops when it holds the reported count, whatever next says",
            spec: spec(2),
            pages: vec![(1, page(1, 2, 2, c(4), true)), (2, page(2, 2, 2, c(4), true))],
            ends: Ends::Listed { items: 4, pages: 2, count: c(4) },
            batches: vec![1],
        },
        Row {
            behaviour: "a page served again (a server that ignores page) is invalid-response",
            spec: spec(2),
            pages: vec![(1, page(1, 2, 2, c(6), true)), (2, page(1, 2, 2, c(6), true)), (3, page(1, 2, 2, c(6), true))],
            ends: Ends::Failed {
                kind: ErrorKind::InvalidResponse,
                detail: json!({ "reason": "page_repeated", "page": 2, "fetched_items": 2 }),
            },
            batches: vec![2],
        },
        Row {
            behaviour: "without a count, a page served again is invalid-response too",
            spec: spec(2),
            pages: vec![(1, page(1, 2, 2, None, true)), (2, page(1, 2, 2, None, true))],
            ends: Ends::Failed { kind: ErrorKind::InvalidResponse, detail: json!({ "reason": "page_repeated" }) },
            batches: vec![],
        },
        Row {
            behaviour: "a short first page that names a next page is walked one page at a time",
            spec: spec(2),
            pages: vec![(1, page(1, 2, 1, c(120), true)), (2, page(1, 2, 1, c(120), true))],
            ends: Ends::Failed { kind: ErrorKind::InvalidResponse, detail: json!({ "reason": "page_repeated" }) },
            batches: vec![],
        },
        Row {
            behaviour: "a max_items the caller set stops the walk with that many items, no error",
            spec: PageSpec { max_items: 3, truncate: true, ..spec(2) },
            pages: vec![(1, page(1, 2, 2, c(10), true)), (2, page(2, 2, 2, c(10), true))],
            ends: Ends::Listed { items: 3, pages: 2, count: c(10) },
            batches: vec![1],
        },
        Row {
            behaviour: "a max_items the caller set on a page boundary fetches no page past it",
            spec: PageSpec { max_items: 2, truncate: true, ..spec(2) },
            pages: vec![(1, page(1, 2, 2, c(10), true))],
            ends: Ends::Listed { items: 2, pages: 1, count: c(10) },
            batches: vec![],
        },
        Row {
            behaviour: "the pages after the first go to the batch import together (the host keeps 8 in flight)",
            spec: spec(2),
            pages: (1..=20).map(|p| (p, page(p, 2, 2, c(40), p < 20))).collect(),
            ends: Ends::Listed { items: 40, pages: 20, count: c(40) },
            batches: vec![19],
        },
        Row {
            behaviour: "more planned pages than a batch holds go in batches, one batch at a time",
            spec: spec(2),
            pages: (1..=70).map(|p| (p, page(p, 2, 2, c(140), p < 70))).collect(),
            ends: Ends::Listed { items: 140, pages: 70, count: c(140) },
            batches: vec![64, 5],
        },
        Row {
            behaviour: "a walk from page 3 plans only the pages after it",
            spec: PageSpec { start_page: 3, ..spec(2) },
            pages: vec![
                (3, page(3, 2, 2, c(10), true)),
                (4, page(4, 2, 2, c(10), true)),
                (5, page(5, 2, 2, c(10), false)),
            ],
            ends: Ends::Listed { items: 6, pages: 3, count: c(10) },
            batches: vec![2],
        },
        Row {
            behaviour: "a count above max_items fails before any other page is fetched",
            spec: PageSpec { max_items: 5, ..spec(2) },
            pages: vec![(1, page(1, 2, 2, c(6), true))],
            ends: Ends::Failed {
                kind: ErrorKind::InvalidInput,
                detail: json!({ "max_items": 5, "reported_items": 6 }),
            },
            batches: vec![],
        },
        Row {
            behaviour: "without a count, the page that passes max_items fails the walk",
            spec: PageSpec { max_items: 3, ..spec(2) },
            pages: vec![(1, page(1, 2, 2, None, true)), (2, page(2, 2, 2, None, true))],
            ends: Ends::Failed {
                kind: ErrorKind::InvalidInput,
                detail: json!({ "max_items": 3, "reported_items": 4 }),
            },
            batches: vec![],
        },
        Row {
            behaviour: "a refusal inside a batch interrupts the walk and says where to resume",
            spec: spec(2),
            pages: vec![
                (1, page(1, 2, 2, c(8), true)),
                (2, page(2, 2, 2, c(8), true)),
                (3, status(403)),
                (4, page(4, 2, 2, c(8), false)),
            ],
            ends: Ends::Failed {
                kind: ErrorKind::Forbidden,
                detail: json!({ "fetched_items": 4, "fetched_pages": 2, "resume_page": 3, "page_size": 2 }),
            },
            batches: vec![3],
        },
        Row {
            behaviour: "a failure of a page fetched alone interrupts the walk and says where to resume",
            spec: spec(2),
            pages: std::iter::once((1, page(1, 2, 2, None, true)))
                .chain(times(4, status(500)).into_iter().map(|a| (2, a)))
                .collect(),
            ends: Ends::Failed {
                kind: ErrorKind::Upstream { status: 500 },
                detail: json!({ "fetched_items": 2, "fetched_pages": 1, "resume_page": 2 }),
            },
            batches: vec![],
        },
        Row {
            behaviour: "an unreadable page interrupts the walk",
            spec: spec(2),
            pages: vec![
                (1, page(1, 2, 2, c(4), true)),
                (2, Ok(HttpResponse { status: 200, headers: vec![], body: b"<html>".to_vec() })),
            ],
            ends: Ends::Failed {
                kind: ErrorKind::InvalidResponse,
                detail: json!({ "fetched_items": 2, "fetched_pages": 1, "resume_page": 2 }),
            },
            batches: vec![1],
        },
        Row {
            behaviour: "a 404 on the first page is not-found, not an empty listing",
            spec: spec(2),
            pages: vec![(1, status(404))],
            ends: Ends::Failed { kind: ErrorKind::NotFound, detail: Value::Null },
            batches: vec![],
        },
        Row {
            behaviour: "a 404 to a page next promised (no count) interrupts the walk",
            spec: spec(2),
            pages: vec![(1, page(1, 2, 2, None, true)), (2, status(404))],
            ends: Ends::Failed { kind: ErrorKind::NotFound, detail: json!({ "fetched_items": 2, "resume_page": 2 }) },
            batches: vec![],
        },
    ]
}

#[test]
fn walks_stop_batch_cap_and_report_as_documented() {
    for row in rows() {
        let behaviour = row.behaviour;
        let host = ScriptedHost::new();
        host.exchange_gives(&jwt("a"));
        let page_size = row.spec.page_size;
        for (number, answer) in row.pages {
            host.on(&page_route(number, page_size), [answer]);
        }
        let client = client(&host);
        let listed = list_all_pages(&client, row.spec, &build(page_size));
        match (listed, row.ends) {
            (Ok(listing), Ends::Listed { items, pages, count }) => {
                let first = (row.spec.start_page - 1) * page_size;
                let ids: Vec<u64> = listing.items.iter().map(|i| i["id"].as_u64().unwrap()).collect();
                let expected: Vec<u64> = (first..first + items).map(u64::from).collect();
                assert_eq!(ids, expected, "{behaviour}: items in page order");
                assert_eq!((listing.pages, listing.count), (pages, count), "{behaviour}: pages and count");
            }
            (Err(error), Ends::Failed { kind, detail }) => {
                assert_eq!(error.kind, kind, "{behaviour}: {}", error.message);
                let got = error.detail.clone().unwrap_or(Value::Null);
                match detail {
                    Value::Object(fields) => {
                        for (name, value) in fields {
                            assert_eq!(got[&name], value, "{behaviour}: detail {name} in {got}");
                        }
                    }
                    other => assert_eq!(got, other, "{behaviour}: detail"),
                }
            }
            (outcome, ends) => panic!("{behaviour}: expected {ends:?}, got {:?}", outcome.map(|l| l.items.len())),
        }
        let sizes: Vec<usize> = host.batches().iter().map(|(routes, _)| routes.len()).collect();
        assert_eq!(sizes, row.batches, "{behaviour}: batches");
        assert!(host.batches().iter().all(|(_, c)| *c <= DEFAULT_CONCURRENCY), "{behaviour}: concurrency");
        assert!(host.unused().is_empty(), "{behaviour}: unused answers {:?}", host.unused());
    }
}

#[test]
fn an_interrupted_walk_says_how_far_it_got_and_how_to_continue() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(&page_route(1, 2), [page(1, 2, 2, Some(6), true)]);
    host.on(&page_route(2, 2), [page(2, 2, 2, Some(6), true)]);
    host.on(&page_route(3, 2), [status(403)]);
    let client = client(&host);
    let error = list_all_pages(&client, spec(2), &build(2)).unwrap_err();
    assert!(
        error
            .message
            .ends_with("4 items on 2 pages were fetched before this; to continue, run the action again with page=3."),
        "{}",
        error.message
    );
    assert!(error.message.starts_with("The Organization Access Token may not access"), "{}", error.message);
    assert_eq!(error.status, Some(403), "the status survives the interruption note");
}

#[test]
fn each_page_reaches_the_sink_as_it_is_read_with_the_first_pages_count() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(&page_route(1, 2), [page(1, 2, 2, Some(5), true)]);
    host.on(&page_route(2, 2), [page(2, 2, 2, Some(999), true)]);
    host.on(&page_route(3, 2), [page(3, 2, 1, Some(999), false)]);
    let client = client(&host);
    let mut seen = Vec::new();
    let walked = client
        .walk(spec(2), &build(2), &mut |items, count| {
            seen.push((items.len(), count));
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, [(2, Some(5)), (2, Some(5)), (1, Some(5))]);
    assert_eq!((walked.count, walked.pages), (Some(5), 3));
}

#[test]
fn a_sink_error_stops_the_walk_at_once() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(&page_route(1, 2), [page(1, 2, 2, None, true)]);
    let client = client(&host);
    let error = client
        .walk(spec(2), &build(2), &mut |_, _| Err(crate::error::Error::invalid_input("the output is full")))
        .unwrap_err();
    // The refused page is not counted as fetched: resuming asks for it again.
    assert!(error.message.starts_with("the output is full 0 items on 0 pages"), "{}", error.message);
    let detail = error.detail.expect("progress");
    assert_eq!((detail["fetched_pages"].as_u64(), detail["resume_page"].as_u64()), (Some(0), Some(1)));
    assert_eq!(host.routes(), [EXCHANGE.to_string(), page_route(1, 2)]);
}

#[test]
fn a_count_docker_writes_as_a_float_or_negative_is_read_safely() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(
        &page_route(1, 2),
        [ok_json(200, json!({ "count": 3.0, "next": "x", "results": [{ "id": 0 }, { "id": 1 }] }))],
    );
    host.on(&page_route(2, 2), [ok_json(200, json!({ "count": -1, "next": null, "results": [{ "id": 2 }] }))]);
    let client = client(&host);
    let listing = list_all_pages(&client, spec(2), &build(2)).unwrap();
    assert_eq!((listing.items.len(), listing.count, listing.pages), (3, Some(3), 2));
}

#[test]
fn a_start_page_of_zero_does_not_overflow() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on("GET /v2/orgs/acme/members?page=0&page_size=2", [page(1, 2, 2, Some(4), true)]);
    host.on(&page_route(1, 2), [page(2, 2, 2, Some(4), false)]);
    let client = client(&host);
    let listing = list_all_pages(&client, PageSpec { start_page: 0, ..spec(2) }, &build(2));
    assert_eq!(listing.map(|l| l.items.len()).unwrap(), 4);
}

#[test]
fn a_page_of_the_wrong_shape_interrupts_the_walk() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    host.on(&page_route(1, 2), [page(1, 2, 2, Some(4), true)]);
    host.on(&page_route(2, 2), [ok_json(200, json!(["not", "an", "object"]))]);
    let client = client(&host);
    let error = list_all_pages(&client, spec(2), &build(2)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidResponse, "{}", error.message);
}

#[test]
fn a_member_page_of_the_wrong_shape_interrupts_the_walk() {
    let host = ScriptedHost::new();
    host.exchange_gives(&jwt("a"));
    let members = |page: u32| crate::api::members::list_members("acme", &Default::default(), page, 2);
    let route = |page: u32| format!("GET {MEMBERS}?page={page}&page_size=2");
    host.on(
        &route(1),
        [ok_json(200, json!({"count": 4, "next": "x", "results": [{"username": "a"}, {"username": "b"}]}))],
    );
    host.on(&route(2), [ok_json(200, json!(["not", "an", "object"]))]);
    let client = client(&host);
    let error = list_all_pages(&client, spec(2), &members).unwrap_err();
    assert_eq!(error.kind, ErrorKind::InvalidResponse, "{}", error.message);
}
