//! A native wasmtime host for the dockerhub-org component.
//!
//! The modules mirror the component's imports ([`http`], [`secrets`], [`cache`]); [`runtime`] loads
//! the component once and runs one action per fresh store. The `dockerhub-org` binary is the CLI on
//! top; integration tests use this library against wiremock.
#![warn(missing_docs)]

pub mod bench;
pub mod cache;
pub mod connect;
pub mod demo;
pub mod http;
pub mod mcp;
pub mod runtime;
pub mod secrets;
pub mod simulator;

pub use runtime::{ActionError, Outcome, Runtime, RuntimeConfig};

/// The component built from this workspace (embedded at build time).
pub const COMPONENT: &[u8] = include_bytes!(env!("DOCKERHUB_ORG_COMPONENT"));
