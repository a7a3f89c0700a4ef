//! `diff` live: the render against stacks deployed to moto's server, through the real SDK.

mod support;

use std::fs;

use serde_json::Value;
use support::moto::Moto;
use support::*;

fn changes(report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for s in report["stacks"].as_array().unwrap() {
        for c in s["changes"].as_array().unwrap() {
            out.push(format!(
                "{} {} {} {} {}",
                s["stack_name"].as_str().unwrap(),
                c["resource"].as_str().unwrap_or("-"),
                c["path"].as_str().unwrap(),
                c["action"].as_str().unwrap(),
                c["impact"].as_str().unwrap()
            ));
        }
    }
    out
}

fn diff_json(moto: &Moto, dir: &std::path::Path) -> (i32, Value, String) {
    let out = moto.run(dir, &["diff", "--format", "json"]);
    let code = out.status.code().unwrap_or(-1);
    let report = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
    (code, report, stderr(&out))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_diff_shows_baseline_changes_and_out_of_band_changes() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let default = cfn_baseline::baseline::DEFAULT_BASELINE;
    fs::write(dir.path().join("baseline.yaml"), default).unwrap();

    // Nothing deployed yet: every stack would be added.
    let (code, report, err) = diff_json(&moto, dir.path());
    assert_eq!(code, 2, "{err}");
    // The 7 stacks, the password policy, the S3 account block (none yet), and EBS encryption
    // (off in a new account): the emulator implements those two settings' APIs.
    assert_eq!(report["summary"]["changed_stacks"], 10, "{report}");
    let found = changes(&report);
    assert!(
        found.iter().all(|c| c.ends_with("added strengthening")
            || c == "ebs-encryption-by-default EbsEncryptionByDefault Properties.EbsEncryptionByDefault modified strengthening"),
        "{found:?}"
    );

    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Deployed as rendered: no differences.
    let out = moto.run(dir.path(), &["diff"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("No differences in 11 stacks."),
        "{}",
        stdout(&out)
    );

    // A baseline change shows as exactly that change.
    let slower = default.replace(
        "finding_frequency: FIFTEEN_MINUTES",
        "finding_frequency: SIX_HOURS",
    );
    assert_ne!(slower, default);
    fs::write(dir.path().join("baseline.yaml"), &slower).unwrap();
    let (code, report, err) = diff_json(&moto, dir.path());
    assert_eq!(code, 3, "{err}");
    assert_eq!(
        changes(&report),
        ["baseline-guardduty Detector Properties.FindingPublishingFrequency modified weakening"]
    );

    // A component switched off: its deployed stack (found by the baseline tag) is removed.
    let no_hub = default.replacen(
        "securityhub:\n  enabled: true",
        "securityhub:\n  enabled: false",
        1,
    );
    assert_ne!(no_hub, default);
    fs::write(dir.path().join("baseline.yaml"), &no_hub).unwrap();
    let (code, report, err) = diff_json(&moto, dir.path());
    assert_eq!(code, 3, "{err}");
    let found = changes(&report);
    assert!(
        found.contains(&"baseline-securityhub -  removed weakening".to_string()),
        "{found:?}"
    );
    // plan lists the stack as left in place; nothing deletes it.
    let out = moto.run(dir.path(), &["plan"]);
    assert!(
        stdout(&out).contains(
            "! current/us-east-1/baseline-securityhub  no longer in the baseline; left in place"
        ),
        "{}",
        stdout(&out)
    );

    // Someone disables the detector by hand: the render would turn it back on.
    fs::write(dir.path().join("baseline.yaml"), default).unwrap();
    let cf = moto.cloudformation("us-east-1").await;
    let body = cf
        .get_template()
        .stack_name("baseline-guardduty")
        .send()
        .await
        .unwrap()
        .template_body()
        .unwrap()
        .to_string();
    let disabled = body.replacen("Enable: true", "Enable: false", 1);
    assert_ne!(disabled, body);
    cf.update_stack()
        .stack_name("baseline-guardduty")
        .template_body(disabled)
        .send()
        .await
        .unwrap();
    let (code, report, err) = diff_json(&moto, dir.path());
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        changes(&report),
        ["baseline-guardduty Detector Properties.Enable modified strengthening"]
    );
    let out = moto.run(dir.path(), &["diff", "--format", "markdown"]);
    assert!(
        stdout(&out).contains("`false` → `true`"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_diff_refuses_an_account_the_baseline_does_not_target() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let out = moto.run(
        dir.path(),
        &[
            "diff",
            &repo_root()
                .join("examples/strict-cis.yaml")
                .display()
                .to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("compare offline with `diff --against`"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}
