//! Builds the dockerhub-org component; the library itself is empty.
//!
//! The work is in the build script (`build/main.rs`): it builds the guest crate for
//! wasm32-unknown-unknown, turns it into a component with its metadata, builds the two adapter
//! crates and composes the WASI HTTP service, and writes `target/dockerhub-org.wasm` and
//! `target/dockerhub-org-service.wasm`. It depends on no wasmtime, so cargo runs it while it
//! compiles wasmtime and cranelift for the host.
//!
//! A package that depends on this one reads the paths in its own build script, from the `links`
//! metadata cargo passes it: `DEP_DOCKERHUB_ORG_COMPONENT` (the plugin component) and, unless the
//! component came from `DOCKERHUB_ORG_PREBUILT`, `DEP_DOCKERHUB_ORG_SERVICE` (the composed
//! service). `host-test`'s build script precompiles the component from there.
#![no_std]
#![deny(missing_docs)]
