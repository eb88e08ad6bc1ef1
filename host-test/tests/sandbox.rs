//! The host's sandbox: the allow-list refuses other hosts before anything is sent, and the
//! guest-time budget (or the call's deadline) and the memory cap stop a runaway guest. The runaway guests are small deliberately-bad
//! components built here from text: a core module (`wat`) exporting `list-members` of the plugin's
//! own `actions` interface (the same `action-error` type, copied from wit/actions.wit), wrapped as a
//! component by wit-component, and run through the same `Runtime::call` as the real plugin.

mod common;

use std::time::{Duration, Instant};

use common::sim::Sim;
use common::*;
use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::pool::Allocation;
use dockerhub_org_host::runtime::ActionError;
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::SimulatorConfig;
use dockerhub_org_host::{Runtime, RuntimeConfig};

/// The smallest world a bad component needs: the plugin's `actions` interface with one function.
const BAD_WORLD: &str = r#"
package dockerhub:org@0.1.0;

interface actions {
    record error-info { message: string, detail: option<string> }
    record rate-limit-info { message: string, retry-after: option<u64>, detail: option<string> }
    record upstream-info { status: u16, message: string, docker-message: option<string>, detail: option<string> }
    variant action-error {
        invalid-input(error-info),
        missing-credential(error-info),
        unauthorized(error-info),
        forbidden(error-info),
        not-found(error-info),
        conflict(error-info),
        rate-limited(rate-limit-info),
        upstream(upstream-info),
        transport(error-info),
        invalid-response(error-info),
        limit-exceeded(error-info),
    }
    list-members: func(input: string) -> result<string, action-error>;
}

world bad {
    export actions;
}
"#;

/// A core module exporting `list-members` with `body` (which never returns normally), plus the
/// memory and bump allocator the canonical ABI needs to pass the input string in.
fn core_module(body: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
            (memory (export "memory") 1)
            (global $next (mut i32) (i32.const 1024))
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                (local $at i32)
                (local.set $at (global.get $next))
                (global.set $next (i32.add (global.get $next) (local.get 3)))
                (local.get $at))
            (func (export "dockerhub:org/actions@0.1.0#list-members") (param i32 i32) (result i32)
                {body}
                (i32.const 0)))"#
    );
    wat::parse_str(&text).expect("the test module's text is valid")
}

/// Wraps a core module as a component of the `bad` world.
fn component(mut module: Vec<u8>) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    let package = resolve.push_str("bad.wit", BAD_WORLD).expect("the test WIT parses");
    let world = resolve.select_world(&[package], Some("bad")).expect("world bad");
    wit_component::embed_component_metadata(&mut module, &resolve, world, wit_component::StringEncoding::UTF8)
        .expect("embedding the component type");
    wit_component::ComponentEncoder::default()
        .module(&module)
        .expect("the module fits the world")
        .validate(true)
        .encode()
        .expect("encoding the component")
}

fn limited_runtime(bytes: &[u8], guest_time: Duration, memory_bytes: usize) -> Runtime {
    let config = RuntimeConfig { guest_time, memory_bytes, compile_cache: None, ..RuntimeConfig::default() };
    Runtime::new(bytes, config).expect("the bad component loads")
}

#[test]
fn an_endless_loop_is_stopped_by_the_guest_time_budget() {
    let bytes = component(core_module("(loop $forever (br $forever))"));
    let runtime = limited_runtime(&bytes, Duration::from_millis(300), 16 * 1024 * 1024);
    let started = Instant::now();
    let error = runtime.call("list-members", "{}", &Secrets::new()).expect_err("an endless loop must trap");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(300), "not before its budget: {took:?}");
    assert!(took < Duration::from_secs(10), "stopped promptly: {took:?}");
    let text = format!("{error:#}");
    assert!(text.contains("ran past its time budget"), "out of time: {text}");
}

#[test]
fn an_endless_loop_is_stopped_at_the_calls_deadline_when_that_comes_first() {
    let bytes = component(core_module("(loop $forever (br $forever))"));
    let runtime = limited_runtime(&bytes, Duration::from_secs(3600), 16 * 1024 * 1024);
    let mut secrets = Secrets::new();
    secrets.set(dockerhub_org::connection::KEY_CALL_TIMEOUT, "1");
    let started = Instant::now();
    let error = runtime.call("list-members", "{}", &secrets).expect_err("an endless loop must trap");
    let took = started.elapsed();
    // The deadline (1 s) and the grace a guest gets past it to report (5 s).
    assert!(took >= Duration::from_secs(6) && took < Duration::from_secs(15), "stopped past the deadline: {took:?}");
    assert!(format!("{error:#}").contains("ran past its time budget"), "{error:#}");
}

#[test]
fn a_memory_hog_is_refused_past_the_memory_cap() {
    // Grows memory 64 KiB at a time until the host refuses, then traps (`unreachable`): reaching
    // the trap proves a grow was refused below the cap, not that time ran out.
    let body = "(loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable";
    let bytes = component(core_module(body));
    let cap = 4 * 1024 * 1024;
    let runtime = limited_runtime(&bytes, Duration::from_secs(30), cap);
    let started = Instant::now();
    let error = runtime.call("list-members", "{}", &Secrets::new()).expect_err("the hog must trap");
    assert!(started.elapsed() < Duration::from_secs(10), "stopped promptly: {:?}", started.elapsed());
    let text = format!("{error:?}");
    assert!(text.contains("unreachable"), "the grow past {cap} bytes was refused: {text}");
}

#[test]
fn a_reused_instance_slot_starts_from_the_initial_memory() {
    // Traps when it finds what an earlier call left: memory grown, or a mark in the first page (reset
    // in place) or past the pool's resident part (returned to the kernel); then leaves both marks
    // and grows memory past the resident part, and returns `Ok("")` (the result area at 0 is zero).
    let resident_past = dockerhub_org_host::pool::KEEP_RESIDENT + 3 * 1024 * 1024;
    let pages_to_grow = resident_past / 65536 + 1;
    let body = format!(
        "(if (i32.ne (memory.size) (i32.const 1)) (then unreachable))
         (if (i32.load8_u (i32.const 60000)) (then unreachable))
         (i32.store8 (i32.const 60000) (i32.const 1))
         (drop (memory.grow (i32.const {pages_to_grow})))
         (if (i32.load8_u (i32.const {resident_past})) (then unreachable))
         (i32.store8 (i32.const {resident_past}) (i32.const 1))"
    );
    let bytes = component(core_module(&body));
    let runtime = limited_runtime(&bytes, Duration::from_secs(30), 64 * 1024 * 1024);
    assert_eq!(runtime.allocation(), Allocation::Pooled, "this host can reserve the pool");
    for call in 0..20 {
        let outcome =
            runtime.call("list-members", "{}", &Secrets::new()).unwrap_or_else(|e| panic!("call {call}: {e:#}"));
        assert_eq!(outcome.map_err(|e| format!("{e:?}")), Ok(String::new()), "call {call}");
    }
}

#[test]
fn more_calls_at_once_than_the_pool_has_slots_all_run() {
    // Each call waits 100 ms on the simulator, so all of them overlap: the calls past the pool's
    // slots wait for one instead of failing to instantiate.
    let sim = Sim::start(SimulatorConfig { latency: Duration::from_millis(100), ..SimulatorConfig::default() });
    assert_eq!(sim.runtime.allocation(), Allocation::Pooled);
    sim.ok("list-members", &serde_json::json!({})); // the token, exchanged once
    let calls = dockerhub_org_host::pool::SLOTS as usize + 8;
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let running: Vec<_> = (0..calls)
            .map(|_| scope.spawn(|| sim.runtime.call("list-members", r#"{"page_size": 5}"#, &sim.secrets)))
            .collect();
        running.into_iter().map(|t| t.join().expect("the calling thread")).collect()
    });
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let output =
            outcome.unwrap_or_else(|e| panic!("call {i}: {e:#}")).unwrap_or_else(|e| panic!("call {i}: {e:?}"));
        let value: serde_json::Value = serde_json::from_str(&output).unwrap();
        assert_eq!(value["returned"], 5, "call {i}: {output}");
    }
}

#[test]
fn the_real_component_traps_on_a_zero_guest_time_budget() {
    let config = RuntimeConfig { guest_time: Duration::ZERO, http: HttpConfig::default(), ..RuntimeConfig::default() };
    let runtime = Runtime::embedded(config).expect("runtime");
    // The budget is checked as soon as the guest runs, not only at the next tick: nothing is sent.
    let error = runtime
        .call("list-members", "{}", &Secrets::connection(ORG, OAT, None))
        .expect_err("no guest time is not enough for an action");
    assert!(format!("{error:#}").contains("ran past its time budget"), "{error:#}");
    assert!(runtime.http().sent().is_empty());
}

#[test]
fn a_host_outside_the_allow_list_is_refused_and_nothing_is_sent() {
    // The allow-list holds only hub.docker.com; the connection points elsewhere.
    let runtime = Runtime::embedded(RuntimeConfig {
        http: HttpConfig { real_sleep: false, ..HttpConfig::default() },
        ..RuntimeConfig::default()
    })
    .expect("runtime");
    let secrets = Secrets::connection(ORG, OAT, Some("http://127.0.0.1:9"));
    let outcome = call(&runtime, "list-members", "{}", &secrets);
    match &outcome {
        Err(ActionError::Transport(info)) => {
            assert!(info.message.contains("not on its allow-list"), "{}", info.message);
            assert!(info.message.contains("http://127.0.0.1:9"), "{}", info.message);
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(runtime.http().sent().is_empty(), "nothing left the host");
    assert!(runtime.http().sleeps().is_empty(), "a refused host is not retried: {:?}", runtime.http().sleeps());
}
