//! `drift` end to end against moto: the IAM password policy, the account's security contact
//! and Amazon Inspector's scanning (which moto keeps faithfully), and the honest answer when the endpoint has no
//! drift detection (moto answers 500).

mod support;

use std::fs;

use support::moto::Moto;
use support::*;

fn baseline(dir: &std::path::Path) {
    let text = cfn_baseline::baseline::DEFAULT_BASELINE.replacen(
        "email: []",
        "email: [security@example.com]",
        1,
    );
    fs::write(dir.join("baseline.yaml"), text).unwrap();
}

/// The account settings whose APIs the emulator does not implement (tests/settings_mocks.rs
/// covers them through canned responses), as the default baseline has them and switched
/// off: with them on, `--scope settings` would report them not checked (exit 3).
const MOTO_LACKS_ON: &str =
    "  imdsv2_by_default: true                  # new instances require IMDSv2 (per region)
  ssm_documents_public_sharing_blocked: true
  ami_public_sharing_blocked: true         # no new public AMIs (per region)
  snapshot_public_sharing_blocked: true    # no public EBS snapshots (per region)";
const MOTO_LACKS_OFF: &str = "  imdsv2_by_default: false
  ssm_documents_public_sharing_blocked: false
  ami_public_sharing_blocked: false
  snapshot_public_sharing_blocked: false";

/// The default baseline with Security Hub off, then `edit`: the emulator has no Security
/// Hub control API, so with Security Hub on `--scope settings` would also report the
/// controls not checked (exit 3, as `an_endpoint_without_drift_detection_is_never_in_sync`
/// shows). These tests are about the other settings.
fn settings_baseline(dir: &std::path::Path, edit: impl FnOnce(String) -> String) {
    baseline(dir);
    let path = dir.join("baseline.yaml");
    let text = fs::read_to_string(&path)
        .unwrap()
        .replacen(
            "securityhub:\n  enabled: true",
            "securityhub:\n  enabled: false",
            1,
        )
        .replacen(MOTO_LACKS_ON, MOTO_LACKS_OFF, 1);
    assert!(
        text.contains(MOTO_LACKS_OFF),
        "the default baseline's account settings moved"
    );
    fs::write(&path, edit(text)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_policy_drifts_and_is_restored() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    settings_baseline(dir.path(), |text| text);
    let iam = moto.iam();
    assert!(
        iam.get_account_password_policy().send().await.is_err(),
        "moto starts without a policy"
    );

    // plan shows the policy, deploy sets it after the stacks.
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("~ current/global/iam-password-policy  set (there is none)"),
        "{}",
        stdout(&out)
    );
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let policy = iam.get_account_password_policy().send().await.unwrap();
    let p = policy.password_policy().unwrap();
    assert_eq!(p.minimum_password_length(), Some(14));
    assert_eq!(p.password_reuse_prevention(), Some(24));
    assert!(p.require_symbols() && p.require_numbers());

    let drift = |args: &[&str]| {
        let mut all = vec!["drift", "--scope", "settings"];
        all.extend_from_slice(args);
        moto.run(dir.path(), &all)
    };
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("In sync"), "{}", stdout(&out));

    // Someone weakens the policy by hand.
    iam.update_account_password_policy()
        .minimum_password_length(8)
        .require_symbols(true)
        .require_numbers(true)
        .require_uppercase_characters(true)
        .require_lowercase_characters(true)
        .allow_users_to_change_password(true)
        .send()
        .await
        .unwrap();
    let out = drift(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["format"], "cfn-baseline-drift");
    let changes: Vec<String> = report["stacks"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["path"].as_str().unwrap(),
                c["impact"].as_str().unwrap(),
                c["new"]
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            "Properties.MinimumPasswordLength weakening 8",
            "Properties.PasswordReusePrevention weakening null",
        ]
    );

    // Without a terminal, --reapply needs --yes; nothing changes.
    let out = drift(&["--reapply"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert_eq!(
        iam.get_account_password_policy()
            .send()
            .await
            .unwrap()
            .password_policy()
            .unwrap()
            .minimum_password_length(),
        Some(8)
    );

    let out = drift(&["--reapply", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("MinimumPasswordLength: 8 → 14"),
        "{}",
        stdout(&out)
    );
    let p = iam.get_account_password_policy().send().await.unwrap();
    assert_eq!(
        p.password_policy().unwrap().minimum_password_length(),
        Some(14)
    );
    assert_eq!(
        p.password_policy().unwrap().password_reuse_prevention(),
        Some(24)
    );
    let out = drift(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // A deleted policy is drift too.
    iam.delete_account_password_policy().send().await.unwrap();
    let out = drift(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("there is no account password policy"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_without_drift_detection_is_never_in_sync() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    baseline(dir.path());
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for format in ["text", "markdown"] {
        let out = moto.run(dir.path(), &["drift", "--format", format]);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        let text = stdout(&out);
        assert!(!text.contains("In sync"), "{text}");
        assert!(
            // 7 stacks without drift detection, the Security Hub controls, and the four
            // account settings whose APIs the emulator lacks.
            text.contains("Not fully checked: 12 resources or stacks could not be checked"),
            "{text}"
        );
        assert!(
            text.contains("the endpoint does not implement Security Hub's control API"),
            "{text}"
        );
        assert!(
            text.contains("this endpoint does not support drift detection (DetectStackDrift is not implemented there)"),
            "{text}"
        );
        assert!(
            stderr(&out).contains("the endpoint does not support drift detection"),
            "{}",
            stderr(&out)
        );
    }
    // Reverting stops before anything changes: nothing drifted that could be reverted.
    let out = moto.run(dir.path(), &["drift", "--reapply", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// The SECURITY alternate contact through the AWS Account API, which moto implements: plan
/// shows it, deploy sets it, a change by hand is shown by diff, reported by drift and
/// restored by `drift --reapply --yes`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_security_contact_is_set_and_a_change_by_hand_is_restored() {
    use aws_sdk_account::types::AlternateContactType;
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    settings_baseline(dir.path(), |text| {
        text + "\nsecurity_contact:\n  name: Security team\n  email: security@example.com\n  phone: \"+1 206 555 0100\"\n"
    });
    let account = moto.account();
    let read = || async {
        account
            .get_alternate_contact()
            .alternate_contact_type(AlternateContactType::Security)
            .send()
            .await
    };
    assert!(
        read().await.is_err(),
        "moto starts without a security contact"
    );

    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("current/global/security-contact"),
        "{}",
        stdout(&out)
    );
    assert!(read().await.is_err(), "plan changes nothing");
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = read().await.expect("deploy set it");
    let c = got.alternate_contact().unwrap();
    assert_eq!(c.email_address(), Some("security@example.com"));
    assert_eq!(c.phone_number(), Some("+1 206 555 0100"));
    assert_eq!(c.name(), Some("Security team"));
    assert_eq!(c.title(), Some("Security"));

    let drift = |args: &[&str]| {
        let mut all = vec!["drift", "--scope", "settings"];
        all.extend_from_slice(args);
        moto.run(dir.path(), &all)
    };
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // Someone points it at a person who left.
    account
        .put_alternate_contact()
        .alternate_contact_type(AlternateContactType::Security)
        .name("Former CTO")
        .email_address("cto@example.com")
        .phone_number("+1 206 555 0199")
        .title("CTO")
        .send()
        .await
        .unwrap();
    let out = moto.run(dir.path(), &["diff"]);
    assert!(
        stdout(&out).contains("security-contact") && stdout(&out).contains("EmailAddress"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("cto@example.com"), "{}", stdout(&out));
    let out = drift(&["--reapply", "--yes"]);
    assert!(
        stdout(&out).contains("~ current/global/security-contact  restore"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let got = read().await.unwrap();
    assert_eq!(
        got.alternate_contact().unwrap().email_address(),
        Some("security@example.com"),
        "{}",
        stderr(&out)
    );
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// Amazon Inspector through its API, which moto implements (Enable, Disable,
/// BatchGetAccountStatus): deploy switches on what the baseline lists, a type switched off
/// by hand is reported by drift and switched on again by `drift --reapply --yes`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspector_is_switched_on_and_a_type_switched_off_by_hand_is_restored() {
    use aws_sdk_inspector2::types::{ResourceScanType, Status};
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    settings_baseline(dir.path(), |text| {
        let text = text.replacen(
            "inspector:\n  enabled: false",
            "inspector:\n  enabled: true",
            1,
        );
        assert!(text.contains("inspector:\n  enabled: true"), "{text}");
        text
    });
    let inspector = moto.inspector2("us-east-1");
    // moto's default account.
    let account = "123456789012";
    let ecr = || async {
        let out = inspector
            .batch_get_account_status()
            .account_ids(account)
            .send()
            .await
            .unwrap();
        out.accounts()
            .first()
            .and_then(|a| a.resource_state())
            .and_then(|r| r.ecr())
            .map(|s| s.status().clone())
    };

    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("current/us-east-1/inspector"),
        "{}",
        stdout(&out)
    );
    assert_eq!(ecr().await, None, "plan changes nothing");
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(ecr().await, Some(Status::Enabled));

    let drift = |args: &[&str]| {
        let mut all = vec!["drift", "--scope", "settings"];
        all.extend_from_slice(args);
        moto.run(dir.path(), &all)
    };
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    inspector
        .disable()
        .account_ids(account)
        .resource_types(ResourceScanType::Ecr)
        .send()
        .await
        .unwrap();
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("Inspector.Properties.Ecr: ENABLED → DISABLED"),
        "{}",
        stdout(&out)
    );
    let out = drift(&["--reapply", "--yes"]);
    assert!(
        stdout(&out).contains("~ current/us-east-1/inspector  restore"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(ecr().await, Some(Status::Enabled), "{}", stderr(&out));
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// EBS encryption by default (EC2 Get/Enable/DisableEbsEncryptionByDefault) and the S3
/// account public access block (S3 Control Get/Put/DeletePublicAccessBlock), which moto
/// implements as AWS does: deploy turns them on, a change by hand is reported by drift and
/// shown by diff, and `drift --reapply --yes` turns them on again. The settings whose APIs
/// moto lacks are named by plan as neither shown nor changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ebs_encryption_and_the_s3_account_block_are_set_and_restored() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let ec2 = moto.ec2("us-east-1");
    let s3control = moto.s3control();
    let account = "123456789012";
    let ebs = || async {
        ec2.get_ebs_encryption_by_default()
            .send()
            .await
            .unwrap()
            .ebs_encryption_by_default()
    };
    let block = || async {
        s3control
            .get_public_access_block()
            .account_id(account)
            .send()
            .await
            .ok()
            .and_then(|o| o.public_access_block_configuration().cloned())
    };
    assert_eq!(ebs().await, Some(false), "moto starts unencrypted");
    assert!(block().await.is_none(), "moto starts without a block");

    // The default baseline: plan shows both, and names the settings moto cannot answer.
    baseline(dir.path());
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    for line in [
        "current/global/s3-block-public-access",
        "current/us-east-1/ebs-encryption-by-default",
    ] {
        assert!(stdout(&out).contains(line), "{line}\n{}", stdout(&out));
    }
    assert!(
        stderr(&out).contains("the endpoint does not implement the API of")
            && stderr(&out).contains("current/us-east-1/imdsv2-by-default"),
        "{}",
        stderr(&out)
    );
    assert_eq!(ebs().await, Some(false), "plan changes nothing");

    settings_baseline(dir.path(), |text| text);
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(ebs().await, Some(true));
    let got = block().await.expect("deploy set the block");
    assert_eq!(
        (
            got.block_public_acls(),
            got.ignore_public_acls(),
            got.block_public_policy(),
            got.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let drift = |args: &[&str]| {
        let mut all = vec!["drift", "--scope", "settings"];
        all.extend_from_slice(args);
        moto.run(dir.path(), &all)
    };
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // Someone switches encryption off and lets public bucket policies through.
    ec2.disable_ebs_encryption_by_default()
        .send()
        .await
        .unwrap();
    s3control
        .put_public_access_block()
        .account_id(account)
        .public_access_block_configuration(
            aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(false)
                .restrict_public_buckets(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let out = moto.run(dir.path(), &["diff"]);
    for shown in [
        "EbsEncryptionByDefault",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        assert!(
            stdout(&out).contains(shown),
            "{shown}\n{}{}",
            stdout(&out),
            stderr(&out)
        );
    }
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = drift(&["--reapply", "--yes"]);
    assert!(
        stdout(&out).contains("~ current/us-east-1/ebs-encryption-by-default  restore")
            && stdout(&out).contains("~ current/global/s3-block-public-access  restore"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(ebs().await, Some(true));
    assert_eq!(block().await.unwrap().block_public_policy(), Some(true));
    let out = drift(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
}

/// Shield Advanced against moto, in an account that does not subscribe (AWS answers
/// DescribeSubscription with ResourceNotFoundException there, as moto does). A subscribed
/// account is played through aws-smithy-mocks (tests/settings_mocks.rs): moto's
/// DescribeSubscription answers its StartTime as "02/12/2026, 04:11:05", which the SDK
/// rightly refuses to parse as a timestamp.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shield_advanced_is_reported_and_never_subscribed() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let shield = moto.shield();
    let alb =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
    let subscribed = || async { shield.describe_subscription().send().await.is_ok() };

    // Nothing asked of Shield: plan and drift only say whether the account subscribes.
    settings_baseline(dir.path(), |text| text);
    let out = moto.run(dir.path(), &["plan"]);
    assert!(
        stdout(&out).contains("= current/global/shield-advanced  unchanged\n    · Shield Advanced: not subscribed (Shield Standard protects the account at no cost"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = moto.run(dir.path(), &["drift", "--scope", "settings"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out)
            .contains("note: current/global/shield-advanced: Shield Advanced: not subscribed"),
        "{}",
        stdout(&out)
    );

    // A protection asked for: plan says it cannot be set, deploy refuses before any change.
    // With a new tag as well, which would update every stack if deploy went ahead.
    settings_baseline(dir.path(), |text| {
        text.replacen("  protections: []", &format!("  protections: [{alb}]"), 1)
            .replacen(
                "  managed-by: cfn-baseline\n",
                "  managed-by: cfn-baseline\n  team: security\n",
                1,
            )
    });
    assert!(
        fs::read_to_string(dir.path().join("baseline.yaml"))
            .unwrap()
            .contains(alb),
        "the default baseline's shield section moved"
    );
    // Plan shows it, and says as an error (exit 1) that deploy would stop before any change.
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("deploy would stop before any change: 1 setting(s)"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("~ current/global/shield-advanced  update")
            && stdout(&out).contains(&format!("~ Protections: set to [\"{alb}\"] (strengthening"))
            && stdout(&out).contains("Shield Advanced: not subscribed, so proactive engagement and protections cannot be set"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let cfn = moto.cloudformation("us-east-1").await;
    let updated = |cfn: aws_sdk_cloudformation::Client| async move {
        cfn.describe_stacks()
            .stack_name("baseline-alerts")
            .send()
            .await
            .unwrap()
            .stacks()[0]
            .last_updated_time()
            .cloned()
    };
    let before = updated(cfn.clone()).await;
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "current/global/shield-advanced: the account does not subscribe to Shield Advanced"
        ) && stderr(&out).contains("nothing was changed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(updated(cfn).await, before, "no stack was touched");
    assert!(!subscribed().await, "the tool never subscribes");
}
