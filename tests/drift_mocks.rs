//! Drift detection and drift-aware change sets through the real CloudFormation client with
//! canned responses (aws-smithy-mocks), shaped as the AWS API reference documents them:
//! what moto cannot answer (its drift APIs return HTTP 500).

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_drift_detection_status::DescribeStackDriftDetectionStatusOutput;
use aws_sdk_cloudformation::operation::describe_stack_resource_drifts::DescribeStackResourceDriftsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksOutput;
use aws_sdk_cloudformation::operation::detect_stack_drift::DetectStackDriftOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::*;
use aws_sdk_cloudformation::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use cfn_baseline::aws::SdkStacks;
use cfn_baseline::deploy::{self, FailureKind, Job, Options, Prepared};
use cfn_baseline::diff;
use cfn_baseline::drift::{self, Checked};
use cfn_baseline::template::Template;
use tokio::sync::mpsc;

const DEPLOYED: &str = "\
Metadata: {cfn-baseline: {component: guardduty}}
Resources:
  Detector:
    Type: AWS::GuardDuty::Detector
    Properties:
      Enable: true
      FindingPublishingFrequency: FIFTEEN_MINUTES
      Features:
        - {Name: S3_DATA_EVENTS, Status: ENABLED}
        - {Name: EKS_AUDIT_LOGS, Status: ENABLED}
  AlertsTopic:
    Type: AWS::SNS::Topic
    Properties: {KmsMasterKeyId: alias/x}
  AlarmRoot:
    Type: AWS::CloudWatch::Alarm
    Properties: {MetricName: root}
  TopicPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties: {Topics: [t]}
";

fn job() -> Job {
    Job {
        key: "current/us-east-1/acme-guardduty".into(),
        stack_name: "acme-guardduty".into(),
        region: "us-east-1".into(),
        order: 2,
        depends_on: vec![],
        body: DEPLOYED.into(),
        sha256: "00112233445566778899".into(),
        tags: vec![],
        capabilities: vec![],
        adoption: None,
        deployed: None,
        component: cfn_baseline::plan::Component::Guardduty,
        template: cfn_baseline::template::Template::shared(serde_json::json!({"Resources": {}})),
    }
}

fn options() -> Options {
    Options {
        timeout: Duration::from_secs(5),
        ..Options::default()
    }
}

fn stack_exists() -> Rule {
    mock!(Client::describe_stacks).then_output(|| {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_name("acme-guardduty")
                    .stack_id(
                        "arn:aws:cloudformation:us-east-1:111111111111:stack/acme-guardduty/1",
                    )
                    .stack_status(StackStatus::UpdateComplete)
                    .creation_time(DateTime::from_secs(0))
                    .build(),
            )
            .build()
    })
}

fn template() -> Rule {
    mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body(DEPLOYED).build())
}

fn detection_started() -> Rule {
    mock!(Client::detect_stack_drift).then_output(|| {
        DetectStackDriftOutput::builder()
            .stack_drift_detection_id("d-1")
            .build()
    })
}

fn status(
    s: StackDriftDetectionStatus,
    reason: Option<&'static str>,
) -> DescribeStackDriftDetectionStatusOutput {
    DescribeStackDriftDetectionStatusOutput::builder()
        .stack_id("arn:aws:cloudformation:us-east-1:111111111111:stack/acme-guardduty/1")
        .stack_drift_detection_id("d-1")
        .detection_status(s)
        .set_detection_status_reason(reason.map(str::to_string))
        .stack_drift_status(StackDriftStatus::Drifted)
        .timestamp(DateTime::from_secs(0))
        .build()
}

fn resource(
    id: &str,
    ty: &str,
    status: StackResourceDriftStatus,
    diffs: Vec<PropertyDifference>,
) -> StackResourceDrift {
    StackResourceDrift::builder()
        .stack_id("arn:aws:cloudformation:us-east-1:111111111111:stack/acme-guardduty/1")
        .logical_resource_id(id)
        .resource_type(ty)
        .stack_resource_drift_status(status)
        .set_property_differences(Some(diffs))
        .timestamp(DateTime::from_secs(0))
        .build()
}

fn difference(
    path: &str,
    expected: &str,
    actual: &str,
    kind: DifferenceType,
) -> PropertyDifference {
    PropertyDifference::builder()
        .property_path(path)
        .expected_value(expected)
        .actual_value(actual)
        .difference_type(kind)
        .build()
}

fn drifts() -> Rule {
    mock!(Client::describe_stack_resource_drifts).then_output(|| {
        DescribeStackResourceDriftsOutput::builder()
            .stack_resource_drifts(resource(
                "Detector",
                "AWS::GuardDuty::Detector",
                StackResourceDriftStatus::Modified,
                vec![
                    difference(
                        "/Features/1/Status",
                        "ENABLED",
                        "DISABLED",
                        DifferenceType::NotEqual,
                    ),
                    difference(
                        "/FindingPublishingFrequency",
                        "FIFTEEN_MINUTES",
                        "SIX_HOURS",
                        DifferenceType::NotEqual,
                    ),
                ],
            ))
            .stack_resource_drifts(resource(
                "AlertsTopic",
                "AWS::SNS::Topic",
                StackResourceDriftStatus::InSync,
                vec![],
            ))
            .stack_resource_drifts(resource(
                "AlarmRoot",
                "AWS::CloudWatch::Alarm",
                StackResourceDriftStatus::Deleted,
                vec![],
            ))
            .stack_resource_drifts(resource(
                "TopicPolicy",
                "AWS::SNS::TopicPolicy",
                StackResourceDriftStatus::NotChecked,
                vec![],
            ))
            .build()
    })
}

async fn detect(rules: &[&Rule]) -> (drift::StackCheck, diff::StackDiff) {
    let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules);
    let api = Arc::new(SdkStacks::with_client(client));
    let (tx, _rx) = mpsc::unbounded_channel();
    let mut checks = drift::detect(api, vec![job()], options(), tx).await;
    let check = checks.remove(0);
    let rendered = Template::parse(DEPLOYED).unwrap().value;
    let diff = drift::stack_diff(&check, "111111111111", &rendered);
    (check, diff)
}

fn lines(diff: &diff::StackDiff) -> Vec<String> {
    diff.changes
        .iter()
        .map(|c| format!("{} {} {:?}", c.target(), c.action.as_str(), c.impact))
        .collect()
}

#[tokio::test]
async fn modified_deleted_and_not_checked_resources_are_reported_with_their_impact() {
    let polling = mock!(Client::describe_stack_drift_detection_status)
        .sequence()
        .output(|| status(StackDriftDetectionStatus::DetectionInProgress, None))
        .times(2)
        .output(|| status(StackDriftDetectionStatus::DetectionComplete, None))
        .repeatedly()
        .build();
    let (check, diff) = detect(&[
        &stack_exists(),
        &template(),
        &detection_started(),
        &polling,
        &drifts(),
    ])
    .await;
    assert!(
        matches!(
            check.checked,
            Checked::Drifts {
                detection_failed: None,
                ..
            }
        ),
        "{:?}",
        check.checked
    );
    assert_eq!(diff.status, diff::StackStatus::Changed);
    assert_eq!(
        lines(&diff),
        [
            "Detector.Properties.Features[EKS_AUDIT_LOGS].Status modified Weakening",
            "Detector.Properties.FindingPublishingFrequency modified Weakening",
            "AlarmRoot removed Weakening",
        ]
    );
    assert!(diff.changes[2]
        .explanation
        .starts_with("deleted outside CloudFormation"));
    let not_checked: Vec<String> = diff
        .not_checked
        .iter()
        .map(|n| format!("{} {}", n.resource.clone().unwrap(), n.reason))
        .collect();
    assert_eq!(
        not_checked,
        ["TopicPolicy drift detection does not support this resource type"]
    );
}

#[tokio::test]
async fn a_failed_detection_keeps_its_partial_results_and_says_it_is_incomplete() {
    let polling = mock!(Client::describe_stack_drift_detection_status).then_output(|| {
        status(
            StackDriftDetectionStatus::DetectionFailed,
            Some("Failed to detect drift on resource [AlarmRoot]: Rate exceeded"),
        )
    });
    let (check, diff) = detect(&[
        &stack_exists(),
        &template(),
        &detection_started(),
        &polling,
        &drifts(),
    ])
    .await;
    match &check.checked {
        Checked::Drifts {
            detection_failed: Some(reason),
            ..
        } => assert!(reason.contains("Rate exceeded")),
        other => panic!("{other:?}"),
    }
    assert_eq!(diff.changes.len(), 3);
    assert!(diff.not_checked.iter().any(|n| n.resource.is_none()
        && n.reason
            .contains("drift detection failed for part of the stack")));
}

#[tokio::test]
async fn a_detection_that_never_finishes_is_not_checked() {
    let polling = mock!(Client::describe_stack_drift_detection_status)
        .then_output(|| status(StackDriftDetectionStatus::DetectionInProgress, None));
    let client = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        &[&stack_exists(), &template(), &detection_started(), &polling]
    );
    let api = Arc::new(SdkStacks::with_client(client));
    let (tx, _rx) = mpsc::unbounded_channel();
    let quick = Options {
        timeout: Duration::from_millis(600),
        ..Options::default()
    };
    let check = drift::detect(api, vec![job()], quick, tx).await.remove(0);
    let diff = drift::stack_diff(
        &check,
        "111111111111",
        &Template::parse(DEPLOYED).unwrap().value,
    );
    assert_eq!(diff.status, diff::StackStatus::Unchecked);
    assert!(
        diff.not_checked[0].reason.contains("did not finish"),
        "{:?}",
        diff.not_checked
    );
}

#[tokio::test]
async fn an_endpoint_without_drift_detection_is_named_as_such() {
    let unsupported = mock!(Client::detect_stack_drift)
        .sequence()
        .http_status(501, None)
        .repeatedly()
        .build();
    let client = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        &[&stack_exists(), &template(), &unsupported],
        |c| { c.retry_config(aws_sdk_cloudformation::config::retry::RetryConfig::disabled()) }
    );
    let api = Arc::new(SdkStacks::with_client(client));
    let (tx, _rx) = mpsc::unbounded_channel();
    let check = drift::detect(api, vec![job()], options(), tx)
        .await
        .remove(0);
    match &check.checked {
        Checked::Unsupported(m) => assert!(m.contains("does not support drift detection"), "{m}"),
        other => panic!("{other:?}"),
    }
}

fn change_set_created() -> Rule {
    mock!(Client::create_change_set)
        .match_requests(|r| r.deployment_mode() == Some(&DeploymentMode::RevertDrift))
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id("cs-1")
                .stack_id("s-1")
                .build()
        })
}

#[tokio::test]
async fn a_drift_aware_change_set_shows_live_last_deployed_and_new() {
    let described = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .change_set_id("cs-1")
            .status(ChangeSetStatus::CreateComplete)
            .deployment_mode(DeploymentMode::RevertDrift)
            .changes(
                Change::builder()
                    .r#type(ChangeType::Resource)
                    .resource_change(
                        ResourceChange::builder()
                            .action(ChangeAction::Modify)
                            .logical_resource_id("Detector")
                            .resource_type("AWS::GuardDuty::Detector")
                            .resource_drift_status(StackResourceDriftStatus::Modified)
                            .before_context(r#"{"FindingPublishingFrequency":"SIX_HOURS"}"#)
                            .previous_deployment_context(
                                r#"{"FindingPublishingFrequency":"FIFTEEN_MINUTES"}"#,
                            )
                            .after_context(r#"{"FindingPublishingFrequency":"FIFTEEN_MINUTES"}"#)
                            .details(
                                ResourceChangeDetail::builder()
                                    .target(
                                        ResourceTargetDefinition::builder()
                                            .attribute(ResourceAttribute::Properties)
                                            .name("FindingPublishingFrequency")
                                            .path("/Properties/FindingPublishingFrequency")
                                            .before_value("SIX_HOURS")
                                            .before_value_from(BeforeValueFrom::ActualState)
                                            .after_value("FIFTEEN_MINUTES")
                                            .attribute_change_type(
                                                AttributeChangeType::SyncWithActual,
                                            )
                                            .drift(
                                                LiveResourceDrift::builder()
                                                    .actual_value("SIX_HOURS")
                                                    .previous_value("FIFTEEN_MINUTES")
                                                    .build(),
                                            )
                                            .build(),
                                    )
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let client = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        &[
            &stack_exists(),
            &template(),
            &change_set_created(),
            &described
        ]
    );
    let api = Arc::new(SdkStacks::with_client(client));
    let (tx, _rx) = mpsc::unbounded_channel();
    let revert = Options {
        revert_drift: true,
        ..options()
    };
    let prepared = deploy::prepare(api, vec![job()], revert, tx).await;
    let Prepared::Pending { changes, .. } = &prepared[0].state else {
        panic!("{:?}", prepared[0].state);
    };
    let c = &changes[0];
    assert_eq!(
        c.drift_status,
        Some(cfn_baseline::aws::ResourceDriftStatus::Modified)
    );
    assert_eq!(
        c.live.as_deref(),
        Some(r#"{"FindingPublishingFrequency":"SIX_HOURS"}"#)
    );
    assert_eq!(
        c.last_deployed.as_deref(),
        Some(r#"{"FindingPublishingFrequency":"FIFTEEN_MINUTES"}"#)
    );
    let d = &c.details[0];
    assert_eq!(
        d.change_type,
        Some(cfn_baseline::aws::ChangeAction::SyncWithActual)
    );
    assert_eq!(d.actual.as_deref(), Some("SIX_HOURS"));
    assert_eq!(d.previous.as_deref(), Some("FIFTEEN_MINUTES"));
    assert_eq!(d.after.as_deref(), Some("FIFTEEN_MINUTES"));
}

#[tokio::test]
async fn an_endpoint_that_ignores_revert_drift_changes_nothing() {
    let ordinary = mock!(Client::describe_change_set).then_output(|| {
        DescribeChangeSetOutput::builder()
            .change_set_id("cs-1")
            .status(ChangeSetStatus::CreateComplete)
            .build()
    });
    let deleted = mock!(Client::delete_change_set).then_output(|| {
        aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput::builder()
            .build()
    });
    let client = mock_client!(
        aws_sdk_cloudformation,
        RuleMode::MatchAny,
        &[
            &stack_exists(),
            &template(),
            &change_set_created(),
            &ordinary,
            &deleted
        ]
    );
    let api = Arc::new(SdkStacks::with_client(client));
    let (tx, _rx) = mpsc::unbounded_channel();
    let revert = Options {
        revert_drift: true,
        ..options()
    };
    let prepared = deploy::prepare(api, vec![job()], revert, tx).await;
    match &prepared[0].state {
        Prepared::Failed(failure) => {
            assert_eq!(failure.kind, FailureKind::RevertUnsupported);
            let reason = failure.to_string();
            assert!(
                reason.contains("DeploymentMode REVERT_DRIFT is not supported"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        deleted.num_calls(),
        1,
        "the ordinary change set must be deleted"
    );
}

#[tokio::test]
async fn drift_reports_read_like_diff_reports() {
    let polling = mock!(Client::describe_stack_drift_detection_status)
        .then_output(|| status(StackDriftDetectionStatus::DetectionComplete, None));
    let (_, stack) = detect(&[
        &stack_exists(),
        &template(),
        &detection_started(),
        &polling,
        &drifts(),
    ])
    .await;
    let report = diff::Report {
        kind: diff::Kind::Drift,
        new_label: "live state of account 111111111111".into(),
        old_label: "baseline.yaml".into(),
        notes: vec![],
        stacks: vec![stack],
    };
    insta::assert_snapshot!("drift_markdown", diff::markdown(&report));
    insta::assert_snapshot!("drift_text", diff::text(&report, false));
    let json: serde_json::Value = serde_json::from_str(&diff::json(&report)).unwrap();
    assert_eq!(json["format"], "cfn-baseline-drift");
    assert_eq!(json["complete"], false);
    assert_eq!(json["summary"]["not_checked"], 1);
}
