//! Connecting a front end (the CLI's `run` and `health`, the MCP server) to Docker Hub or to the
//! embedded simulator: the runtime with the right HTTP allow-list, and the connection values the
//! component reads through `secret-get`.
//!
//! Live connections read the Organization Access Token from `DOCKERHUB_OAT` only (never from a
//! flag, so it stays out of shell history and process listings).

use anyhow::{Context, Result};

use crate::http::HttpConfig;
use crate::secrets::Secrets;
use crate::simulator::{DEFAULT_OAT, DEFAULT_ORG, Simulator, SimulatorConfig};
use crate::{Runtime, RuntimeConfig};

/// The environment variable holding the Organization Access Token for live connections.
pub const OAT_ENV: &str = "DOCKERHUB_OAT";

/// A runtime, the connection values to call it with, and the simulator it talks to (kept alive for
/// as long as the connection is used).
pub struct Connection {
    /// The loaded component with the HTTP allow-list for this connection.
    pub runtime: Runtime,
    /// `organization-name`, `organization-access-token` and `hub-url` as the guest reads them.
    pub secrets: Secrets,
    /// The embedded simulator, when connected to one.
    pub simulator: Option<Simulator>,
}

/// Connects to the embedded simulator (`simulate`, organization `org` or the simulator's default)
/// or to Docker Hub (`org`, `DOCKERHUB_OAT`, and `hub_url` when it is another base URL, which is
/// then put on the allow-list). Missing values are left missing: the component reports them as
/// `missing-credential` errors when an action needs them.
pub fn connect(org: Option<&str>, hub_url: Option<&str>, simulate: bool) -> Result<Connection> {
    let mut secrets = Secrets::new();
    let mut http = HttpConfig::default();
    let simulator = if simulate {
        let org = org.unwrap_or(DEFAULT_ORG).to_string();
        let sim = Simulator::start(SimulatorConfig { org: org.clone(), ..SimulatorConfig::default() })?;
        http = http.allow(sim.url())?;
        secrets = Secrets::connection(&org, DEFAULT_OAT, Some(sim.url()));
        Some(sim)
    } else {
        if let Some(org) = org {
            secrets.set("organization-name", org);
        }
        if let Ok(oat) = std::env::var(OAT_ENV) {
            secrets.set("organization-access-token", oat);
        }
        if let Some(url) = hub_url {
            http = http.allow(url).with_context(|| format!("--hub-url {url} is not a URL"))?;
            secrets.set("hub-url", url);
        }
        None
    };
    let runtime = Runtime::embedded(RuntimeConfig { http, ..RuntimeConfig::default() })?;
    Ok(Connection { runtime, secrets, simulator })
}
