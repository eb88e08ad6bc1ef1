//! Instances from a pool: how the runtime's engine allocates each call's instance, and the gate
//! that keeps the calls in flight within the pool.
//!
//! Every call gets a fresh instance in a fresh store (no state crosses calls). With wasmtime's
//! default on-demand allocation that costs, per call, an `mmap` of a 4 GiB linear-memory
//! reservation, a page fault for every page the guest touches, and an `munmap` (with its TLB
//! shootdowns) when the store is dropped: about a tenth of a `list-members` page's time on the
//! benchmark's 2-core VM, all of it the sandbox's cost (the guest's code run natively reuses its
//! heap). The pooling allocator reserves [`SLOTS`] instance slots once per engine and reuses them:
//! a slot's memory is reset to the component's initial image when its store is dropped (the pages
//! the call dirtied are found with Linux's `PAGEMAP_SCAN` and set back, up to [`KEEP_RESIDENT`]
//! bytes; the rest is returned to the kernel), so the next call finds it mapped and resident. The
//! isolation is the same: each instance starts from the initial image.
//!
//! The pool reserves address space up front (about 4 GiB per slot, never committed). Where that
//! cannot be had (a `ulimit -v`, a 32-bit host), [`engine`] falls back to on-demand allocation,
//! which works as before. Compiled code does not depend on the allocation strategy (wasmtime's
//! `PoolingAllocationConfig` docs), so the precompiled component fits both.

use std::sync::{Condvar, Mutex};

use anyhow::Result;
use wasmtime::error::Context as _;
use wasmtime::{Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// Calls one engine runs at once; more wait for a slot ([`Slots::take`]).
pub const SLOTS: u32 = 32;

/// Bytes of each slot's linear memory reset in place (`memset` of the dirtied pages) rather than
/// returned to the kernel: what a typical call touches (a `list-members` page of 100 members dirties
/// about 2 MiB; 2, 4 and 8 MiB measured alike), so the next call takes no page faults.
pub const KEEP_RESIDENT: usize = 4 << 20;

/// How the engine allocates instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocation {
    /// From a pool of [`SLOTS`] slots.
    Pooled,
    /// On demand, one mapping per instance (the pool's address space could not be reserved).
    OnDemand,
}

/// The pooling settings over `config`.
fn pooled(mut config: wasmtime::Config) -> wasmtime::Config {
    let mut pool = PoolingAllocationConfig::default();
    // One memory and a few tables and core instances per component instance (the plugin's module
    // and the adapter shims wit-component adds); generous counts cost only address space.
    pool.total_component_instances(SLOTS)
        .total_memories(SLOTS)
        .total_tables(4 * SLOTS)
        .total_core_instances(8 * SLOTS)
        // Calls are synchronous: no fiber stacks.
        .total_stacks(0)
        .linear_memory_keep_resident(KEEP_RESIDENT)
        .table_keep_resident(64 << 10)
        .pagemap_scan(Enabled::Auto);
    config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    config
}

/// An engine over `config`, pooled when the pool's address space can be reserved, and how it
/// allocates.
pub fn engine(config: wasmtime::Config) -> Result<(Engine, Allocation)> {
    match Engine::new(&pooled(config.clone())) {
        Ok(engine) => Ok((engine, Allocation::Pooled)),
        Err(_) => Ok((Engine::new(&config).context("creating the wasmtime engine")?, Allocation::OnDemand)),
    }
}

/// The instance slots of one engine: a call takes one before it creates its store and gives it back
/// when the store is gone, so no call finds the pool full (it waits instead).
#[derive(Debug)]
pub struct Slots {
    allocation: Allocation,
    free: Mutex<u32>,
    freed: Condvar,
}

/// A slot taken ([`Slots::take`]); given back when dropped.
#[derive(Debug)]
pub struct Slot<'s>(Option<&'s Slots>);

impl Slots {
    /// The slots of an engine that allocates as `allocation` says: [`SLOTS`] for a pool, no limit
    /// on demand.
    pub fn new(allocation: Allocation) -> Self {
        let free = match allocation {
            Allocation::Pooled => SLOTS,
            Allocation::OnDemand => u32::MAX,
        };
        Slots { allocation, free: Mutex::new(free), freed: Condvar::new() }
    }

    /// How the engine these slots belong to allocates instances.
    pub fn allocation(&self) -> Allocation {
        self.allocation
    }

    /// Takes a slot, waiting while all are in use.
    pub fn take(&self) -> Slot<'_> {
        let mut free = self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if *free == u32::MAX {
            return Slot(None);
        }
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *free -= 1;
        Slot(Some(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(slots) = self.0 {
            *slots.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) += 1;
            slots.freed.notify_one();
        }
    }
}
