//! `dockerhub-org-bench`: runs the performance benchmark on the embedded simulator and prints one
//! table. `--quick` runs one tiny iteration of everything (a smoke test, not a measurement).
//! Build it in release (`.ci/bench` does); see docs/performance.md.

use dockerhub_org_host::bench::{BenchOptions, run};

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().skip(1).any(|a| a == "--quick");
    if cfg!(debug_assertions) && !quick {
        eprintln!("warning: a debug build; the figures mean little (use .ci/bench)");
    }
    let options = if quick { BenchOptions::quick() } else { BenchOptions::full() };
    let report = run(&options)?;
    print!("{}", report.table());
    Ok(())
}
