//! JSON output with one key order, whatever serde_json's features. Some AWS SDK crates turn
//! on `preserve_order`, and Cargo unifies features differently for the CLI binary and for test
//! builds, so a map's order would otherwise depend on how the binary was built. Every JSON
//! document the tool prints goes through here: objects sorted by key, pretty, one trailing
//! newline.

use serde::Serialize;
use serde_json::{Map, Value};

/// `value` as pretty JSON with every object's keys sorted.
pub fn to_string_sorted(value: &impl Serialize) -> String {
    let value = serde_json::to_value(value).expect("a document serializes");
    let mut text = serde_json::to_string_pretty(&sorted(value)).expect("a value serializes");
    text.push('\n');
    text
}

/// `value` as compact JSON with every object's keys sorted (for values shown inside text).
pub fn to_compact_sorted(value: &Value) -> String {
    sorted(value.clone()).to_string()
}

fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut out = Map::new();
            for (k, v) in entries {
                out.insert(k, sorted(v));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_out_sorted_at_every_depth() {
        let mut inner = Map::new();
        inner.insert("b".into(), 1.into());
        inner.insert("a".into(), 2.into());
        let mut outer = Map::new();
        outer.insert("z".into(), Value::Array(vec![Value::Object(inner)]));
        outer.insert("m".into(), Value::Null);
        let text = to_string_sorted(&Value::Object(outer));
        assert_eq!(
            text,
            "{\n  \"m\": null,\n  \"z\": [\n    {\n      \"a\": 2,\n      \"b\": 1\n    }\n  ]\n}\n"
        );
    }
}
