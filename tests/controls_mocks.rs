//! Security Hub's control API through the real SDK client with canned responses (the
//! emulator does not implement it). The shapes follow the Security Hub API reference:
//! GetEnabledStandards, DescribeStandardsControls, BatchGetStandardsControlAssociations and
//! BatchUpdateStandardsControlAssociations.

use aws_sdk_securityhub::operation::batch_get_standards_control_associations::BatchGetStandardsControlAssociationsOutput;
use aws_sdk_securityhub::operation::batch_update_standards_control_associations::BatchUpdateStandardsControlAssociationsOutput;
use aws_sdk_securityhub::operation::describe_standards_controls::DescribeStandardsControlsOutput;
use aws_sdk_securityhub::operation::get_enabled_standards::{
    GetEnabledStandardsError, GetEnabledStandardsOutput,
};
use aws_sdk_securityhub::types::error::InvalidAccessException;
use aws_sdk_securityhub::types::*;
use aws_sdk_securityhub::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use cfn_baseline::aws::{ApiError, ControlsApi, SdkStacks};
use cfn_baseline::settings::{ControlSettings, ControlUpdate};

const FSBP: &str =
    "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0";
const CIS: &str = "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/5.0.0";
const PCI: &str = "arn:aws:securityhub:eu-west-1::standards/pci-dss/v/4.0.1";

fn api(rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, rules);
    let cfn = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::Config::builder()
            .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
            .region(aws_sdk_cloudformation::config::Region::new("eu-west-1"))
            .build(),
    );
    SdkStacks::with_client(cfn).with_securityhub(client)
}

fn enabled() -> Rule {
    mock!(Client::get_enabled_standards).then_output(|| {
        let sub = |arn: &str, name: &str| {
            StandardsSubscription::builder()
                .standards_arn(arn)
                .standards_subscription_arn(format!(
                    "arn:aws:securityhub:eu-west-1:111122223333:subscription/{name}"
                ))
                .standards_status(StandardsStatus::Ready)
                .build()
        };
        GetEnabledStandardsOutput::builder()
            // PCI is on but not the baseline's: it is not read.
            .standards_subscriptions(sub(FSBP, "fsbp"))
            .standards_subscriptions(sub(CIS, "cis"))
            .standards_subscriptions(sub(PCI, "pci"))
            .build()
    })
}

#[tokio::test]
async fn associations_are_read_for_the_asked_and_the_earlier_disabled_controls() {
    let describe = mock!(Client::describe_standards_controls)
        .match_requests(|r| r.standards_subscription_arn() == Some("arn:aws:securityhub:eu-west-1:111122223333:subscription/fsbp"))
        .then_output(|| {
            DescribeStandardsControlsOutput::builder()
                .controls(
                    StandardsControl::builder()
                        .standards_control_arn("arn:aws:securityhub:eu-west-1:111122223333:control/aws-foundational-security-best-practices/v/1.0.0/S3.1")
                        .control_status(ControlStatus::Disabled)
                        .disabled_reason("cfn-baseline [S3.1]: no buckets here")
                        .build(),
                )
                .controls(
                    StandardsControl::builder()
                        .control_status(ControlStatus::Disabled)
                        .disabled_reason("by hand")
                        .build(),
                )
                .build()
        });
    let describe_cis = mock!(Client::describe_standards_controls)
        .match_requests(|r| {
            r.standards_subscription_arn()
                == Some("arn:aws:securityhub:eu-west-1:111122223333:subscription/cis")
        })
        .then_output(|| DescribeStandardsControlsOutput::builder().build());
    let batch_get = mock!(Client::batch_get_standards_control_associations)
        .match_requests(|r| {
            // IAM.6 (asked) and S3.1 (found by its reason), in FSBP and CIS: 4 ids.
            r.standards_control_association_ids().len() == 4
        })
        .then_output(|| {
            let detail = |std: &str, id: &str, status: AssociationStatus, reason: Option<&str>| {
                StandardsControlAssociationDetail::builder()
                    .standards_arn(std)
                    .security_control_id(id)
                    .security_control_arn(format!(
                        "arn:aws:securityhub:eu-west-1:111122223333:security-control/{id}"
                    ))
                    .association_status(status)
                    .set_updated_reason(reason.map(str::to_string))
                    .build()
            };
            BatchGetStandardsControlAssociationsOutput::builder()
                .standards_control_association_details(detail(
                    FSBP,
                    "IAM.6",
                    AssociationStatus::Enabled,
                    None,
                ))
                .standards_control_association_details(detail(
                    CIS,
                    "IAM.6",
                    AssociationStatus::Disabled,
                    Some("cfn-baseline [IAM.6]: mfa"),
                ))
                .standards_control_association_details(detail(
                    FSBP,
                    "S3.1",
                    AssociationStatus::Disabled,
                    Some("cfn-baseline [S3.1]: no buckets here"),
                ))
                // S3.1 is not in CIS v5: unprocessed.
                .unprocessed_associations(
                    UnprocessedStandardsControlAssociation::builder()
                        .standards_control_association_id(
                            StandardsControlAssociationId::builder()
                                .standards_arn(CIS)
                                .security_control_id("S3.1")
                                .build(),
                        )
                        .error_code(UnprocessedErrorCode::ResourceNotFound)
                        .build(),
                )
                .build()
        });
    let api = api(&[&enabled(), &describe, &describe_cis, &batch_get]);
    let live = api
        .controls(
            "eu-west-1",
            &[FSBP.to_string(), CIS.to_string()],
            &["IAM.6".to_string()],
        )
        .await
        .unwrap();
    assert!(live.hub_enabled);
    assert_eq!(live.associations.len(), 3, "{:?}", live.associations);
    let wanted = ControlSettings {
        region: "eu-west-1".into(),
        standards: vec![FSBP.into(), CIS.into()],
        disabled: [("IAM.6".to_string(), "mfa".to_string())].into(),
    };
    // IAM.6 is still on in FSBP; S3.1 was ours and is no longer wanted.
    assert!(!live.disabled(&wanted).contains_key("IAM.6"));
    let updates = live.updates(&wanted);
    let summary: Vec<(&str, &str, bool)> = updates
        .iter()
        .map(|u| (u.standards_arn.as_str(), u.control.as_str(), u.disable))
        .collect();
    assert_eq!(summary, [(FSBP, "IAM.6", true), (FSBP, "S3.1", false)]);
}

#[tokio::test]
async fn security_hub_off_reads_as_nothing_yet() {
    let off = mock!(Client::get_enabled_standards).then_error(|| {
        GetEnabledStandardsError::InvalidAccessException(
            InvalidAccessException::builder()
                .message("Account 111122223333 is not subscribed to AWS Security Hub")
                .code("InvalidAccessException")
                .build(),
        )
    });
    let live = api(&[&off])
        .controls("eu-west-1", &[FSBP.to_string()], &["IAM.6".to_string()])
        .await
        .unwrap();
    assert!(!live.hub_enabled);
}

#[tokio::test]
async fn updates_report_controls_a_standard_lacks_and_fail_on_anything_else() {
    let update = |std: &str, id: &str| ControlUpdate {
        standards_arn: std.into(),
        control: id.into(),
        disable: true,
        reason: Some(format!("cfn-baseline [{id}]: r")),
    };
    let partly = mock!(Client::batch_update_standards_control_associations)
        .match_requests(|r| {
            r.standards_control_association_updates().iter().all(|u| {
                u.association_status() == Some(&AssociationStatus::Disabled)
                    && u.updated_reason()
                        .is_some_and(|r| r.starts_with("cfn-baseline ["))
            })
        })
        .then_output(|| {
            BatchUpdateStandardsControlAssociationsOutput::builder()
                .unprocessed_association_updates(
                    UnprocessedStandardsControlAssociationUpdate::builder()
                        .standards_control_association_update(
                            StandardsControlAssociationUpdate::builder()
                                .standards_arn(CIS)
                                .security_control_id("S3.1")
                                .association_status(AssociationStatus::Disabled)
                                .build(),
                        )
                        .error_code(UnprocessedErrorCode::ResourceNotFound)
                        .build(),
                )
                .build()
        });
    let not_found = api(&[&partly])
        .update_controls("eu-west-1", &[update(FSBP, "S3.1"), update(CIS, "S3.1")])
        .await
        .unwrap();
    assert_eq!(not_found, [update(CIS, "S3.1")]);

    let denied = mock!(Client::batch_update_standards_control_associations).then_output(|| {
        BatchUpdateStandardsControlAssociationsOutput::builder()
            .unprocessed_association_updates(
                UnprocessedStandardsControlAssociationUpdate::builder()
                    .standards_control_association_update(
                        StandardsControlAssociationUpdate::builder()
                            .standards_arn(FSBP)
                            .security_control_id("IAM.6")
                            .association_status(AssociationStatus::Disabled)
                            .build(),
                    )
                    .error_code(UnprocessedErrorCode::AccessDenied)
                    .error_reason("not allowed")
                    .build(),
            )
            .build()
    });
    let err = api(&[&denied])
        .update_controls("eu-west-1", &[update(FSBP, "IAM.6")])
        .await
        .unwrap_err();
    match err {
        ApiError::Api { code, message } => {
            assert_eq!(code, "ACCESS_DENIED");
            assert!(
                message.contains("IAM.6") && message.contains("not allowed"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// An association Security Hub could not read (throttled, denied: anything but "not in this
/// standard") fails the read instead of counting as a control already disabled.
#[tokio::test]
async fn an_association_security_hub_could_not_read_fails_the_read() {
    let describe = mock!(Client::describe_standards_controls)
        .then_output(|| DescribeStandardsControlsOutput::builder().build());
    let batch_get = mock!(Client::batch_get_standards_control_associations).then_output(|| {
        BatchGetStandardsControlAssociationsOutput::builder()
            .unprocessed_associations(
                UnprocessedStandardsControlAssociation::builder()
                    .standards_control_association_id(
                        StandardsControlAssociationId::builder()
                            .standards_arn(FSBP)
                            .security_control_id("IAM.6")
                            .build(),
                    )
                    .error_code(UnprocessedErrorCode::LimitExceeded)
                    .error_reason("Rate exceeded")
                    .build(),
            )
            .build()
    });
    let err = api(&[&enabled(), &describe, &batch_get])
        .controls("eu-west-1", &[FSBP.to_string()], &["IAM.6".to_string()])
        .await
        .expect_err("an unread control is not in sync");
    match err {
        ApiError::Api { code, message } => {
            assert_eq!(code, "LIMIT_EXCEEDED");
            assert!(
                message.contains("could not read IAM.6") && message.contains("Rate exceeded"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}
