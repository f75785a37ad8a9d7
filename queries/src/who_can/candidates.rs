//! The principals who-can considers, and the resources of an account.

use facts::tables::{FactTables, PrincipalKind as TableKind, Sym};

use super::engine::Prepared;
use super::model::PrincipalKind;

/// A candidate principal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its entity.
    pub id: Sym,
    /// Its kind in answers.
    pub kind: PrincipalKind,
}

/// The users, roles and root users of the loaded accounts, and the principals resource and
/// trust policies name outside them (other accounts, their roles and users, sessions,
/// services, the public). Groups are not principals (IAM User Guide, "IAM user groups": a
/// group cannot be named as a principal); a role stands for any session of it.
pub fn principals(t: &FactTables, prepared: &Prepared) -> Vec<Candidate> {
    let mut out = Vec::new();
    for p in &t.principals {
        let account = p.account.and_then(|a| t.account_id_of(a)).unwrap_or("");
        let loaded = prepared.is_loaded(account);
        let kind = match (p.kind, loaded) {
            (TableKind::User, true) => PrincipalKind::User,
            (TableKind::Role, true) => PrincipalKind::Role,
            (TableKind::Root, true) => PrincipalKind::Root,
            (TableKind::Root, false) => PrincipalKind::ExternalAccount,
            (TableKind::User | TableKind::Role | TableKind::Session, false) => {
                PrincipalKind::ExternalPrincipal
            }
            (TableKind::Session, true) => PrincipalKind::Role,
            (TableKind::Service, _) => PrincipalKind::Service,
            (TableKind::Anonymous, _) => PrincipalKind::Public,
            _ => continue,
        };
        out.push(Candidate { id: p.id, kind });
    }
    out
}

/// The resources of account `id` the data knows, and `*`, sorted.
pub fn account_resources(t: &FactTables, id: &str) -> Vec<String> {
    let entity = t.account_entity(id);
    let mut out: Vec<String> = t
        .resources
        .iter()
        .filter(|r| r.account.is_some() && r.account == entity)
        .map(|r| t.symbols.name(r.arn).to_string())
        .filter(|a| a.starts_with("arn:"))
        .collect();
    out.sort();
    out.dedup();
    out.push("*".to_string());
    out
}
