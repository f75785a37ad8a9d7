//! What is encoded: a stack of policy layers, each of which must allow.

use facts::request::Request;
use facts::Policy;

/// One layer of a policy stack (the identity policies, a permission boundary, one SCP level,
/// a resource policy...). A layer allows a request when at least one `Allow` statement of one
/// of its policies applies.
#[derive(Debug, Clone, Default)]
pub struct Layer {
    /// A name for messages (`identity`, `boundary`, `scp[1]`...).
    pub name: String,
    /// The policies of the layer (their allows are unioned).
    pub policies: Vec<Policy>,
}

/// A stack: a request is allowed when every layer allows it and no statement of any layer
/// denies it ("an explicit deny in any policy overrides any allow", IAM User Guide, "Policy
/// evaluation logic"). One policy alone is a stack of one layer.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    /// The layers, all of which must allow.
    pub layers: Vec<Layer>,
}

impl Stack {
    /// A stack of one layer holding one policy.
    pub fn single(policy: Policy) -> Stack {
        Stack {
            layers: vec![Layer {
                name: "policy".to_string(),
                policies: vec![policy],
            }],
        }
    }

    /// The concrete decision for `req`, computed with `facts::eval` only: this is the
    /// replay every counterexample goes through.
    pub fn allows(&self, req: &Request) -> bool {
        let mut every_layer_allows = true;
        for layer in &self.layers {
            let mut allowed = false;
            for p in &layer.policies {
                let m = facts::eval::evaluate_policy(p, req);
                if !m.denies.is_empty() {
                    return false;
                }
                allowed |= !m.allows.is_empty();
            }
            every_layer_allows &= allowed;
        }
        every_layer_allows && !self.layers.is_empty()
    }

    /// Every policy of every layer.
    pub(crate) fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.layers.iter().flat_map(|l| l.policies.iter())
    }
}
