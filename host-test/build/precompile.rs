//! Precompile: the plugin component compiled to machine code for the engine the host will run
//! (`Engine::precompile_component`, with the configuration in `src/engine.rs` that the runtime
//! also uses), written beside the component as `dockerhub-org.cwasm`.

use std::env;

use anyhow::{Context, Result};

use crate::engine;

/// Compiles `component` for the host's engine (same configuration; the build machine's CPU
/// features, as the runtime's engine detects them on the same machine). When cross-compiling the
/// host, the code is compiled for the target triple instead; the runtime checks compatibility at
/// load either way and compiles when the code does not fit.
pub fn precompile(component: &[u8]) -> Result<Vec<u8>> {
    let mut config = engine::config();
    let (target, host) = (env::var("TARGET")?, env::var("HOST")?);
    if target != host {
        config
            .target(&target)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("wasmtime cannot compile for {target}"))?;
    }
    let engine = wasmtime::Engine::new(&config)
        .map_err(anyhow::Error::from)
        .context("creating the wasmtime engine to precompile with")?;
    engine.precompile_component(component).map_err(anyhow::Error::from).context("precompiling the component")
}
