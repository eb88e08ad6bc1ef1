//! Performance by count, not by clock: token exchanges across many calls, page requests of a large
//! listing, their order and concurrency, and a quick run of the benchmark itself (the timings are
//! in `dockerhub-org-bench`; see docs/performance.md).

use std::time::Duration;

use std::sync::Arc;

// The benchmark is the bench binary's own module, compiled here too for its quick run.
#[path = "../src/bin/bench/benchmark.rs"]
#[allow(dead_code, reason = "the test uses part of the benchmark binary's module")]
mod benchmark;

use benchmark::{BenchOptions, run};
use dockerhub_org_host::cache::Cache;
use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::native::NativeHost;
use dockerhub_org_host::runtime::error_message;
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;

fn runtime_for(urls: &[&str]) -> Runtime {
    let mut http = HttpConfig { real_sleep: false, ..HttpConfig::default() };
    for url in urls {
        http = http.allow(url).expect("simulator url");
    }
    Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime")
}

fn secrets_for(sim: &Simulator, org: &str) -> Secrets {
    Secrets::connection(org, DEFAULT_OAT, Some(sim.url()))
}

fn list(runtime: &Runtime, input: &str, secrets: &Secrets) -> Value {
    match runtime.call("list-members", input, secrets).expect("no trap") {
        Ok(text) => serde_json::from_str(&text).expect("JSON output"),
        Err(e) => panic!("list-members failed: {}", error_message(&e)),
    }
}

fn exchanges(runtime: &Runtime) -> usize {
    runtime.http().sent().iter().filter(|r| r.url.ends_with("/v2/auth/token")).count()
}

#[test]
fn a_thousand_calls_exchange_the_token_once_per_organization() {
    let orgs = ["perf-one", "perf-two"];
    let sims: Vec<Simulator> = orgs
        .iter()
        .map(|org| {
            Simulator::start(SimulatorConfig { org: org.to_string(), ..SimulatorConfig::default() }).expect("simulator")
        })
        .collect();
    let runtime = runtime_for(&[sims[0].url(), sims[1].url()]);
    let secrets: Vec<Secrets> = sims.iter().zip(orgs).map(|(sim, org)| secrets_for(sim, org)).collect();
    for call in 0..1_000 {
        let which = call % 2;
        let out = list(&runtime, r#"{"page_size": 1}"#, &secrets[which]);
        assert_eq!(out["organization"], orgs[which]);
    }
    assert_eq!(exchanges(&runtime), 2, "one exchange per organization over 1 000 calls");
    // Per organization: one exchange, then one page request per call.
    assert_eq!(sims[0].request_count(), 1 + 500);
    assert_eq!(sims[1].request_count(), 1 + 500);
}

#[test]
fn listing_five_thousand_members_costs_fifty_pages_in_order_and_bounded() {
    let sim = Simulator::start(SimulatorConfig {
        members: Some(5_000),
        latency: Duration::from_millis(20),
        rate_limit_per_minute: Some(1_000),
        ..SimulatorConfig::default()
    })
    .expect("simulator");
    let expected: Vec<String> = sim.with_state(|s| s.members.iter().map(|m| m.username.clone()).collect());
    let runtime = runtime_for(&[sim.url()]);
    let out = list(&runtime, r#"{"all_pages": true}"#, &secrets_for(&sim, "example-org"));

    assert_eq!(sim.request_count(), 1 + 50, "the exchange and ⌈5000/100⌉ pages");
    let pages: Vec<String> =
        runtime.http().sent().iter().filter(|r| r.url.contains("/members?")).map(|r| r.url.clone()).collect();
    assert_eq!(pages.len(), 50);
    assert!(pages.iter().all(|url| url.contains("page_size=100")), "{pages:?}");
    let got: Vec<&str> =
        out["members"].as_array().expect("members").iter().map(|m| m["username"].as_str().unwrap_or("")).collect();
    assert_eq!(got, expected, "every member once, in listing order");
    assert_eq!(out["returned"], 5_000);
    let peak = runtime.http().peak_concurrency();
    assert!((2..=8).contains(&peak), "pages after the first go out together, at most 8 at once (peak {peak})");
}

#[test]
fn listing_ten_thousand_members_peaks_under_three_times_the_output() {
    // Linear memory is counted by the store's limiter, not timed: the same figure every run.
    let sim =
        Simulator::start(SimulatorConfig { members: Some(10_000), ..SimulatorConfig::default() }).expect("simulator");
    let runtime = runtime_for(&[sim.url()]);
    let (outcome, stats) = runtime
        .call_with_stats("list-members", r#"{"all_pages": true}"#, &secrets_for(&sim, "example-org"))
        .expect("no trap");
    let output = outcome.unwrap_or_else(|e| panic!("list-members failed: {}", error_message(&e)));
    let value: Value = serde_json::from_str(&output).expect("JSON output");
    assert_eq!(value["returned"], 10_000);
    let ratio = stats.peak_memory_bytes as f64 / output.len() as f64;
    assert!(
        ratio <= 3.0,
        "peak linear memory {} bytes is {ratio:.2}x the {}-byte output (target 3x)",
        stats.peak_memory_bytes,
        output.len()
    );
}

#[test]
fn a_batch_never_sends_more_than_the_rate_limit_has_left() {
    // 7 requests a minute: the exchange and page 1 leave 5, exactly the 5 pages still to fetch.
    let sim = Simulator::start(SimulatorConfig {
        members: Some(600),
        latency: Duration::from_millis(20),
        rate_limit_per_minute: Some(7),
        ..SimulatorConfig::default()
    })
    .expect("simulator");
    let runtime = runtime_for(&[sim.url()]);
    let out = list(&runtime, r#"{"all_pages": true}"#, &secrets_for(&sim, "example-org"));
    assert_eq!(out["returned"], 600);
    assert_eq!(sim.request_count(), 7, "no request beyond the limit, no 429 to retry");
    assert!(runtime.http().peak_concurrency() <= 5, "peak {}", runtime.http().peak_concurrency());
    assert!(runtime.http().sleeps().is_empty(), "no pause was needed");
}

#[test]
fn the_benchmark_runs_one_quick_iteration() {
    let report = run(&BenchOptions::quick().with_cli(env!("CARGO_BIN_EXE_dockerhub-org"))).expect("benchmark");
    // 0 and 2 ms, then 2 ms with one slow page.
    assert_eq!(report.paging.len(), 3);
    assert!(report.paging[2].slow.is_some() && report.paging[2].ideal().is_some(), "{:?}", report.paging);
    assert!(report.compile > Duration::ZERO);
    assert!(report.paging.iter().all(|row| row.requests == 3), "⌈250/100⌉ pages: {:?}", report.paging);
    assert!(report.peak_memory_bytes > 0 && report.output_bytes > 0);
    assert_eq!(report.component_bytes, dockerhub_org_host::COMPONENT.len());
    let first_run = report.first_run.expect("the CLI's first run was timed");
    assert!(first_run.first > Duration::ZERO && first_run.warm > Duration::ZERO, "{first_run:?}");
    let table = report.table();
    for row in [
        "instantiate",
        "load cached precompiled component",
        "list-members",
        "all pages",
        "component size",
        "compile the component from scratch",
        "against the round-trip bound",
        "page 2 slower by 8 ms",
        "peak guest memory",
        "CLI first run",
    ] {
        assert!(table.contains(row), "the table has a {row} row:\n{table}");
    }
    assert!(table.contains("its own code run natively"), "the table has the sandbox row:\n{table}");
    assert!(report.sandbox.component > Duration::ZERO && report.sandbox.native_guest > Duration::ZERO);
}

#[test]
fn the_guest_code_run_natively_sends_and_answers_as_the_component_does() {
    let sim =
        Simulator::start(SimulatorConfig { members: Some(250), ..SimulatorConfig::default() }).expect("simulator");
    let runtime = runtime_for(&[sim.url()]);
    let secrets = secrets_for(&sim, DEFAULT_ORG);
    let native = NativeHost::new(runtime.http().clone(), Arc::new(Cache::new()), secrets.clone());
    for input in [r#"{"page_size": 100}"#, r#"{"all_pages": true}"#, r#"{"page": 2, "page_size": 7}"#] {
        let before = runtime.http().sent().len();
        let mut component = list(&runtime, input, &secrets);
        let component_urls: Vec<String> = runtime.http().sent()[before..].iter().map(|r| r.url.clone()).collect();
        let before = runtime.http().sent().len();
        let output = native.run_action("list-members", input).unwrap_or_else(|e| panic!("native: {e}"));
        let native_urls: Vec<String> = runtime.http().sent()[before..].iter().map(|r| r.url.clone()).collect();
        let mut native_out: Value = serde_json::from_str(&output).expect("JSON output");
        // Each side has its own token cache: the first call of the native side also exchanges.
        // Pages after the first go out together (a batch), so the order they are recorded in is
        // the threads' order: compare them as sets.
        let strip = |urls: Vec<String>| -> Vec<String> {
            let mut urls: Vec<String> = urls.into_iter().filter(|u| !u.ends_with("/v2/auth/token")).collect();
            urls.sort();
            urls
        };
        assert_eq!(strip(native_urls), strip(component_urls), "{input}: the same requests");
        component.as_object_mut().map(|o| o.remove("meta"));
        native_out.as_object_mut().map(|o| o.remove("meta"));
        assert_eq!(native_out, component, "{input}: the same output");
    }
    // A failure comes back as the guest's typed error, secrets scrubbed.
    let error = native.run_action("list-members", r#"{"page_size": 0}"#).unwrap_err();
    assert_eq!(error.kind_name(), "invalid-input");
}
