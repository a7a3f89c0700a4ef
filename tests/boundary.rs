//! The AWS boundary stays typed: outside src/aws no code names an SDK crate, matches a
//! CloudFormation status as text, or branches on an error message. This reads the sources, so
//! a change that brings a literal back fails here rather than in review.

use std::fs;
use std::path::{Path, PathBuf};

/// Every status, mode and enum value the service sends that the tool decides on.
const SERVICE_LITERALS: &[&str] = &[
    "_IN_PROGRESS\"",
    "_COMPLETE\"",
    "_FAILED\"",
    "\"FAILED\" =>",
    "== \"FAILED\"",
    "\"SUCCEEDED\"",
    "\"STOPPED\"",
    "\"RUNNING\"",
    "\"IN_SYNC\"",
    "\"DRIFTED\"",
    "\"MODIFIED\"",
    "\"NOT_CHECKED\"",
    "\"UNSUPPORTED\"",
    "\"REVERT_DRIFT\"",
    "\"ACTUAL_STATE\"",
    "\"PREVIOUS_DEPLOYMENT_STATE\"",
    "\"CAPABILITY_",
    "\"SELF_MANAGED\"",
    "\"SERVICE_MANAGED\"",
    "\"DELEGATED_ADMIN\"",
    "\"PARALLEL\"",
    "\"SEQUENTIAL\"",
    "\"ROLLBACK_",
    "\"DELETED\"",
];

/// Ways of deciding on an error's text.
const MESSAGE_MATCHING: &[&str] = &[
    "\"does not exist\"",
    "No updates are to be performed",
    "didn't contain changes",
    "is not supported\")",
    "ApiError::Api { message",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("read src") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn outside_aws() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let aws = root.join("aws");
    let found: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter(|f| !f.starts_with(&aws))
        .map(|f| {
            let text = fs::read_to_string(&f).expect("read source");
            (f, text)
        })
        .collect();
    assert!(found.len() > 20, "the source tree was not found");
    found
}

fn offenders(needles: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (file, text) in outside_aws() {
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for needle in needles {
                if line.contains(needle) {
                    out.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    out
}

#[test]
fn no_service_status_literal_outside_src_aws() {
    let found = offenders(SERVICE_LITERALS);
    assert!(
        found.is_empty(),
        "service statuses are typed in src/aws (use their enums and predicates):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_error_message_matching_outside_src_aws() {
    let found = offenders(MESSAGE_MATCHING);
    assert!(
        found.is_empty(),
        "errors are typed in src/aws (match ApiError variants):\n{}",
        found.join("\n")
    );
}

#[test]
fn no_sdk_crate_outside_src_aws() {
    let found = offenders(&["aws_sdk_", "aws_config::", "aws_smithy"]);
    assert!(
        found.is_empty(),
        "only src/aws uses the AWS SDK:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_guard_sees_a_literal_when_there_is_one() {
    // The needles must match the code they are meant to catch.
    let sample = r#"        if s.status == "ROLLBACK_COMPLETE" {"#;
    assert!(SERVICE_LITERALS.iter().any(|n| sample.contains(n)));
    let sample = r#"            Err(e) if e.to_string().contains("does not exist") => {}"#;
    assert!(MESSAGE_MATCHING.iter().any(|n| sample.contains(n)));
}

/// The pure modules (DESIGN.md: model, render, template and diff code, and the messages and
/// settings beside them) never reach AWS, start async work or print. (adopt.rs decides over
/// the aws module's data types, so it names them, but calls nothing.)
const PURE: &[&str] = &[
    "baseline/",
    "plan.rs",
    "render/",
    "template.rs",
    "diff/",
    "settings.rs",
    "test_notification.rs",
];

#[test]
fn pure_modules_never_touch_aws_or_print() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut seen = 0;
    for (file, text) in outside_aws() {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if !PURE.iter().any(|p| rel.starts_with(p)) {
            continue;
        }
        seen += 1;
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for needle in [
                "crate::aws",
                "tokio",
                "println!",
                "eprintln!",
                "std::io::stdout",
                "std::io::stderr",
            ] {
                if code.contains(needle) {
                    found.push(format!("{rel}:{}: {}", n + 1, code));
                }
            }
        }
    }
    assert!(seen >= 15, "only {seen} pure files found");
    assert!(
        found.is_empty(),
        "pure modules reach out:\n{}",
        found.join("\n")
    );
}
