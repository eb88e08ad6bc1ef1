//! The embedded simulator with a runtime wired to it: a fresh organization per [`Sim`], and the
//! request log read as the list of writes an action sent.

use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::Outcome;
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;

/// A simulator, a runtime allowed to reach it, and its connection values.
pub struct Sim {
    /// The simulator (its state can be read and changed).
    pub sim: Simulator,
    /// The runtime.
    pub runtime: Runtime,
    /// Connection values for the simulator's organization.
    pub secrets: Secrets,
}

/// A fresh simulator with the seeded organization; sleeps are not real.
pub fn sim() -> Sim {
    let sim = Simulator::start(SimulatorConfig::default()).unwrap();
    let http = HttpConfig { real_sleep: false, ..HttpConfig::default() }.allow(sim.url()).unwrap();
    let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).unwrap();
    let secrets = Secrets::connection(DEFAULT_ORG, DEFAULT_OAT, Some(sim.url()));
    Sim { sim, runtime, secrets }
}

/// Whether a request changes state: any method but GET, except the token exchange and Docker's
/// documented validation-only bulk invite (`"dry_run": true` in the body, which changes nothing).
pub fn is_write(method: &str, url: &str, body: Option<&[u8]>) -> bool {
    if method == "GET" || url.ends_with("/v2/auth/token") {
        return false;
    }
    let validation_only = url.ends_with("/v2/invites/bulk")
        && body
            .and_then(|b| serde_json::from_slice::<Value>(b).ok())
            .is_some_and(|b| b["dry_run"] == Value::Bool(true));
    !validation_only
}

impl Sim {
    /// Runs `action` (checked as [`super::call`] checks: no secret out, requests conform to
    /// Docker's OpenAPI); the outcome.
    pub fn call(&self, action: &str, input: &Value) -> Outcome {
        super::call(&self.runtime, action, &input.to_string(), &self.secrets)
    }

    /// Runs `action`, which must succeed; its output.
    pub fn ok(&self, action: &str, input: Value) -> Value {
        super::ok(&self.runtime, action, &input.to_string(), &self.secrets)
    }

    /// Requests sent so far.
    pub fn sent(&self) -> usize {
        self.runtime.http().sent().len()
    }

    /// The writes (see [`is_write`]) sent since `from` requests had been sent, as `METHOD path`.
    pub fn writes_since(&self, from: usize) -> Vec<String> {
        self.runtime.http().sent()[from..]
            .iter()
            .filter(|r| is_write(&r.method, &r.url, r.body.as_deref()))
            .map(|r| format!("{} {}", r.method, r.url.split_once("/v2/").map_or("", |p| p.1)))
            .collect()
    }
}
