//! Binaryen's `wasm-opt` over a core module, when it is installed: about 10% less code at the same
//! speed (`-O2`; the measurements are in docs/performance.md, "What moved the component size").
//! Optional: without it (or when it fails) the module is used as rustc wrote it, with a warning,
//! so a machine with only a Rust toolchain still builds. `.ci/setup-toolchain` installs Debian's
//! `binaryen`; `WASM_OPT=path` picks another binary, `WASM_OPT=off` skips the pass.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The features rustc's wasm32 output uses (its defaults and `+simd128`): wasm-opt must accept
/// them, and must not use others.
const FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
    "--enable-simd",
];

/// `core` optimised into a file beside it (`*.opt.wasm`), or `core` itself when wasm-opt is not
/// there or fails.
pub fn optimise(core: &Path) -> PathBuf {
    println!("cargo:rerun-if-env-changed=WASM_OPT");
    let program = match std::env::var("WASM_OPT") {
        Ok(value) if value == "off" => return core.to_path_buf(),
        Ok(value) if !value.is_empty() => PathBuf::from(value),
        _ => PathBuf::from("wasm-opt"),
    };
    let out = core.with_extension("opt.wasm");
    let status = Command::new(&program)
        .arg("-O2")
        .args(FEATURES)
        .arg(core)
        .arg("-o")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status();
    match status {
        Ok(status) if status.success() && out.is_file() => out,
        Ok(status) => {
            println!(
                "cargo:warning=wasm-opt failed on {} ({status}); using the module as built (about 10% larger)",
                core.display()
            );
            core.to_path_buf()
        }
        Err(_) => {
            println!(
                "cargo:warning=wasm-opt (binaryen) is not installed: the component is about 10% larger; `bash .ci/setup-toolchain` installs it"
            );
            core.to_path_buf()
        }
    }
}
