//! `dockerhub-org demo` (the tour against the embedded simulator) and `dockerhub-org
//! serve-simulator` (the simulator alone).

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use dockerhub_org_host::demo;
use dockerhub_org_host::simulator::{DEFAULT_OAT, Simulator, SimulatorConfig};

use super::exit;

/// Runs the demo; exit 0 only if every step behaved as expected.
pub fn demo(json: bool) -> Result<ExitCode> {
    let report = if json {
        let report = demo::run(&mut std::io::sink())?;
        writeln!(std::io::stdout().lock(), "{}", serde_json::to_string(&report)?)?;
        report
    } else {
        demo::run(&mut std::io::stdout().lock())?
    };
    Ok(exit::exit(if report.passed { exit::OK } else { exit::ACTION_FAILED }))
}

/// Runs the simulator until the process is stopped.
pub fn serve_simulator(port: u16, org: &str, latency_ms: u64, rate_limit: Option<u32>) -> Result<ExitCode> {
    let sim = Simulator::start(SimulatorConfig {
        org: org.to_string(),
        port,
        latency: Duration::from_millis(latency_ms),
        rate_limit_per_minute: rate_limit,
        ..SimulatorConfig::default()
    })?;
    let url = sim.url();
    let mut out = std::io::stdout().lock();
    writeln!(out, "Docker Hub simulator for organization \"{org}\" listening on {url}")?;
    writeln!(
        out,
        "Exchange the token with: curl -s -X POST {url}/v2/auth/token -H 'Content-Type: application/json' \\"
    )?;
    writeln!(out, "  -d '{{\"identifier\": \"{org}\", \"secret\": \"{DEFAULT_OAT}\"}}'")?;
    writeln!(out, "Use it with this CLI (the simulator's own token, not a secret):")?;
    writeln!(out, "  DOCKERHUB_OAT={DEFAULT_OAT} dockerhub-org list-members --org {org} --hub-url {url}")?;
    writeln!(out, "Press Ctrl-C to stop.")?;
    out.flush()?;
    drop(out);
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
