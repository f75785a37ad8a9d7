//! The shape of a synthetic organization: account ids, which OU holds each account, teams,
//! and the names of every user, group, role and resource. Everything else (documents,
//! requests) is derived from these names, so that requests name principals and resources
//! that exist.

use crate::Spec;

/// The region every regional resource lives in.
pub const REGION: &str = "eu-west-1";

/// An account outside the organization that some roles trust (a partner).
pub const PARTNER_ACCOUNT: &str = "999988887777";

/// Teams: users, app roles and buckets are tagged `team=<one of these>`.
pub const TEAMS: [&str; 4] = ["data", "web", "ml", "platform"];

/// The organizational units: `(id suffix, name, parent)`; `None` parent is the root.
pub const UNITS: [(&str, &str, Option<usize>); 7] = [
    ("security", "Security", None),
    ("infra000", "Infrastructure", None),
    ("workload", "Workloads", None),
    ("prod0000", "Prod", Some(2)),
    ("staging0", "Staging", Some(2)),
    ("dev00000", "Dev", Some(2)),
    ("sandbox0", "Sandbox", None),
];

/// The OUs that hold member accounts (round robin), by index into [`UNITS`].
pub const LEAF_UNITS: [usize; 6] = [1, 3, 4, 5, 6, 0];

/// What a role is for; decides its trust policy and permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    /// `OrgAdmin`: administrator, assumed from the management account's `OrgAdmin`.
    OrgAdmin,
    /// A service-linked role (path `/aws-service-role/`).
    ServiceLinked,
    /// `ci-runner`: CodeBuild's role, assumes `deploy-*` roles across the organization.
    CiRunner,
    /// `app-<team>-<n>`: a Lambda function's role with a permissions boundary.
    App(usize),
    /// `deploy-<n>`: assumed by the tooling account's `ci-runner`.
    Deploy,
    /// `readonly-<n>`: assumed by the account's own users with MFA.
    ReadOnly,
    /// `partner-<n>`: assumed by an outside account with an external id.
    Partner,
}

/// One role's name and kind.
#[derive(Debug, Clone)]
pub struct RoleName {
    /// The role name.
    pub name: String,
    /// What it is for.
    pub kind: RoleKind,
}

/// One user's name and attributes.
#[derive(Debug, Clone)]
pub struct UserName {
    /// The user name.
    pub name: String,
    /// `/` or `/contractors/`.
    pub path: &'static str,
    /// Index into [`TEAMS`].
    pub team: usize,
    /// Contractors have a permissions boundary.
    pub contractor: bool,
}

/// One account of the organization.
#[derive(Debug, Clone)]
pub struct Account {
    /// Position in the organization (0 is the management account).
    pub index: usize,
    /// The 12-digit id.
    pub id: String,
    /// The OU holding it (index into [`UNITS`]); `None` for the management account (root).
    pub unit: Option<usize>,
    /// Its users.
    pub users: Vec<UserName>,
    /// Its groups' names.
    pub groups: Vec<String>,
    /// Its roles.
    pub roles: Vec<RoleName>,
    /// Its buckets: `(name, team index, public)`.
    pub buckets: Vec<(String, usize, bool)>,
    /// Its KMS key ids.
    pub keys: Vec<String>,
    /// Its queue names with their team.
    pub queues: Vec<(String, usize)>,
}

impl Account {
    /// The ARN of a user.
    pub fn user_arn(&self, u: &UserName) -> String {
        format!("arn:aws:iam::{}:user{}{}", self.id, u.path, u.name)
    }

    /// The ARN of a role (service-linked roles carry their path).
    pub fn role_arn(&self, r: &RoleName) -> String {
        match r.kind {
            RoleKind::ServiceLinked => format!(
                "arn:aws:iam::{}:role/aws-service-role/support.amazonaws.com/{}",
                self.id, r.name
            ),
            _ => format!("arn:aws:iam::{}:role/{}", self.id, r.name),
        }
    }

    /// The ARN of a KMS key.
    pub fn key_arn(&self, key: &str) -> String {
        format!("arn:aws:kms:{REGION}:{}:key/{key}", self.id)
    }

    /// The ARN of a queue.
    pub fn queue_arn(&self, q: &str) -> String {
        format!("arn:aws:sqs:{REGION}:{}:{q}", self.id)
    }

    /// The first app role of `team`, if the account has one.
    pub fn app_role(&self, team: usize) -> Option<&RoleName> {
        self.roles.iter().find(|r| r.kind == RoleKind::App(team))
    }

    /// Whether the account sits in the Sandbox OU (allow-list SCP).
    pub fn in_sandbox(&self) -> bool {
        self.unit == Some(6)
    }
}

/// The whole organization's names.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The organization id (`o-...`).
    pub org_id: String,
    /// The root id (`r-...`).
    pub root_id: String,
    /// The 4-character part of OU ids.
    pub ou_tag: String,
    /// Every account, the management account first.
    pub accounts: Vec<Account>,
}

impl Layout {
    /// The names for `spec`.
    pub fn new(spec: &Spec) -> Layout {
        let tag = format!("{:04x}", spec.seed.wrapping_mul(0x9e37_79b9) & 0xffff);
        let accounts = (0..spec.accounts).map(|i| account(spec, i)).collect();
        Layout {
            org_id: format!("o-synth{:05x}", spec.seed & 0xfffff),
            root_id: format!("r-{tag}"),
            ou_tag: tag,
            accounts,
        }
    }

    /// The id of OU `u`.
    pub fn ou_id(&self, u: usize) -> String {
        format!("ou-{}-{}", self.ou_tag, UNITS[u].0)
    }

    /// The account whose `ci-runner` assumes every `deploy-*` role: the first member
    /// account (the management account when it is alone).
    pub fn tooling(&self) -> &Account {
        self.accounts.get(1).unwrap_or(&self.accounts[0])
    }

    /// The management account.
    pub fn management(&self) -> &Account {
        &self.accounts[0]
    }
}

/// The 12-digit id of account `i`.
pub fn account_id(i: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + 1_000_003 * i as u64)
}

fn account(spec: &Spec, i: usize) -> Account {
    let id = account_id(i);
    let unit = if i == 0 {
        None
    } else {
        Some(LEAF_UNITS[(i - 1) % LEAF_UNITS.len()])
    };
    let users = (0..spec.users_per_account)
        .map(|j| {
            let contractor = j % 5 == 4;
            UserName {
                name: format!("user-{j:04}"),
                path: if contractor { "/contractors/" } else { "/" },
                team: j % TEAMS.len(),
                contractor,
            }
        })
        .collect();
    let mut groups: Vec<String> = ["Admins", "Developers", "ReadOnly", "Ops"]
        .iter()
        .take(spec.groups_per_account)
        .map(|g| g.to_string())
        .collect();
    for k in groups.len()..spec.groups_per_account {
        groups.push(format!("team-{k:03}"));
    }
    let roles = (0..spec.roles_per_account).map(role_name).collect();
    let buckets = (0..spec.buckets_per_account)
        .map(|k| {
            let team = k % TEAMS.len();
            (
                format!("synth-{id}-{}-{k:03}", TEAMS[team]),
                team,
                k % 10 == 9,
            )
        })
        .collect();
    let keys = (0..spec.keys_per_account)
        .map(|k| {
            let h = (i as u64) << 16 | k as u64;
            format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                h.wrapping_mul(0x2545_f491) & 0xffff_ffff,
                k & 0xffff,
                i & 0xfff,
                k & 0xfff,
                h
            )
        })
        .collect();
    let queues = (0..spec.queues_per_account)
        .map(|k| {
            let team = k % TEAMS.len();
            (format!("synth-{}-q{k:03}", TEAMS[team]), team)
        })
        .collect();
    Account {
        index: i,
        id,
        unit,
        users,
        groups,
        roles,
        buckets,
        keys,
        queues,
    }
}

fn role_name(j: usize) -> RoleName {
    let (name, kind) = match j {
        0 => ("OrgAdmin".to_string(), RoleKind::OrgAdmin),
        1 => (
            "AWSServiceRoleForSupport".to_string(),
            RoleKind::ServiceLinked,
        ),
        2 => ("ci-runner".to_string(), RoleKind::CiRunner),
        _ => match (j - 3) % 4 {
            0 => {
                let team = (j - 3) / 4 % TEAMS.len();
                (format!("app-{}-{j:04}", TEAMS[team]), RoleKind::App(team))
            }
            1 => (format!("deploy-{j:04}"), RoleKind::Deploy),
            2 => (format!("readonly-{j:04}"), RoleKind::ReadOnly),
            _ => (format!("partner-{j:04}"), RoleKind::Partner),
        },
    };
    RoleName { name, kind }
}
