//! Privilege escalation as Datalog: the techniques ([`Technique`]), the permissions they
//! need ([`Action`]) and the program ([`run`]) that derives escalation steps from
//! permissions already decided by the decision program for concrete targets.
//!
//! The program never decides a permission itself: every `Can` fact it reads is an allowed
//! (or conditional: allowed only under a condition on keys a live request carries)
//! decision of [`crate::Engine`] (through `queries::simulate`) for the exact target — the
//! role passed, the policy changed, the user whose key is created — after denies,
//! boundaries, SCPs and RCPs.

mod action;
mod program;
mod technique;

pub use action::{Action, ComputeKind, Service, Target};
pub use program::{
    run, Derived, EdgeRow, Facts, GrantRow, Known, ServiceAccessRow, ADMIN, NEW, NONE,
};
pub use technique::{Category, Slot, Technique};

/// Whether the decision program applies RCPs to `action` (AWS Organizations User Guide,
/// "Resource control policies": the services that support RCPs, less the actions an RCP
/// cannot restrict). Escalation groups its administrator probes by what the program reads
/// of an action, and this is one of those inputs.
pub fn rcp_applies(action: &str) -> bool {
    let lower = action.to_ascii_lowercase();
    let service = lower.split(':').next().unwrap_or("");
    crate::input::RCP_SERVICES.contains(&service)
        && !crate::input::RCP_EXEMPT_ACTIONS.contains(&lower.as_str())
}
