//! An EventBridge event-pattern matcher for the tests, written from the EventBridge User
//! Guide ("Event patterns", "Comparison operators", "Content filtering"), because no
//! maintained matcher here handles every operator the rendered rules use: AWS's event-ruler
//! is Java; moto's matcher does not match nested patterns against arrays of objects
//! (Security Hub's `findings`); the Python `event-ruler` 0.3.0 rejects numeric patterns.
//!
//! The rules it follows:
//! - Every field named in the pattern must match (AND); the values listed for a field are
//!   alternatives (OR). `$or` lists alternative sub-patterns.
//! - A field the event lacks matches nothing, except `{"exists": false}` (also when an
//!   object above it is missing: EventBridge matches flattened paths).
//! - Arrays in the event are flattened: a field matches when any element's value matches,
//!   and the fields of a pattern over an array of objects are each matched against the
//!   values of all elements (EventBridge does not keep them to one element).
//! - Comparison operators work on leaf values only (`exists: true` does not match an object).
//! - Exact values: strings match strings exactly; numbers match numerically.
//!
//! An operator it does not know panics, so a rule using one cannot pass unexamined.

use serde_json::Value as Json;

pub fn matches(pattern: &Json, event: &Json) -> bool {
    match_object(pattern, &[event])
}

fn match_object(pattern: &Json, nodes: &[&Json]) -> bool {
    let fields = pattern
        .as_object()
        .unwrap_or_else(|| panic!("a pattern level must be an object, got {pattern}"));
    fields.iter().all(|(key, want)| {
        if key == "$or" {
            let alternatives = want.as_array().expect("$or takes a list of patterns");
            return alternatives.iter().any(|alt| match_object(alt, nodes));
        }
        let values = children(nodes, key);
        match want {
            Json::Object(_) => {
                // Patterns are matched as flattened paths: with the object absent, only
                // `exists: false` below it can match.
                let objects: Vec<&Json> = values.into_iter().filter(|v| v.is_object()).collect();
                match_object(want, &objects)
            }
            Json::Array(conditions) => {
                let leaves: Vec<&Json> = values.into_iter().filter(|v| !v.is_object()).collect();
                conditions.iter().any(|c| condition(c, &leaves))
            }
            other => panic!("pattern field {key}: expected a list or an object, got {other}"),
        }
    })
}

/// The values of `key` in each node, with arrays flattened (at any depth).
fn children<'a>(nodes: &[&'a Json], key: &str) -> Vec<&'a Json> {
    fn flatten<'a>(v: &'a Json, out: &mut Vec<&'a Json>) {
        match v {
            Json::Array(items) => items.iter().for_each(|i| flatten(i, out)),
            other => out.push(other),
        }
    }
    let mut out = Vec::new();
    for node in nodes {
        if let Some(v) = node.get(key) {
            flatten(v, &mut out);
        }
    }
    out
}

fn condition(c: &Json, leaves: &[&Json]) -> bool {
    let Json::Object(op) = c else {
        return leaves.iter().any(|v| equal(c, v));
    };
    assert_eq!(op.len(), 1, "one operator per condition: {c}");
    let (name, arg) = op.iter().next().unwrap();
    match name.as_str() {
        "exists" => {
            let want = arg.as_bool().expect("exists takes true or false");
            want != leaves.is_empty()
        }
        "prefix" => strings(leaves).any(|s| text_test(arg, s, |s, p| s.starts_with(p))),
        "suffix" => strings(leaves).any(|s| text_test(arg, s, |s, p| s.ends_with(p))),
        "equals-ignore-case" => {
            strings(leaves).any(|s| any_text(arg, |p| s.eq_ignore_ascii_case(p)))
        }
        "wildcard" => strings(leaves).any(|s| any_text(arg, |p| wildcard(p, s))),
        "numeric" => leaves
            .iter()
            .filter_map(|v| v.as_f64())
            .any(|n| numeric(arg, n)),
        "cidr" => strings(leaves).any(|s| cidr(arg.as_str().expect("cidr takes a string"), s)),
        "anything-but" => leaves.iter().any(|v| !excluded(arg, v)),
        other => panic!("event-pattern operator {other:?} is not implemented by this matcher"),
    }
}

fn strings<'a>(leaves: &'a [&'a Json]) -> impl Iterator<Item = &'a str> + 'a {
    leaves.iter().filter_map(|v| v.as_str())
}

fn equal(want: &Json, got: &Json) -> bool {
    match (want, got) {
        (Json::Number(a), Json::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

/// `{"prefix": "us-"}` or `{"prefix": {"equals-ignore-case": "us-"}}`.
fn text_test(arg: &Json, s: &str, test: fn(&str, &str) -> bool) -> bool {
    match arg {
        Json::String(p) => test(s, p),
        Json::Object(m) => {
            let p = m
                .get("equals-ignore-case")
                .and_then(Json::as_str)
                .unwrap_or_else(|| panic!("unknown text operator {arg}"));
            test(&s.to_lowercase(), &p.to_lowercase())
        }
        other => panic!("expected a string, got {other}"),
    }
}

fn any_text(arg: &Json, test: impl Fn(&str) -> bool) -> bool {
    match arg {
        Json::String(p) => test(p),
        Json::Array(ps) => ps.iter().filter_map(Json::as_str).any(test),
        other => panic!("expected a string or a list of strings, got {other}"),
    }
}

/// `anything-but`'s argument: a value, a list of values, or an operator on strings.
fn excluded(arg: &Json, v: &Json) -> bool {
    match arg {
        Json::Array(values) => values.iter().any(|x| equal(x, v)),
        Json::Object(m) => {
            assert_eq!(m.len(), 1, "one operator inside anything-but: {arg}");
            let (name, inner) = m.iter().next().unwrap();
            let Some(s) = v.as_str() else {
                return false;
            };
            match name.as_str() {
                "prefix" => any_text(inner, |p| s.starts_with(p)),
                "suffix" => any_text(inner, |p| s.ends_with(p)),
                "equals-ignore-case" => any_text(inner, |p| s.eq_ignore_ascii_case(p)),
                "wildcard" => any_text(inner, |p| wildcard(p, s)),
                other => panic!("anything-but operator {other:?} is not implemented"),
            }
        }
        scalar => equal(scalar, v),
    }
}

/// `["<", 10]`, `[">", 0, "<=", 5]`, `["=", 301.8]`.
fn numeric(arg: &Json, n: f64) -> bool {
    let terms = arg.as_array().expect("numeric takes a list");
    assert!(
        terms.len() == 2 || terms.len() == 4,
        "numeric takes one or two comparisons: {arg}"
    );
    terms.chunks(2).all(|pair| {
        let op = pair[0].as_str().expect("a comparison operator");
        let x = pair[1].as_f64().expect("a number");
        match op {
            "<" => n < x,
            "<=" => n <= x,
            "=" => n == x,
            ">" => n > x,
            ">=" => n >= x,
            other => panic!("numeric operator {other:?}"),
        }
    })
}

/// `*` stands for any run of characters.
fn wildcard(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !s.starts_with(first) || s.len() < first.len() + last.len() || !s.ends_with(last) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

fn cidr(block: &str, ip: &str) -> bool {
    let (net, bits) = block.split_once('/').expect("a.b.c.d/n");
    let parse = |s: &str| -> Option<u32> {
        let o: Vec<u8> = s
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        (o.len() == 4).then(|| u32::from_be_bytes([o[0], o[1], o[2], o[3]]))
    };
    let (Some(net), Some(addr)) = (parse(net), parse(ip)) else {
        return false;
    };
    let bits: u32 = bits.parse().expect("prefix length");
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    net & mask == addr & mask
}
