//! Toolchain discovery: which Rust toolchain builds the wasm32 guest, and how its nested cargo is
//! started.
//!
//! In order:
//! 1. The toolchain building this crate, when it has the wasm32-unknown-unknown target installed
//!    (rustup's stock std).
//! 2. Debian's `rustc-web`/`cargo-web`/`rust-web-src` (rustc 1.96 with std sources) and `lld-19`:
//!    std is rebuilt for wasm32 with `-Zbuild-std` (`RUSTC_BOOTSTRAP=1`, set for that one nested
//!    build only) and linked with `wasm-ld`. `.ci/setup-toolchain` installs them. Because std is
//!    rebuilt anyway, this path also builds it for size (`panic = "immediate-abort"`,
//!    `optimize_for_size`, `-Zlocation-detail=none`).
//!
//! (`DOCKERHUB_ORG_PREBUILT`, which needs no toolchain, is decided before this runs: `main.rs`.)
//!
//! The nested cargo gets an environment cleared of the variables cargo sets for build scripts,
//! which would otherwise leak into it and change what it builds.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The wasm32 target the guest and the adapters are built for.
pub const TARGET: &str = "wasm32-unknown-unknown";
/// 128-bit SIMD (wasm 2.0; wasmtime and Node have it on by default): memchr's substring search,
/// which redaction runs over every output, uses it. See docs/performance.md.
const SIMD: &str = "-Ctarget-feature=+simd128";
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const WASM_LD_CANDIDATES: &[&str] = &["/usr/lib/llvm-19/bin/wasm-ld", "/usr/bin/wasm-ld-19", "/usr/bin/wasm-ld"];

/// A toolchain that can build wasm32-unknown-unknown.
pub enum Toolchain {
    /// The cargo and rustc building this crate, with the target's std installed.
    Active {
        /// The outer build's cargo.
        cargo: String,
        /// The outer build's rustc.
        rustc: String,
    },
    /// Debian's rustc-web, rebuilding std from its sources, linked by this `wasm-ld`.
    Debian {
        /// The wasm-ld found.
        linker: &'static str,
    },
}

impl Toolchain {
    /// Finds the first usable toolchain, or says how to get one.
    pub fn find() -> Result<Toolchain> {
        let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        if has_wasm_std(&rustc) {
            return Ok(Toolchain::Active { cargo, rustc });
        }
        if Path::new(DEBIAN_CARGO).exists() && debian_std_sources().is_some() {
            let linker = WASM_LD_CANDIDATES
                .iter()
                .find(|p| Path::new(p).exists())
                .context("Debian's rustc is here but wasm-ld is not: install lld-19 (bash .ci/setup-toolchain)")?;
            return Ok(Toolchain::Debian { linker });
        }
        bail!(
            "No Rust toolchain that can build wasm32-unknown-unknown was found.\n\
             Run `bash .ci/setup-toolchain` (installs Debian's rustc-web, cargo-web, rust-web-src and lld-19),\n\
             or install the wasm32-unknown-unknown target for your toolchain,\n\
             or point DOCKERHUB_ORG_PREBUILT at a built dockerhub-org.wasm component."
        );
    }

    /// `cargo build --release` for wasm32 with this toolchain's compiler, flags and environment;
    /// the caller adds the package, target and directories.
    pub fn cargo_build(&self) -> Command {
        match self {
            Toolchain::Active { cargo, rustc } => {
                let mut command = Command::new(cargo);
                clean_env(&mut command, true);
                command.env("RUSTC", rustc).env("RUSTFLAGS", SIMD);
                command.args(["build", "--release"]);
                command
            }
            Toolchain::Debian { linker } => {
                let mut command = Command::new(DEBIAN_CARGO);
                clean_env(&mut command, false);
                command
                    .env("RUSTC", DEBIAN_RUSTC)
                    .env("RUSTC_BOOTSTRAP", "1")
                    .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker)
                    // Size (this toolchain rebuilds std anyway): no panic machinery at all (the
                    // guest never panics, and a panic traps either way), std's size-optimised
                    // algorithms, and no file/line strings for panic locations. See
                    // docs/performance.md.
                    .env("CARGO_PROFILE_RELEASE_PANIC", "immediate-abort")
                    .env("RUSTFLAGS", format!("-Zlocation-detail=none {SIMD}"))
                    .args([
                        "build",
                        "--release",
                        "-Zbuild-std=std,panic_abort",
                        "-Zbuild-std-features=optimize_for_size",
                        "-Zpanic-immediate-abort",
                    ]);
                command
            }
        }
    }
}

/// Whether `rustc` has a precompiled std for wasm32.
fn has_wasm_std(rustc: &str) -> bool {
    let output = Command::new(rustc).args(["--print", "target-libdir", "--target", TARGET]).output();
    let Ok(output) = output else { return false };
    if !output.status.success() {
        return false;
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        .unwrap_or(false)
}

/// The std sources Debian's rust-web-src installs, if present.
fn debian_std_sources() -> Option<PathBuf> {
    let output = Command::new(DEBIAN_RUSTC).args(["--print", "sysroot"]).output().ok()?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let library = sysroot.join("lib/rustlib/src/rust/library");
    library.join("std").is_dir().then_some(library)
}

/// Removes what cargo sets for build scripts (and compiler overrides) from the nested build.
fn clean_env(command: &mut Command, keep_rustup: bool) {
    const KEEP: &[&str] =
        &["CARGO_HOME", "CARGO_NET_", "CARGO_HTTP_", "CARGO_REGISTRIES_", "CARGO_REGISTRY_", "CARGO_TERM_"];
    const DROP: &[&str] = &[
        "RUSTC",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTDOC",
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "RUSTC_BOOTSTRAP",
        "RUSTC_LINKER",
        "TARGET",
        "HOST",
        "OUT_DIR",
        "OPT_LEVEL",
        "PROFILE",
        "DEBUG",
        "NUM_JOBS",
        "MAKEFLAGS",
        "MFLAGS",
        "DOCKERHUB_ORG_PREBUILT",
    ];
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        let cargo_var = key.starts_with("CARGO") && !KEEP.iter().any(|k| key.starts_with(k));
        let rustup_var = !keep_rustup && key.starts_with("RUSTUP_TOOLCHAIN");
        if cargo_var || rustup_var || DROP.contains(&key.as_str()) || key.starts_with("CARGO_ENCODED_") {
            command.env_remove(&key);
        }
    }
}
