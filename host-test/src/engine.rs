//! The wasmtime configuration every engine of this host uses, in one place.
//!
//! [`crate::runtime`] builds its engine from [`config`], and `build.rs` includes this file (with
//! `#[path]`) to precompile the embedded component with the very same settings, so the compiled
//! code shipped in the binary matches the engine that loads it. A setting changed here changes
//! both; wasmtime still checks the compatibility of precompiled code at load and the runtime falls
//! back to compiling when it differs (another CPU, another wasmtime).

/// The engine settings: epoch interruption on, otherwise wasmtime's defaults. The runtime advances
/// the epoch every [`EPOCH_TICK`] and each call's store checks its guest-time budget at every tick
/// (`crate::runtime`), so a guest that never yields is stopped. Epochs, not fuel: fuel metering
/// counted every block and cost about a third of the guest's time on a list-members page
/// (docs/performance.md, "The sandbox"); an epoch check is a load and a compare at function entries
/// and loop heads.
pub fn config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.epoch_interruption(true);
    config
}

/// How often the runtime advances the engine's epoch: the resolution of a call's time budget.
#[allow(dead_code)] // the build script includes this file for `config` only
pub const EPOCH_TICK: std::time::Duration = std::time::Duration::from_millis(10);
