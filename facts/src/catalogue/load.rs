//! Reading the embedded catalogue text (format described in `scripts/gen_catalogue.py`).

use super::{
    cmp_ignore_case, AccessLevel, ActionData, Catalogue, ConditionKey, KeyType, ResourceType,
    ScalarType, Service, REQUIRED_BIT,
};
use crate::catalogue::placeholders_to_glob;

/// Parse the catalogue text. Malformed lines are recorded in `load_errors` (a unit test
/// requires there are none), never a panic.
pub(super) fn parse(text: &'static str) -> Catalogue {
    let mut services: Vec<Service> = Vec::new();
    let mut global_keys = Vec::new();
    let mut errors = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // At most five fields: split into a fixed array, no allocation per line.
        let mut buf: [&'static str; 6] = [""; 6];
        let mut n_fields = 0;
        for (slot, field) in buf.iter_mut().zip(line.split('\t')) {
            *slot = field;
            n_fields += 1;
        }
        let fields = buf.get(..n_fields).unwrap_or_default();
        let res = match fields {
            ["G", key, ty] => key_type(ty).map(|t| global_keys.push(ConditionKey::new(key, t))),
            ["S", prefix, name] => {
                services.push(Service {
                    prefix,
                    name,
                    keys: Vec::new(),
                    resource_types: Vec::new(),
                    actions: Vec::new(),
                });
                Ok(())
            }
            ["K", key, ty] => current(&mut services)
                .and_then(|s| key_type(ty).map(|t| s.keys.push(ConditionKey::new(key, t)))),
            ["R", name, arn, keys] => current(&mut services).and_then(|s| {
                let keys = indices(keys, s.keys.len())?;
                s.resource_types.push(ResourceType {
                    name,
                    arn,
                    arn_globs: ResourceType::formats_of(arn)
                        .map(|f| placeholders_to_glob(f).into_boxed_str())
                        .collect(),
                    keys,
                });
                Ok(())
            }),
            ["A", name, level, resources, keys] => current(&mut services).and_then(|s| {
                let level = access_level(level)?;
                let keys = indices(keys, s.keys.len())?;
                let resources = resource_refs(resources, s.resource_types.len())?;
                s.actions.push(ActionData {
                    name,
                    level,
                    resources,
                    keys,
                });
                Ok(())
            }),
            _ => Err("unrecognised line".to_string()),
        };
        if let Err(e) = res {
            errors.push(format!("catalogue line {}: {e}", n + 1));
        }
    }
    // The generator writes sorted data; sorting again keeps lookups correct regardless.
    services.sort_by(|a, b| cmp_ignore_case(a.prefix, b.prefix));
    for s in &mut services {
        s.actions.sort_by(|a, b| cmp_ignore_case(a.name, b.name));
    }
    Catalogue {
        services,
        global_keys,
        load_errors: errors,
        service_suggestions: Default::default(),
    }
}

fn current(services: &mut [Service]) -> Result<&mut Service, String> {
    services
        .last_mut()
        .ok_or_else(|| "line before the first service".to_string())
}

fn indices(list: &str, bound: usize) -> Result<Vec<u16>, String> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(|i| match i.parse::<u16>() {
            Ok(v) if usize::from(v) < bound => Ok(v),
            _ => Err(format!("bad index `{i}`")),
        })
        .collect()
}

fn resource_refs(list: &str, bound: usize) -> Result<Vec<u16>, String> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(|r| {
            let (i, required) = match r.strip_suffix('*') {
                Some(i) => (i, true),
                None => (r, false),
            };
            match i.parse::<u16>() {
                Ok(v) if usize::from(v) < bound && v & REQUIRED_BIT == 0 => {
                    Ok(if required { v | REQUIRED_BIT } else { v })
                }
                _ => Err(format!("bad resource reference `{r}`")),
            }
        })
        .collect()
}

fn access_level(code: &str) -> Result<AccessLevel, String> {
    Ok(match code {
        "L" => AccessLevel::List,
        "R" => AccessLevel::Read,
        "W" => AccessLevel::Write,
        "P" => AccessLevel::PermissionsManagement,
        "T" => AccessLevel::Tagging,
        _ => return Err(format!("unknown access level `{code}`")),
    })
}

fn key_type(name: &str) -> Result<KeyType, String> {
    let scalar = |s: &str| {
        Some(match s {
            "String" => ScalarType::String,
            "ARN" => ScalarType::Arn,
            "Bool" => ScalarType::Bool,
            "Numeric" => ScalarType::Numeric,
            "Date" => ScalarType::Date,
            "IPAddress" => ScalarType::IpAddress,
            _ => return None,
        })
    };
    if let Some(inner) = name.strip_prefix("ArrayOf") {
        return scalar(inner)
            .map(KeyType::ArrayOf)
            .ok_or_else(|| format!("unknown key type `{name}`"));
    }
    Ok(match name {
        "Binary" => KeyType::Binary,
        other => match scalar(other) {
            Some(ScalarType::String) => KeyType::String,
            Some(ScalarType::Arn) => KeyType::Arn,
            Some(ScalarType::Bool) => KeyType::Bool,
            Some(ScalarType::Numeric) => KeyType::Numeric,
            Some(ScalarType::Date) => KeyType::Date,
            Some(ScalarType::IpAddress) => KeyType::IpAddress,
            None => return Err(format!("unknown key type `{name}`")),
        },
    })
}
