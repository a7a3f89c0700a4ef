//! The one place that parses and prints YAML.
//!
//! Everything else sees either typed values (through serde) or `serde_json::Value`.
//! Three jobs live here:
//! - parsing a baseline document into a `serde_yaml::Value`, with located syntax errors;
//! - finding the line and column of any path in a document (for located validation errors);
//! - parsing a CloudFormation template (YAML with short-form tags, or JSON) into one
//!   canonical long form.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
pub use serde_yaml::Value;

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_string())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// Renders a path the way users write it: `guardduty.features.s3_data_events`, `accounts[1]`.
pub fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A YAML syntax error with its position.
#[derive(Debug)]
pub struct SyntaxError {
    pub pos: Option<Pos>,
    pub message: String,
}

/// Parses a YAML document into a value.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    serde_yaml::from_str(text).map_err(|err| {
        let pos = err.location().map(|l| Pos {
            line: l.line(),
            column: l.column(),
        });
        // serde_yaml appends " at line X column Y"; the position is reported separately.
        let message = err.to_string();
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        SyntaxError { pos, message }
    })
}

/// Deserializes a typed value from a YAML value.
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_yaml::from_value(value).map_err(|e| e.to_string())
}

/// Serializes a typed value into a YAML value.
pub fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_yaml::to_value(value).expect("baseline types always serialize")
}

/// Prints a value as YAML text.
pub fn to_string<T: serde::Serialize>(value: &T) -> String {
    serde_yaml::to_string(value).expect("values always serialize")
}

const LOCATE_MARKER: &str = "\u{0}cfn-baseline-locate\u{0}";

/// Finds where the node at `path` starts in `text`. With `at_key`, the last segment must be
/// a key and the position is the key's; otherwise it is the value's. Returns `None` when the
/// path does not exist in the text (for example a value that comes from a default).
pub fn locate(text: &str, path: &[Seg], at_key: bool) -> Option<Pos> {
    let de = serde_yaml::Deserializer::from_str(text);
    let seed = Locate { path, at_key };
    match seed.deserialize(de) {
        Ok(()) => None,
        Err(err) if err.to_string().contains(LOCATE_MARKER) => err.location().map(|l| Pos {
            line: l.line(),
            column: l.column(),
        }),
        Err(_) => None,
    }
}

/// Whether the scalar that starts at `pos` (as [`locate`] gives it) is written plain, that is
/// without quotes, so that other YAML readers may take it for a number.
pub fn is_plain_scalar_at(text: &str, pos: Pos) -> bool {
    let Some(line) = text.lines().nth(pos.line.saturating_sub(1)) else {
        return false;
    };
    match line.chars().nth(pos.column.saturating_sub(1)) {
        Some('"' | '\'' | '|' | '>' | '!' | '&' | '*') | None => false,
        Some(_) => true,
    }
}

/// Like [`locate`], falling back to the nearest ancestor that exists in the text.
pub fn locate_nearest(text: &str, path: &[Seg], at_key: bool) -> Option<Pos> {
    if let Some(pos) = locate(text, path, at_key) {
        return Some(pos);
    }
    let mut len = path.len();
    while len > 0 {
        len -= 1;
        let parent = &path[..len];
        // Prefer the key of the parent entry: it is what a reader looks for.
        let key_form = matches!(parent.last(), Some(Seg::Key(_)));
        if let Some(pos) = locate(text, parent, key_form) {
            return Some(pos);
        }
    }
    None
}

struct Locate<'a> {
    path: &'a [Seg],
    at_key: bool,
}

impl<'de> DeserializeSeed<'de> for Locate<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.path.is_empty() {
            // Fail on this node: the deserializer attaches its position to the error.
            return deserializer.deserialize_any(FailHere);
        }
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Locate<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(Seg::Key(target)) = self.path.first() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let last = self.path.len() == 1;
        while let Some(matched) = map.next_key_seed(KeySeed {
            target,
            fail: last && self.at_key,
        })? {
            if matched {
                map.next_value_seed(Locate {
                    path: &self.path[1..],
                    at_key: self.at_key,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(Seg::Index(target)) = self.path.first() else {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        let mut i = 0;
        loop {
            if i == *target {
                if seq
                    .next_element_seed(Locate {
                        path: &self.path[1..],
                        at_key: self.at_key,
                    })?
                    .is_none()
                {
                    return Ok(());
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged node (`!Tag value`): look inside the value.
        let (_, variant) = data.variant::<IgnoredAny>()?;
        de::VariantAccess::newtype_variant_seed(variant, self)
    }
}

struct FailHere;

impl<'de> Visitor<'de> for FailHere {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(LOCATE_MARKER))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(LOCATE_MARKER))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(LOCATE_MARKER))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(LOCATE_MARKER))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(LOCATE_MARKER))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(LOCATE_MARKER))
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(LOCATE_MARKER))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(LOCATE_MARKER))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(LOCATE_MARKER))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(LOCATE_MARKER))
    }
}

/// Reads one map key; reports whether it is the target, or fails on it when asked to.
struct KeySeed<'a> {
    target: &'a str,
    fail: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        self.check(key)
    }
    fn visit_bool<E: de::Error>(self, key: bool) -> Result<bool, E> {
        self.check(&key.to_string())
    }
    fn visit_i64<E: de::Error>(self, key: i64) -> Result<bool, E> {
        self.check(&key.to_string())
    }
    fn visit_u64<E: de::Error>(self, key: u64) -> Result<bool, E> {
        self.check(&key.to_string())
    }
    fn visit_f64<E: de::Error>(self, key: f64) -> Result<bool, E> {
        self.check(&key.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.check("null")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
}

impl KeySeed<'_> {
    fn check<E: de::Error>(&self, key: &str) -> Result<bool, E> {
        let matched = key == self.target;
        if matched && self.fail {
            return Err(E::custom(LOCATE_MARKER));
        }
        Ok(matched)
    }
}

/// Converts a YAML value into JSON, turning CloudFormation short-form tags into their
/// long form (`!Ref X` -> `{"Ref": "X"}`, `!GetAtt A.B` -> `{"Fn::GetAtt": ["A", "B"]}`).
/// Map keys that are not strings become their string form.
pub fn to_canonical_json(value: &Value) -> Result<serde_json::Value, String> {
    use serde_json::Value as J;
    Ok(match value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                J::from(i)
            } else if let Some(u) = n.as_u64() {
                J::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(J::Number)
                    .ok_or_else(|| format!("number {n} cannot be represented in JSON"))?
            }
        }
        Value::String(s) => J::String(s.clone()),
        Value::Sequence(items) => J::Array(
            items
                .iter()
                .map(to_canonical_json)
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Value::String(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    Value::Null => "null".to_string(),
                    other => return Err(format!("unsupported map key {other:?}")),
                };
                if out.contains_key(&key) {
                    return Err(format!("duplicate key {key:?}"));
                }
                out.insert(key, to_canonical_json(v)?);
            }
            J::Object(out)
        }
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = to_canonical_json(&tagged.value)?;
            let long = match name {
                "Ref" => "Ref".to_string(),
                "Condition" => "Condition".to_string(),
                "GetAtt" => {
                    let inner = match inner {
                        J::String(s) => {
                            let (resource, attribute) = s
                                .split_once('.')
                                .ok_or_else(|| format!("!GetAtt {s:?} needs Resource.Attribute"))?;
                            J::Array(vec![J::from(resource), J::from(attribute)])
                        }
                        other => other,
                    };
                    let mut map = serde_json::Map::new();
                    map.insert("Fn::GetAtt".to_string(), inner);
                    return Ok(J::Object(map));
                }
                "Base64" | "Cidr" | "FindInMap" | "GetAZs" | "ImportValue" | "Join" | "Select"
                | "Split" | "Sub" | "Transform" | "And" | "Equals" | "If" | "Not" | "Or"
                | "ToJsonString" | "Length" => format!("Fn::{name}"),
                other => return Err(format!("unknown CloudFormation tag !{other}")),
            };
            let mut map = serde_json::Map::new();
            map.insert(long, inner);
            J::Object(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "version: 1\nname: acme\nalerts:\n  email:\n    - a@example.com\n    - b@example.com\n  slack: {workspace_id: T1, channel_id: C1}\n";

    fn path(segs: &[Seg]) -> Vec<Seg> {
        segs.to_vec()
    }

    #[test]
    fn locates_keys_values_and_list_items() {
        let p = |line, column| Some(Pos { line, column });
        assert_eq!(locate(DOC, &path(&["name".into()]), true), p(2, 1));
        assert_eq!(locate(DOC, &path(&["name".into()]), false), p(2, 7));
        assert_eq!(
            locate(
                DOC,
                &path(&["alerts".into(), "email".into(), 1.into()]),
                false
            ),
            p(6, 7)
        );
        assert_eq!(
            locate(
                DOC,
                &path(&["alerts".into(), "slack".into(), "channel_id".into()]),
                true
            ),
            p(7, 29)
        );
        assert_eq!(locate(DOC, &path(&["missing".into()]), true), None);
        assert_eq!(
            locate_nearest(DOC, &path(&["alerts".into(), "nothing".into()]), true),
            p(3, 1)
        );
    }

    #[test]
    fn short_form_tags_become_long_form() {
        let v =
            parse("a: !Ref X\nb: !GetAtt R.Arn\nc: !Sub 'x-${AWS::Region}'\nd: !If [C, 1, 2]\n")
                .unwrap();
        let j = to_canonical_json(&v).unwrap();
        assert_eq!(
            j,
            serde_json::json!({
                "a": {"Ref": "X"},
                "b": {"Fn::GetAtt": ["R", "Arn"]},
                "c": {"Fn::Sub": "x-${AWS::Region}"},
                "d": {"Fn::If": ["C", 1, 2]},
            })
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.is_some(), "{err:?}");
    }
}
