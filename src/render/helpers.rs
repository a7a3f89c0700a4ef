//! Handlebars helpers. Every value from the baseline reaches the YAML through one of them,
//! so that no user string can change the template's structure.
//!
//! - `{{q value}}`: the value as a YAML flow scalar (strings double-quoted and escaped;
//!   numbers, booleans and null bare; lists and maps as JSON flow collections).
//! - `{{sub "literal ${AWS::Region}" value ...}}`: a double-quoted `Fn::Sub` string: literal
//!   parameters are written as they are, values from the context have `${` escaped so that
//!   they stay literal text.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason,
};
use serde_json::Value as Json;

/// Quotes a string as a YAML double-quoted scalar. Escapes everything outside YAML's
/// printable set, and the line-break characters that YAML would fold (NEL, LS, PS).
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}' => {
                out.push(c)
            }
            _ if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            _ => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A JSON value written as YAML flow text, object keys sorted (so the output never depends
/// on how serde_json orders maps, which a dependency's feature can change).
pub fn yaml_flow(value: &Json) -> String {
    match value {
        Json::String(s) => yaml_quote(s),
        Json::Array(items) => {
            let inner: Vec<String> = items.iter().map(yaml_flow).collect();
            format!("[{}]", inner.join(", "))
        }
        Json::Object(map) => {
            let mut entries: Vec<(&String, &Json)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}: {}", yaml_quote(k), yaml_flow(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// Escapes text for use inside `Fn::Sub`, where `${` starts a variable.
pub fn sub_escape(s: &str) -> String {
    s.replace("${", "${!")
}

fn missing(helper: &str, index: usize, h: &Helper) -> RenderError {
    let name = h
        .param(index)
        .and_then(|p| p.relative_path().cloned())
        .unwrap_or_else(|| format!("parameter {index}"));
    RenderErrorReason::Other(format!(
        "`{helper}` was given `{name}`, which the baseline does not provide"
    ))
    .into()
}

pub fn q(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    if h.params().len() != 1 {
        return Err(RenderErrorReason::Other("`q` takes exactly one value".into()).into());
    }
    let param = h.param(0).ok_or_else(|| missing("q", 0, h))?;
    if param.is_value_missing() {
        return Err(missing("q", 0, h));
    }
    out.write(&yaml_flow(param.value()))?;
    Ok(())
}

pub fn sub(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let mut text = String::new();
    for (i, param) in h.params().iter().enumerate() {
        if param.is_value_missing() {
            return Err(missing("sub", i, h));
        }
        let piece = match param.value() {
            Json::String(s) => s.clone(),
            Json::Number(n) => n.to_string(),
            Json::Bool(b) => b.to_string(),
            _ => {
                return Err(RenderErrorReason::Other(format!(
                    "`sub` parameter {i} must be a string or number"
                ))
                .into())
            }
        };
        // A literal in the template is Sub syntax; a value from the context is text.
        if param.relative_path().is_some() {
            text.push_str(&sub_escape(&piece));
        } else {
            text.push_str(&piece);
        }
    }
    out.write(&yaml_quote(&text))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips_through_yaml() {
        for s in [
            "plain",
            "with \"quotes\" and \\ backslash",
            "line\nbreak\ttab\r",
            "yes",
            "null",
            "!Ref X",
            "{{x}}",
            "a: b",
            "unicode ✓ \u{2028} \u{85} \u{7f} \u{1f600}",
            "",
        ] {
            let doc = format!("k: {}\n", yaml_quote(s));
            let v = crate::yaml::parse(&doc).unwrap();
            let j = crate::yaml::to_canonical_json(&v).unwrap();
            assert_eq!(j["k"], Json::String(s.to_string()), "{doc}");
        }
    }

    #[test]
    fn sub_escapes_variables() {
        assert_eq!(sub_escape("a${AWS::Region}"), "a${!AWS::Region}");
    }
}
