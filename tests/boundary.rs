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

/// Every service operation `src/aws` sends (an SDK operation is a no-argument call on a
/// client, `.list_detectors()`, whose name begins with a verb) is in the permissions table
/// `cfn-baseline permissions` prints from, and the table names no operation the code no
/// longer sends: the printed policy cannot fall behind the code.
#[test]
fn the_permissions_table_has_every_operation_the_code_sends() {
    const VERBS: &[&str] = &[
        "describe",
        "list",
        "get",
        "create",
        "update",
        "delete",
        "put",
        "enable",
        "disable",
        "batch",
        "start",
        "stop",
        "register",
        "deregister",
        "associate",
        "disassociate",
        "accept",
        "tag",
        "untag",
        "execute",
        "detect",
        "import",
        "modify",
        "publish",
        "cancel",
        "validate",
        "assume",
        "invite",
        "head",
        "subscribe",
    ];
    // No-argument calls in src/aws that are not service operations.
    const NOT_OPERATIONS: &[&str] = &[
        "subscribe", // a tokio watch channel (aws/reach.rs)
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/aws"), &mut files);
    let mut sent = std::collections::BTreeSet::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for piece in code.split('.').skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                let verb = name.split('_').next().unwrap_or_default();
                if piece[name.len()..].starts_with("()")
                    && VERBS.contains(&verb)
                    && !NOT_OPERATIONS.contains(&name.as_str())
                {
                    sent.insert(name);
                }
            }
        }
    }
    assert!(sent.len() > 80, "the scan finds the operations: {sent:?}");
    let table: std::collections::BTreeSet<String> = cfn_baseline::permissions::SDK_OPERATIONS
        .iter()
        .map(|o| o.sdk.to_string())
        .collect();
    let missing: Vec<_> = sent.difference(&table).collect();
    let stale: Vec<_> = table.difference(&sent).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "src/permissions.rs SDK_OPERATIONS disagrees with the calls in src/aws:\n  sent but not in \
         the table: {missing:?}\n  in the table but never sent: {stale:?}"
    );
}

/// Every resource type a template can render has the permissions CloudFormation needs for
/// it in the table, and the table lists no type the templates no longer use.
#[test]
fn the_permissions_table_has_every_resource_type_the_templates_use() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = std::collections::BTreeSet::new();
    let mut stack = vec![root.join("templates")];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            for line in fs::read_to_string(&path).unwrap().lines() {
                if let Some(ty) = line.trim().strip_prefix("Type: ") {
                    let ty = ty.trim().trim_matches(|c| c == '"' || c == '\'');
                    if ty.starts_with("AWS::") {
                        used.insert(ty.to_string());
                    }
                }
            }
        }
    }
    assert!(used.len() > 30, "{used:?}");
    let table: std::collections::BTreeSet<String> = cfn_baseline::permissions::RESOURCE_ACTIONS
        .iter()
        .map(|(t, _)| t.to_string())
        .collect();
    assert_eq!(
        used, table,
        "src/permissions.rs RESOURCE_ACTIONS against templates/"
    );
}
