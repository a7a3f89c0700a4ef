//! `diff` offline: snapshots of the three formats over baseline pairs, exit codes and
//! `--fail-on`, render directories as the old side, and semantic equality of templates.

mod support;

use std::fs;
use std::path::Path;

use support::*;

/// The default baseline with one setting of every component turned down.
const WEAKENED: &str = "\
version: 1
name: baseline
home_region: us-east-1
regions: [us-east-1]
tags:
  managed-by: cfn-baseline
alerts:
  email: [security@example.com]
  guardduty_min_severity: critical
  securityhub_severities: [CRITICAL]
  config_noncompliant: false
  suppress: [Inspector, EC2.19]
cloudtrail:
  log_retention_days: 90
  archive_days: 365
  cis_alarms: true
config:
  delivery_frequency: TwentyFour_Hours
  recording_frequency: DAILY
guardduty:
  finding_frequency: SIX_HOURS
  features:
    s3_data_events: true
    eks_audit_logs: false
    ebs_malware_protection: true
    rds_login_events: true
    lambda_network_logs: true
    runtime_monitoring: true
    runtime_agent_management: false
securityhub:
  standards: [aws-foundational-security-best-practices]
  disabled_controls:
    - {control: IAM.6, reason: no hardware MFA for root yet}
iam:
  password_policy:
    min_length: 8
    reuse_prevention: 5
    require_symbols: false
";

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let default = fs::read_to_string(repo_root().join("baselines/default.yaml")).unwrap();
    let default = default.replacen("email: []", "email: [security@example.com]", 1);
    assert!(default.contains("security@example.com"));
    fs::write(dir.path().join("default.yaml"), default).unwrap();
    fs::write(dir.path().join("weakened.yaml"), WEAKENED).unwrap();
    dir
}

fn diff(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    let out = run_in(dir, &all);
    (out.status.code().unwrap_or(-1), stdout(&out), stderr(&out))
}

#[test]
fn minimal_against_strict_cis_lists_every_weakening_and_exits_3() {
    let root = repo_root();
    for format in ["text", "markdown", "json"] {
        let (code, out, err) = diff(
            &root,
            &[
                "examples/minimal.yaml",
                "--against",
                "examples/strict-cis.yaml",
                "--format",
                format,
            ],
        );
        assert_eq!(code, 3, "{format}: {err}");
        assert!(!out.contains('\u{1b}'), "{format} output has ANSI codes");
        insta::assert_snapshot!(format!("diff_minimal_against_strict_cis_{format}"), out);
    }
    let (_, markdown, _) = diff(
        &root,
        &[
            "examples/minimal.yaml",
            "--against",
            "examples/strict-cis.yaml",
            "--format",
            "markdown",
        ],
    );
    // What a reviewer must see first: the verdict, then the table, then the weakening list.
    let verdict = markdown.find("Weakens security").unwrap();
    let table = markdown.find("| Stack |").unwrap();
    let list = markdown.find("### Weakening changes").unwrap();
    let details = markdown.find("<details>").unwrap();
    assert!(verdict < table && table < list && list < details);
    for expected in [
        "GuardDuty threat detection is switched off",
        "CloudTrail Insights no longer watches",
        "AWS Config stops recording",
        "Security Hub and its standards are switched off",
        "the severity threshold is raised",
        "a CIS metric alarm is removed",
        "archived logs are deleted sooner",
    ] {
        assert!(
            list < markdown.rfind(expected).unwrap_or(0),
            "missing: {expected}"
        );
    }
}

#[test]
fn every_component_weakened_in_one_pair() {
    let dir = workdir();
    for format in ["text", "markdown", "json"] {
        let (code, out, err) = diff(
            dir.path(),
            &[
                "weakened.yaml",
                "--against",
                "default.yaml",
                "--format",
                format,
            ],
        );
        assert_eq!(code, 3, "{err}");
        insta::assert_snapshot!(format!("diff_weakened_against_default_{format}"), out);
    }
    // The other way round, every change strengthens: exit 2, not 3.
    let (code, out, _) = diff(dir.path(), &["default.yaml", "--against", "weakened.yaml"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("No weakening changes"), "{out}");
    insta::assert_snapshot!("diff_default_against_weakened_text", out);
}

#[test]
fn json_shape_is_versioned_and_complete() {
    let dir = workdir();
    let (_, out, _) = diff(
        dir.path(),
        &[
            "weakened.yaml",
            "--against",
            "default.yaml",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format"], "cfn-baseline-diff");
    assert_eq!(v["version"], 1);
    assert_eq!(v["verdict"], "weakening");
    let changes: Vec<&serde_json::Value> = v["stacks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["changes"].as_array().unwrap())
        .collect();
    assert_eq!(
        v["summary"]["weakening"].as_u64().unwrap() as usize,
        changes
            .iter()
            .filter(|c| c["impact"] == "weakening")
            .count()
    );
    for c in changes {
        for field in ["resource_type", "path", "action", "impact", "explanation"] {
            assert!(c.get(field).is_some(), "{field} missing in {c}");
        }
        assert!(c.get("old").is_some() || c.get("new").is_some(), "{c}");
    }
}

#[test]
fn fail_on_chooses_which_differences_fail() {
    let dir = workdir();
    let code = |args: &[&str]| diff(dir.path(), args).0;
    let weakening = ["weakened.yaml", "--against", "default.yaml"];
    let strengthening = ["default.yaml", "--against", "weakened.yaml"];
    let same = ["default.yaml", "--against", "default.yaml"];
    let with = |base: &[&'static str], extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };
    assert_eq!(code(&same), 0);
    assert_eq!(code(&weakening), 3);
    assert_eq!(code(&strengthening), 2);
    assert_eq!(code(&with(&weakening, &["--fail-on", "never"])), 0);
    assert_eq!(code(&with(&strengthening, &["--fail-on", "weakening"])), 0);
    assert_eq!(code(&with(&weakening, &["--fail-on", "weakening"])), 3);
    assert_eq!(code(&with(&strengthening, &["--fail-on", "any"])), 2);
}

#[test]
fn a_render_directory_is_an_old_side_and_formatting_is_not_a_difference() {
    let dir = workdir();
    let out = run_in(dir.path(), &["render", "default.yaml", "--out", "base"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (code, text, err) = diff(dir.path(), &["default.yaml", "--against", "base"]);
    assert_eq!(code, 0, "{text}{err}");
    assert!(text.contains("No differences"), "{text}");

    // The same templates as JSON, keys in another order, GetAtt in string form,
    // booleans and numbers as strings: still no differences.
    for entry in walk(&dir.path().join("base")) {
        if entry.extension().is_some_and(|e| e == "yaml") {
            let body = fs::read_to_string(&entry).unwrap();
            let value = cfn_baseline::template::Template::parse(&body)
                .unwrap()
                .value;
            let json = stringify_scalars(&reverse_keys(&value));
            fs::write(&entry, serde_json::to_string_pretty(&json).unwrap()).unwrap();
        }
    }
    let (code, text, err) = diff(dir.path(), &["default.yaml", "--against", "base"]);
    assert_eq!(code, 0, "{text}{err}");

    // A real change in the old render shows up.
    let (code, text, _) = diff(dir.path(), &["weakened.yaml", "--against", "base"]);
    assert_eq!(code, 3, "{text}");
}

#[test]
fn a_render_from_before_account_settings_says_the_policy_was_not_compared() {
    let dir = workdir();
    let out = run_in(dir.path(), &["render", "default.yaml", "--out", "base"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = dir.path().join("base/manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    let settings = m["account_settings"][0]["settings"]
        .as_array()
        .unwrap()
        .clone();
    let policy = settings
        .iter()
        .find(|s| s["setting"] == "password-policy")
        .unwrap_or_else(|| panic!("{m}"))["properties"]
        .clone();
    assert_eq!(policy["MinimumPasswordLength"], 14, "{m}");

    // A manifest from before the password policy was one of the settings held it in a field
    // of its own: still compared.
    let mut older = m.clone();
    older["account_settings"][0]["iam_password_policy"] = policy;
    older["account_settings"][0]["settings"] = settings
        .into_iter()
        .filter(|s| s["setting"] != "password-policy")
        .collect();
    fs::write(&manifest, serde_json::to_string_pretty(&older).unwrap()).unwrap();
    let (code, text, err) = diff(dir.path(), &["weakened.yaml", "--against", "base"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        text.contains("~ iam-password-policy  current global  changed"),
        "{text}"
    );

    m.as_object_mut().unwrap().remove("account_settings");
    fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let (code, text, err) = diff(dir.path(), &["weakened.yaml", "--against", "base"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        text.contains("the IAM password policy and the Security Hub controls were not compared"),
        "{text}"
    );
    assert!(!text.contains("iam-password-policy"), "{text}");
    assert!(!text.contains("securityhub-controls"), "{text}");
}

#[test]
fn bad_against_paths_are_clear_errors() {
    let dir = workdir();
    let (code, _, err) = diff(dir.path(), &["default.yaml", "--against", "missing.yaml"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot read missing.yaml"), "{err}");
    fs::create_dir(dir.path().join("empty")).unwrap();
    let (code, _, err) = diff(dir.path(), &["default.yaml", "--against", "empty"]);
    assert_eq!(code, 1);
    assert!(err.contains("not a render directory"), "{err}");
    assert!(err.contains("cfn-baseline render --out empty"), "{err}");
    fs::write(dir.path().join("bad.yaml"), "version: 1\nname: [x\n").unwrap();
    let (code, out, err) = diff(dir.path(), &["default.yaml", "--against", "bad.yaml"]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("bad.yaml:"), "{err}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn reverse_keys(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Object(m) => {
            // serde_json keeps maps sorted; emulate another order through a GetAtt string.
            if let Some(J::Array(parts)) = m.get("Fn::GetAtt") {
                if parts.len() == 2 && m.len() == 1 {
                    let s = format!(
                        "{}.{}",
                        parts[0].as_str().unwrap(),
                        parts[1].as_str().unwrap()
                    );
                    return serde_json::json!({"Fn::GetAtt": s});
                }
            }
            J::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), reverse_keys(v)))
                    .collect(),
            )
        }
        J::Array(items) => J::Array(items.iter().map(reverse_keys).collect()),
        other => other.clone(),
    }
}

fn stringify_scalars(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Object(m) => J::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), stringify_scalars(v)))
                .collect(),
        ),
        J::Array(items) => J::Array(items.iter().map(stringify_scalars).collect()),
        J::Bool(b) => J::String(b.to_string()),
        J::Number(n) => J::String(n.to_string()),
        other => other.clone(),
    }
}

#[test]
fn every_shipped_template_equals_its_json_form() {
    use cfn_baseline::diff::{compare, StackInput, Verdict};
    use cfn_baseline::template::Template;
    for (name, path) in shipped_baselines() {
        let stacks = render(&load_file(&path));
        let side = |text: &str, s: &cfn_baseline::render::RenderedStack| StackInput {
            account: s.spec.account_label().to_string(),
            region: s.spec.region.clone(),
            stack_name: s.spec.stack_name.clone(),
            template: std::sync::Arc::new(Template::parse(text).unwrap()),
            tags: None,
        };
        let yaml: Vec<StackInput> = stacks.iter().map(|s| side(&s.body, s)).collect();
        let json: Vec<StackInput> = stacks
            .iter()
            .map(|s| {
                let value = Template::parse(&s.body).unwrap().value;
                let text =
                    serde_json::to_string(&stringify_scalars(&reverse_keys(&value))).unwrap();
                side(&text, s)
            })
            .collect();
        let report = compare(&yaml, &json, "yaml", "json");
        assert_eq!(
            report.verdict(),
            Verdict::Identical,
            "{name}: {:#?}",
            report
                .stacks
                .iter()
                .flat_map(|s| &s.changes)
                .collect::<Vec<_>>()
        );
    }
}

/// An organization's settings are compared offline too: auto-enable turned off and a service
/// no longer delegated are weakening, each named where it is.
#[test]
fn an_organization_weakened_is_named_setting_by_setting() {
    let dir = tempfile::tempdir().unwrap();
    let example = fs::read_to_string(repo_root().join("examples/organization.yaml")).unwrap();
    let weakened = example
        .replacen("auto_enable: true", "auto_enable: false", 1)
        .replacen(
            "inspector:\n  enabled: true",
            "inspector:\n  enabled: false",
            1,
        );
    assert_ne!(weakened, example);
    fs::write(dir.path().join("org.yaml"), &example).unwrap();
    fs::write(dir.path().join("weakened.yaml"), weakened).unwrap();
    let (code, out, err) = diff(dir.path(), &["weakened.yaml", "--against", "org.yaml"]);
    assert_eq!(code, 3, "{out}{err}");
    for expected in [
        "- organization-guardduty  2 stacks: 2 removed",
        "a service's organization configuration is no longer managed by the baseline here",
        "~ organization-administrators  2 stacks: 2 changed",
        "ServiceAdministrators.Properties.Inspector: removed (was 222222222222)",
        "a service's delegated administrator is removed",
    ] {
        assert!(out.contains(expected), "missing {expected:?}:\n{out}");
    }
}
