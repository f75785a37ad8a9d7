//! The text table of a who-can answer, as `iamlogic who-can` prints it: one row per
//! principal and distinct (decision, condition, chain) of its actions, aligned.
//!
//! A result holds each distinct answer once and principals refer to a class of them
//! ([`WhoCanResult`]); everything a row shows but the principal's own name is the same for
//! every member of a class (a member's answer differs from its class's only in names the
//! table does not print: the first hop's caller, the reason's policies, the witnesses'
//! principal, [`super::model::SharedAction::for_principal`]). So the rows of a class are
//! laid out once, and each principal's rows are its name and kind followed by them, written
//! into one buffer.

use super::chains::ASSUME_ROLE;
use super::model::{Access, ActionAnswer, Hop, WhoCanResult};

/// One row of a class: what every member of the class shows.
struct ClassRow {
    decision: Access,
    /// `Read: s3:GetObject (shared/*); List: ...`.
    actions: String,
    /// The condition, in words.
    condition: Option<String>,
    /// The chain after the principal (`role/Deploy → role/Prod-Admin`); `None`: direct.
    chain: Option<String>,
    /// Witness lines (`--witnesses`), printed under the row.
    witnesses: Vec<String>,
}

/// The roles of a chain after its principal, as `a → b`; `None` for direct access.
fn chain_after(via: &[Hop]) -> Option<String> {
    let parts: Vec<String> = via
        .iter()
        .filter(|h| h.action == ASSUME_ROLE)
        .map(|h| crate::graph::short_label(&h.to))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" → "))
}

/// A chain as `alice → role/Deploy → role/Prod-Admin`, or `direct`.
pub fn chain_text(principal: &str, via: &[Hop]) -> String {
    match chain_after(via) {
        Some(rest) => format!("{} → {rest}", crate::graph::short_label(principal)),
        None => "direct".to_string(),
    }
}

/// Per action: the object patterns (after the resource) it was decided on.
type ActionParts<'a> = Vec<(&'a str, Vec<&'a str>)>;

/// Actions grouped by access level: `Read: s3:GetObject, s3:GetObjectAcl; List: ...`.
fn actions_text(actions: &[&ActionAnswer], resources: &[String]) -> String {
    // Per level, per action: the object patterns it was decided on, when not the resource.
    let mut levels: Vec<(&str, ActionParts<'_>)> = Vec::new();
    for a in actions {
        let i = match levels.iter().position(|l| l.0 == a.access_level) {
            Some(i) => i,
            None => {
                levels.push((a.access_level.as_str(), Vec::new()));
                levels.len() - 1
            }
        };
        let level = &mut levels[i];
        let part = resources
            .iter()
            .find_map(|r| a.resource.strip_prefix(r.as_str()))
            .and_then(|rest| rest.strip_prefix('/'));
        match level.1.iter_mut().find(|x| x.0 == a.action) {
            Some(x) => x.1.extend(part),
            None => level
                .1
                .push((a.action.as_str(), part.into_iter().collect())),
        }
    }
    levels
        .iter()
        .map(|(l, names)| {
            let names: Vec<String> = names
                .iter()
                .map(|(n, parts)| {
                    if parts.is_empty() {
                        n.to_string()
                    } else {
                        format!("{n} ({})", parts.join(", "))
                    }
                })
                .collect();
            if names.len() > 4 {
                format!("{l}: {} actions", names.len())
            } else {
                format!("{l}: {}", names.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The rows of class `c` of `r`: its actions grouped by (decision, condition, chain), in
/// the order of their first action.
fn class_rows(r: &WhoCanResult, c: usize, witnesses: bool) -> Vec<ClassRow> {
    type Group<'a> = (
        Access,
        Option<&'a str>,
        Option<String>,
        Vec<&'a ActionAnswer>,
    );
    let mut groups: Vec<Group<'_>> = Vec::new();
    for &k in &r.classes[c] {
        let a = &r.answers[k as usize].answer;
        let cond = a.conditions.as_ref().map(|c| c.text.as_str());
        let chain = chain_after(&a.via);
        match groups
            .iter_mut()
            .find(|g| g.0 == a.decision && g.1 == cond && g.2 == chain)
        {
            Some(g) => g.3.push(a),
            None => groups.push((a.decision, cond, chain, vec![a])),
        }
    }
    groups
        .into_iter()
        .map(|(decision, condition, chain, actions)| ClassRow {
            decision,
            actions: actions_text(&actions, &r.resources),
            condition: condition.map(str::to_string),
            chain,
            witnesses: if witnesses {
                actions
                    .iter()
                    .filter_map(|a| a.witnesses.as_ref().map(|w| (a, w)))
                    .flat_map(|(a, w)| {
                        [&w.allowed, &w.denied].into_iter().map(move |x| {
                            format!(
                                "  {} {} {}: {}",
                                a.action,
                                x.decision.name(),
                                x.resource,
                                serde_json::to_string(&x.context).unwrap_or_default()
                            )
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// Move `line`, its trailing spaces removed, to `out` as one line.
fn end_line(out: &mut String, line: &mut String) {
    out.push_str(line.trim_end());
    out.push('\n');
    line.clear();
}

/// `text` padded with spaces to `width` characters, then two spaces.
fn push_cell(line: &mut String, text: &str, width: usize) {
    line.push_str(text);
    let n = text.chars().count();
    line.extend(std::iter::repeat_n(' ', width.saturating_sub(n) + 2));
}

/// The table of `r`: a title line, a header, one row per principal and distinct (decision,
/// condition, chain) of its actions, columns aligned; with `witnesses`, each conditional
/// action's allowed and denied requests under its row.
pub fn text(r: &WhoCanResult, witnesses: bool) -> String {
    const HEADER: [&str; 5] = [
        "PRINCIPAL",
        "KIND",
        "DECISION",
        "ACTIONS",
        "CONDITION / VIA",
    ];
    // The rows of each class that some principal has, laid out once.
    let mut rows: Vec<Option<Vec<ClassRow>>> = (0..r.classes.len()).map(|_| None).collect();
    let mut width = [0usize; 4];
    for (w, h) in width.iter_mut().zip(HEADER) {
        *w = h.chars().count();
    }
    for p in &r.principals {
        let class = rows[p.class].get_or_insert_with(|| class_rows(r, p.class, witnesses));
        if class.is_empty() {
            continue;
        }
        width[0] = width[0].max(p.principal.chars().count());
        width[1] = width[1].max(p.kind.name().chars().count());
        for row in class.iter() {
            width[2] = width[2].max(row.decision.name().chars().count());
            width[3] = width[3].max(row.actions.chars().count());
        }
    }
    let mut names: Vec<&str> = r.actions.iter().map(|a| a.0.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = format!(
        "who can act on {} ({} action{}): {} principal{}\n",
        r.resources.join(", "),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        r.principals.len(),
        if r.principals.len() == 1 { "" } else { "s" },
    );
    let mut line = String::new();
    for (j, h) in HEADER.iter().enumerate() {
        if j < 4 {
            push_cell(&mut line, h, width[j]);
        } else {
            line.push_str(h);
        }
    }
    end_line(&mut out, &mut line);
    for p in &r.principals {
        let Some(class) = rows[p.class].as_ref() else {
            continue;
        };
        let mut label: Option<String> = None;
        for row in class {
            push_cell(&mut line, &p.principal, width[0]);
            push_cell(&mut line, p.kind.name(), width[1]);
            push_cell(&mut line, row.decision.name(), width[2]);
            push_cell(&mut line, &row.actions, width[3]);
            if let Some(chain) = &row.chain {
                let label = label.get_or_insert_with(|| crate::graph::short_label(&p.principal));
                line.push_str(label);
                line.push_str(" → ");
                line.push_str(chain);
                if let Some(c) = &row.condition {
                    line.push_str("; ");
                    line.push_str(c);
                }
            } else {
                match &row.condition {
                    Some(c) => line.push_str(c),
                    None => line.push_str("direct"),
                }
            }
            end_line(&mut out, &mut line);
            for w in &row.witnesses {
                out.push_str(w);
                out.push('\n');
            }
        }
    }
    out
}
