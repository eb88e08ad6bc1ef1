//! Loading the component once and running one action per fresh store.
//!
//! The `Engine`, `Linker` and `InstancePre` are built once per [`Runtime`]; each call gets a new
//! `Store` with a memory limit and a guest-time budget (checked at every epoch tick), so a runaway
//! guest is stopped and one call's
//! state never leaks into the next.
//!
//! The embedded component comes precompiled for this host's engine ([`crate::PRECOMPILED`], built by
//! `build.rs` with [`crate::engine::config`]), so a process's first call does not compile it; when
//! wasmtime finds that code incompatible (another CPU, another engine), the runtime compiles the
//! embedded component instead. A component loaded from bytes or a path is compiled once and cached
//! on disk ([`crate::compile_cache`], a directory only its owner can write) so a later process loads
//! it in milliseconds.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use dockerhub_org_wire::Kind;
use wasmtime::component::{Component, HasSelf, InstancePre, Linker};
use wasmtime::error::Context as _;
use wasmtime::{Engine, Precompiled, ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap, UpdateDeadline};

use crate::bindings::{PluginPre, cache_iface, http_fetch, secret_get};
use crate::cache::{Cache, CacheImport};
use crate::compile_cache;
use crate::deadline::Deadline;
use crate::http::{HttpClient, HttpConfig, HttpImport};
use crate::pool::{Allocation, Slots};
use crate::secrets::Secrets;

pub use crate::bindings::{ACTIONS_INTERFACE, ActionError, ErrorInfo, RateLimitInfo, UpstreamInfo};

/// What one action call returned.
pub type Outcome = std::result::Result<String, ActionError>;

/// Runtime limits and host behaviour.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The HTTP import's settings.
    pub http: HttpConfig,
    /// The longest the guest may compute in one call: the call's time minus its time in the
    /// host's `http-fetch` import (requests, pauses). Checked every [`crate::engine::EPOCH_TICK`];
    /// past it the call traps (`Trap::Interrupt`). The call's deadline bounds it too.
    pub guest_time: Duration,
    /// Guest linear memory cap, bytes.
    pub memory_bytes: usize,
    /// Where compiled components are cached; `None` compiles every time. (The embedded component
    /// always uses [`default_compile_cache`].)
    pub compile_cache: Option<PathBuf>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            http: HttpConfig::default(),
            guest_time: Duration::from_secs(30),
            memory_bytes: 256 * 1024 * 1024,
            compile_cache: default_compile_cache(),
        }
    }
}

/// `$DOCKERHUB_ORG_COMPILE_CACHE`, else the OS cache dir, else none ([`compile_cache::default_dir`]).
pub fn default_compile_cache() -> Option<PathBuf> {
    compile_cache::default_dir()
}

/// Per-call store data: the three imports (each its module's own state) and the limits.
pub struct HostState {
    http: HttpImport,
    cache: CacheImport,
    secrets: Secrets,
    limits: PeakLimits,
    /// When this call must end (shared with the imports, which refuse work past it).
    deadline: Arc<Deadline>,
    /// When this call's store was made (its guest time is counted from here).
    started: Instant,
    /// The guest-time budget ([`RuntimeConfig::guest_time`]).
    guest_time: Duration,
}

/// How long past the call's deadline a guest may still compute (to write the `limit-exceeded`
/// the imports' refusals lead to) before it is stopped.
const DEADLINE_GRACE: Duration = Duration::from_secs(5);

/// What one call cost, beyond its output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Largest linear-memory size the guest reached, bytes (wasm memory never shrinks, so this is
    /// also its size at the end of the call).
    pub peak_memory_bytes: usize,
    /// A fresh store, instantiation and finding the export.
    pub setup: Duration,
    /// The guest running: the call less the time spent in the `http-fetch` import.
    pub in_guest: Duration,
    /// The `http-fetch` import: requests, their answers, pauses.
    pub in_http: Duration,
}

/// The store's limits, recording the largest memory size they allowed.
struct PeakLimits {
    limits: StoreLimits,
    peak_memory: usize,
}

impl ResourceLimiter for PeakLimits {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.limits.memory_growing(current, desired, maximum)?;
        if allowed {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.memory_grow_failed(error)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.limits.table_growing(current, desired, maximum)
    }

    fn table_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.limits.table_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.limits.instances()
    }

    fn tables(&self) -> usize {
        self.limits.tables()
    }

    fn memories(&self) -> usize {
        self.limits.memories()
    }
}

/// A loaded component, ready to run actions.
pub struct Runtime {
    engine: Engine,
    /// The engine's instance slots (shared by every runtime on that engine).
    slots: Arc<Slots>,
    component: Component,
    pre: InstancePre<HostState>,
    http: Arc<HttpClient>,
    cache: Arc<Cache>,
    config: RuntimeConfig,
}

impl Runtime {
    /// Loads `component` (bytes of a component) with `config`.
    pub fn new(component: &[u8], config: RuntimeConfig) -> Result<Self> {
        let (engine, slots) = new_engine()?;
        let component = load_component(&engine, component, config.compile_cache.as_deref())?;
        Self::from_parts(engine, slots, component, config)
    }

    /// Loads the component embedded in this binary: its precompiled form when this engine can run
    /// it, else compiled (or read from the compile cache). Loaded once per process and shared by
    /// every runtime made this way.
    pub fn embedded(config: RuntimeConfig) -> Result<Self> {
        type Shared = (Engine, Arc<Slots>, Component);
        static SHARED: OnceLock<std::result::Result<Shared, String>> = OnceLock::new();
        let shared = SHARED.get_or_init(|| {
            let (engine, slots) = new_engine().map_err(|e| format!("{e:#}"))?;
            let (component, _) =
                load_embedded(&engine, default_compile_cache().as_deref()).map_err(|e| format!("{e:#}"))?;
            Ok((engine, slots, component))
        });
        let (engine, slots, component) = shared.as_ref().map_err(|e| anyhow!("{e}"))?;
        Self::from_parts(engine.clone(), slots.clone(), component.clone(), config)
    }

    fn from_parts(engine: Engine, slots: Arc<Slots>, component: Component, config: RuntimeConfig) -> Result<Self> {
        let mut linker = Linker::<HostState>::new(&engine);
        http_fetch::add_to_linker::<_, HasSelf<HttpImport>>(&mut linker, |state| &mut state.http)
            .context("linking the http-fetch import")?;
        secret_get::add_to_linker::<_, HasSelf<Secrets>>(&mut linker, |state| &mut state.secrets)
            .context("linking the secret-get import")?;
        cache_iface::add_to_linker::<_, HasSelf<CacheImport>>(&mut linker, |state| &mut state.cache)
            .context("linking the cache import")?;
        let pre = linker.instantiate_pre(&component).context("pre-instantiating the component")?;
        let http = HttpClient::new(config.http.clone());
        Ok(Runtime { engine, slots, component, pre, http, cache: Arc::new(Cache::new()), config })
    }

    /// The HTTP import (request log, pauses).
    pub fn http(&self) -> &Arc<HttpClient> {
        &self.http
    }

    /// The cache import.
    pub fn cache(&self) -> &Arc<Cache> {
        &self.cache
    }

    fn store(&self, secrets: &Secrets) -> Result<Store<HostState>> {
        let limits = StoreLimitsBuilder::new().memory_size(self.config.memory_bytes).instances(16).build();
        let limits = PeakLimits { limits, peak_memory: 0 };
        let deadline = Arc::new(Deadline::after(call_timeout_seconds(secrets)));
        let state = HostState {
            http: HttpImport::new(self.http.clone(), deadline.clone()),
            cache: CacheImport::new(self.cache.clone(), deadline.clone()),
            secrets: secrets.clone(),
            limits,
            deadline: deadline.clone(),
            started: Instant::now(),
            guest_time: self.config.guest_time,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        // At every epoch tick (and as the action starts, see `call_with_stats`): stop a guest past
        // its time budget, or one still computing well past the call's deadline (a guest that calls
        // the imports learns of the deadline from them and ends with a typed error; the grace
        // leaves it time to).
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|store| {
            let state = store.data();
            let computed = state.started.elapsed().saturating_sub(state.http.time_spent());
            if computed > state.guest_time || state.deadline.overrun() > DEADLINE_GRACE {
                Ok(UpdateDeadline::Interrupt)
            } else {
                Ok(UpdateDeadline::Continue(1))
            }
        });
        Ok(store)
    }

    /// Runs `action` with JSON `input` and connection `secrets`. `Err` means the host or the guest
    /// failed (trap, time or memory exhausted, no such export); an action's own failure is
    /// `Ok(Err(ActionError))`.
    pub fn call(&self, action: &str, input: &str, secrets: &Secrets) -> Result<Outcome> {
        Ok(self.call_with_stats(action, input, secrets)?.0)
    }

    /// [`Runtime::call`], also reporting what the call cost the guest (peak linear memory).
    pub fn call_with_stats(&self, action: &str, input: &str, secrets: &Secrets) -> Result<(Outcome, CallStats)> {
        // Declared before the store, so it is given back after the store (and its instance) is gone.
        let _slot = self.slots.take();
        let start = Instant::now();
        let mut store = self.store(secrets)?;
        let instance = self.pre.instantiate(&mut store).context("instantiating the component")?;
        let interface = self
            .component
            .get_export_index(None, ACTIONS_INTERFACE)
            .ok_or_else(|| anyhow!("the component does not export {ACTIONS_INTERFACE}"))?;
        let index = self
            .component
            .get_export_index(Some(&interface), action)
            .ok_or_else(|| anyhow!("the component has no action named \"{action}\""))?;
        let func = instance
            .get_typed_func::<(&str,), (Outcome,)>(&mut store, &index)
            .with_context(|| format!("\"{action}\" is not an action export"))?;
        let setup = start.elapsed();
        // The budget is checked as the action starts, not only at the next tick.
        store.set_epoch_deadline(0);
        let start = Instant::now();
        let (outcome,) = func.call(&mut store, (input,)).map_err(|error| match error.downcast_ref::<Trap>() {
            Some(trap) => anyhow::Error::new(GuestTrap { action: action.to_string(), trap: *trap }),
            None => anyhow::Error::from(error).context(format!("the component failed while running \"{action}\"")),
        })?;
        let call = start.elapsed();
        let state = store.data();
        let stats = CallStats {
            peak_memory_bytes: state.limits.peak_memory,
            setup,
            in_guest: call.saturating_sub(state.http.time_spent()),
            in_http: state.http.time_spent(),
        };
        Ok((outcome, stats))
    }

    /// Instantiates the component in a fresh store, as every call does, and drops it: the fixed
    /// per-call cost, for benchmarks.
    pub fn instantiate_only(&self) -> Result<()> {
        let _slot = self.slots.take();
        let mut store = self.store(&Secrets::new())?;
        self.pre.instantiate(&mut store).context("instantiating the component")?;
        Ok(())
    }

    /// How the engine allocates each call's instance (from a pool, unless its address space could
    /// not be reserved).
    pub fn allocation(&self) -> Allocation {
        self.slots.allocation()
    }

    /// The engine the component was compiled for.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The component's manifest JSON.
    pub fn describe(&self) -> Result<String> {
        let mut store = self.store(&Secrets::new())?;
        let plugin = PluginPre::new(self.pre.clone())
            .context("checking the component's exports")?
            .instantiate(&mut store)
            .context("instantiating the component")?;
        Ok(plugin.dockerhub_org_actions().call_describe(&mut store).context("calling describe")?)
    }

    /// The component's import names.
    pub fn import_names(&self) -> Vec<String> {
        let ty = self.component.component_type();
        ty.imports(&self.engine).map(|(name, _)| name.to_string()).collect()
    }

    /// The component's exports: top-level names, and `interface#function` for the functions (not
    /// the types) of exported interfaces.
    pub fn export_names(&self) -> Vec<String> {
        use wasmtime::component::types::ComponentItem;
        let ty = self.component.component_type();
        let mut names = Vec::new();
        for (name, item) in ty.exports(&self.engine) {
            names.push(name.to_string());
            if let ComponentItem::ComponentInstance(instance) = item.ty {
                names.extend(
                    instance
                        .exports(&self.engine)
                        .filter(|(_, export)| matches!(export.ty, ComponentItem::ComponentFunc(_)))
                        .map(|(f, _)| format!("{name}#{f}")),
                );
            }
        }
        names
    }
}

/// The guest stopped abnormally while running an action (time or memory exhausted, or a bug in the
/// guest): no output and no typed action error came back. Carries the action's name and wasmtime's
/// reason, not the wasm backtrace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestTrap {
    /// The action that was running.
    pub action: String,
    /// Why wasmtime stopped it.
    pub trap: Trap,
}

impl std::fmt::Display for GuestTrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hint = match self.trap {
            Trap::Interrupt => "; it ran past its time budget (the guest-time limit or the call's deadline)",
            Trap::UnreachableCodeReached => "; the guest aborted, most likely out of memory",
            _ => "",
        };
        write!(f, "the component stopped while running \"{}\": {}{hint}", self.action, self.trap)
    }
}

impl std::error::Error for GuestTrap {}

/// The engine every runtime uses, configured by [`crate::engine::config`], with the thread that
/// advances its epoch every [`crate::engine::EPOCH_TICK`] (it ends when the engine is dropped).
/// The runtime's engine ([`crate::engine::config`], instances from a pool where it can be had:
/// [`crate::pool`]) with its instance slots, and the epoch ticker that drives the guest-time budget.
fn new_engine() -> Result<(Engine, Arc<Slots>)> {
    let (engine, allocation) = crate::pool::engine(crate::engine::config())?;
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("dockerhub-org-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(crate::engine::EPOCH_TICK);
            }
        })
        .context("starting the epoch ticker")?;
    Ok((engine, Arc::new(Slots::new(allocation))))
}

/// How [`load_embedded`] got the component ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddedLoad {
    /// The machine code compiled at build time fit this engine.
    Precompiled,
    /// It did not (or was missing): the embedded component was compiled, or read from the cache.
    Compiled,
}

/// The environment variable that, set to `1`, makes [`load_embedded`] ignore the precompiled code
/// and compile the embedded component (through the compile cache) as on a machine it does not fit:
/// for testing that path and the cache's rules.
pub const IGNORE_PRECOMPILED_ENV: &str = "DOCKERHUB_ORG_IGNORE_PRECOMPILED";

/// Loads the embedded component for `engine`: deserializes [`crate::PRECOMPILED`] when wasmtime
/// accepts it for this engine (same version, configuration and CPU features) and
/// [`IGNORE_PRECOMPILED_ENV`] is not `1`, otherwise compiles [`crate::COMPONENT`] through
/// [`load_component`] with `cache_dir`.
pub fn load_embedded(engine: &Engine, cache_dir: Option<&Path>) -> Result<(Component, EmbeddedLoad)> {
    let ignored = std::env::var_os(IGNORE_PRECOMPILED_ENV).is_some_and(|v| v == "1");
    if !ignored && Engine::detect_precompiled(crate::PRECOMPILED) == Some(Precompiled::Component) {
        // SAFETY: the bytes were produced by `Engine::precompile_component` of this same wasmtime
        // version in this crate's build script and are embedded read-only in the binary; wasmtime
        // checks their header, version and engine compatibility and returns an error on a mismatch.
        if let Ok(component) = unsafe { Component::deserialize(engine, crate::PRECOMPILED) } {
            return Ok((component, EmbeddedLoad::Precompiled));
        }
    }
    Ok((load_component(engine, crate::COMPONENT, cache_dir)?, EmbeddedLoad::Compiled))
}

/// Compiles `bytes`, or loads the compiled form cached for them in `cache_dir` (writing it there
/// after compiling, so the next load only deserializes), by the cache's rules
/// ([`crate::compile_cache`]). A cache that may not be used, or a damaged entry, is said in one
/// warning on standard error; the component is then compiled all the same.
pub fn load_component(engine: &Engine, bytes: &[u8], cache_dir: Option<&Path>) -> Result<Component> {
    let Some(dir) = cache_dir else {
        return Ok(Component::new(engine, bytes).context("compiling the component")?);
    };
    let (component, loaded) = compile_cache::load(engine, bytes, dir)?;
    if let Some(warning) = loaded.warning() {
        eprintln!("{warning}");
    }
    Ok(component)
}

/// The call's deadline from the `call-timeout-seconds` connection value, by the contract's rule
/// ([`dockerhub_org_wire::call_timeout_or_default`]: absent or not valid, the default; the
/// component refuses an invalid value itself).
pub fn call_timeout_seconds(secrets: &Secrets) -> u64 {
    dockerhub_org_wire::call_timeout_or_default(secrets.get(dockerhub_org_wire::KEY_CALL_TIMEOUT).as_deref())
}

/// The case of `error` in the contract's table of kinds (name, exit code, HTTP status, retry).
pub fn action_error_kind(error: &ActionError) -> Kind {
    match error {
        ActionError::InvalidInput(_) => Kind::InvalidInput,
        ActionError::MissingCredential(_) => Kind::MissingCredential,
        ActionError::Unauthorized(_) => Kind::Unauthorized,
        ActionError::Forbidden(_) => Kind::Forbidden,
        ActionError::NotFound(_) => Kind::NotFound,
        ActionError::Conflict(_) => Kind::Conflict,
        ActionError::RateLimited(_) => Kind::RateLimited,
        ActionError::Upstream(_) => Kind::Upstream,
        ActionError::Transport(_) => Kind::Transport,
        ActionError::InvalidResponse(_) => Kind::InvalidResponse,
        ActionError::LimitExceeded(_) => Kind::LimitExceeded,
    }
}

/// The WIT case name of `error` (`invalid-input`, `not-found`, …).
pub fn error_kind(error: &ActionError) -> &'static str {
    action_error_kind(error).name()
}

/// The message and JSON detail of `error`, whatever its case.
fn message_and_detail(error: &ActionError) -> (&str, Option<&str>) {
    match error {
        ActionError::RateLimited(info) => (&info.message, info.detail.as_deref()),
        ActionError::Upstream(info) => (&info.message, info.detail.as_deref()),
        ActionError::InvalidInput(info)
        | ActionError::MissingCredential(info)
        | ActionError::Unauthorized(info)
        | ActionError::Forbidden(info)
        | ActionError::NotFound(info)
        | ActionError::Conflict(info)
        | ActionError::Transport(info)
        | ActionError::InvalidResponse(info)
        | ActionError::LimitExceeded(info) => (&info.message, info.detail.as_deref()),
    }
}

/// The message of `error`.
pub fn error_message(error: &ActionError) -> &str {
    message_and_detail(error).0
}

/// The JSON detail of `error`, if any.
pub fn error_detail(error: &ActionError) -> Option<&str> {
    message_and_detail(error).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_precompiled_component_fits_the_runtimes_engine() {
        let (engine, _) = new_engine().unwrap();
        let (_, loaded) = load_embedded(&engine, None).unwrap();
        assert_eq!(loaded, EmbeddedLoad::Precompiled, "build.rs compiled it with the runtime's configuration");
    }

    #[test]
    fn an_engine_configured_otherwise_compiles_the_embedded_component_instead() {
        // No epoch interruption: code compiled for the runtime's engine does not fit this one.
        let engine = Engine::new(&wasmtime::Config::new()).unwrap();
        let (component, loaded) = load_embedded(&engine, None).unwrap();
        assert_eq!(loaded, EmbeddedLoad::Compiled);
        let exports: Vec<String> =
            component.component_type().exports(&engine).map(|(name, _)| name.to_string()).collect();
        assert!(exports.contains(&ACTIONS_INTERFACE.to_string()), "{exports:?}");
    }
}
