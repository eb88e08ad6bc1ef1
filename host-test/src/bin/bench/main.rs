//! `dockerhub-org-bench`: runs the performance benchmark on the embedded simulator and prints one
//! table. `--quick` runs one tiny iteration of everything (a smoke test, not a measurement).
//! Build it with the `perf` profile (`.ci/bench` does, with the `dockerhub-org` CLI beside it for the
//! first-run row); see docs/performance.md.

mod benchmark;

use benchmark::{BenchOptions, run};

fn main() -> anyhow::Result<()> {
    let quick = std::env::args().skip(1).any(|a| a == "--quick");
    if cfg!(debug_assertions) && !quick {
        eprintln!("warning: a debug build; the figures mean little (use .ci/bench)");
    }
    let mut options = if quick { BenchOptions::quick() } else { BenchOptions::full() };
    // The CLI built beside this binary (same profile) times the first-run row.
    let cli = std::env::current_exe()?.with_file_name(format!("dockerhub-org{}", std::env::consts::EXE_SUFFIX));
    if cli.exists() {
        options = options.with_cli(cli);
    } else {
        eprintln!("note: {} not found; the first-run row is skipped (.ci/bench builds it)", cli.display());
    }
    let report = run(&options)?;
    print!("{}", report.table());
    Ok(())
}
