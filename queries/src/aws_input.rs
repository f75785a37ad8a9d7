//! `simulate --aws-input FILE`: the `--cli-input-json` document of AWS's
//! `aws iam simulate-custom-policy` or `aws iam simulate-principal-policy` (the shape
//! `--generate-cli-skeleton` prints), so that scripts written for AWS's simulator run
//! unchanged. IAM API Reference, "SimulateCustomPolicy" and "SimulatePrincipalPolicy".
//!
//! - Without `PolicySourceArn` (SimulateCustomPolicy): every policy comes with the input;
//!   each action × resource becomes a scenario ([`crate::scenario`]).
//! - With `PolicySourceArn` (SimulatePrincipalPolicy): the policies of a user (with its
//!   groups'), group or role of the loaded account data (`-i`) are simulated for the caller
//!   (`CallerArn`, default the user itself); `PolicyInputList` adds identity-based policies,
//!   `PermissionsBoundaryPolicyInputList` replaces the entity's boundary and
//!   `ResourcePolicy` gives each resource a resource-based policy, for this run.
//!
//! Each action is evaluated against each resource of `ResourceArns` (default `*`), in input
//! order: action-major, as AWS orders `EvaluationResults`. The placeholders of the
//! skeleton (`""`, `[""]`, `0`) count as not given. `ResourceHandlingOption` is checked as
//! AWS checks it (the scenario's required resources must be in `ResourceArns`); `MaxItems`
//! and `Marker` are accepted with a warning: every result is printed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use facts::policy::Policy;
use facts::request::Context;
use serde_json::{Map, Value};

use crate::scenario::{policy_of, Scenario, DEFAULT_PRINCIPAL};
use crate::simulate::positions::{statement_positions, StatementPositions};
use crate::simulate::{ExtraPolicies, RequestSpec, SimulateError, SimulatedCaller};

/// The caller iamlogic simulates for a group given as `PolicySourceArn` without a
/// `CallerArn` (AWS names none): a user of the group's account, member of that group only.
pub const GROUP_MEMBER_NAME: &str = "iamlogic-simulated";

/// AWS's `ResourceHandlingOption` values and the EC2 resource types each requires in
/// `ResourceArns` (IAM API Reference, "SimulateCustomPolicy" / "SimulatePrincipalPolicy":
/// "Each of the Amazon EC2 scenarios requires that you specify instance, image, and
/// security group resources", plus the volume, network interface and subnet the scenario
/// names).
const RESOURCE_HANDLING: [(&str, &[&str]); 6] = [
    (
        "EC2-Classic-InstanceStore",
        &["instance", "image", "security-group"],
    ),
    (
        "EC2-Classic-EBS",
        &["instance", "image", "security-group", "volume"],
    ),
    (
        "EC2-VPC-InstanceStore",
        &["instance", "image", "security-group", "network-interface"],
    ),
    (
        "EC2-VPC-InstanceStore-Subnet",
        &[
            "instance",
            "image",
            "security-group",
            "network-interface",
            "subnet",
        ],
    ),
    (
        "EC2-VPC-EBS",
        &[
            "instance",
            "image",
            "security-group",
            "network-interface",
            "volume",
        ],
    ),
    (
        "EC2-VPC-EBS-Subnet",
        &[
            "instance",
            "image",
            "security-group",
            "network-interface",
            "subnet",
            "volume",
        ],
    ),
];

/// Every field AWS's two commands take.
const FIELDS: [&str; 12] = [
    "PolicySourceArn",
    "PolicyInputList",
    "PermissionsBoundaryPolicyInputList",
    "ActionNames",
    "ResourceArns",
    "ResourcePolicy",
    "ResourceOwner",
    "CallerArn",
    "ContextEntries",
    "ResourceHandlingOption",
    "MaxItems",
    "Marker",
];

/// A parsed `--aws-input` document.
#[derive(Debug, Clone)]
pub enum AwsInput {
    /// `simulate-custom-policy`: one scenario per action and resource.
    Custom {
        /// The scenarios, action-major.
        scenarios: Vec<Scenario>,
    },
    /// `simulate-principal-policy`: requests against the loaded account data.
    Principal {
        /// The requests, action-major.
        specs: Vec<RequestSpec>,
        /// `PolicyInputList` (on the `PolicySourceArn` entity) and `ResourcePolicy` (on each
        /// resource).
        extra: ExtraPolicies,
        /// `PolicySourceArn`: the user, group or role whose policies are simulated.
        source: String,
    },
}

/// The document with the warnings reading it produced.
#[derive(Debug, Clone)]
pub struct AwsInputFile {
    /// What to decide.
    pub input: AwsInput,
    /// Accepted fields iamlogic does not act on, naming the file and field.
    pub warnings: Vec<String>,
    /// Where each statement of the policies given as text sits, by AWS source policy id.
    pub positions: StatementPositions,
    /// Per request, in order: the index of its action in `ActionNames`. AWS returns one
    /// `EvaluationResult` per action, with one `ResourceSpecificResults` entry per resource.
    pub action_of: Vec<usize>,
}

/// Read and parse `--aws-input FILE` (`-` for standard input).
pub fn read_aws_input(path: &Path) -> Result<AwsInputFile, SimulateError> {
    let text = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|e| {
            SimulateError::Io {
                file: PathBuf::from("<stdin>"),
                message: e.to_string(),
            }
        })?;
        String::from_utf8(bytes).map_err(|e| {
            SimulateError::Ingest(facts::account::IngestError::NotUtf8 {
                file: PathBuf::from("<stdin>"),
                offset: e.utf8_error().valid_up_to(),
            })
        })?
    } else {
        // The one reader of a user's file: missing file and UTF-8 worded as everywhere.
        facts::account::read_text(path)?
    };
    let file = if path.as_os_str() == "-" {
        Path::new("<stdin>")
    } else {
        path
    };
    parse_aws_input(&text, file)
}

/// Parse the text of an `--aws-input` document; `file` names it in errors.
pub fn parse_aws_input(text: &str, file: &Path) -> Result<AwsInputFile, SimulateError> {
    // The one strict JSON reader: a repeated key is an error naming its path.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let v: Value = crate::scenario::strict_json(text, file, 0)?;
    let Value::Object(map) = v else {
        return Err(invalid(
            file,
            "$",
            "expected the JSON object of `aws iam simulate-custom-policy --generate-cli-skeleton`",
        ));
    };
    Reader { file, map: &map }.read()
}

fn invalid(file: &Path, path: &str, reason: impl Into<String>) -> SimulateError {
    SimulateError::Invalid {
        file: file.to_path_buf(),
        path: path.to_string(),
        reason: reason.into(),
    }
}

struct Reader<'a> {
    file: &'a Path,
    map: &'a Map<String, Value>,
}

impl Reader<'_> {
    fn err(&self, path: &str, reason: impl Into<String>) -> SimulateError {
        // One path notation: `$.ActionNames[0]`.
        if path.starts_with('$') {
            invalid(self.file, path, reason)
        } else {
            invalid(self.file, &format!("$.{path}"), reason)
        }
    }

    /// A string field; `""` (the skeleton's placeholder) is not given.
    fn string(&self, k: &str) -> Result<Option<String>, SimulateError> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(k, "expected a string")),
        }
    }

    /// A list of strings; `""` items (the skeleton's placeholder) are left out.
    fn strings(&self, k: &str) -> Result<Vec<(usize, String)>, SimulateError> {
        match self.map.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let mut out = Vec::new();
                for (i, it) in items.iter().enumerate() {
                    match it {
                        Value::String(s) if s.is_empty() => {}
                        Value::String(s) => out.push((i, s.clone())),
                        _ => return Err(self.err(&format!("{k}[{i}]"), "expected a string")),
                    }
                }
                Ok(out)
            }
            Some(_) => Err(self.err(k, "expected an array of strings")),
        }
    }

    /// Policies given as JSON strings (as AWS takes them) or objects, numbered from 1 as
    /// `K.N` with the statement positions of those given as text.
    fn policies(
        &self,
        k: &str,
        positions: &mut StatementPositions,
    ) -> Result<Vec<Arc<Policy>>, SimulateError> {
        let items = match self.map.get(k) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(self.err(k, "expected an array of policy documents")),
        };
        let mut out = Vec::new();
        for (i, it) in items.iter().enumerate() {
            if matches!(it, Value::String(s) if s.is_empty()) {
                continue;
            }
            out.push(policy_of(it, self.file, &format!("$.{k}[{i}]"))?);
            if let Value::String(text) = it {
                positions.insert(format!("{k}.{}", out.len()), statement_positions(text));
            }
        }
        Ok(out)
    }

    fn read(&self) -> Result<AwsInputFile, SimulateError> {
        if let Some(k) = self.map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(self.err(
                k,
                format!(
                    "unknown field `{k}` (expected one of {})",
                    FIELDS.join(", ")
                ),
            ));
        }
        let mut warnings = Vec::new();
        let file = self.file.display();
        let handling = match self.string("ResourceHandlingOption")? {
            None => None,
            Some(v) => Some(
                RESOURCE_HANDLING
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&v))
                    .ok_or_else(|| {
                        let names: Vec<&str> = RESOURCE_HANDLING.iter().map(|(n, _)| *n).collect();
                        self.err(
                            "ResourceHandlingOption",
                            format!(
                                "unknown scenario `{v}` (AWS takes one of {})",
                                names.join(", ")
                            ),
                        )
                    })?,
            ),
        };
        match self.map.get("MaxItems") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.as_u64() == Some(0) => {}
            Some(Value::Number(_)) => warnings.push(format!(
                "{file}: MaxItems: not applied: every result is printed"
            )),
            Some(_) => return Err(self.err("MaxItems", "expected a number")),
        }
        if self.string("Marker")?.is_some() {
            warnings.push(format!(
                "{file}: Marker: not applied: every result is printed from the first"
            ));
        }
        let actions = self.strings("ActionNames")?;
        if actions.is_empty() {
            return Err(self.err(
                "ActionNames",
                "missing required field: the actions to simulate",
            ));
        }
        let mut resources: Vec<(usize, String)> = self.strings("ResourceArns")?;
        if let Some((name, required)) = handling {
            // AWS: the option lets "the policy simulator enforce the presence of the
            // required resources": each type the scenario names must be in ResourceArns.
            for ty in required.iter() {
                let present = resources.iter().any(|(_, r)| {
                    facts::arn::Arn::parse(r).is_some_and(|a| {
                        a.service == "ec2" && a.resource.split('/').next() == Some(*ty)
                    })
                });
                if !present {
                    return Err(self.err(
                        "ResourceArns",
                        format!("ResourceHandlingOption `{name}` requires a `{ty}` resource (arn:aws:ec2:REGION:ACCOUNT:{ty}/ID): AWS's scenario needs {}", required.join(", ")),
                    ));
                }
            }
        }
        if resources.is_empty() {
            resources.push((0, "*".to_string()));
        }
        let context = match self.map.get("ContextEntries") {
            None | Some(Value::Null) => Context::new(),
            Some(Value::Array(items)) => {
                // The skeleton's placeholder entry has an empty key: not given.
                let given: Vec<Value> = items
                    .iter()
                    .filter(|e| {
                        !matches!(e.get("ContextKeyName"), Some(Value::String(s)) if s.is_empty())
                    })
                    .cloned()
                    .collect();
                crate::simulate::input::context_entries(&given, self.file, "$.ContextEntries")?
            }
            Some(_) => return Err(self.err("ContextEntries", "expected an array")),
        };
        let owner = match self.string("ResourceOwner")? {
            None => None,
            Some(o) => Some(account_of_owner(&o).ok_or_else(|| {
                self.err(
                    "ResourceOwner",
                    format!("`{o}` is not an account: expected `arn:aws:iam::<12 digits>:root` or a 12-digit account id"),
                )
            })?),
        };
        let mut positions = StatementPositions::new();
        let identity = self.policies("PolicyInputList", &mut positions)?;
        let boundaries = self.policies("PermissionsBoundaryPolicyInputList", &mut positions)?;
        let resource_policy = match self.map.get("ResourcePolicy") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(v) => {
                if let Value::String(text) = v {
                    positions.insert("ResourcePolicy".into(), statement_positions(text));
                }
                Some(policy_of(v, self.file, "$.ResourcePolicy")?)
            }
        };
        let caller = self.string("CallerArn")?;
        if let Some(c) = &caller {
            // AWS: "You can specify only the ARN of an IAM user. You cannot specify the ARN
            // of an assumed role, federated user, or a service principal."
            if iam_kind(c).as_deref() != Some("user") {
                return Err(self.err(
                    "CallerArn",
                    format!("`{c}` is not an IAM user ARN: AWS takes only an IAM user as CallerArn (not a role, an assumed-role session, a federated user or a service principal)"),
                ));
            }
        }
        let source = self.string("PolicySourceArn")?;
        let mut action_of = Vec::new();
        // AWS: the resource owner is ResourceOwner only for a resource whose ARN names none.
        let owner_of = |resource: &str| {
            let named = facts::arn::Arn::parse(resource)
                .map(|a| a.account)
                .filter(|a| facts::arn::is_account_id(a));
            match named {
                Some(_) => None,
                None => owner.clone(),
            }
        };
        let check = |action: &str, resource: &str, ai: usize, ri: usize, principal: &str| {
            crate::simulate::input::check_request(principal, action, resource, None).map_err(
                |(field, reason)| {
                    let at = match field {
                        "action" => format!("ActionNames[{ai}]"),
                        "resource" => format!("ResourceArns[{ri}]"),
                        _ => "CallerArn".to_string(),
                    };
                    self.err(&at, reason)
                },
            )
        };
        let input = match source {
            None => {
                if resource_policy.is_some() && caller.is_none() {
                    return Err(self.err(
                        "CallerArn",
                        "required with a ResourcePolicy, so that its Principal element has a caller to match (as AWS requires)",
                    ));
                }
                if identity.is_empty() {
                    return Err(self.err(
                        "PolicyInputList",
                        "missing required field: the identity-based policies to simulate",
                    ));
                }
                if boundaries.len() > 1 {
                    return Err(self.err(
                        "PermissionsBoundaryPolicyInputList",
                        "give at most one permissions boundary (an entity has one)",
                    ));
                }
                let principal = caller.unwrap_or_else(|| DEFAULT_PRINCIPAL.to_string());
                let mut scenarios = Vec::new();
                for (n, (ai, action)) in actions.iter().enumerate() {
                    for (ri, resource) in &resources {
                        check(action, resource, *ai, *ri, &principal)?;
                        action_of.push(n);
                        scenarios.push(Scenario {
                            name: Some(format!("{action} {resource}")),
                            principal: principal.clone(),
                            action: action.clone(),
                            resource: resource.clone(),
                            resource_account: owner_of(resource),
                            context: context.clone(),
                            identity_policies: identity.clone(),
                            permission_boundary: boundaries.first().cloned(),
                            session_policy: None,
                            resource_policy: resource_policy.as_ref().map(|p| {
                                Arc::new(facts::aws_rules::refused::as_resource_policy(
                                    (**p).clone(),
                                ))
                            }),
                            vpc_endpoint_policy: None,
                            scps: Vec::new(),
                            rcps: Vec::new(),
                            warnings: Vec::new(),
                        });
                    }
                }
                AwsInput::Custom { scenarios }
            }
            Some(source) => {
                let kind = iam_kind(&source);
                let Some(kind) = kind.filter(|k| matches!(k.as_str(), "user" | "group" | "role"))
                else {
                    return Err(self.err(
                        "PolicySourceArn",
                        format!("`{source}`: expected the ARN of an IAM user, group or role of the loaded data"),
                    ));
                };
                // AWS: "CallerArn is required if you include a ResourcePolicy and the
                // PolicySourceArn is not the ARN for an IAM user".
                if resource_policy.is_some() && caller.is_none() && kind != "user" {
                    return Err(self.err(
                        "CallerArn",
                        format!("required with a ResourcePolicy when PolicySourceArn is a {kind}, not an IAM user (as AWS requires), so that the policy's Principal element has a caller to match"),
                    ));
                }
                if boundaries.len() > 1 {
                    return Err(self.err(
                        "PermissionsBoundaryPolicyInputList",
                        "give at most one permissions boundary (an entity has one)",
                    ));
                }
                // The caller: CallerArn, else the user itself; a role calls as itself; a
                // group has no caller of its own, so a member of only that group calls.
                let caller_arn = match (&caller, kind.as_str()) {
                    (Some(c), _) => c.clone(),
                    (None, "group") => {
                        let a = facts::arn::Arn::parse(&source).map(|a| (a.partition, a.account));
                        let (partition, account) = a.unwrap_or_default();
                        format!("arn:{partition}:iam::{account}:user/{GROUP_MEMBER_NAME}")
                    }
                    (None, _) => source.clone(),
                };
                let mut extra = ExtraPolicies::default();
                for (i, p) in identity.iter().enumerate() {
                    extra.identity.push((
                        source.clone(),
                        format!("PolicyInputList.{}", i + 1),
                        Arc::clone(p),
                    ));
                }
                // AWS: "if a permissions boundary is attached to an entity and you pass in a
                // different permissions boundary policy using this parameter, then the new
                // permissions boundary policy is used for the simulation."
                let boundary = boundaries.first().map(|p| {
                    (
                        "PermissionsBoundaryPolicyInputList.1".to_string(),
                        Arc::clone(p),
                    )
                });
                if caller_arn != source || boundary.is_some() || kind == "group" {
                    extra.caller = Some(SimulatedCaller {
                        caller: caller_arn.clone(),
                        source: source.clone(),
                        boundary,
                    });
                }
                // One context, shared by every request.
                let context = std::sync::Arc::new(context.clone());
                let mut specs = Vec::new();
                for (n, (ai, action)) in actions.iter().enumerate() {
                    for (ri, resource) in &resources {
                        check(action, resource, *ai, *ri, &caller_arn)?;
                        action_of.push(n);
                        specs.push(RequestSpec {
                            principal: caller_arn.clone(),
                            action: action.clone(),
                            resource: resource.clone(),
                            resource_account: owner_of(resource),
                            context: std::sync::Arc::clone(&context),
                        });
                    }
                }
                if let Some(p) = &resource_policy {
                    let p = Arc::new(facts::aws_rules::refused::as_resource_policy((**p).clone()));
                    for (_, resource) in &resources {
                        if resource != "*" && !extra.resource.iter().any(|(r, _, _)| r == resource)
                        {
                            extra.resource.push((
                                resource.clone(),
                                "ResourcePolicy".to_string(),
                                Arc::clone(&p),
                            ));
                        }
                    }
                }
                AwsInput::Principal {
                    specs,
                    extra,
                    source,
                }
            }
        };
        if let Some(p) = &resource_policy {
            for i in facts::aws_rules::refused::statements_without_principal(p) {
                warnings.push(format!(
                    "{file}: ResourcePolicy.Statement[{i}]: this resource-policy statement has no `Principal`; AWS refuses such a policy (IAM User Guide, \"AWS JSON policy elements: Principal\"), so it grants nothing and matches no one"
                ));
            }
        }
        Ok(AwsInputFile {
            input,
            warnings,
            positions,
            action_of,
        })
    }
}

/// The IAM entity type of an IAM ARN (`user`, `group`, `role`, `root`...), if it is one.
fn iam_kind(arn: &str) -> Option<String> {
    facts::arn::Arn::parse(arn)
        .filter(|a| a.service == "iam" && facts::arn::is_account_id(&a.account))
        .and_then(|a| {
            let (kind, name) = a.resource.split_once('/')?;
            (!name.is_empty()).then(|| kind.to_string())
        })
}

/// The 12-digit account of a `ResourceOwner`: `arn:aws:iam::<id>:root` (SimulateCustomPolicy)
/// or an account id (SimulatePrincipalPolicy).
fn account_of_owner(o: &str) -> Option<String> {
    if facts::arn::is_account_id(o) {
        return Some(o.to_string());
    }
    facts::arn::Arn::parse(o)
        .filter(|a| {
            a.service == "iam" && a.resource == "root" && facts::arn::is_account_id(&a.account)
        })
        .map(|a| a.account)
}
