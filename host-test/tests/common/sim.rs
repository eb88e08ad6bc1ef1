//! The real component against the embedded simulator: a fresh organization per [`Sim`] (started
//! with a given configuration or the default one), a runtime allowed to reach it (recording pauses
//! instead of sleeping), the connection values that point at it, and the request log read as the
//! list of writes an action sent.

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

/// A fresh simulator with the seeded organization and no quirks; sleeps are not real.
pub fn sim() -> Sim {
    Sim::start(SimulatorConfig::default())
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
    /// Starts a simulator with `config` and wires a runtime to it (sleeps are not real).
    pub fn start(config: SimulatorConfig) -> Self {
        let sim = Simulator::start(config).expect("simulator");
        let http = HttpConfig { real_sleep: false, ..HttpConfig::default() }.allow(sim.url()).expect("simulator url");
        let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime");
        let secrets = Secrets::connection(DEFAULT_ORG, DEFAULT_OAT, Some(sim.url()));
        Sim { sim, runtime, secrets }
    }

    /// Runs `action` (checked as [`super::call`] checks: no secret out, requests conform to
    /// Docker's OpenAPI); the outcome.
    pub fn call(&self, action: &str, input: &Value) -> Outcome {
        super::call(&self.runtime, action, &input.to_string(), &self.secrets)
    }

    /// Runs `action`, which must succeed; its output.
    pub fn ok(&self, action: &str, input: &Value) -> Value {
        super::ok(&self.runtime, action, &input.to_string(), &self.secrets)
    }

    /// Runs `action` expecting an error; returns (kind, message).
    pub fn err(&self, action: &str, input: &Value) -> (String, String) {
        super::err(&self.runtime, action, &input.to_string(), &self.secrets)
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
