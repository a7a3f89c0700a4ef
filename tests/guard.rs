//! AWS's own policy engine as a second, independent check beside cfn-lint: the CIS rule pack
//! for CloudFormation Guard (tests/guard-rules, from AWS's guard rules registry, Apache-2.0)
//! run through the cfn-guard library over every template rendered from baselines/ and
//! examples/. A resource opts out of one rule only through
//! `Metadata: {guard: {SuppressedRules: [RULE]}}`, with the reason in a comment on the line
//! above it in the template source (checked here too).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cfn_guard::{run_checks, ValidateInput};
use serde_json::Value as Json;
use support::*;

/// Every `.guard` file of the pack, with its text.
fn rule_files() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "guard") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo_root().join("tests/guard-rules/aws"), &mut out);
    assert!(out.len() >= 20, "the rule pack has {} files", out.len());
    out
}

/// The names of the rules a template breaks under one rule file; an empty list when it
/// passes or the rules do not apply.
fn failures(template_json: &str, file: &str, rules: &(PathBuf, String)) -> Vec<String> {
    let rules_name = rules.0.display().to_string();
    // The verbose form is the evaluation record itself (the summary form is cut short when
    // it outgrows the library's write buffer).
    let record = run_checks(
        ValidateInput {
            content: template_json,
            file_name: file,
        },
        ValidateInput {
            content: &rules.1,
            file_name: &rules_name,
        },
        true,
    )
    .unwrap_or_else(|e| panic!("cfn-guard on {file} with {rules_name}: {e}"));
    let record: Json = serde_json::from_str(&record)
        .unwrap_or_else(|e| panic!("cfn-guard record for {file}: {e}"));
    let file_status = record["container"]["FileCheck"]["status"].as_str();
    let mut failed = Vec::new();
    for child in record["children"].as_array().into_iter().flatten() {
        let rule = &child["container"]["RuleCheck"];
        if rule["status"].as_str() == Some("FAIL") {
            failed.push(rule["name"].as_str().unwrap_or("?").to_string());
        }
    }
    match file_status {
        Some("PASS") | Some("SKIP") => assert!(failed.is_empty(), "{file}: {failed:?}"),
        Some("FAIL") => assert!(
            !failed.is_empty(),
            "{file}: a failure without a rule: {record}"
        ),
        other => panic!("cfn-guard status {other:?} for {file} with {rules_name}"),
    }
    failed
}

#[test]
fn every_rendered_template_passes_the_cis_rule_pack() {
    let rules = rule_files();
    // Templates with the same text are checked once.
    let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (name, path) in shipped_baselines() {
        for stack in render(&load_file(&path)) {
            templates.entry(stack.sha256.clone()).or_insert_with(|| {
                (
                    format!("{name}/{}", stack.spec.relative_path()),
                    serde_json::to_string(&stack.template.value).unwrap(),
                )
            });
        }
    }
    assert!(templates.len() > 20, "only {} templates", templates.len());
    let mut broken = Vec::new();
    // The templates as JSON, intrinsic functions in their long form (cfn-guard's YAML reader
    // does not know CloudFormation's short tags).
    for (file, json) in templates.values() {
        for rule in &rules {
            for name in failures(json, file, rule) {
                broken.push(format!("{file}: {name}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "templates that break AWS's CIS rule pack:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_rule_pack_catches_what_it_is_about() {
    // Guards the test above against rules that pass everything: a trail without encryption
    // or validation, a bucket without logging or a TLS-only policy, a role with an inline
    // policy, a key without rotation.
    let template = r#"{"Resources": {
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": true, "S3BucketName": "b"}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": "b", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]}}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}, "Policies": [{"PolicyName": "p", "PolicyDocument": {}}]}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": false}}
    }}"#;
    let mut found: Vec<String> = rule_files()
        .iter()
        .flat_map(|rule| failures(template, "bad.json", rule))
        .collect();
    found.sort();
    for expected in [
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "IAM_NO_INLINE_POLICY_CHECK",
        "S3_BUCKET_LOGGING_ENABLED",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} not reported; found {found:?}"
        );
    }
}

#[test]
fn every_suppression_says_why() {
    // In the template sources, each suppressed rule has a comment on the line above it.
    let mut silent = Vec::new();
    for entry in std::fs::read_dir(repo_root().join("templates")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "hbs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.trim_start().starts_with("SuppressedRules:") {
                let mut j = i + 1;
                while j < lines.len() && lines[j].trim_start().starts_with(['-', '#']) {
                    let item = lines[j].trim_start();
                    if item.starts_with('-') && !lines[j - 1].trim_start().starts_with('#') {
                        silent.push(format!("{}:{}: {item}", path.display(), j + 1));
                    }
                    j += 1;
                }
            }
        }
    }
    assert!(
        silent.is_empty(),
        "suppressed without a reason:\n{}",
        silent.join("\n")
    );
}

#[test]
fn every_policy_the_templates_grant_is_least_privilege() {
    // Templates with the same text are checked once.
    let mut templates: BTreeMap<String, (String, Json)> = BTreeMap::new();
    for (name, path) in shipped_baselines() {
        for stack in render(&load_file(&path)) {
            templates.entry(stack.sha256.clone()).or_insert_with(|| {
                (
                    format!("{name}/{}", stack.spec.relative_path()),
                    stack.template.value.clone(),
                )
            });
        }
    }
    let mut checked = policies::Checked::default();
    let mut findings = Vec::new();
    for (file, template) in templates.values() {
        findings.extend(policies::check(file, template, &mut checked));
    }
    // The reading found the documents it is about: trust, role, key, bucket and topic
    // policies in dozens of templates, and the trail's and WAF's log groups.
    assert!(templates.len() > 50, "only {} templates", templates.len());
    assert!(checked.documents > 70, "only {checked:?}");
    assert!(checked.log_groups >= 2, "only {checked:?}");
    let lines: Vec<String> = findings
        .iter()
        .map(|f| format!("{}: {}", f.resource, f.what))
        .collect();
    assert!(
        lines.is_empty(),
        "policies wider than they need to be:\n{}",
        lines.join("\n")
    );
}

#[test]
fn the_least_privilege_reading_catches_what_it_is_about() {
    // Guards the test above against a reading that passes everything: a role policy with
    // an action on "*" that has resource-level permissions, a trust policy without a source
    // condition, a key statement for a service without a scope or for every log group, a
    // log group without a key.
    let template: Json = serde_json::from_str(
        r#"{"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["ec2:DescribeSecurityGroups", "ssm:GetAutomationExecution"], "Resource": "*"}
            ]}}]}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
            {"Effect": "Allow", "Principal": {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}},
             "Action": "kms:Decrypt*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"},
             "Action": "kms:Decrypt*", "Resource": "*", "Condition": {"ArnLike":
               {"kms:EncryptionContext:aws:logs:arn": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"}}}}]}}},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "x"}}
    }}"#,
    )
    .unwrap();
    let mut checked = policies::Checked::default();
    let found: Vec<String> = policies::check("bad", &template, &mut checked)
        .into_iter()
        .map(|f| format!("{}: {}", f.resource, f.what))
        .collect();
    assert_eq!(found.len(), 5, "{found:#?}");
    for expected in [
        "any log group of the account and region may use the key",
        "Role (AWS::IAM::Role): trust: events.amazonaws.com may assume",
        "ssm:GetAutomationExecution on Resource",
        "Key (AWS::KMS::Key): key statement: logs.${AWS::Region}.amazonaws.com",
        "Logs (AWS::Logs::LogGroup): log group without",
    ] {
        assert!(
            found.iter().any(|f| f.contains(expected)),
            "{expected} not reported: {found:#?}"
        );
    }
    assert_eq!(
        (checked.documents, checked.statements, checked.log_groups),
        (3, 4, 1)
    );
}
