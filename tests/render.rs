//! Rendered templates: snapshots, determinism, and cfn-lint on every shipped baseline.

mod support;

use std::collections::BTreeMap;
use std::process::Command;

use support::*;

#[test]
fn snapshots_of_every_shipped_baseline() {
    for (name, path) in shipped_baselines() {
        let baseline = load_file(&path);
        for stack in render(&baseline) {
            let snapshot = format!(
                "{name}__{}__{}__{}",
                stack.spec.account_label(),
                stack.spec.region,
                stack.spec.stack_name
            );
            insta::assert_snapshot!(snapshot, stack.body);
        }
    }
}

#[test]
fn rendering_is_byte_identical_on_repeat() {
    for (_, path) in shipped_baselines() {
        let a = render(&load_file(&path));
        let b = render(&load_file(&path));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.body, y.body, "{}", x.spec.key());
            assert_eq!(x.sha256, y.sha256);
        }
    }
}

#[test]
fn every_rendered_template_passes_cfn_lint_in_its_region() {
    let lint = cfn_lint();
    let dir = tempfile::tempdir().unwrap();
    // Group templates by the region they deploy to; lint each group in that region.
    let mut by_region: BTreeMap<String, Vec<std::path::PathBuf>> = BTreeMap::new();
    let mut count = 0;
    for (name, path) in shipped_baselines() {
        for stack in render(&load_file(&path)) {
            let file = dir.path().join(&name).join(stack.spec.relative_path());
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, stack.body.as_bytes()).unwrap();
            by_region
                .entry(stack.spec.region.clone())
                .or_default()
                .push(file);
            count += 1;
        }
    }
    assert!(count > 50, "only {count} templates rendered");
    let mut failures = Vec::new();
    for (region, files) in &by_region {
        let out = Command::new(&lint)
            .args([
                "--regions",
                region,
                "--include-checks",
                "I",
                "--format",
                "parseable",
                "--",
            ])
            .args(files)
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", lint.display()));
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        if !out.status.success() || !text.trim().is_empty() {
            failures.push(format!(
                "cfn-lint in {region} (exit {:?}):\n{text}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_linter_would_catch_a_broken_template() {
    // Guards the test above against a cfn-lint that passes everything.
    let lint = cfn_lint();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    std::fs::write(
        &file,
        "Resources:\n  Group:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 366\n",
    )
    .unwrap();
    let out = Command::new(&lint)
        .args(["--regions", "us-east-1", "--"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("E3030"));
}

#[test]
fn stacks_follow_the_layout() {
    let baseline = load_file(&repo_root().join("examples/multi-region.yaml"));
    let stacks = render(&baseline);
    let keys: Vec<String> = stacks.iter().map(|s| s.spec.key()).collect();
    // Alerts everywhere first, then the home-region trail, then the rest.
    assert_eq!(
        &keys[..4],
        [
            "111111111111/ap-northeast-1/acme-alerts",
            "111111111111/us-east-1/acme-alerts",
            "111111111111/eu-central-1/acme-alerts",
            "111111111111/ap-northeast-1/acme-cloudtrail",
        ]
    );
    assert_eq!(
        keys.iter().filter(|k| k.ends_with("-cloudtrail")).count(),
        1
    );
    // Per region alerts, config, guardduty, securityhub, patching and access analyzer; the
    // trail once.
    assert_eq!(stacks.len(), 19);
    // Only the home region records global IAM resources.
    for s in stacks.iter().filter(|s| s.spec.stack_name == "acme-config") {
        let recorder =
            &s.template.value["Resources"]["ConfigRecorder"]["Properties"]["RecordingGroup"];
        assert_eq!(
            recorder["IncludeGlobalResourceTypes"],
            serde_json::json!(s.spec.region == "ap-northeast-1"),
            "{}",
            s.spec.key()
        );
    }
    // The us-east-1 override turned runtime monitoring off there only.
    for s in stacks
        .iter()
        .filter(|s| s.spec.stack_name == "acme-guardduty")
    {
        let features = s.template.value["Resources"]["Detector"]["Properties"]["Features"]
            .as_array()
            .unwrap();
        let runtime = features
            .iter()
            .find(|f| f["Name"] == "RUNTIME_MONITORING")
            .unwrap();
        let want = if s.spec.region == "us-east-1" {
            "DISABLED"
        } else {
            "ENABLED"
        };
        assert_eq!(runtime["Status"], want, "{}", s.spec.key());
    }
}

#[test]
fn no_cloudformation_conditions_or_exports() {
    for (_, path) in shipped_baselines() {
        for stack in render(&load_file(&path)) {
            let t = &stack.template.value;
            assert!(t.get("Conditions").is_none(), "{}", stack.spec.key());
            let text = serde_json::to_string(t).unwrap();
            assert!(
                !text.contains("Fn::ImportValue") && !text.contains("\"Export\""),
                "{}",
                stack.spec.key()
            );
        }
    }
}

/// Stacks rendered from the same values share one body; sharing never changes what a stack
/// gets: every stack's body is exactly the render of its own spec.
#[test]
fn stacks_with_the_same_values_share_one_render_of_their_own() {
    let text = cfn_baseline::baseline::DEFAULT_BASELINE.replace(
        "regions: [us-east-1]",
        "regions: [us-east-1, eu-west-1, ap-northeast-1]",
    );
    let text = text.replace(
        "overrides: []",
        "overrides:\n  - match: {region: eu-west-1}\n    guardduty: {finding_frequency: SIX_HOURS}",
    );
    let text =
        format!("{text}\naccounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\n");
    let baseline = load_text("estate.yaml", &text);
    let stacks = render(&baseline);
    assert_eq!(stacks.len(), 3 * (1 + 3 * 6));
    let renderer = cfn_baseline::render::Renderer::new(None).unwrap();
    let specs = cfn_baseline::plan::plan(&baseline);
    assert_eq!(specs.len(), stacks.len());
    for (spec, s) in specs.iter().zip(&stacks) {
        assert_eq!(spec.key(), s.spec.key());
        let own = renderer.render(spec).unwrap();
        assert_eq!(*s.body, *own.body, "{}", s.spec.key());
        assert_eq!(s.sha256, own.sha256);
    }
    let mut distinct: Vec<*const u8> = stacks.iter().map(|s| s.body.as_ptr()).collect();
    distinct.sort();
    distinct.dedup();
    // alerts, config and securityhub (home and elsewhere), guardduty (three frequencies
    // across the regions), cloudtrail: shared across the three accounts.
    let bodies: std::collections::BTreeSet<&str> = stacks.iter().map(|s| &*s.body).collect();
    assert_eq!(
        distinct.len(),
        bodies.len(),
        "one allocation per distinct body"
    );
    assert!(
        bodies.len() < stacks.len() / 2,
        "{} of {}",
        bodies.len(),
        stacks.len()
    );
}

/// The rows of `regions::LACKING` that come from CloudFormation's per-region resource types
/// are exactly what the pinned cfn-lint lists (its `data/schemas/providers/<region>.py`), and
/// a render leaves those components out there while keeping them elsewhere.
#[test]
fn the_region_table_matches_cloudformation_and_the_render_follows_it() {
    use cfn_baseline::baseline::regions::{Capability, KNOWN_REGIONS, LACKING};
    let code = r#"
import importlib, sys
types, regions = sys.argv[1].split(","), sys.argv[2].split(",")
for t in types:
    lacking = []
    for r in regions:
        m = importlib.import_module("cfnlint.data.schemas.providers." + r.replace("-", "_"))
        if t not in m.types:
            lacking.append(r)
    print(t + "=" + ",".join(lacking))
"#;
    let rows = [
        (Capability::Macie, "AWS::Macie::Session"),
        (Capability::Detective, "AWS::Detective::Graph"),
        (Capability::Inspector, "AWS::InspectorV2::Filter"),
    ];
    let types: Vec<&str> = rows.iter().map(|(_, t)| *t).collect();
    let out = Command::new(test_python())
        .args(["-c", code, &types.join(","), &KNOWN_REGIONS.join(",")])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(t, r)| (t.to_string(), r.to_string()))
        .collect();
    for (capability, resource_type) in rows {
        let table = LACKING
            .iter()
            .find(|l| l.capability == capability)
            .expect("a row");
        assert_eq!(
            table.regions.join(","),
            listed[resource_type],
            "{resource_type}: the table and cfn-lint disagree"
        );
    }

    // complete.yaml in a region without either type: both are left out only there.
    let text = std::fs::read_to_string(repo_root().join("examples/complete.yaml"))
        .unwrap()
        .replacen(
            "regions: [us-east-1, eu-west-1]",
            "regions: [us-east-1, ap-southeast-3]",
            1,
        );
    let stacks = render(&load_text("complete", &text));
    let has = |region: &str, name: &str| {
        stacks
            .iter()
            .any(|s| s.spec.region == region && s.spec.stack_name == name)
    };
    assert!(has("us-east-1", "acme-macie") && has("us-east-1", "acme-detective"));
    assert!(!has("ap-southeast-3", "acme-macie") && !has("ap-southeast-3", "acme-detective"));
    assert!(has("ap-southeast-3", "acme-guardduty"));
}

#[test]
fn malware_protection_plans_render_in_their_region_with_a_role_scoped_to_their_buckets() {
    let stacks = render(&load_file(&repo_root().join("examples/complete.yaml")));
    let guardduty = |region: &str| {
        &stacks
            .iter()
            .find(|s| s.spec.region == region && s.spec.stack_name == "acme-guardduty")
            .unwrap()
            .template
            .value["Resources"]
    };
    // complete.yaml protects one bucket, through an override for us-east-1 only.
    let here = guardduty("us-east-1");
    let plans: Vec<&serde_json::Value> = here
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::GuardDuty::MalwareProtectionPlan")
        .collect();
    assert_eq!(plans.len(), 1);
    let plan = &plans[0]["Properties"];
    assert_eq!(
        plan["ProtectedResource"]["S3Bucket"],
        serde_json::json!({"BucketName": "acme-customer-uploads", "ObjectPrefixes": ["incoming/"]})
    );
    assert_eq!(plan["Actions"]["Tagging"]["Status"], "ENABLED");
    assert_eq!(
        plan["Role"],
        serde_json::json!({"Fn::GetAtt": ["MalwareProtectionRole", "Arn"]})
    );
    let role = &here["MalwareProtectionRole"]["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        "malware-protection-plan.guardduty.amazonaws.com"
    );
    // Every S3 permission names the listed bucket, nothing wider.
    let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let s3: Vec<String> = statements
        .iter()
        .filter(|s| s["Action"].to_string().contains("s3:"))
        .flat_map(|s| s["Resource"].as_array().cloned().unwrap_or_default())
        .map(|r| r["Fn::Sub"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(s3.len(), 4, "{s3:?}");
    for r in &s3 {
        assert!(
            r.starts_with("arn:${AWS::Partition}:s3:::acme-customer-uploads"),
            "{r}"
        );
    }
    let kms = statements
        .iter()
        .find(|s| s["Sid"] == "AllowDecryptForMalwareScan")
        .expect("the bucket's key");
    assert_eq!(
        kms["Resource"],
        serde_json::json!([
            "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ])
    );
    assert_eq!(
        kms["Condition"]["StringLike"]["kms:ViaService"],
        "s3.*.amazonaws.com"
    );
    // No bucket there: no role, no plan.
    let there = guardduty("eu-west-1");
    assert!(there.get("MalwareProtectionRole").is_none());
    assert!(!there
        .as_object()
        .unwrap()
        .values()
        .any(|r| r["Type"] == "AWS::GuardDuty::MalwareProtectionPlan"));
}

/// In an organization laid out by role with auto-enable, members keep only what the
/// administrators cannot do for them: Security Hub is the security account's configuration
/// policy's (central configuration, two regions here), GuardDuty its organization
/// configuration's, Macie and Detective the security account's (it makes the others
/// members). A member's S3 malware protection plan keeps its guardduty stack, and the
/// management account keeps its own detector, Macie session and behavior graph.
#[test]
fn organization_members_have_no_stacks_the_administrators_do_for_them() {
    let text = std::fs::read_to_string(repo_root().join("examples/organization.yaml")).unwrap();
    let text = format!(
        "{text}macie: {{enabled: true}}\ndetective: {{enabled: true}}\noverrides:\n  - match: {{account: \"444444444444\", region: eu-west-1}}\n    guardduty: {{s3_malware_protection: [{{bucket: uploads-444}}]}}\n"
    );
    let baseline = load_text("organization.yaml", &text);
    assert!(baseline.securityhub_central().is_some());
    let keys: Vec<String> = render(&baseline).iter().map(|s| s.spec.key()).collect();
    let has = |key: &str| keys.iter().any(|k| k == key);
    for region in ["us-east-1", "eu-west-1"] {
        assert!(
            has(&format!("222222222222/{region}/org-securityhub")),
            "{keys:?}"
        );
        assert!(
            has(&format!("222222222222/{region}/org-guardduty")),
            "{keys:?}"
        );
        assert!(
            has(&format!("111111111111/{region}/org-guardduty")),
            "{keys:?}"
        );
        for other in ["111111111111", "333333333333", "444444444444"] {
            assert!(
                !has(&format!("{other}/{region}/org-securityhub")),
                "{keys:?}"
            );
        }
        assert!(
            !has(&format!("333333333333/{region}/org-guardduty")),
            "{keys:?}"
        );
        // Macie and Detective: the security account makes the others members.
        for own in ["111111111111", "222222222222"] {
            assert!(has(&format!("{own}/{region}/org-macie")), "{keys:?}");
            assert!(has(&format!("{own}/{region}/org-detective")), "{keys:?}");
        }
        for member in ["333333333333", "444444444444"] {
            assert!(!has(&format!("{member}/{region}/org-macie")), "{keys:?}");
            assert!(
                !has(&format!("{member}/{region}/org-detective")),
                "{keys:?}"
            );
        }
        // Members keep their recorders.
        for member in ["333333333333", "444444444444"] {
            assert!(has(&format!("{member}/{region}/org-config")), "{keys:?}");
        }
    }
    assert!(!has("444444444444/us-east-1/org-guardduty"), "{keys:?}");
    assert!(has("444444444444/eu-west-1/org-guardduty"), "{keys:?}");
}

/// Stack-set mode with an organization renders in two parts: the management, log archive
/// and security accounts exactly as their role part deploys them as stacks, and the stack
/// sets' members with a stack-mode member's layout (their recorders delivering to the log
/// archive bucket, which accepts the organization by id). The stack sets target the
/// members only.
#[test]
fn an_organization_in_stack_set_mode_renders_role_accounts_as_stacks_and_members_for_the_stack_sets(
) {
    use cfn_baseline::baseline::AccountRole;
    use cfn_baseline::stacksets::{carried, Targets};
    let text =
        std::fs::read_to_string(repo_root().join("examples/organization-stacksets.yaml")).unwrap();
    // An override of a role account is allowed: the role accounts are stacks.
    let text = format!(
        "{text}overrides:\n  - match: {{account: \"222222222222\", region: eu-west-1}}\n    guardduty: {{finding_frequency: ONE_HOUR}}\n"
    );
    let baseline = load_text("organization-stacksets.yaml", &text);
    let whole = render(&baseline);
    let roles = baseline.role_part().expect("a role part");
    assert!(roles.role_part().is_none());
    let role_render = render(&roles);
    // The role part renders the role accounts' stacks of the whole render, byte for byte.
    let role_stacks: Vec<(String, &str)> = whole
        .iter()
        .filter(|s| s.spec.account.is_some())
        .map(|s| (s.spec.key(), s.body.as_ref()))
        .collect();
    let part: Vec<(String, &str)> = role_render
        .iter()
        .map(|s| (s.spec.key(), s.body.as_ref()))
        .collect();
    assert_eq!(role_stacks, part);
    assert!(part
        .iter()
        .any(|(k, _)| k == "222222222222/us-east-1/org-alerts"));
    // The stack sets carry one member layout: the recorders, no trail, alerts, detector or
    // hub (the security account's organization configurations and central policy).
    let members = carried(&baseline, &whole);
    let mut keys: Vec<String> = members.iter().map(|s| s.spec.key()).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "current/eu-west-1/org-access-analyzer",
            "current/eu-west-1/org-config",
            "current/eu-west-1/org-patching",
            "current/us-east-1/org-access-analyzer",
            "current/us-east-1/org-config",
            "current/us-east-1/org-patching",
        ]
    );
    assert!(members
        .iter()
        .all(|s| baseline.stack_role(s.spec.account.as_deref()) == Some(AccountRole::Member)));
    let config = members
        .iter()
        .find(|s| s.spec.key() == "current/us-east-1/org-config")
        .unwrap();
    assert!(config
        .body
        .contains("S3BucketName: \"org-logs-333333333333-us-east-1\""));
    let archive = whole
        .iter()
        .find(|s| s.spec.key() == "333333333333/us-east-1/org-cloudtrail")
        .unwrap();
    assert!(archive
        .body
        .contains("\"aws:SourceOrgID\": \"o-a1b2c3d4e5\""));
    assert!(archive
        .body
        .contains("Resource: !Sub \"${ArchiveBucket.Arn}/config/AWSLogs/*/Config/*\""));
    assert!(!archive
        .body
        .contains("aws:SourceAccount\": [\"111111111111\""));
    // Service-managed: the units, less the three role accounts.
    let t = Targets::of(&baseline);
    assert_eq!(
        t.organizational_units,
        ["ou-a1b2-workload1", "ou-a1b2-sandbox01"]
    );
    assert_eq!(
        t.excluded_accounts,
        ["111111111111", "222222222222", "333333333333"]
    );

    // Self-managed: the listed members only, which the security account also makes
    // members of its services (auto-enable reaches only accounts that join later).
    let self_managed = text
        .replace(
            "permission_model: service_managed",
            "permission_model: self_managed",
        )
        .replace(
            "  organizational_units: [ou-a1b2-workload1, ou-a1b2-sandbox01]\n",
            "  accounts: [\"444444444444\", \"555555555555\", \"222222222222\"]\n",
        );
    let baseline = load_text("organization-stacksets.yaml", &self_managed);
    assert_eq!(
        baseline.stack_set_members(),
        ["444444444444", "555555555555"]
    );
    let t = Targets::of(&baseline);
    assert_eq!(t.accounts, ["444444444444", "555555555555"]);
    assert!(t.excluded_accounts.is_empty());
    let roles = baseline.role_part().unwrap();
    assert_eq!(
        roles.account_ids(),
        ["111111111111", "222222222222", "333333333333"]
    );
    assert_eq!(
        roles.organization_accounts(),
        [
            "111111111111",
            "222222222222",
            "333333333333",
            "444444444444",
            "555555555555"
        ]
    );
    let hub =
        cfn_baseline::settings::wanted_settings(&roles, Some("222222222222"), &roles.regions())
            .into_iter()
            .find(|w| w.setting == cfn_baseline::settings::Setting::OrgSecurityHub)
            .expect("the security account's Security Hub configuration");
    assert_eq!(
        hub.properties["Members"],
        serde_json::json!([
            "111111111111",
            "333333333333",
            "444444444444",
            "555555555555"
        ])
    );
    let keys: Vec<String> = render(&baseline).iter().map(|s| s.spec.key()).collect();
    assert!(keys.contains(&"555555555555/us-east-1/org-config".to_string()));
    assert!(!keys.iter().any(|k| k.starts_with("current/")));
}
