//! The typed model of an IAM policy document.
//!
//! Every element AWS documents for the policy grammar has a type here, so that illegal
//! states (an `Effect` of `"Maybe"`, a statement with both `Action` and `NotAction`) cannot
//! be represented. The parser in [`crate::parse`] is the only producer of these values from
//! JSON; the evaluator in [`crate::eval`], the Datalog rules and the Z3 encoding consume them.
//!
//! Reference: "IAM JSON policy element reference" and "Grammar of the IAM JSON policy
//! language" in the AWS IAM User Guide.

use crate::condition::ConditionOperator;

/// The `Version` element. AWS: "If you do not include a Version element, the value defaults
/// to 2008-10-17" — and under 2008-10-17 policy variables are literal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum PolicyVersion {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17` (or no `Version` element): `${...}` is literal text.
    V2008_10_17,
}

impl PolicyVersion {
    /// Whether `${...}` policy variables are substituted under this version.
    pub fn supports_variables(self) -> bool {
        matches!(self, PolicyVersion::V2012_10_17)
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Effect {
    /// The statement grants what it matches.
    Allow,
    /// The statement explicitly denies what it matches; an explicit deny always wins.
    Deny,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The `Version` element, defaulted to 2008-10-17 when absent, as AWS does.
    pub version: PolicyVersion,
    /// Whether the document carried an explicit `Version` element.
    pub version_given: bool,
    /// The optional `Id` element.
    pub id: Option<String>,
    /// The statements, in document order (a single statement object becomes one element).
    pub statements: Vec<Statement>,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the document's `Statement` array (0 for a lone statement object).
    pub index: usize,
    /// The optional `Sid`.
    pub sid: Option<String>,
    /// `Allow` or `Deny`.
    pub effect: Effect,
    /// `Action` or `NotAction`.
    pub action: ActionClause,
    /// `Resource` or `NotResource`; `None` when the statement has neither (trust policies).
    pub resource: Option<ResourceClause>,
    /// `Principal` or `NotPrincipal`; `None` in identity policies.
    pub principal: Option<PrincipalClause>,
    /// The condition block: every entry must hold (AND).
    pub conditions: Vec<Condition>,
}

/// The action element: patterns are compared case-insensitively, as AWS documents for
/// action names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionClause {
    /// `Action`: the statement matches an action that matches any pattern.
    Action(Vec<ActionPattern>),
    /// `NotAction`: the statement matches every action that matches none of the patterns.
    NotAction(Vec<ActionPattern>),
}

/// One action pattern such as `s3:Get*`, `*` or `iam:PassRole`, stored as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionPattern(pub String);

/// The resource element; ARN patterns are case-sensitive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceClause {
    /// `Resource`: matches a resource that matches any pattern.
    Resource(Vec<ResourcePattern>),
    /// `NotResource`: matches every resource that matches none of the patterns.
    NotResource(Vec<ResourcePattern>),
}

/// One resource pattern: `*`, or an ARN with optional `*`/`?` wildcards and policy variables.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourcePattern(pub String);

/// The principal element of a resource-based or trust policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalClause {
    /// `Principal`: the statement applies to a caller that any entry names.
    Principal(Principals),
    /// `NotPrincipal`: the statement applies to every caller that no entry names.
    NotPrincipal(Principals),
}

/// The value of a `Principal` / `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principals {
    /// `"Principal": "*"`: everyone, including anonymous callers.
    Any,
    /// A map of principal types to identifiers.
    Specific(Vec<PrincipalEntry>),
}

/// One identifier under a principal type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrincipalEntry {
    /// Under `AWS`: `"*"`, a 12-digit account id, an account root ARN, or a user, role,
    /// assumed-role session, federated-user or STS ARN.
    Aws(String),
    /// Under `Service`: a service principal such as `lambda.amazonaws.com`.
    Service(String),
    /// Under `Federated`: an identity provider (SAML/OIDC ARN or `cognito-identity.amazonaws.com`).
    Federated(String),
    /// Under `CanonicalUser`: an S3 canonical user id.
    CanonicalUser(String),
}

/// One `operator: { key: [values] }` entry of a condition block.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The operator, with its `ForAllValues:`/`ForAnyValue:` qualifier and `IfExists` suffix.
    pub operator: ConditionOperator,
    /// The condition key as written (compare case-insensitively: AWS key names are).
    pub key: String,
    /// The values as written; JSON numbers and booleans become their text. Several values
    /// are ORed (for negated operators, see [`crate::condition`]).
    pub values: Vec<String>,
}

impl Statement {
    /// A human label for this statement: its Sid if it has one, else `#index`.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => s.clone(),
            _ => format!("#{}", self.index),
        }
    }
}
