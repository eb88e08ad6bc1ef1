//! The adapter's WIT world as Rust (wasm32 only): generated code alone, so the modules that
//! implement it ([`crate::component`], [`crate::fetch`]) depend on this one and not on each other.

wit_bindgen::generate!({
    world: "dockerhub:adapters/wasi-imports",
    path: ["../../wit", "../wit"],
    // The plugin's interfaces live in another package (`dockerhub:org`, ../../wit).
    generate_all,
});
