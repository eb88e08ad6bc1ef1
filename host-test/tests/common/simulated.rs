//! The real component against the embedded simulator: a simulator started with a given
//! configuration, a runtime allowed to reach it (recording pauses instead of sleeping), and the
//! connection values that point at it.

use dockerhub_org_host::http::HttpConfig;
use dockerhub_org_host::runtime::Outcome;
use dockerhub_org_host::secrets::Secrets;
use dockerhub_org_host::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use dockerhub_org_host::{Runtime, RuntimeConfig};
use serde_json::Value;

/// A simulator, a runtime wired to it, and its connection values.
pub struct Simulated {
    /// The running simulator.
    pub sim: Simulator,
    /// A runtime allowed to reach it.
    pub runtime: Runtime,
    /// Connection values pointing at it.
    pub secrets: Secrets,
}

impl Simulated {
    /// Starts a simulator with `config` and wires a runtime to it.
    pub fn start(config: SimulatorConfig) -> Self {
        let sim = Simulator::start(config).expect("simulator");
        let http = HttpConfig { real_sleep: false, ..HttpConfig::default() }.allow(sim.url()).expect("simulator url");
        let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() }).expect("runtime");
        let secrets = Secrets::connection(DEFAULT_ORG, DEFAULT_OAT, Some(sim.url()));
        Simulated { sim, runtime, secrets }
    }

    /// Runs `action` with `input` (checked against Docker's OpenAPI like every test call).
    pub fn call(&self, action: &str, input: &Value) -> Outcome {
        super::call(&self.runtime, action, &input.to_string(), &self.secrets)
    }

    /// Runs `action` and returns its output.
    pub fn ok(&self, action: &str, input: &Value) -> Value {
        super::ok(&self.runtime, action, &input.to_string(), &self.secrets)
    }

    /// Runs `action` expecting an error; returns (kind, message).
    pub fn err(&self, action: &str, input: &Value) -> (String, String) {
        super::err(&self.runtime, action, &input.to_string(), &self.secrets)
    }
}
