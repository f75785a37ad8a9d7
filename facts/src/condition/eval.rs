//! Evaluation of one condition entry against a request context.

use crate::policy::Condition;
use crate::request::Context;

/// Whether `cond` holds for `ctx`. `variables` says whether policy variables in condition
/// values are substituted (policy version 2012-10-17).
pub fn condition_holds(cond: &Condition, ctx: &Context, variables: bool) -> bool {
    let _ = (cond, ctx, variables);
    todo!("condition_holds: being written")
}
