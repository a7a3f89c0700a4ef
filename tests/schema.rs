//! `cfn-baseline schema` checked by an independent validator: Python's jsonschema (with PyYAML
//! reading the files, as editors and CI scripts would) accepts every shipped baseline and
//! rejects unknown keys, wrong types and unquoted account ids.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{repo_root, test_python};

/// Validates each (name, YAML text) against the schema; returns one line per document:
/// `name: ok` or `name: <first error>`.
fn validate(documents: &[(String, String)]) -> Vec<String> {
    let schema = cfn_baseline::baseline::json_schema();
    let input = serde_json::json!({ "schema": schema, "documents": documents });
    let script = r#"
import json, sys, yaml, jsonschema
data = json.load(sys.stdin)
schema = json.loads(data["schema"])
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for name, text in data["documents"]:
    errors = sorted(validator.iter_errors(yaml.safe_load(text)), key=lambda e: list(e.path))
    print(f"{name}: " + ("ok" if not errors else errors[0].message))
"#;
    let mut child = Command::new(test_python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn shipped() -> Vec<(String, String)> {
    let mut docs = Vec::new();
    for dir in ["baselines", "examples"] {
        let mut files: Vec<_> = std::fs::read_dir(repo_root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
            .collect();
        files.sort();
        for f in files {
            let name = format!("{dir}/{}", f.file_name().unwrap().to_string_lossy());
            docs.push((name, std::fs::read_to_string(&f).unwrap()));
        }
    }
    assert!(docs.len() >= 6, "the shipped baselines were not found");
    docs
}

#[test]
fn every_shipped_baseline_validates_against_the_schema() {
    let docs = shipped();
    let results = validate(&docs);
    assert_eq!(results.len(), docs.len());
    let bad: Vec<&String> = results.iter().filter(|r| !r.ends_with(": ok")).collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn the_schema_rejects_what_load_rejects() {
    let head = "version: 1\nname: acme\nhome_region: us-east-1\n";
    let cases = [
        ("unknown top-level key", format!("{head}guarduty: {{enabled: true}}\n"), "guarduty"),
        ("unknown nested key", format!("{head}guardduty: {{enabeld: true}}\n"), "enabeld"),
        ("wrong type", format!("{head}guardduty: {{enabled: \"yes\"}}\n"), "is not of type 'boolean'"),
        ("unknown enum value", format!("{head}guardduty: {{finding_frequency: HOURLY}}\n"), "HOURLY"),
        ("unquoted account id", format!("{head}accounts: [123456789012]\n"), "123456789012"),
        ("short account id", format!("{head}accounts: [\"12345\"]\n"), "12345"),
        ("unknown override key", format!("{head}overrides:\n  - match: {{region: us-east-1}}\n    guardduty: {{enabeld: false}}\n"), "enabeld"),
        ("wrong version", "version: 2\nname: acme\nhome_region: us-east-1\n".to_string(), "2"),
    ];
    let docs: Vec<(String, String)> = cases
        .iter()
        .map(|(name, text, _)| (name.to_string(), text.clone()))
        .collect();
    let results = validate(&docs);
    for ((name, text, fragment), result) in cases.iter().zip(&results) {
        assert!(
            !result.ends_with(": ok") && result.contains(fragment),
            "{name}: expected an error mentioning {fragment:?}, got {result:?}\n{text}"
        );
        // And load refuses the same document.
        let loaded = cfn_baseline::baseline::load(cfn_baseline::baseline::Source {
            name: "case.yaml".into(),
            text: text.clone(),
        });
        assert!(loaded.is_err(), "{name}: load accepted it");
    }
    // A control: a valid minimal baseline passes, so the rejections above mean something.
    let ok = validate(&[("minimal".into(), head.to_string())]);
    assert_eq!(ok, ["minimal: ok"]);
}

#[test]
fn the_cli_prints_the_schema_and_init_points_editors_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = support::run_in(dir.path(), &["schema"]);
    assert!(out.status.success());
    assert_eq!(support::stdout(&out), cfn_baseline::baseline::json_schema());
    let path = dir.path().join("baseline.yaml");
    let out = support::run_in(dir.path(), &["init"]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# yaml-language-server: $schema=./cfn-baseline.schema.json\n"));
    let schema = std::fs::read_to_string(dir.path().join("cfn-baseline.schema.json")).unwrap();
    assert_eq!(schema, cfn_baseline::baseline::json_schema());
    let results = validate(&[("init".into(), text)]);
    assert_eq!(results, ["init: ok"]);
}

/// docs/reference/baseline.md is the schema's descriptions as a table. Regenerate it with
/// `UPDATE_REFERENCE=1 scripts/test --test schema` after changing a doc comment.
#[test]
fn the_reference_page_is_the_schema() {
    let page = repo_root().join("docs/reference/baseline.md");
    let generated = cfn_baseline::baseline::reference_markdown();
    if std::env::var_os("UPDATE_REFERENCE").is_some() {
        std::fs::write(&page, &generated).unwrap();
    }
    let written = std::fs::read_to_string(&page).unwrap();
    assert!(
        written == generated,
        "docs/reference/baseline.md disagrees with the schema; regenerate it with \
         `UPDATE_REFERENCE=1 scripts/test --test schema`"
    );
}

/// Every key a user can set is explained: no row of the reference without a description.
#[test]
fn every_key_of_the_schema_has_a_description() {
    let page = cfn_baseline::baseline::reference_markdown();
    let undescribed: Vec<&str> = page
        .lines()
        .filter(|l| l.starts_with("| `") && l.trim_end().ends_with("|  |"))
        .collect();
    assert!(
        undescribed.is_empty(),
        "{} key(s) without a description (add a doc comment in src/baseline/types.rs):\n{}",
        undescribed.len(),
        undescribed.join("\n")
    );
}
