//! The one text form of a statement that decided a request, shared by `simulate` and
//! `escalation`: `Allow by identity policy arn:... Statement[0] (Sid)`.

use std::fmt;

use queries::simulate::MatchedOut;

/// Displays a [`MatchedOut`] as `{effect} by {layer} policy {policy} Statement[{n}]`,
/// followed by ` ({sid})` when the statement has a `Sid`.
pub struct MatchedText<'a>(pub &'a MatchedOut);

impl fmt::Display for MatchedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:?} by {} policy {} Statement[{}]",
            m.effect, m.layer, m.policy, m.statement
        )?;
        if let Some(sid) = &m.sid {
            write!(f, " ({sid})")?;
        }
        Ok(())
    }
}
