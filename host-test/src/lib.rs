//! A native wasmtime host for the dockerhub-org component.
//!
//! The modules mirror the component's imports ([`http`], [`secrets`], [`cache`], each holding its
//! import's implementation over the generated [`bindings`], within the call's [`deadline`]);
//! [`runtime`] loads the component once and runs one action per fresh store, its compiled code
//! cached by [`compile_cache`]. The `dockerhub-org` binary is the CLI on top; integration tests use this
//! library against wiremock.
#![deny(missing_docs)]

pub mod bindings;
pub mod cache;
pub mod compile_cache;
pub mod connect;
pub mod deadline;
pub mod demo;
pub mod engine;
pub mod http;
pub mod manifest;
pub mod mcp;
pub mod mcp_input;
pub mod native;
pub mod pool;
pub mod runtime;
pub mod secrets;
pub mod simulator;

pub use runtime::{ActionError, Outcome, Runtime, RuntimeConfig};

/// The component built from this workspace (embedded at build time).
pub const COMPONENT: &[u8] = include_bytes!(env!("DOCKERHUB_ORG_COMPONENT"));

/// Bytes kept at an alignment the ELF reader of wasmtime's precompiled-code check accepts.
#[repr(C, align(16))]
struct Aligned<T: ?Sized>(T);

static PRECOMPILED_ALIGNED: &Aligned<[u8]> = &Aligned(*include_bytes!(env!("DOCKERHUB_ORG_PRECOMPILED")));

/// [`COMPONENT`] compiled at build time for this host's engine (`build.rs`, with
/// [`engine::config`]); [`Runtime::embedded`] loads it when the running engine is compatible.
pub static PRECOMPILED: &[u8] = &PRECOMPILED_ALIGNED.0;
