//! The service's WIT world as Rust (wasm32 only): generated code alone, so the modules that use it
//! ([`crate::component`], [`crate::action_table`]) depend on this one and not on each other.

wit_bindgen::generate!({
    world: "dockerhub:adapters/http-service",
    path: ["../../wit", "../wit"],
    // The plugin's interfaces live in another package (`dockerhub:org`, ../../wit).
    generate_all,
});
