//! The wasmtime configuration every engine of this host uses, in one place.
//!
//! [`crate::runtime`] builds its engine from [`config`], and `build.rs` includes this file (with
//! `#[path]`) to precompile the embedded component with the very same settings, so the compiled
//! code shipped in the binary matches the engine that loads it. A setting changed here changes
//! both; wasmtime still checks the compatibility of precompiled code at load and the runtime falls
//! back to compiling when it differs (another CPU, another wasmtime).

/// The engine settings: fuel metering on (every call gets a budget), otherwise wasmtime's defaults.
pub fn config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.consume_fuel(true);
    config
}
