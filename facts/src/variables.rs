//! Policy variables: `${aws:username}`, `${aws:PrincipalTag/key}`, escapes `${*}`, `${?}`,
//! `${$}`, and defaults `${aws:key, 'default'}`.

use crate::request::Context;

/// Substitute policy variables in `text` from `ctx`. Returns `None` when a variable has no
/// value and no default (AWS: the statement then does not match).
pub fn substitute(text: &str, ctx: &Context) -> Option<String> {
    let _ = (text, ctx);
    todo!("substitute: being written")
}
