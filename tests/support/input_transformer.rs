//! EventBridge's input transformer, for the tests (moto's EventBridge cannot apply one),
//! written from the EventBridge User Guide ("Amazon EventBridge input transformation") and
//! the InputTransformer API reference:
//! - `InputPathsMap` names values by JSON path: dot notation and array indices (`$.a.b`,
//!   `$.a[0].b`). A path the event does not hold is an error here, so a template can only
//!   name fields its sample events carry.
//! - `InputTemplate` is text with `<name>` placeholders. Inside a quoted string the value
//!   is written escaped as JSON string content (EventBridge keeps the output valid JSON);
//!   outside quotes a string is written as it is and anything else as JSON.

use serde_json::Value as Json;

pub fn apply(transformer: &Json, event: &Json) -> Result<String, String> {
    let paths = transformer
        .get("InputPathsMap")
        .and_then(Json::as_object)
        .ok_or("no InputPathsMap")?;
    let template = transformer
        .get("InputTemplate")
        .and_then(Json::as_str)
        .ok_or("no InputTemplate")?;
    let mut values = std::collections::BTreeMap::new();
    for (name, path) in paths {
        let path = path.as_str().ok_or("paths are strings")?;
        let value = lookup(event, path).ok_or(format!("<{name}>: {path} is not in the event"))?;
        values.insert(name.as_str(), value);
    }
    let mut out = String::new();
    let mut in_string = false;
    let mut chars = template.char_indices().peekable();
    let mut escaped = false;
    while let Some((i, c)) = chars.next() {
        if c == '<' {
            if let Some(end) = template[i + 1..].find('>') {
                let name = &template[i + 1..i + 1 + end];
                if let Some(value) = values.get(name) {
                    out.push_str(&render(value, in_string));
                    for _ in 0..name.chars().count() + 1 {
                        chars.next();
                    }
                    escaped = false;
                    continue;
                }
            }
        }
        if c == '"' && !escaped {
            in_string = !in_string;
        }
        escaped = c == '\\' && !escaped;
        out.push(c);
    }
    Ok(out)
}

fn render(value: &Json, in_string: bool) -> String {
    match (value, in_string) {
        (Json::String(s), true) => {
            let quoted = Json::String(s.clone()).to_string();
            quoted[1..quoted.len() - 1].to_string()
        }
        (Json::String(s), false) => s.clone(),
        (other, true) => {
            let text = other.to_string();
            if other.is_object() || other.is_array() {
                let quoted = Json::String(text).to_string();
                quoted[1..quoted.len() - 1].to_string()
            } else {
                text
            }
        }
        (other, false) => other.to_string(),
    }
}

/// `$.detail.findings[0].Severity.Label`.
pub fn lookup<'a>(event: &'a Json, path: &str) -> Option<&'a Json> {
    let rest = path.strip_prefix('$')?;
    let mut node = event;
    for segment in rest.split('.').skip(1) {
        let (key, indices) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        assert!(!key.contains('*'), "wildcards are not implemented: {path}");
        node = node.get(key)?;
        for index in indices.split('[').skip(1) {
            let i: usize = index.trim_end_matches(']').parse().ok()?;
            node = node.get(i)?;
        }
    }
    Some(node)
}

/// The text a person reads from a template of quoted lines (the form GuardDuty's guide
/// uses for email): each line's JSON string, unescaped.
pub fn quoted_lines_as_text(output: &str) -> Result<String, String> {
    let mut lines = Vec::new();
    for line in output.lines().filter(|l| !l.trim().is_empty()) {
        let s: String = serde_json::from_str(line.trim())
            .map_err(|e| format!("line {line:?} is not one JSON string: {e}"))?;
        lines.push(s);
    }
    Ok(lines.join("\n"))
}
