//! The composed service (`target/dockerhub-org-service.wasm`: adapter + plugin + service front) on
//! the crates `wasmtime serve` is built from (`wasmtime-wasi`, `wasmtime-wasi-http`,
//! `wasmtime-wasi-keyvalue`, `wasmtime-wasi-config`), bound to 127.0.0.1 and driven over real HTTP
//! against the simulator.
//!
//! Callers present a service key ([`ADMIN_KEY`] unless a test says otherwise); the service's
//! standard error is captured in memory, so the tests read its access log.
//!
//! Two key-value stores are used: wasmtime's own (`wasmtime-wasi-keyvalue`, what `wasmtime serve
//! -S keyvalue` offers: in memory, a fresh copy per request, so nothing outlives a request), and a
//! store kept across requests, as Spin's and wasmCloud's are ([`persistent_kv`]); the cache tests
//! show the token exchanged once per request on the first and once in all on the second.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::{Value, json};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_config::{WasiConfig, WasiConfigVariables};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};
use wasmtime_wasi_keyvalue::{WasiKeyValue, WasiKeyValueCtx};

/// The composed service, written by the `component/` crate's build script (component/build/service.rs).
const SERVICE: &str = env!("DOCKERHUB_ORG_SERVICE");

/// The key every request presents unless a test says otherwise (role `admin`).
const ADMIN_KEY: &str = "svc-admin-7f3c9a1e5b2d4c6f8e0a1b3c5d7e9f10";
/// A key with the role `read`.
const READ_KEY: &str = "svc-read-2b4d6f8a0c1e3f5a7b9c1d3e5f7a9b0c";
/// The `service-keys` setting for both: their digests as `printf %s "$KEY" | sha256sum` prints
/// them (written out here, so the test does not share the service's hashing code).
const SERVICE_KEYS: &str = "operator:admin:2d603211d010ff20b14a127c6b03f65a7e4f7ff8d0a75332549bf23bc7f77e9d, \
                            auditor:read:129a55e3d7c6191c50e6f00ced0c6ed3da45ad40ece6e5327c82921534454171";

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
    /// Everything the service wrote to standard error (shared by every request's `WasiCtx`).
    stderr: MemoryOutputPipe,
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
    stderr: MemoryOutputPipe,
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
                wasi: WasiCtx::builder().stderr(self.stderr.clone()).build(),
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
        let stderr = MemoryOutputPipe::new(16 << 20);
        let server = Arc::new(Server {
            pre,
            config: config.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            keyvalue,
            stderr: stderr.clone(),
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
        Service { url, runtime: Some(runtime), stderr }
    }

    /// Sends `method path` with `body` as [`ADMIN_KEY`]; the status, the headers and the JSON body.
    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let headers = [("Authorization", format!("Bearer {ADMIN_KEY}")), ("Content-Type", "application/json".into())];
        self.send_with(method, path, &headers, body.map(|b| b.to_string()).unwrap_or_default())
    }

    /// Sends `method path` with exactly `headers` (besides the ones the client always sends) and
    /// `body`.
    fn send_with(&self, method: &str, path: &str, headers: &[(&str, String)], body: String) -> Reply {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let mut request = ureq::http::Request::builder().method(method).uri(format!("{}{path}", self.url));
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let mut response = agent.run(request.body(body).unwrap()).expect("the service answers");
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

    /// Runs `action` with `input`, as [`ADMIN_KEY`].
    fn action(&self, action: &str, input: Value) -> Reply {
        self.send("POST", &format!("/actions/{action}"), Some(input))
    }

    /// Runs `action` with `input`, presenting `key` (none when `None`) and a JSON content type.
    fn action_as(&self, key: Option<&str>, action: &str, input: Value) -> Reply {
        let mut headers = vec![("Content-Type", "application/json".to_string())];
        headers.extend(key.map(|key| ("Authorization", format!("Bearer {key}"))));
        self.send_with("POST", &format!("/actions/{action}"), &headers, input.to_string())
    }

    /// Sends `request` (raw HTTP/1.1: request line and headers, each ending in CRLF, without the
    /// blank line) with `body` over a new connection, as a browser or an attacker could; the status
    /// and the body. The client adds only `Content-Length` and `Connection: close`.
    fn raw(&self, request: &[u8], body: &[u8]) -> (u16, Value) {
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("connect to the service");
        stream.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
        let mut bytes = request.to_vec();
        bytes.extend_from_slice(format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
        bytes.extend_from_slice(body);
        stream.write_all(&bytes).expect("send the request");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read the answer");
        let text = String::from_utf8_lossy(&answer);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no HTTP answer: {text}"));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{head}"));
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    /// The access-log lines the service has written so far, parsed.
    fn log(&self) -> Vec<Value> {
        let text = String::from_utf8(self.stderr.contents().to_vec()).expect("the log is UTF-8");
        text.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
    }

    /// Everything written to standard error, as text.
    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr.contents()).into_owned()
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

/// The connection values for `sim` and the service keys, plus `extra`.
fn connection<'a>(sim: &'a Simulator, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut values = vec![
        ("organization-name", DEFAULT_ORG),
        ("organization-access-token", DEFAULT_OAT),
        ("hub-url", sim.url()),
        ("service-keys", SERVICE_KEYS),
    ];
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
    let service = Service::start(
        &[("organization-name", DEFAULT_ORG), ("hub-url", sim.url()), ("service-keys", SERVICE_KEYS)],
        KeyValue::Wasmtime,
    );
    let reply = service.action("check-oat-connection", json!({}));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"], "missing-credential");
    assert_eq!(reply.body["message"], "Organization Access Token is required.");
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn connection_values_are_also_read_under_spin_style_underscore_keys() {
    let sim = simulator(SimulatorConfig::default());
    let config = [
        ("organization_name", DEFAULT_ORG),
        ("organization_access_token", DEFAULT_OAT),
        ("hub_url", sim.url()),
        ("service_keys", SERVICE_KEYS),
    ];
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
    assert_eq!(health.body["authentication"], "required");

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
            ("service-keys", SERVICE_KEYS),
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
    for needed in [
        "wasi:http/outgoing-handler@",
        "wasi:keyvalue/store@",
        "wasi:config/store@",
        "wasi:io/poll@",
        "wasi:cli/stderr@",
    ] {
        assert!(imports.iter().any(|name| name.starts_with(needed)), "{needed} missing from {imports:?}");
    }
    assert_eq!(exports, ["wasi:http/incoming-handler@0.2.12"]);
    let size = std::fs::metadata(SERVICE).unwrap().len();
    let plugin = std::fs::metadata(env!("DOCKERHUB_ORG_COMPONENT")).unwrap().len();
    eprintln!("composed service: {size} bytes (plugin alone: {plugin} bytes)");
    assert!(size > plugin);
}

/// The bodies' `error`, for short assertions.
fn error_of(reply: &Reply) -> (u16, Option<&str>) {
    (reply.status, reply.body["error"].as_str())
}

#[test]
fn without_a_key_or_with_a_wrong_one_an_action_is_401_with_a_bearer_challenge() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    for key in [None, Some("svc-admin-guess"), Some(&ADMIN_KEY[..ADMIN_KEY.len() - 1])] {
        let reply = service.action_as(key, "list-members", json!({}));
        assert_eq!(error_of(&reply), (401, Some("unauthenticated")), "{key:?}: {:#}", reply.body);
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "WWW-Authenticate: {challenge:?}");
        assert!(reply.body["message"].as_str().unwrap().contains("Bearer"), "{:#}", reply.body);
    }
    let basic = [("Authorization", format!("Basic {ADMIN_KEY}")), ("Content-Type", "application/json".into())];
    let reply = service.send_with("POST", "/actions/list-members", &basic, "{}".into());
    assert_eq!(error_of(&reply), (401, Some("unauthenticated")));
    // The manifest needs a key too; nothing of the above reached Docker Hub.
    let manifest = service.send_with("GET", "/actions", &[], String::new());
    assert_eq!(error_of(&manifest), (401, Some("unauthenticated")));
    assert_eq!(sim.request_count(), 0);
    assert_eq!(service.action_as(Some(ADMIN_KEY), "list-teams", json!({})).status, 200);
}

#[test]
fn a_read_key_reads_and_previews_a_write_but_cannot_make_one() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let teams = || sim.with_state(|s| s.team_index("read-only-crew").is_some());

    let read = service.action_as(Some(READ_KEY), "list-teams", json!({}));
    assert_eq!(read.status, 200, "{:#}", read.body);
    let health = service.send_with("GET", "/health", &[("Authorization", format!("Bearer {READ_KEY}"))], String::new());
    assert_eq!((health.status, &health.body["ok"]), (200, &json!(true)), "{:#}", health.body);

    let before = sim.request_count();
    let write = service.action_as(Some(READ_KEY), "create-team", json!({"team": "read-only-crew"}));
    assert_eq!(error_of(&write), (403, Some("insufficient-role")), "{:#}", write.body);
    let message = write.body["message"].as_str().unwrap();
    assert!(message.contains("\"auditor\"") && message.contains("admin") && message.contains("dry_run"), "{message}");
    assert_eq!(sim.request_count(), before, "a refused write reaches no one");
    for input in [
        json!({"team": "read-only-crew", "dry_run": false}),
        json!({"team": "read-only-crew", "dry_run": null}),
        json!({"team": "read-only-crew", "dry_run": "true"}),
    ] {
        let reply = service.action_as(Some(READ_KEY), "create-team", input.clone());
        assert_eq!(error_of(&reply), (403, Some("insufficient-role")), "{input}");
    }
    // `dry_run` twice: whichever one the plugin would read, the front does not call it a preview.
    let twice = r#"{"team": "read-only-crew", "dry_run": true, "dry_run": false}"#;
    let headers = [("Authorization", format!("Bearer {READ_KEY}")), ("Content-Type", "application/json".into())];
    let reply = service.send_with("POST", "/actions/create-team", &headers, twice.into());
    assert_eq!(error_of(&reply), (403, Some("insufficient-role")));
    assert!(!teams());

    let preview = service.action_as(Some(READ_KEY), "create-team", json!({"team": "read-only-crew", "dry_run": true}));
    assert_eq!(preview.status, 200, "{:#}", preview.body);
    assert!(!teams(), "a dry run changes nothing");

    let made = service.action_as(Some(ADMIN_KEY), "create-team", json!({"team": "read-only-crew"}));
    assert_eq!(made.status, 200, "{:#}", made.body);
    assert!(teams());
}

#[test]
fn a_post_that_is_not_declared_json_is_415() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let post = |content_type: Option<&str>| {
        let mut headers = vec![("Authorization", format!("Bearer {ADMIN_KEY}"))];
        headers.extend(content_type.map(|c| ("Content-Type", c.to_string())));
        service.send_with("POST", "/actions/create-team", &headers, r#"{"team": "csrf-crew"}"#.into())
    };
    for content_type in
        [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data; boundary=x"), None]
    {
        let reply = post(content_type);
        assert_eq!(error_of(&reply), (415, Some("unsupported-media-type")), "{content_type:?}: {:#}", reply.body);
        assert!(reply.body["message"].as_str().unwrap().contains("application/json"));
    }
    assert_eq!(sim.request_count(), 0);
    assert!(sim.with_state(|s| s.team_index("csrf-crew").is_none()));
    let reply = post(Some("application/json; charset=utf-8"));
    assert_eq!(reply.status, 200, "{:#}", reply.body);
}

#[test]
fn a_request_from_a_web_page_of_another_origin_is_refused() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let from = |origin: &str, path: &str| {
        let headers = [
            ("Authorization", format!("Bearer {ADMIN_KEY}")),
            ("Content-Type", "application/json".into()),
            ("Origin", origin.into()),
        ];
        let method = if path == "/health" { "GET" } else { "POST" };
        service.send_with(method, path, &headers, if method == "POST" { "{}".into() } else { String::new() })
    };
    for origin in ["https://evil.example", "null", &service.url.clone()] {
        let reply = from(origin, "/actions/list-members");
        assert_eq!(error_of(&reply), (403, Some("origin-not-allowed")), "{origin}: {:#}", reply.body);
    }
    assert_eq!(error_of(&from("https://evil.example", "/health")), (403, Some("origin-not-allowed")));
    assert_eq!(sim.request_count(), 0);

    let allowed = Service::start(
        &connection(&sim, &[("allowed-origins", "https://admin.example.com, http://localhost:3000")]),
        KeyValue::Wasmtime,
    );
    let headers = |origin: &str| {
        [
            ("Authorization", format!("Bearer {ADMIN_KEY}")),
            ("Content-Type", "application/json".to_string()),
            ("Origin", origin.to_string()),
        ]
    };
    let reply = allowed.send_with("POST", "/actions/list-teams", &headers("https://admin.example.com"), "{}".into());
    assert_eq!(reply.status, 200, "{:#}", reply.body);
    let reply = allowed.send_with("POST", "/actions/list-teams", &headers("https://evil.example"), "{}".into());
    assert_eq!(error_of(&reply), (403, Some("origin-not-allowed")));
}

#[test]
fn a_foreign_host_is_refused_so_dns_rebinding_finds_a_closed_door() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let port = service.url.rsplit(':').next().unwrap().to_string();
    let list = |host: &str| {
        let request = format!(
            "POST /actions/list-members HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {ADMIN_KEY}\r\n\
             Content-Type: application/json\r\n"
        );
        service.raw(request.as_bytes(), b"{}")
    };
    // A page at rebound.evil.example whose name now resolves to 127.0.0.1: the browser sends its
    // own name as Host (and no Origin: to the browser it is same-origin).
    for host in
        [format!("rebound.evil.example:{port}"), "rebound.evil.example".into(), format!("127.0.0.1.nip.io:{port}")]
    {
        let (status, body) = list(&host);
        assert_eq!((status, body["error"].as_str()), (421, Some("host-not-allowed")), "{host}: {body:#}");
        assert!(body["message"].as_str().unwrap().contains("allowed-hosts"), "{body:#}");
    }
    let (status, _) = service.raw(format!("GET /health HTTP/1.1\r\nHost: evil.example:{port}\r\n").as_bytes(), b"");
    assert_eq!(status, 421);
    assert_eq!(sim.request_count(), 0);
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), "[::1]".to_string()] {
        let (status, body) = list(&host);
        assert_eq!(status, 200, "{host}: {body:#}");
    }

    let named = Service::start(&connection(&sim, &[("allowed-hosts", "dockerhub-org.internal")]), KeyValue::Wasmtime);
    let request = |host: &str| {
        format!(
            "POST /actions/list-teams HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {ADMIN_KEY}\r\nContent-Type: application/json\r\n"
        )
    };
    assert_eq!(named.raw(request("dockerhub-org.internal:8080").as_bytes(), b"{}").0, 200);
    assert_eq!(named.raw(request("localhost").as_bytes(), b"{}").0, 421, "configured names replace loopback");
}

#[test]
fn with_no_key_configured_every_request_is_refused_with_how_to_configure_one() {
    let sim = simulator(SimulatorConfig::default());
    let config =
        [("organization-name", DEFAULT_ORG), ("organization-access-token", DEFAULT_OAT), ("hub-url", sim.url())];
    let service = Service::start(&config, KeyValue::Wasmtime);
    let replies = [
        service.action_as(None, "list-members", json!({})),
        service.action("remove-member", json!({"username": "kenlovelace"})),
        service.send("GET", "/actions", None),
        service.send_with("GET", "/health", &[], String::new()),
    ];
    for reply in &replies {
        assert_eq!(error_of(reply), (503, Some("service-not-configured")), "{:#}", reply.body);
        let message = reply.body["message"].as_str().unwrap();
        for needed in ["service-keys", "sha256sum", "Authorization: Bearer", "allow-unauthenticated=true"] {
            assert!(message.contains(needed), "{needed} missing from {message}");
        }
    }
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn a_key_setting_that_cannot_be_read_refuses_everything_without_echoing_it() {
    let sim = simulator(SimulatorConfig::default());
    // An operator pasted the key itself instead of its digest.
    let pasted = format!("operator:admin:{ADMIN_KEY}");
    let service = Service::start(&connection(&sim, &[("service-keys", &pasted)]), KeyValue::Wasmtime);
    let reply = service.action("list-members", json!({}));
    assert_eq!(error_of(&reply), (503, Some("service-misconfigured")), "{:#}", reply.body);
    let message = reply.body["message"].as_str().unwrap();
    assert!(message.contains("Entry 1 of the service-keys setting") && message.contains("sha256sum"), "{message}");
    assert!(!reply.body.to_string().contains(ADMIN_KEY));
    assert!(!service.stderr_text().contains(ADMIN_KEY));
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn allow_unauthenticated_lets_every_caller_in_and_health_says_so() {
    let sim = simulator(SimulatorConfig::default());
    let config = [
        ("organization-name", DEFAULT_ORG),
        ("organization-access-token", DEFAULT_OAT),
        ("hub-url", sim.url()),
        ("allow-unauthenticated", "true"),
    ];
    let service = Service::start(&config, KeyValue::Wasmtime);
    let reply = service.action_as(None, "create-team", json!({"team": "open-door"}));
    assert_eq!(reply.status, 200, "{:#}", reply.body);
    assert!(sim.with_state(|s| s.team_index("open-door").is_some()));
    let health = service.send_with("GET", "/health", &[], String::new());
    assert_eq!((health.status, &health.body["ok"]), (200, &json!(true)), "{:#}", health.body);
    assert_eq!(health.body["authentication"], "off");
    assert!(health.body["warning"].as_str().unwrap().contains("allow-unauthenticated is on"), "{:#}", health.body);
    // The browser doors stay closed.
    let plain = service.send_with("POST", "/actions/list-teams", &[("Content-Type", "text/plain".into())], "{}".into());
    assert_eq!(plain.status, 415);
}

#[test]
fn health_without_a_key_says_the_service_is_up_and_nothing_about_the_organization() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let health = service.send_with("GET", "/health", &[], String::new());
    assert_eq!(health.status, 200, "{:#}", health.body);
    assert_eq!((&health.body["status"], &health.body["authentication"]), (&json!("up"), &json!("required")));
    assert!(health.body.get("ok").is_none() && health.body.get("checks").is_none(), "{:#}", health.body);
    assert!(!health.body.to_string().contains(DEFAULT_ORG));
    assert_eq!(sim.request_count(), 0, "an open /health costs no Docker Hub request");
    let wrong = service.send_with("GET", "/health", &[("Authorization", "Bearer nope".into())], String::new());
    assert_eq!(error_of(&wrong), (401, Some("unauthenticated")));
}

#[test]
fn hostile_headers_are_refused_and_the_service_keeps_answering() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let host = service.url.trim_start_matches("http://").to_string();
    let with_authorization = |value: &[u8]| {
        let mut request = format!(
            "POST /actions/list-teams HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAuthorization: "
        )
        .into_bytes();
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
        service.raw(&request, b"{}")
    };
    let huge = format!("Bearer {}", "k".repeat(64 * 1024));
    for value in [huge.as_bytes(), b"Bearer \xff\xfe\xfd", b"Bearer", b"Bearer  "] {
        let (status, body) = with_authorization(value);
        assert_eq!(status, 401, "{body:#}");
    }
    let twice = format!(
        "POST /actions/list-teams HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {ADMIN_KEY}\r\nAuthorization: Bearer {READ_KEY}\r\n"
    );
    assert_eq!(service.raw(twice.as_bytes(), b"{}").0, 401, "two Authorization headers name no one key");
    assert_eq!(sim.request_count(), 0);
    assert_eq!(with_authorization(format!("Bearer {ADMIN_KEY}").as_bytes()).0, 200);
}

#[test]
fn the_access_log_has_one_line_per_request_naming_the_key_and_never_a_secret() {
    let sim = simulator(SimulatorConfig::default());
    let service = Service::start(&connection(&sim, &[]), KeyValue::Wasmtime);
    let mut sent = Vec::new();
    let mut count = |reply: Reply, before: u64| {
        sent.push(sim.request_count() - before);
        reply.status
    };
    let before = sim.request_count();
    assert_eq!(count(service.action("create-team", json!({"team": "logged-crew"})), before), 200);
    let before = sim.request_count();
    let preview = json!({"team": "logged-crew", "dry_run": true});
    assert_eq!(count(service.action_as(Some(READ_KEY), "delete-team", preview), before), 200);
    let before = sim.request_count();
    assert_eq!(count(service.action_as(Some(READ_KEY), "delete-team", json!({"team": "logged-crew"})), before), 403);
    let before = sim.request_count();
    assert_eq!(count(service.action_as(Some("svc-admin-guess"), "list-members", json!({})), before), 401);
    let before = sim.request_count();
    assert_eq!(count(service.action_as(None, "list-members", json!({})), before), 401);
    let before = sim.request_count();
    assert_eq!(count(service.action("create-team", json!({"team": "logged-crew"})), before), 409);

    let log = service.log();
    assert_eq!(log.len(), 6, "one line per request: {log:#?}");
    let fields = |line: &Value| {
        (
            line["key"].as_str().map(str::to_string),
            line["action"].as_str().unwrap_or_default().to_string(),
            line["dry_run"].as_bool().unwrap(),
            line["outcome"].as_str().unwrap().to_string(),
            line["status"].as_u64().unwrap(),
        )
    };
    let expected = [
        (Some("operator"), "create-team", false, "ok", 200),
        (Some("auditor"), "delete-team", true, "ok", 200),
        (Some("auditor"), "delete-team", false, "insufficient-role", 403),
        (None, "list-members", false, "unauthenticated", 401),
        (None, "list-members", false, "unauthenticated", 401),
        (Some("operator"), "create-team", false, "conflict", 409),
    ];
    for (line, (key, action, dry_run, outcome, status)) in log.iter().zip(expected) {
        assert_eq!(fields(line), (key.map(str::to_string), action.to_string(), dry_run, outcome.to_string(), status));
        assert_eq!((&line["method"], &line["route"]), (&json!("POST"), &json!("action")));
        assert!(line["duration_ms"].is_u64(), "{line}");
        let time = line["time"].as_str().unwrap();
        assert!(time.starts_with("20") && time.ends_with('Z'), "{time}");
    }
    // The log's request counts are what reached the simulator, per request.
    let counted: Vec<u64> = log.iter().map(|line| line["docker_requests"].as_u64().unwrap()).collect();
    assert_eq!(counted, sent);
    assert!(counted[0] >= 2, "the token exchange and the write: {counted:?}");

    let text = service.stderr_text();
    for secret in [ADMIN_KEY, READ_KEY, "svc-admin-guess", DEFAULT_OAT, "Bearer", "eyJ"] {
        assert!(!text.contains(secret), "{secret} in the log:\n{text}");
    }
}

#[test]
fn a_service_call_ends_by_its_deadline_as_a_cli_call_does() {
    let sim = simulator(SimulatorConfig { latency: Duration::from_secs(3), ..SimulatorConfig::default() });
    let service = Service::start(&connection(&sim, &[("call-timeout-seconds", "1")]), KeyValue::Wasmtime);
    let started = Instant::now();
    let reply = service.action("list-teams", json!({}));
    let took = started.elapsed();
    assert_eq!(error_of(&reply), (504, Some("limit-exceeded")), "{:#}", reply.body);
    assert_eq!(reply.body["detail"]["limit"], "deadline", "{:#}", reply.body);
    // The token exchange was cut short at the deadline, not at the simulator's 3 s answer.
    assert!(took >= Duration::from_millis(900) && took < Duration::from_millis(2_500), "the call took {took:?}");
    let line = service.log().pop().expect("a log line");
    assert_eq!((line["outcome"].as_str(), line["status"].as_u64()), (Some("limit-exceeded"), Some(504)));
}
