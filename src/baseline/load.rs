//! Loading a baseline: parse, check the shape against the types, validate the meaning, and
//! report every problem at once with its file, line and column.

use serde::de::DeserializeOwned;

use super::diagnostic::did_you_mean;
use super::types::*;
use super::Part;
use super::{validate, Baseline, Diagnostic, Source};
use crate::yaml::{self, Seg, Value};

/// Loads and validates a baseline. On success returns it with any warnings; on failure
/// returns every diagnostic (errors and warnings), in file order.
pub fn load(source: Source) -> Result<(Baseline, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let file = check_shape(&source.text, &mut diags);
    if let Some(file) = &file {
        validate::check(file, &mut diags);
    }
    for diag in &mut diags {
        diag.file = source.name.clone();
        if diag.pos.is_none() {
            diag.pos = yaml::locate_nearest(&source.text, &diag.path, diag.at_key);
        }
    }
    diags.sort_by_key(|d| (d.pos, d.severity));
    diags.dedup();
    match file {
        Some(file) if !diags.iter().any(Diagnostic::is_error) => Ok((
            Baseline {
                source,
                file,
                part: Part::Whole,
            },
            diags,
        )),
        _ => Err(diags),
    }
}

/// Parses the text and deserializes it, collecting every shape error (unknown keys, wrong
/// types, unknown values). Returns the file with the offending entries left out, so that
/// validation can still look at the rest.
fn check_shape(text: &str, diags: &mut Vec<Diagnostic>) -> Option<BaselineFile> {
    let value = match yaml::parse(text) {
        Ok(value) => value,
        Err(err) => {
            let mut diag = Diagnostic::error(vec![], format!("invalid YAML: {}", err.message))
                .hint("check indentation and quoting around this position");
            diag.pos = err.pos;
            diags.push(diag);
            return None;
        }
    };
    match &value {
        Value::Mapping(_) => {}
        Value::Null => {
            diags.push(
                Diagnostic::error(vec![], "the baseline file is empty")
                    .hint("run `cfn-baseline init` to write a commented starter baseline"),
            );
            return None;
        }
        _ => {
            diags.push(
                Diagnostic::error(vec![], "a baseline must be a mapping of settings")
                    .hint("start with `version: 1`, `name: ...` and `home_region: ...`"),
            );
            return None;
        }
    }
    let mut value = value;
    check_account_ids(text, &mut value, diags);
    let mut file: BaselineFile = collect(value, &[], diags)?;
    for (i, o) in file.overrides.iter_mut().enumerate() {
        let prefix =
            |component: &str| vec![Seg::from("overrides"), Seg::Index(i), Seg::from(component)];
        check_partial::<Alerts>(&mut o.alerts, &prefix("alerts"), diags);
        check_partial::<CloudTrail>(&mut o.cloudtrail, &prefix("cloudtrail"), diags);
        check_partial::<Config>(&mut o.config, &prefix("config"), diags);
        check_partial::<GuardDuty>(&mut o.guardduty, &prefix("guardduty"), diags);
        check_partial::<SecurityHub>(&mut o.securityhub, &prefix("securityhub"), diags);
        check_partial::<AccessAnalyzer>(&mut o.access_analyzer, &prefix("access_analyzer"), diags);
        check_partial::<Network>(&mut o.network, &prefix("network"), diags);
        check_partial::<Patching>(&mut o.patching, &prefix("patching"), diags);
        check_partial::<Waf>(&mut o.waf, &prefix("waf"), diags);
        check_partial::<Inspector>(&mut o.inspector, &prefix("inspector"), diags);
        check_partial::<Macie>(&mut o.macie, &prefix("macie"), diags);
        check_partial::<Detective>(&mut o.detective, &prefix("detective"), diags);
        check_partial::<AccountLevelSettings>(
            &mut o.account_settings,
            &prefix("account_settings"),
            diags,
        );
        check_partial::<Iam>(&mut o.iam, &prefix("iam"), diags);
    }
    Some(file)
}

/// Where account ids stand in a baseline (`*`: every item of a list).
const ACCOUNT_ID_PATHS: &[&[&str]] = &[
    &["accounts", "*"],
    &["accounts", "*", "id"],
    &["deployment", "accounts", "*"],
    &["overrides", "*", "match", "account"],
    &["organization", "management_account"],
    &["organization", "security_account"],
    &["organization", "log_archive_account"],
];

/// Every account id written as an unquoted number is an error, whatever its digits: YAML
/// readers disagree on them (`012345670123` is a string here, octal or decimal elsewhere, and
/// leading zeros are lost), so a script reading the same file could target another account.
/// The ids reported are made strings so the shape check does not report them again.
fn check_account_ids(text: &str, value: &mut Value, diags: &mut Vec<Diagnostic>) {
    for pattern in ACCOUNT_ID_PATHS {
        let mut found = Vec::new();
        scalars_at(value, pattern, &mut Vec::new(), &mut found);
        for path in found {
            let Some(node) = node_mut(value, &path) else {
                continue;
            };
            let raw = match &*node {
                Value::Number(n) => n.to_string(),
                Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    let pos = yaml::locate(text, &path, false);
                    if !pos.is_some_and(|pos| yaml::is_plain_scalar_at(text, pos)) {
                        continue;
                    }
                    s.clone()
                }
                _ => continue,
            };
            diags.push(unquoted_account(path, &raw));
            *node = Value::String(raw);
        }
    }
}

/// The one message for an account id written as a number.
pub(super) fn unquoted_account(path: Vec<Seg>, raw: &str) -> Diagnostic {
    Diagnostic::error(
        path,
        format!("account id {raw} must be a quoted string, e.g. \"{raw}\""),
    )
    .hint(
        "YAML readers disagree on unquoted numbers (leading zeros are dropped, or read as \
         octal), so another tool reading this file could target a different account",
    )
}

fn scalars_at(value: &Value, pattern: &[&str], path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    let Some((head, rest)) = pattern.split_first() else {
        if matches!(value, Value::Number(_) | Value::String(_)) {
            out.push(path.clone());
        }
        return;
    };
    match (value, *head) {
        (Value::Sequence(items), "*") => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                scalars_at(item, rest, path, out);
                path.pop();
            }
        }
        (Value::Mapping(map), key) if key != "*" => {
            if let Some(child) = map.get(key) {
                path.push(Seg::from(key));
                scalars_at(child, rest, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(value: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut node = value;
    for seg in path {
        node = match (node, seg) {
            (Value::Sequence(items), Seg::Index(i)) => items.get_mut(*i)?,
            (Value::Mapping(map), Seg::Key(k)) => map.get_mut(k.as_str())?,
            _ => return None,
        };
    }
    Some(node)
}

/// Checks an override's partial component settings against the component's type, leaving
/// out the entries that do not fit.
fn check_partial<T: DeserializeOwned>(
    part: &mut Option<Value>,
    prefix: &[Seg],
    diags: &mut Vec<Diagnostic>,
) {
    let Some(value) = part.take() else { return };
    if !matches!(value, Value::Mapping(_)) {
        diags.push(Diagnostic::error(
            prefix.to_vec(),
            "override settings must be a mapping of the component's keys",
        ));
        return;
    }
    let mut pruned = value;
    if collect_pruning::<T>(&mut pruned, prefix, diags).is_some() {
        *part = Some(pruned);
    }
}

fn collect<T: DeserializeOwned>(
    mut value: Value,
    prefix: &[Seg],
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    collect_pruning(&mut value, prefix, diags)
}

/// Deserializes `value` as `T`. After each error, reports it and removes the entry that
/// caused it, then tries again, so one pass finds every shape error.
fn collect_pruning<T: DeserializeOwned>(
    value: &mut Value,
    prefix: &[Seg],
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    // The entries removed so far: a required one then reads as missing, which is not news.
    let mut removed: Vec<Vec<Seg>> = Vec::new();
    // Each round removes one entry, so this always ends; the bound is a safety net.
    for _ in 0..1000 {
        let err = match serde_path_to_error::deserialize::<_, T>(value.clone()) {
            Ok(t) => return Some(t),
            Err(err) => err,
        };
        let mut path = prefix.to_vec();
        let mut rel = Vec::new();
        for seg in err.path().iter() {
            match seg {
                serde_path_to_error::Segment::Map { key } => rel.push(Seg::Key(key.clone())),
                serde_path_to_error::Segment::Seq { index } => rel.push(Seg::Index(*index)),
                _ => break,
            }
        }
        path.extend(rel.iter().cloned());
        let message = err.into_inner().to_string();
        let pruned_before = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .is_some_and(|field| {
                let mut at = rel.clone();
                at.push(Seg::Key(field.to_string()));
                removed.contains(&at)
            });
        let (diag, removal) = describe(path, rel, &message);
        if !pruned_before {
            diags.push(diag);
        }
        if !remove_entry(value, &removal) {
            return None;
        }
        removed.push(removal);
    }
    None
}

/// Turns a serde message into a diagnostic, and says which entry (relative to the value
/// being checked) to leave out before trying again.
fn describe(path: Vec<Seg>, rel: Vec<Seg>, message: &str) -> (Diagnostic, Vec<Seg>) {
    let quoted = backticked(message);
    if let Some(field) = message.strip_prefix("unknown field `").and(quoted.first()) {
        let expected: Vec<&str> = quoted[1..].iter().map(String::as_str).collect();
        // serde_path_to_error already ends the path with the unknown key.
        let key = Seg::Key(field.clone());
        let mut key_path = path.clone();
        if key_path.last() != Some(&key) {
            key_path.push(key.clone());
        }
        let hint = match did_you_mean(field, expected.iter().copied()) {
            Some(best) => format!("did you mean `{best}`?"),
            None if expected.is_empty() => "this mapping takes no keys".to_string(),
            None => format!("expected one of: {}", expected.join(", ")),
        };
        let diag = Diagnostic::error(key_path, format!("unknown key `{field}`"))
            .at_key()
            .hint(hint);
        let mut removal = rel;
        if removal.last() != Some(&key) {
            removal.push(key);
        }
        return (diag, removal);
    }
    if let Some(variant) = message
        .strip_prefix("unknown variant `")
        .and(quoted.first())
    {
        let expected: Vec<&str> = quoted[1..].iter().map(String::as_str).collect();
        let hint = match did_you_mean(variant, expected.iter().copied()) {
            Some(best) => format!(
                "did you mean `{best}`? expected one of: {}",
                expected.join(", ")
            ),
            None => format!("expected one of: {}", expected.join(", ")),
        };
        let diag = Diagnostic::error(path, format!("unknown value `{variant}`")).hint(hint);
        return (diag, rel);
    }
    if let Some(field) = message.strip_prefix("missing field `").and(quoted.first()) {
        let diag = Diagnostic::error(path, format!("missing required key `{field}`"))
            .hint(format!("add `{field}:` here"));
        return (diag, rel);
    }
    let (message, hint) = match message.strip_prefix("invalid type: ") {
        Some(rest) => (
            format!("wrong type: {}", type_in_words(rest)),
            Some(
                "check the value's type: quote strings, write numbers bare, use true/false"
                    .to_string(),
            ),
        ),
        None => (message.to_string(), None),
    };
    (Diagnostic::error(path, message).maybe_hint(hint), rel)
}

/// serde's `string "seven years", expected u32` in a reader's words: `expected a whole
/// number, found the text "seven years"`.
fn type_in_words(rest: &str) -> String {
    let Some((found, expected)) = rest.rsplit_once(", expected ") else {
        return rest.to_string();
    };
    let expected = match expected.trim() {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => {
            "a whole number (written bare, e.g. 365)".to_string()
        }
        "f32" | "f64" => "a number".to_string(),
        "a boolean" => "true or false".to_string(),
        "a string" => "text (quote it if it looks like a number)".to_string(),
        "a sequence" => "a list ([a, b] or one `- item` per line)".to_string(),
        "a map" => "a mapping (`key: value` lines)".to_string(),
        other if other.starts_with("struct ") => "a mapping (`key: value` lines)".to_string(),
        other => other.to_string(),
    };
    let found = if let Some(text) = found.strip_prefix("string ") {
        format!("the text {text}")
    } else if let Some(n) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        format!("the number {}", n.trim_matches('`'))
    } else if let Some(b) = found.strip_prefix("boolean ") {
        b.trim_matches('`').to_string()
    } else {
        match found {
            "sequence" => "a list".to_string(),
            "map" => "a mapping".to_string(),
            "unit value" => "nothing (an empty value)".to_string(),
            other => other.to_string(),
        }
    };
    format!("expected {expected}, found {found}")
}

fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Removes the map entry nearest to `path` (at it or above it). Returns false when there is
/// nothing left to remove, i.e. the error is about the whole value.
fn remove_entry(value: &mut Value, path: &[Seg]) -> bool {
    let Some(last_key) = path.iter().rposition(|s| matches!(s, Seg::Key(_))) else {
        return false;
    };
    let Seg::Key(key) = &path[last_key] else {
        unreachable!()
    };
    let mut node = value;
    for seg in &path[..last_key] {
        node = match (seg, node) {
            (Seg::Key(k), Value::Mapping(m)) => match m.get_mut(k.as_str()) {
                Some(v) => v,
                None => return false,
            },
            (Seg::Index(i), Value::Sequence(items)) => match items.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match node {
        Value::Mapping(m) => m.remove(key.as_str()).is_some(),
        _ => false,
    }
}
