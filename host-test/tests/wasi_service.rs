//! The composed service (`target/dockerhub-org-service.wasm`: adapter + plugin + service front) on
//! the crates `wasmtime serve` is built from (`wasmtime-wasi`, `wasmtime-wasi-http`,
//! `wasmtime-wasi-keyvalue`, `wasmtime-wasi-config`), bound to 127.0.0.1 and driven over real HTTP
//! against the simulator.
//!
//! Two key-value stores are used: wasmtime's own (`wasmtime-wasi-keyvalue`, what `wasmtime serve
//! -S keyvalue` offers: in memory, a fresh copy per request, so nothing outlives a request), and a
//! store kept across requests, as Spin's and wasmCloud's are ([`persistent_kv`]); the cache tests
//! show the token exchanged once per request on the first and once in all on the second.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::{Value, json};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx};

/// The composed service, written by host-test/build.rs.
const SERVICE: &str = env!("DOCKERHUB_ORG_SERVICE");

/// A `wasi:keyvalue/store` kept across requests (one map per service), as Spin's and wasmCloud's
/// stores are; wasmtime's own gives every `open` a fresh copy.
mod persistent_kv {
    use super::*;

    wasmtime::component::bindgen!({
        path: "../adapters/wit/deps/keyvalue",
        world: "wasi:keyvalue/imports",
        with: { "wasi:keyvalue/store.bucket": Bucket },
    });

    pub use wasi::keyvalue::store;
    use wasmtime::component::Resource;

    /// An open bucket (every identifier opens the one shared map).
    pub struct Bucket;

    /// The shared map.
    pub type Map = Arc<Mutex<HashMap<String, Vec<u8>>>>;

    impl store::Host for Ctx {
        fn open(&mut self, _identifier: String) -> Result<Resource<Bucket>, store::Error> {
            self.table.push(Bucket).map_err(|e| store::Error::Other(e.to_string()))
        }
    }

    impl store::HostBucket for Ctx {
        fn get(&mut self, _: Resource<Bucket>, key: String) -> Result<Option<Vec<u8>>, store::Error> {
            Ok(self.map().get(&key).cloned())
        }
        fn set(&mut self, _: Resource<Bucket>, key: String, value: Vec<u8>) -> Result<(), store::Error> {
            self.map().insert(key, value);
            Ok(())
        }
        fn delete(&mut self, _: Resource<Bucket>, key: String) -> Result<(), store::Error> {
            self.map().remove(&key);
            Ok(())
        }
        fn exists(&mut self, _: Resource<Bucket>, key: String) -> Result<bool, store::Error> {
            Ok(self.map().contains_key(&key))
        }
        fn list_keys(&mut self, _: Resource<Bucket>, _: Option<u64>) -> Result<store::KeyResponse, store::Error> {
            Ok(store::KeyResponse { keys: self.map().keys().cloned().collect(), cursor: None })
        }
        fn drop(&mut self, bucket: Resource<Bucket>) -> wasmtime::Result<()> {
            self.table.delete(bucket)?;
            Ok(())
        }
    }

    impl Ctx {
        fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
            let map = self.persistent.as_ref().expect("the persistent store is linked only with a map");
            map.lock().unwrap_or_else(|p| p.into_inner())
        }
    }
}

/// Per-request store data.
struct Ctx {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    keyvalue: WasiKeyValueCtx,
    config: WasiConfigVariables,
    persistent: Option<persistent_kv::Map>,
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for Ctx {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: Default::default() }
    }
}

/// The engine and the compiled service, shared by every test in this file.
fn compiled() -> &'static (Engine, Component) {
    static COMPILED: OnceLock<(Engine, Component)> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let engine = Engine::default();
        let component = Component::from_file(&engine, SERVICE).expect("the composed service compiles");
        (engine, component)
    })
}

/// Which `wasi:keyvalue` the service gets.
#[derive(Clone)]
enum KeyValue {
    /// `wasmtime-wasi-keyvalue` (what `wasmtime serve -S keyvalue` links).
    Wasmtime,
    /// [`persistent_kv`]: one map kept across requests.
    Persistent(persistent_kv::Map),
}

/// The service, listening on 127.0.0.1.
struct Service {
    url: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

struct Server {
    pre: ProxyPre<Ctx>,
    config: Vec<(String, String)>,
    keyvalue: KeyValue,
}

impl Server {
    async fn handle(
        &self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> wasmtime::Result<hyper::Response<HyperOutgoingBody>> {
        let (engine, _) = compiled();
        let mut variables = WasiConfigVariables::new();
        for (key, value) in &self.config {
            variables.insert(key, value);
        }
        let persistent = match &self.keyvalue {
            KeyValue::Wasmtime => None,
            KeyValue::Persistent(map) => Some(map.clone()),
        };
        let mut store = Store::new(
            engine,
            Ctx {
                table: ResourceTable::new(),
                wasi: WasiCtx::builder().build(),
                http: WasiHttpCtx::new(),
                keyvalue: WasiKeyValueCtx::builder().build(),
                config: variables,
                persistent,
            },
        );
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store.data_mut().http().new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        let pre = self.pre.clone();
        let task = tokio::task::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy.wasi_http_incoming_handler().call_handle(store, request, out).await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => match task.await {
                Ok(Ok(())) => Err(wasmtime::Error::msg("the service never set a response")),
                Ok(Err(e)) => Err(e),
                Err(e) => Err(e.into()),
            },
        }
    }
}

impl Service {
    /// Serves the composed component with `config` as its `wasi:config` variables.
    fn start(config: &[(&str, &str)], keyvalue: KeyValue) -> Self {
        let (engine, component) = compiled();
        let mut linker: Linker<Ctx> = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).expect("wasi");
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker).expect("wasi:http");
        wasmtime_wasi_config::add_to_linker(&mut linker, |c: &mut Ctx| WasiConfig::new(&c.config)).expect("config");
        match &keyvalue {
            KeyValue::Wasmtime => wasmtime_wasi_keyvalue::add_to_linker(&mut linker, |c: &mut Ctx| {
                WasiKeyValue::new(&c.keyvalue, &mut c.table)
            })
            .expect("keyvalue"),
            KeyValue::Persistent(_) => {
                persistent_kv::store::add_to_linker::<_, HasSelf<Ctx>>(&mut linker, |c| c).expect("keyvalue")
            }
        }
        let pre = ProxyPre::new(linker.instantiate_pre(component).expect("every import is linked")).expect("proxy");
        let server = Arc::new(Server {
            pre,
            config: config.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            keyvalue,
        });

        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { continue };
                let server = server.clone();
                tokio::task::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let server = server.clone();
                        async move { server.handle(request).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(client), service)
                        .await;
                });
            }
        });
        Service { url, runtime: Some(runtime) }
    }

    /// Sends `method path` with `body`; the status, the headers and the JSON body.
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.url))
            .header("Content-Type", "application/json")
            .body(body.map(|b| b.to_string()).unwrap_or_default())
            .unwrap();
        let mut response = agent.run(request).expect("the service answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let text = response.body_mut().with_config().limit(64 << 20).read_to_string().unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        Reply { status, headers, body }
    }

    /// Runs `action` with `input`.
    fn action(&self, action: &str, input: Value) -> Reply {
        self.send("POST", &format!("/actions/{action}"), Some(input))
    }
}

/// One answer of the service.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The connection values for `sim`, plus `extra`.
fn connection<'a>(sim: &'a Simulator, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut values =
        vec![("organization-name", DEFAULT_ORG), ("organization-access-token", DEFAULT_OAT), ("hub-url", sim.url())];
    values.extend_from_slice(extra);
    values
}

fn simulator(config: SimulatorConfig) -> Simulator {
    Simulator::start(config).expect("simulator")
}

/// Records when each request reached the simulator (its request counter, read every millisecond).
struct Arrivals {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<Vec<Instant>>>,
}

impl Arrivals {
    fn watch(sim: &Arc<Simulator>) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (sim, flag) = (sim.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut seen = sim.request_count();
            let mut arrivals = Vec::new();
            while !flag.load(std::sync::atomic::Ordering::SeqCst) {
                let now = sim.request_count();
                arrivals.extend((seen..now).map(|_| Instant::now()));
                seen = now;
                std::thread::sleep(Duration::from_millis(1));
            }
            arrivals
        });
        Arrivals { stop, thread: Some(thread) }
    }

    /// Most requests that arrived within `window` of one another.
    fn most_within(mut self, window: Duration) -> usize {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let arrivals = self.thread.take().unwrap().join().unwrap();
        (0..arrivals.len())
            .map(|i| arrivals[i..].iter().take_while(|t| **t - arrivals[i] <= window).count())
            .max()
            .unwrap_or(0)
    }
}

#[test]
fn an_all_pages_listing_sends_its_pages_together_through_wasi_http() {
    let latency = Duration::from_millis(150);
    let sim = Arc::new(simulator(SimulatorConfig { latency, ..SimulatorConfig::default() }));
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let arrivals = Arrivals::watch(&sim);
    let reply = service.action("list-members", json!({"all_pages": true, "page_size": 100}));
    let together = arrivals.most_within(latency / 2);
    assert_eq!(reply.status, 200, "{:#}", reply.body);
    assert_eq!(reply.body["members"].as_array().map(Vec::len), Some(320));
    // Page 1 gives the count; pages 2 to 4 then reach the simulator at the same moment.
    assert!(together >= 3, "pages 2-4 should arrive together; at most {together} arrived within {latency:?}/2");
    // Token exchange + 4 pages, as through the reference host.
    assert_eq!(sim.request_count(), 5);
}

#[test]
fn an_action_costs_the_same_requests_through_the_service_as_through_the_cli() {
    let input = json!({"all_pages": true, "page_size": 100});
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    assert_eq!(service.action("list-members", input.clone()).status, 200);
    let through_service = sim.request_count();

    let sim = simulator(SimulatorConfig::default());
    let http = HttpConfig::default().allow(sim.url()).unwrap();
    let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).unwrap();
    let outcome = runtime.call(
        "list-members",
        &input.to_string(),
        &Secrets::connection(DEFAULT_ORG, DEFAULT_OAT, Some(sim.url())),
    );
    assert!(outcome.unwrap().is_ok());
    eprintln!(
        "list-members all_pages (320 members): {through_service} requests through the service, {} through the CLI host",
        sim.request_count()
    );
    assert_eq!(through_service, sim.request_count());
}

#[test]
fn a_write_through_the_service_changes_the_organization() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let reply = service.action("create-team", json!({"team": "wasi-crew", "description": "Runs on WASI"}));
    assert_eq!(reply.status, 200, "{:#}", reply.body);
    let described = sim.with_state(|s| s.team_index("wasi-crew").map(|i| s.teams[i].description.clone()));
    assert_eq!(described.as_deref(), Some("Runs on WASI"));
    let again = service.action("create-team", json!({"team": "wasi-crew"}));
    assert_eq!((again.status, again.body["error"].as_str()), (409, Some("conflict")), "{:#}", again.body);
}

#[test]
fn invalid_input_is_400_with_the_error_json_and_reaches_no_one() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let reply = service.action("list-members", json!({"page_size": "many"}));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"], "invalid-input");
    assert!(reply.body["message"].as_str().unwrap().contains("page_size"), "{:#}", reply.body);
    assert!(reply.body.get("detail").is_some());
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn a_missing_credential_is_400_naming_the_value() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&[("organization-name", DEFAULT_ORG), ("hub-url", sim.url())], KeyValue::Wasmtime);
    let reply = service.action("check-oat-connection", json!({}));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"], "missing-credential");
    assert_eq!(reply.body["message"], "Organization Access Token is required.");
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn connection_values_are_also_read_under_spin_style_underscore_keys() {
    let sim = simulator(SimulatorConfig::default());
    let config =
        [("organization_name", DEFAULT_ORG), ("organization_access_token", DEFAULT_OAT), ("hub_url", sim.url())];
    let service = Service::start(&config, KeyValue::Wasmtime);
    let reply = service.action("list-teams", json!({}));
    assert_eq!(reply.status, 200, "{:#}", reply.body);
}

#[test]
fn a_rate_limit_past_the_budget_is_429_with_retry_after_in_seconds() {
    let sim = simulator(SimulatorConfig { rate_limit_per_minute: Some(3), ..SimulatorConfig::default() });
    let service = Service::start(&connection(&sim, &[("retry-budget-seconds", "0")]), KeyValue::Wasmtime);
    let replies: Vec<Reply> = (0..3).map(|_| service.action("list-teams", json!({}))).collect();
    let limited = replies.iter().find(|r| r.status == 429).expect("the third call is rate limited");
    assert_eq!(limited.body["error"], "rate-limited");
    let seconds: u64 = limited.header("retry-after").expect("Retry-After").parse().expect("whole seconds");
    assert!((1..=60).contains(&seconds), "Retry-After: {seconds}");
    assert!(limited.body["retry_after"].as_u64().is_some());
}

#[test]
fn wasmtimes_keyvalue_keeps_the_token_for_one_request_only() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let mut per_call = Vec::new();
    for _ in 0..3 {
        let before = sim.request_count();
        assert_eq!(service.action("list-teams", json!({})).status, 200);
        per_call.push(sim.request_count() - before);
    }
    // `wasmtime serve`'s in-memory store starts empty for every request: exchange + listing each time.
    assert_eq!(per_call, [2, 2, 2]);
}

#[test]
fn a_persistent_keyvalue_store_exchanges_the_token_once_across_calls() {
    let map = persistent_kv::Map::default();
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Persistent(map.clone()));
    let mut per_call = Vec::new();
    for _ in 0..3 {
        let before = sim.request_count();
        let reply = service.action("list-teams", json!({}));
        assert_eq!(reply.status, 200, "{:#}", reply.body);
        per_call.push(sim.request_count() - before);
    }
    // Exchange + listing, then the listing alone: the JWT came from the store.
    assert_eq!(per_call, [2, 1, 1]);
    // The cached entry: expiry in front of the token, keyed without the OAT.
    let stored = map.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    let (key, value) = stored.into_iter().next().unwrap();
    assert!(!key.contains(DEFAULT_OAT));
    let expires = u64::from_be_bytes(value[..8].try_into().unwrap());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!(expires > now && expires <= now + 600, "expires {expires}, now {now}");
}

#[test]
fn the_manifest_and_health_routes_answer_and_others_are_refused() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let manifest = service.send("GET", "/actions", None);
    assert_eq!(manifest.status, 200);
    let names: Vec<&str> =
        manifest.body["actions"].as_array().unwrap().iter().filter_map(|a| a["name"].as_str()).collect();
    assert!(names.contains(&"list-members") && names.contains(&"access-review"), "{names:?}");

    let health = service.send("GET", "/health", None);
    assert_eq!((health.status, &health.body["ok"]), (200, &json!(true)), "{:#}", health.body);

    let nowhere = service.send("GET", "/nowhere", None);
    assert_eq!((nowhere.status, nowhere.body["error"].as_str()), (404, Some("not-found")));
    let unknown = service.action("no-such-action", json!({}));
    assert_eq!(unknown.status, 404);
    let wrong = service.send("GET", "/actions/list-members", None);
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("POST")));
    let wrong = service.send("DELETE", "/health", None);
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("GET")));
}

#[test]
fn an_unhealthy_organization_answers_health_with_503() {
    let sim = simulator(SimulatorConfig::default());
    let service =
        Service::start(&connection(&sim, &[("organization-access-token", "dckr_oat_wrong")]), KeyValue::Wasmtime);
    let health = service.send("GET", "/health", None);
    assert_eq!(health.status, 503, "{:#}", health.body);
    assert_eq!(health.body["ok"], false);
    assert!(!health.body.to_string().contains("dckr_oat_wrong"));
}

#[test]
fn plain_http_to_a_host_that_is_not_loopback_is_refused_before_connecting() {
    let service = Service::start(
        &[
            ("organization-name", DEFAULT_ORG),
            ("organization-access-token", DEFAULT_OAT),
            ("hub-url", "http://hub.example.com"),
        ],
        KeyValue::Wasmtime,
    );
    // The plugin refuses a plain-http hub URL that is not loopback before anything is sent (the
    // OAT would travel unencrypted); the adapter's own allow-list is the second line.
    let reply = service.action("list-teams", json!({}));
    assert_eq!(reply.status, 400, "{:#}", reply.body);
    assert_eq!(reply.body["error"], "invalid-input");
    assert!(reply.body["message"].as_str().unwrap_or_default().contains("unencrypted"), "{:#}", reply.body);
    assert!(!reply.body.to_string().contains(DEFAULT_OAT));
}

#[test]
fn batching_through_wasi_http_beats_one_page_at_a_time_at_50_ms_latency() {
    let latency = Duration::from_millis(50);
    let input = json!({"all_pages": true, "page_size": 100});
    let mut timings = Vec::new();
    for width in ["1", "16"] {
        let sim = simulator(SimulatorConfig { latency, members: Some(2_000), ..SimulatorConfig::default() });
        let service = Service::start(&connection(&sim, &[("max-concurrency", width)]), KeyValue::Wasmtime);
        assert_eq!(service.action("list-teams", json!({})).status, 200); // warm: compiled, connected
        let started = Instant::now();
        let reply = service.action("list-members", input.clone());
        timings.push(started.elapsed());
        assert_eq!(reply.body["members"].as_array().map(Vec::len), Some(2_000), "{:#}", reply.body);
    }
    let (sequential, batched) = (timings[0], timings[1]);
    eprintln!(
        "list-members all_pages, 2000 members (20 pages), 50 ms latency, through wasi:http: \
         one at a time {sequential:?}, batched {batched:?}, speed-up {:.1}x",
        sequential.as_secs_f64() / batched.as_secs_f64()
    );
    assert!(batched * 2 < sequential, "batched {batched:?} vs sequential {sequential:?}");
}

#[test]
fn the_composed_component_imports_only_wasi_and_exports_only_the_incoming_handler() {
    let (engine, component) = compiled();
    let ty = component.component_type();
    let imports: Vec<String> = ty.imports(engine).map(|(name, _)| name.to_string()).collect();
    let exports: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
    eprintln!("imports: {imports:?}\nexports: {exports:?}");
    assert!(imports.iter().all(|name| name.starts_with("wasi:")), "{imports:?}");
    for needed in ["wasi:http/outgoing-handler@", "wasi:keyvalue/store@", "wasi:config/store@", "wasi:io/poll@"] {
        assert!(imports.iter().any(|name| name.starts_with(needed)), "{needed} missing from {imports:?}");
    }
    assert_eq!(exports, ["wasi:http/incoming-handler@0.2.12"]);
    let size = std::fs::metadata(SERVICE).unwrap().len();
    let plugin = std::fs::metadata(env!("DOCKERHUB_ORG_COMPONENT")).unwrap().len();
    eprintln!("composed service: {size} bytes (plugin alone: {plugin} bytes)");
    assert!(size > plugin);
}
