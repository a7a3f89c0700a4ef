//! Review at estate scale: the default baseline in 100 accounts x 17 regions (6,900 stacks
//! a side), one change read as one change. Text and markdown are snapshots; the markdown
//! stays under GitHub's 65,536-character limit whatever changes; the JSON keeps every
//! stack's changes and adds the groups.

mod support;

use cfn_baseline::baseline::{self, regions::DEFAULT_ENABLED_REGIONS, Source};
use cfn_baseline::commands::render_side;
use cfn_baseline::diff::{self, Impact, Report};
use cfn_baseline::render::{render_all, Renderer};

const GITHUB_COMMENT_LIMIT: usize = 65_536;

fn account(i: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + i as u64)
}

/// The default baseline for 100 accounts in the 17 default regions, with `overrides`.
fn estate(overrides: &str, guardduty_frequency: &str) -> String {
    let ids: Vec<String> = (0..100).map(|i| format!("\"{}\"", account(i))).collect();
    baseline::DEFAULT_BASELINE
        .replace(
            "regions: [us-east-1]",
            &format!("regions: [{}]", DEFAULT_ENABLED_REGIONS.join(", ")),
        )
        .replace(
            "finding_frequency: FIFTEEN_MINUTES",
            &format!("finding_frequency: {guardduty_frequency}"),
        )
        .replace("overrides: []", &format!("overrides: {overrides}"))
        + &format!("\naccounts: [{}]\n", ids.join(", "))
}

fn compare(old: &str, new: &str) -> Report {
    let renderer = Renderer::new(None).unwrap();
    let side = |name: &str, text: &str| {
        let (b, _) = baseline::load(Source {
            name: name.into(),
            text: text.into(),
        })
        .unwrap_or_else(|d| panic!("{d:?}"));
        let stacks = render_all(&b, &renderer).unwrap();
        assert!(stacks.len() > 6_000, "an estate: {} stacks", stacks.len());
        render_side(&b, &stacks)
    };
    diff::compare(
        &side("base.yaml", old),
        &side("baseline.yaml", new),
        "base.yaml",
        "baseline.yaml",
    )
}

fn check_outputs(name: &str, report: &Report) -> String {
    let text = diff::text(report, false);
    let markdown = diff::markdown(report);
    assert!(
        markdown.len() < GITHUB_COMMENT_LIMIT,
        "{name}: {} characters",
        markdown.len()
    );
    insta::assert_snapshot!(format!("estate_{name}_text"), text);
    insta::assert_snapshot!(format!("estate_{name}_markdown"), markdown);
    markdown
}

#[test]
fn one_setting_changed_everywhere_is_one_change() {
    let report = compare(&estate("[]", "FIFTEEN_MINUTES"), &estate("[]", "SIX_HOURS"));
    assert_eq!(report.changed_stacks(), 1_700);
    let groups = report.groups();
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(groups[0].stacks.len(), 1_700);
    assert_eq!(
        groups[0].scope,
        "in all 1,700 stacks: every account, every region"
    );
    let text = diff::text(&report, false);
    assert!(
        // 10,300 stacks, the password policy, Shield Advanced and the S3 account block of
        // each of the 100 accounts, and the Security Hub controls and five account settings
        // of each account and region.
        text.contains("Weakens security: 1 weakening, 0 strengthening and 0 neutral change in 1,700 of 20,800 stacks."),
        "{text}"
    );
    check_outputs("one_setting", &report);

    // The JSON keeps every stack's change and adds the group.
    let json: serde_json::Value = serde_json::from_str(&diff::json(&report)).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["weakening"], 1_700);
    assert_eq!(json["summary"]["distinct_changes"], 1);
    assert_eq!(json["groups"][0]["stacks"].as_array().unwrap().len(), 1_700);
    assert_eq!(json["groups"][0]["impact"], "weakening");
}

#[test]
fn a_change_in_one_account_or_one_region_says_where() {
    let base = estate("[]", "FIFTEEN_MINUTES");
    let one_account = estate(
        &format!(
            "[{{match: {{account: \"{}\"}}, guardduty: {{finding_frequency: SIX_HOURS}}}}]",
            account(42)
        ),
        "FIFTEEN_MINUTES",
    );
    let report = compare(&base, &one_account);
    let groups = report.groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        groups[0].scope,
        format!("in 17 stacks: 1 account ({}) × every region", account(42))
    );
    check_outputs("one_account", &report);

    let one_region = estate(
        "[{match: {region: eu-west-1}, guardduty: {finding_frequency: SIX_HOURS}}]",
        "FIFTEEN_MINUTES",
    );
    let report = compare(&base, &one_region);
    let groups = report.groups();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        groups[0].scope,
        "in 100 stacks: every account × 1 region (eu-west-1)"
    );
    check_outputs("one_region", &report);
}

#[test]
fn grouping_tells_different_old_values_apart_and_names_the_exception() {
    // Old: account 7 publishes every hour, the rest every 15 minutes. New: every 6 hours,
    // except account 9, which keeps 15 minutes (so it does not change).
    let old = estate(
        &format!(
            "[{{match: {{account: \"{}\"}}, guardduty: {{finding_frequency: ONE_HOUR}}}}]",
            account(7)
        ),
        "FIFTEEN_MINUTES",
    );
    let new = estate(
        &format!(
            "[{{match: {{account: \"{}\"}}, guardduty: {{finding_frequency: FIFTEEN_MINUTES}}}}]",
            account(9)
        ),
        "SIX_HOURS",
    );
    let report = compare(&old, &new);
    let groups = report.groups();
    // The same change from two old values is two groups.
    assert_eq!(groups.len(), 2, "{groups:#?}");
    let from = |old: &str| {
        groups
            .iter()
            .find(|g| g.change.old == Some(old.into()))
            .unwrap_or_else(|| panic!("no group from {old}"))
    };
    assert_eq!(
        from("FIFTEEN_MINUTES").scope,
        format!(
            "in 1,666 stacks: every account but {}, {} × every region",
            account(7),
            account(9)
        )
    );
    assert_eq!(
        from("ONE_HOUR").scope,
        format!("in 17 stacks: 1 account ({}) × every region", account(7))
    );
    assert_eq!(report.changed_stacks(), 1_683);
}

#[test]
fn a_mix_of_changes_fits_one_comment() {
    let base = estate("[]", "FIFTEEN_MINUTES");
    let mix = estate(
        &format!(
            "[{{match: {{region: eu-west-1}}, securityhub: {{enabled: false}}}}, \
             {{match: {{account: \"{}\"}}, cloudtrail: {{log_retention_days: 90}}}}]",
            account(42)
        ),
        "SIX_HOURS",
    );
    let report = compare(&base, &mix);
    let markdown = check_outputs("mix", &report);
    let groups = report.groups();
    assert!(groups.len() >= 3, "{groups:#?}");
    // Every weakening group is in the comment, with where it is.
    for g in groups
        .iter()
        .filter(|g| g.change.impact == Impact::Weakening)
    {
        let where_ = match g.stacks.as_slice() {
            [one] => one.replace('/', ", "),
            _ => g.scope.trim_start_matches("in ").to_string(),
        };
        assert!(
            markdown.contains(&format!("({where_}): ")),
            "{where_} missing from the comment"
        );
    }
}

#[test]
fn a_report_too_big_for_one_comment_keeps_every_weakening_change_and_says_what_is_left_out() {
    use cfn_baseline::diff::{Action, Change, Kind, StackDiff, StackStatus};
    let change = |i: usize, impact: Impact| Change {
        resource: Some(format!("Resource{i}")),
        resource_type: "AWS::SNS::Topic".into(),
        path: "Properties.DisplayName".into(),
        action: Action::Modified,
        old: Some(format!("name {i} before").into()),
        new: Some(format!("name {i} after").into()),
        impact,
        rule: None,
        explanation: format!("change number {i}"),
        segments: vec![],
    };
    // 3,000 stacks, each with its own neutral change (nothing to group), 40 weakening ones.
    let stacks: Vec<StackDiff> = (0..3_000)
        .map(|i| StackDiff {
            account: account(i / 30),
            region: DEFAULT_ENABLED_REGIONS[i % 17].to_string(),
            stack_name: format!("estate-{}", i % 30),
            component: None,
            status: StackStatus::Changed,
            changes: vec![change(
                i,
                if i % 75 == 0 {
                    Impact::Weakening
                } else {
                    Impact::Neutral
                },
            )],
            not_checked: vec![],
        })
        .collect();
    let report = Report {
        kind: Kind::Diff,
        new_label: "new".into(),
        old_label: "old".into(),
        notes: vec![],
        stacks,
    };
    let markdown = diff::markdown(&report);
    assert!(markdown.len() < GITHUB_COMMENT_LIMIT, "{}", markdown.len());
    for i in (0..3_000).step_by(75) {
        assert!(
            markdown.contains(&format!("change number {i}**")),
            "weakening change {i} left out"
        );
    }
    assert!(
        markdown.contains("would not fit in one comment") && markdown.contains("--format json"),
        "{}",
        &markdown[markdown.len().saturating_sub(600)..]
    );
}
