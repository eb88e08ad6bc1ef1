//! Builds the guest for wasm32-unknown-unknown, turns the core module into a component, and writes
//! it to `target/dockerhub-org.wasm` (and into OUT_DIR, where the host embeds it). Then builds the
//! two adapter crates under `adapters/` the same way and composes them around the plugin into
//! `target/dockerhub-org-service.wasm` (`build/service.rs`; skipped with a prebuilt plugin).
//!
//! Toolchain, in order:
//! 1. `DOCKERHUB_ORG_PREBUILT=path`: use a component built elsewhere; nothing is compiled.
//! 2. The toolchain building this crate, when it has the wasm32-unknown-unknown target installed.
//! 3. Debian's `rustc-web`/`cargo-web`/`rust-web-src` (rustc 1.96 with std sources) and `lld-19`:
//!    std is rebuilt for wasm32 with `-Zbuild-std` (`RUSTC_BOOTSTRAP=1`, set for that one nested
//!    build only) and linked with `wasm-ld`. `.ci/setup-toolchain` installs them. Because std is
//!    rebuilt anyway, this path also builds it for size (`panic = "immediate-abort"`,
//!    `optimize_for_size`, `-Zlocation-detail=none`); the rustup path uses the stock std.
//!
//! The plugin component is then compiled for the host's own wasmtime engine (`Engine::precompile_component` with the
//! configuration in `src/engine.rs`, shared with the runtime) and written beside it as
//! `dockerhub-org.cwasm`, so the CLI's first run deserializes machine code instead of compiling.
//!
//! The nested cargo gets its own target dir (sharing the outer one deadlocks on its lock) and an
//! environment cleared of the variables cargo sets for build scripts, which would otherwise leak
//! into it and change what it builds.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The engine configuration the runtime uses (one definition for both).
#[path = "src/engine.rs"]
mod engine;
#[path = "build/service.rs"]
mod service;

const TARGET: &str = "wasm32-unknown-unknown";
/// 128-bit SIMD (wasm 2.0; wasmtime and Node have it on by default): memchr's substring search,
/// which redaction runs over every output, uses it. See docs/performance.md.
const SIMD: &str = "-Ctarget-feature=+simd128";
const DEBIAN_CARGO: &str = "/usr/bin/cargo";
const DEBIAN_RUSTC: &str = "/usr/bin/rustc";
const WASM_LD_CANDIDATES: &[&str] = &["/usr/lib/llvm-19/bin/wasm-ld", "/usr/bin/wasm-ld-19", "/usr/bin/wasm-ld"];

fn main() -> Result<()> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let root = manifest_dir.parent().context("host-test has no parent directory")?.to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let target_dir = env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    let target_dir = if target_dir.is_relative() { root.join(target_dir) } else { target_dir };

    // Every file, not the directories: a directory entry is only seen to change when files are
    // added or removed in it, so edits deep inside src/ would leave a stale component embedded.
    for watched in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(watched).display());
    }
    for dir in ["src", "wit", "adapters"] {
        watch_tree(&root.join(dir))?;
    }
    println!("cargo:rerun-if-env-changed=DOCKERHUB_ORG_PREBUILT");

    let guest_dir = guest_dir(&root, &target_dir);
    let component = match env::var_os("DOCKERHUB_ORG_PREBUILT") {
        Some(path) => std::fs::read(&path)
            .with_context(|| format!("reading DOCKERHUB_ORG_PREBUILT={}", Path::new(&path).display()))?,
        None => add_metadata(&root, &encode_component(&build_guest(&root, &guest_dir, "dockerhub-org")?)?)?,
    };

    write_atomically(&out_dir.join("dockerhub-org.wasm"), &component)?;
    std::fs::create_dir_all(&target_dir)?;
    write_atomically(&target_dir.join("dockerhub-org.wasm"), &component)?;
    println!("cargo:rustc-env=DOCKERHUB_ORG_COMPONENT={}", out_dir.join("dockerhub-org.wasm").display());

    let precompiled = precompile(&component)?;
    write_atomically(&out_dir.join("dockerhub-org.cwasm"), &precompiled)?;
    println!("cargo:rustc-env=DOCKERHUB_ORG_PRECOMPILED={}", out_dir.join("dockerhub-org.cwasm").display());

    // The same plugin as an HTTP service for standard WASI engines (docs/deploy.md).
    if env::var_os("DOCKERHUB_ORG_PREBUILT").is_none() {
        let service = service::compose(&root, &guest_dir, &component)?;
        write_atomically(&out_dir.join("dockerhub-org-service.wasm"), &service)?;
        write_atomically(&target_dir.join("dockerhub-org-service.wasm"), &service)?;
        println!("cargo:rustc-env=DOCKERHUB_ORG_SERVICE={}", out_dir.join("dockerhub-org-service.wasm").display());
    }
    Ok(())
}

/// Writes the guest package's name, version, description, licence and (when Cargo.toml has one)
/// source repository into `component`, as the component-model metadata sections that
/// `wasm-tools metadata show` reads. The values come from `cargo metadata`, so Cargo.toml stays the
/// one place they are written.
fn add_metadata(root: &Path, component: &[u8]) -> Result<Vec<u8>> {
    use wasm_metadata::{AddMetadata, AddMetadataField::Set, Description, Licenses, Source, Version};
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .output()
        .context("running cargo metadata for the component's metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let workspace: serde_json::Value = serde_json::from_slice(&output.stdout).context("reading cargo metadata")?;
    let packages = workspace["packages"].as_array().context("cargo metadata lists no packages")?;
    let guest = packages.iter().find(|p| p["name"] == "dockerhub-org").context("no dockerhub-org package")?;
    let field = |key: &str| guest[key].as_str().filter(|v| !v.is_empty()).map(str::to_string);
    let mut metadata = AddMetadata::default();
    metadata.name = Set(field("name").context("the guest package has no name")?);
    metadata.version = Set(Version::new(field("version").context("the guest package has no version")?));
    metadata.description = Set(Description::new(field("description").context("set a description in Cargo.toml")?));
    let license = field("license").context("set a license in Cargo.toml")?;
    metadata.licenses = Set(Licenses::new(&license).with_context(|| format!("license {license:?} is not SPDX"))?);
    if let Some(repository) = field("repository") {
        metadata.source = Set(Source::new(&repository).with_context(|| format!("repository {repository:?}"))?);
    }
    metadata.to_wasm(component).context("writing the component's metadata")
}

/// Compiles `component` to machine code for the engine the host will run (same configuration;
/// the build machine's CPU features, as the runtime's engine detects them on the same machine).
/// When cross-compiling the host, the code is compiled for the target triple instead; the runtime
/// checks compatibility at load either way and compiles when the code does not fit.
fn precompile(component: &[u8]) -> Result<Vec<u8>> {
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

/// One nested target dir per checkout, so worktrees sharing a CARGO_TARGET_DIR never read each
/// other's guest modules.
fn guest_dir(root: &Path, target_dir: &Path) -> PathBuf {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(root, &mut hasher);
    target_dir.join(format!("guest-{:08x}", std::hash::Hasher::finish(&hasher) as u32))
}

/// Reads the core module at `core` and turns it into a component.
fn encode_component(core: &Path) -> Result<Vec<u8>> {
    let module = std::fs::read(core).with_context(|| format!("reading {}", core.display()))?;
    wit_component::ComponentEncoder::default()
        .module(&module)
        .with_context(|| format!("{} has no usable component-type section", core.display()))?
        .validate(true)
        .encode()
        .with_context(|| format!("encoding {} as a component", core.display()))
}

/// Runs the nested wasm32 build of the workspace package `package` (the plugin or an adapter);
/// returns its core module's path.
fn build_guest(root: &Path, guest_target: &Path, package: &str) -> Result<PathBuf> {
    let outer_cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let outer_rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());

    let mut command;
    if has_wasm_std(&outer_rustc) {
        command = Command::new(&outer_cargo);
        clean_env(&mut command, true);
        command.env("RUSTC", &outer_rustc).env("RUSTFLAGS", SIMD);
        command.args(["build", "--release"]);
    } else if Path::new(DEBIAN_CARGO).exists() && debian_std_sources().is_some() {
        let linker = WASM_LD_CANDIDATES
            .iter()
            .find(|p| Path::new(p).exists())
            .context("Debian's rustc is here but wasm-ld is not: install lld-19 (bash .ci/setup-toolchain)")?;
        command = Command::new(DEBIAN_CARGO);
        clean_env(&mut command, false);
        command
            .env("RUSTC", DEBIAN_RUSTC)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", linker)
            // Size (this toolchain rebuilds std anyway): no panic machinery at all (the guest never
            // panics, and a panic traps either way), std's size-optimised algorithms, and no
            // file/line strings for panic locations. See docs/performance.md.
            .env("CARGO_PROFILE_RELEASE_PANIC", "immediate-abort")
            .env("RUSTFLAGS", format!("-Zlocation-detail=none {SIMD}"))
            .args([
                "build",
                "--release",
                "-Zbuild-std=std,panic_abort",
                "-Zbuild-std-features=optimize_for_size",
                "-Zpanic-immediate-abort",
            ]);
    } else {
        bail!(
            "No Rust toolchain that can build wasm32-unknown-unknown was found.\n\
             Run `bash .ci/setup-toolchain` (installs Debian's rustc-web, cargo-web, rust-web-src and lld-19),\n\
             or install the wasm32-unknown-unknown target for your toolchain,\n\
             or point DOCKERHUB_ORG_PREBUILT at a built dockerhub-org.wasm component."
        );
    }
    command
        .args(["--lib", "--locked", "-p", package, "--target", TARGET, "--target-dir"])
        .arg(guest_target)
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .current_dir(root)
        // Build-script stdout is read by cargo as directives: keep the nested output on stderr.
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let status = command.status().context("starting the nested guest build")?;
    if !status.success() {
        bail!("the wasm32 build of {package} failed ({status}); its output is above");
    }
    Ok(guest_target.join(TARGET).join("release").join(format!("{}.wasm", package.replace('-', "_"))))
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

/// Emits `rerun-if-changed` for `dir` and every file and directory below it.
fn watch_tree(dir: &Path) -> Result<()> {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            watch_tree(&path)?;
        } else {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    Ok(())
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("wasm.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}
