//! What `validate` reports: findings with a severity, a code, a message and a JSON path.

use std::fmt;

/// How serious a finding is, in the spirit of IAM Access Analyzer policy validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The policy does not work as written (AWS rejects it, or part of it can never apply).
    Error,
    /// The policy grants more access than is usually intended.
    SecurityWarning,
    /// The policy works but something in it is likely a mistake.
    Warning,
    /// The policy can be simplified.
    Suggestion,
}

impl Severity {
    /// The name used in output (`error`, `security-warning`, `warning`, `suggestion`).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security-warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of finding; each is documented in `docs/validate.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// The document is not a valid IAM policy (grammar, JSON).
    Syntax,
    /// An action is not of the form `service:action`.
    InvalidAction,
    /// An action names a service prefix the catalogue does not know.
    UnknownService,
    /// An action the catalogue does not know in a known service.
    UnknownAction,
    /// A wildcard action pattern that matches no known action.
    ActionMatchesNothing,
    /// A condition key the catalogue does not know.
    UnknownConditionKey,
    /// A known condition key that none of the statement's actions supports.
    ConditionKeyNotApplicable,
    /// A condition operator whose value type does not fit the key's documented type.
    ConditionTypeMismatch,
    /// A condition value the operator cannot read (bad date, number, IP address...).
    ConditionValueInvalid,
    /// Two keys of one condition operator block that differ only in case.
    DuplicateConditionKey,
    /// `ForAllValues:`/`ForAnyValue:` on a single-valued key.
    SetOperatorOnSingleValuedKey,
    /// A multivalued key compared without `ForAllValues:`/`ForAnyValue:`.
    MultivaluedKeyWithoutSetOperator,
    /// A resource that is neither `*` nor a well-formed ARN.
    InvalidArn,
    /// A principal that is not in a form AWS accepts (account id, ARN, service name...).
    InvalidPrincipal,
    /// An empty `Statement`, `Action`, `Resource` or condition value list.
    EmptyElement,
    /// A `${...}` policy variable that is not closed or names no key.
    MalformedVariable,
    /// A resource ARN that matches the resource types of none of the statement's actions.
    ResourceNotApplicable,
    /// The document is larger than AWS's quota for its kind.
    PolicyTooLarge,
    /// Two statements share a `Sid`.
    DuplicateSid,
    /// The document has no `Version` element.
    MissingVersion,
    /// A `Principal` or `NotPrincipal` in a policy kind that does not take one.
    PrincipalNotAllowed,
    /// A statement without `Principal` in a resource-based, trust or resource control policy.
    MissingPrincipal,
    /// An element or effect the policy kind does not support (RCP rules).
    UnsupportedForKind,
    /// A statement without `Resource`/`NotResource` outside trust policies.
    MissingResource,
    /// `Allow` with `NotAction`.
    AllowWithNotAction,
    /// `Allow` with `NotResource`.
    AllowWithNotResource,
    /// `Allow` with `NotPrincipal`.
    AllowWithNotPrincipal,
    /// `Allow` of every action on every resource.
    AllowAllActionsAllResources,
    /// `iam:PassRole` allowed on `*`.
    PassRoleWithStarResource,
    /// A statement identical to an earlier one.
    DuplicateStatement,
    /// An `Allow` statement whose access another unconditional `Allow` already grants.
    RedundantStatement,
    /// An `Allow` statement entirely covered by an unconditional `Deny`.
    ShadowedByDeny,
}

impl Code {
    /// The code as printed (`unknown-action`...).
    pub fn name(self) -> &'static str {
        match self {
            Code::Syntax => "syntax",
            Code::InvalidAction => "invalid-action",
            Code::UnknownService => "unknown-service",
            Code::UnknownAction => "unknown-action",
            Code::ActionMatchesNothing => "action-matches-nothing",
            Code::UnknownConditionKey => "unknown-condition-key",
            Code::ConditionKeyNotApplicable => "condition-key-not-applicable",
            Code::ConditionTypeMismatch => "condition-type-mismatch",
            Code::ConditionValueInvalid => "condition-value-invalid",
            Code::DuplicateConditionKey => "duplicate-condition-key",
            Code::SetOperatorOnSingleValuedKey => "set-operator-on-single-valued-key",
            Code::MultivaluedKeyWithoutSetOperator => "multivalued-key-without-set-operator",
            Code::InvalidArn => "invalid-arn",
            Code::InvalidPrincipal => "invalid-principal",
            Code::EmptyElement => "empty-element",
            Code::MalformedVariable => "malformed-variable",
            Code::ResourceNotApplicable => "resource-not-applicable",
            Code::PolicyTooLarge => "policy-too-large",
            Code::DuplicateSid => "duplicate-sid",
            Code::MissingVersion => "missing-version",
            Code::PrincipalNotAllowed => "principal-not-allowed",
            Code::MissingPrincipal => "missing-principal",
            Code::UnsupportedForKind => "unsupported-for-kind",
            Code::MissingResource => "missing-resource",
            Code::AllowWithNotAction => "allow-with-not-action",
            Code::AllowWithNotResource => "allow-with-not-resource",
            Code::AllowWithNotPrincipal => "allow-with-not-principal",
            Code::AllowAllActionsAllResources => "allow-all-actions-all-resources",
            Code::PassRoleWithStarResource => "pass-role-with-star-resource",
            Code::DuplicateStatement => "duplicate-statement",
            Code::RedundantStatement => "redundant-statement",
            Code::ShadowedByDeny => "shadowed-by-deny",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finding about one place of a policy document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// How serious it is.
    pub severity: Severity,
    /// What kind of finding it is.
    pub code: Code,
    /// A sentence for people (lowercase start, user input in backticks).
    pub message: String,
    /// Where: a JSON path such as `Statement[2].Action[0]`, or `$` for the whole document.
    pub path: String,
}

impl Finding {
    pub(crate) fn new(severity: Severity, code: Code, path: String, message: String) -> Finding {
        Finding {
            severity,
            code,
            message,
            path,
        }
    }
}
