//! Stack-set mode end to end against moto: stack sets, instances in several accounts and
//! regions, operations followed, stacks checked through the CloudFormation API of each
//! account (reached with STS AssumeRole, as a user would).

mod support;

use std::fs;

use support::moto::Moto;
use support::*;

async fn stack_count(moto: &Moto, account: &str, region: &str) -> usize {
    let cf = moto.cloudformation_in(region, account).await;
    cf.describe_stacks()
        .send()
        .await
        .unwrap()
        .stacks()
        .iter()
        .filter(|s| s.stack_status().map(|x| x.as_str()) != Some("DELETE_COMPLETE"))
        .count()
}

async fn instances(moto: &Moto, set: &str) -> Vec<String> {
    let cf = moto.cloudformation("us-east-1").await;
    let mut v: Vec<String> = cf
        .list_stack_instances()
        .stack_set_name(set)
        .send()
        .await
        .unwrap()
        .summaries()
        .iter()
        .map(|i| format!("{}/{}", i.account().unwrap(), i.region().unwrap()))
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organization_example_rolls_out_as_stack_sets() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let example = fs::read_to_string(repo_root().join("examples/stacksets.yaml")).unwrap();
    fs::write(dir.path().join("baseline.yaml"), &example).unwrap();

    // Self-managed permissions: the administration role must exist first.
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("need the IAM role AWSCloudFormationStackSetAdministrationRole in this account (123456789012)"), "{err}");
    assert!(
        err.contains("AWSCloudFormationStackSetExecutionRole"),
        "{err}"
    );
    let cf = moto.cloudformation("us-east-1").await;
    assert!(cf
        .list_stack_sets()
        .send()
        .await
        .unwrap()
        .summaries()
        .is_empty());

    let iam = moto.iam();
    iam.create_role()
        .role_name("AWSCloudFormationStackSetAdministrationRole")
        .assume_role_policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudformation.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .unwrap();

    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("~ org-config-eu-west-1  create stack set; regions eu-west-1"),
        "{}",
        stdout(&out)
    );

    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let matrix = stdout(&out);
    assert!(matrix.contains("org-alerts  ok"), "{matrix}");
    assert!(
        matrix.contains("  333333333333   SUCCEEDED SUCCEEDED"),
        "{matrix}"
    );
    for account in ["111111111111", "222222222222", "333333333333"] {
        assert_eq!(
            stack_count(&moto, account, "us-east-1").await,
            7,
            "{account} us-east-1"
        );
        assert_eq!(
            stack_count(&moto, account, "eu-west-1").await,
            6,
            "{account} eu-west-1"
        );
    }
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Add a region: only the new instances are created.
    let more = example.replace(
        "regions: [us-east-1, eu-west-1]",
        "regions: [us-east-1, eu-west-1, us-west-2]",
    );
    assert_ne!(more, example);
    fs::write(dir.path().join("baseline.yaml"), &more).unwrap();
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("+ 3 instance(s): 111111111111/us-west-2, 222222222222/us-west-2, 333333333333/us-west-2"), "{}", stdout(&out));
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stack_count(&moto, "222222222222", "us-west-2").await, 6);
    assert_eq!(instances(&moto, "org-alerts").await.len(), 9);

    // Remove an account: its instances go (the stacks are retained, as configured).
    let fewer = more.replace(
        r#"accounts: ["111111111111", "222222222222", "333333333333"]"#,
        r#"accounts: ["111111111111", "222222222222"]"#,
    );
    assert_ne!(fewer, more);
    fs::write(dir.path().join("baseline.yaml"), &fewer).unwrap();
    // Removing the baseline from an account weakens it: not on --yes alone.
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("! org-alerts: the baseline is removed from 333333333333/eu-west-1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        instances(&moto, "org-alerts").await.len(),
        9,
        "nothing removed"
    );
    let out = moto.run(dir.path(), &["deploy", "--yes", "--allow-weakening"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let left = instances(&moto, "org-alerts").await;
    assert_eq!(left.len(), 6, "{left:?}");
    assert!(
        left.iter().all(|i| !i.starts_with("333333333333")),
        "{left:?}"
    );

    // diff compares each stack set's template; drift says what it could not check.
    let out = moto.run(dir.path(), &["diff"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let laxer = fewer.replace(
        "alerts:\n  email: [security@org.example]",
        "alerts:\n  email: [security@org.example]\n  guardduty_min_severity: critical",
    );
    fs::write(dir.path().join("baseline.yaml"), &laxer).unwrap();
    let out = moto.run(dir.path(), &["diff", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["summary"]["weakening"], 1, "{report}");
    fs::write(dir.path().join("baseline.yaml"), &fewer).unwrap();
    let out = moto.run(dir.path(), &["drift"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("this endpoint does not support stack set drift detection"),
        "{}",
        stdout(&out)
    );

    // Update a template: the stack set carries the new body.
    let stricter = fewer.replace(
        "alerts:\n  email: [security@org.example]",
        "alerts:\n  email: [security@org.example]\n  guardduty_min_severity: low",
    );
    assert_ne!(stricter, fewer);
    fs::write(dir.path().join("baseline.yaml"), &stricter).unwrap();
    let out = moto.run(dir.path(), &["plan"]);
    assert!(
        stdout(&out).contains("~ org-alerts  update template"),
        "{}",
        stdout(&out)
    );
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let body = cf
        .describe_stack_set()
        .stack_set_name("org-alerts")
        .send()
        .await
        .unwrap()
        .stack_set()
        .unwrap()
        .template_body()
        .unwrap()
        .to_string();
    assert!(body.contains(r#"numeric: [">=", 1]"#), "{body}");
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Switch a component off: its stack set's instances go, then the stack set.
    let no_hub = format!("{stricter}securityhub: {{enabled: false}}\n");
    fs::write(dir.path().join("baseline.yaml"), &no_hub).unwrap();
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("- org-securityhub  remove stack set (no longer in the baseline); delete 6 instance(s), keeping their stacks"),
        "{}",
        stdout(&out)
    );
    let out = moto.run(dir.path(), &["diff"]);
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("- org-securityhub  stackset us-east-1  removed: 1 weakening"),
        "{}",
        stdout(&out)
    );
    // Switching Security Hub off weakens: it is retired only with --allow-weakening.
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("! org-securityhub: the stack set is removed (no longer in the baseline) from 6 instance(s)"),
        "{}",
        stderr(&out)
    );
    let out = moto.run(dir.path(), &["deploy", "--yes", "--allow-weakening"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let names: Vec<String> = cf
        .list_stack_sets()
        .status(aws_sdk_cloudformation::types::StackSetStatus::Active)
        .send()
        .await
        .unwrap()
        .summaries()
        .iter()
        .filter(|s| s.status().map(|x| x.as_str()) == Some("ACTIVE"))
        .map(|s| s.stack_set_name().unwrap().to_string())
        .collect();
    assert!(!names.contains(&"org-securityhub".to_string()), "{names:?}");
    assert_eq!(names.len(), 8, "{names:?}");
    let out = moto.run(dir.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}
