//! `facts`: the IAM policy language and the account model of iamlogic.
//!
//! This crate parses and validates policies (JSON → [`policy::Policy`]), holds the one
//! implementation of AWS matching semantics (wildcards, ARNs, condition operators, policy
//! variables) used by every other engine, evaluates a single policy against a concrete
//! [`request::Request`], ingests account data and compiles it into fact tables.
//!
//! **Invariant:** `facts` knows nothing of crepe, Z3 or the command line; the Datalog rules
//! and the Z3 encoding call the matching functions here, so the engines cannot drift apart.

#![warn(missing_docs)]

pub mod account;
pub mod arn;
pub mod aws_rules;
pub mod catalogue;
pub mod condition;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod hash;
pub mod parse;
pub mod policy;
pub mod public;
pub mod request;
pub mod tables;
pub mod variables;
pub mod wildcard;

pub use error::{PolicyError, PolicyErrors};
pub use policy::{Effect, Policy, Statement};
pub use request::{Context, ContextValue, Request, RequestPrincipal};
