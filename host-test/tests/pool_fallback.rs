//! Where the instance pool's address space cannot be had (here: a `ulimit -v` of 24 GiB, set for
//! this test binary's process only, which is why this test has a binary of its own), the runtime
//! allocates instances on demand and runs actions as before.

mod common;

use common::sim::Sim;
use dockerhub_org_host::pool::{Allocation, SLOTS};

#[test]
fn without_the_address_space_for_the_pool_instances_are_allocated_on_demand() {
    // The pool reserves about 4 GiB per slot; on demand, one call needs about one such reservation.
    let limit: libc::rlim_t = 24 << 30;
    assert!(u64::from(SLOTS) * (4 << 30) > limit as u64, "the limit must be too small for the pool");
    let rlimit = libc::rlimit { rlim_cur: limit, rlim_max: limit };
    // SAFETY: setrlimit reads the struct it is given; it only lowers this process's limit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &rlimit) }, 0, "lowering RLIMIT_AS");
    let sim = Sim::start(Default::default());
    assert_eq!(sim.runtime.allocation(), Allocation::OnDemand);
    // One instance after another, each mapped and unmapped on its own.
    for size in 1..=3 {
        let members = sim.ok("list-members", &serde_json::json!({ "page_size": size }));
        assert_eq!(members["returned"], size, "{members}");
    }
}
