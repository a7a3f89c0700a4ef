//! The account settings the emulator does not implement, through the real EC2 and SSM
//! clients with canned responses: the instance metadata defaults, the snapshot and AMI
//! public access blocks, and the SSM service setting for public document sharing. The
//! shapes follow the EC2 API reference (GetInstanceMetadataDefaults,
//! ModifyInstanceMetadataDefaults, Get/EnableSnapshotBlockPublicAccess(State),
//! Get/EnableImageBlockPublicAccess(State)) and the SSM API reference (GetServiceSetting,
//! UpdateServiceSetting, ServiceSettingNotFound). Each test stands in for what AWS answers
//! in an account that never set the setting, one that set it, and what `deploy` sends.
//! Shield Advanced's proactive engagement the same way, through the real Shield client.

use aws_sdk_ec2::operation::enable_image_block_public_access::EnableImageBlockPublicAccessOutput;
use aws_sdk_ec2::operation::enable_snapshot_block_public_access::EnableSnapshotBlockPublicAccessOutput;
use aws_sdk_ec2::operation::get_image_block_public_access_state::GetImageBlockPublicAccessStateOutput;
use aws_sdk_ec2::operation::get_instance_metadata_defaults::GetInstanceMetadataDefaultsOutput;
use aws_sdk_ec2::operation::get_snapshot_block_public_access_state::GetSnapshotBlockPublicAccessStateOutput;
use aws_sdk_ec2::operation::modify_instance_metadata_defaults::ModifyInstanceMetadataDefaultsOutput;
use aws_sdk_ec2::types::{
    HttpTokensState, ImageBlockPublicAccessEnabledState, InstanceMetadataDefaultsResponse,
    MetadataDefaultHttpTokensState, SnapshotBlockPublicAccessState,
};
use aws_sdk_ssm::operation::get_service_setting::{
    GetServiceSettingError, GetServiceSettingOutput,
};
use aws_sdk_ssm::operation::update_service_setting::UpdateServiceSettingOutput;
use aws_sdk_ssm::types::error::ServiceSettingNotFound;
use aws_sdk_ssm::types::ServiceSetting;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use cfn_baseline::aws::{SdkStacks, SettingsApi};
use cfn_baseline::settings::{Setting, SSM_DOCUMENT_SHARING_SETTING};
use serde_json::json;

const ACCOUNT: &str = "111122223333";
const REGION: &str = "eu-west-1";

fn cloudformation() -> aws_sdk_cloudformation::Client {
    aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::Config::builder()
            .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
            .region(aws_sdk_cloudformation::config::Region::new(REGION))
            .build(),
    )
}

fn ec2(rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_ec2, RuleMode::MatchAny, rules);
    SdkStacks::with_client(cloudformation()).with_ec2(client)
}

fn ssm(rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_ssm, RuleMode::MatchAny, rules);
    SdkStacks::with_client(cloudformation()).with_ssm(client)
}

async fn read(api: &SdkStacks, setting: Setting) -> Option<serde_json::Value> {
    api.read_setting(setting, ACCOUNT, REGION).await.unwrap()
}

async fn apply(api: &SdkStacks, setting: Setting) {
    let on = setting.on_properties().unwrap();
    api.apply_setting(setting, ACCOUNT, REGION, &on)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_imds_default_is_read_and_set_to_required() {
    // Never set: the account level is absent, and new instances follow their AMI.
    let unset = mock!(aws_sdk_ec2::Client::get_instance_metadata_defaults)
        .then_output(|| GetInstanceMetadataDefaultsOutput::builder().build());
    assert_eq!(
        read(&ec2(&[&unset]), Setting::Imdsv2Default).await,
        Some(json!({"HttpTokens": "no-preference"}))
    );
    let optional = mock!(aws_sdk_ec2::Client::get_instance_metadata_defaults).then_output(|| {
        GetInstanceMetadataDefaultsOutput::builder()
            .account_level(
                InstanceMetadataDefaultsResponse::builder()
                    .http_tokens(HttpTokensState::Optional)
                    .build(),
            )
            .build()
    });
    assert_eq!(
        read(&ec2(&[&optional]), Setting::Imdsv2Default).await,
        Some(json!({"HttpTokens": "optional"}))
    );
    // deploy asks for tokens to be required, and only that.
    let modify = mock!(aws_sdk_ec2::Client::modify_instance_metadata_defaults)
        .match_requests(|r| {
            r.http_tokens() == Some(&MetadataDefaultHttpTokensState::Required)
                && r.http_put_response_hop_limit().is_none()
                && r.http_endpoint().is_none()
        })
        .then_output(|| {
            ModifyInstanceMetadataDefaultsOutput::builder()
                .r#return(true)
                .build()
        });
    let api = ec2(&[&modify]);
    apply(&api, Setting::Imdsv2Default).await;
    assert_eq!(modify.num_calls(), 1);
}

#[tokio::test]
async fn the_snapshot_block_is_read_and_set_to_block_all_sharing() {
    let unset = mock!(aws_sdk_ec2::Client::get_snapshot_block_public_access_state)
        .then_output(|| GetSnapshotBlockPublicAccessStateOutput::builder().build());
    assert_eq!(
        read(&ec2(&[&unset]), Setting::SnapshotPublicAccess).await,
        Some(json!({"State": "unblocked"}))
    );
    let new_only =
        mock!(aws_sdk_ec2::Client::get_snapshot_block_public_access_state).then_output(|| {
            GetSnapshotBlockPublicAccessStateOutput::builder()
                .state(SnapshotBlockPublicAccessState::BlockNewSharing)
                .build()
        });
    assert_eq!(
        read(&ec2(&[&new_only]), Setting::SnapshotPublicAccess).await,
        Some(json!({"State": "block-new-sharing"}))
    );
    let enable = mock!(aws_sdk_ec2::Client::enable_snapshot_block_public_access)
        .match_requests(|r| r.state() == Some(&SnapshotBlockPublicAccessState::BlockAllSharing))
        .then_output(|| EnableSnapshotBlockPublicAccessOutput::builder().build());
    let api = ec2(&[&enable]);
    apply(&api, Setting::SnapshotPublicAccess).await;
    assert_eq!(enable.num_calls(), 1);
}

#[tokio::test]
async fn the_ami_block_is_read_and_set_to_block_new_sharing() {
    let unblocked =
        mock!(aws_sdk_ec2::Client::get_image_block_public_access_state).then_output(|| {
            GetImageBlockPublicAccessStateOutput::builder()
                .image_block_public_access_state("unblocked")
                .build()
        });
    assert_eq!(
        read(&ec2(&[&unblocked]), Setting::ImagePublicAccess).await,
        Some(json!({"ImageBlockPublicAccessState": "unblocked"}))
    );
    let enable = mock!(aws_sdk_ec2::Client::enable_image_block_public_access)
        .match_requests(|r| {
            r.image_block_public_access_state()
                == Some(&ImageBlockPublicAccessEnabledState::BlockNewSharing)
        })
        .then_output(|| EnableImageBlockPublicAccessOutput::builder().build());
    let api = ec2(&[&enable]);
    apply(&api, Setting::ImagePublicAccess).await;
    assert_eq!(enable.num_calls(), 1);
}

#[tokio::test]
async fn public_document_sharing_is_read_and_disabled() {
    let enabled = mock!(aws_sdk_ssm::Client::get_service_setting)
        .match_requests(|r| r.setting_id() == Some(SSM_DOCUMENT_SHARING_SETTING))
        .then_output(|| {
            GetServiceSettingOutput::builder()
                .service_setting(
                    ServiceSetting::builder()
                        .setting_id(SSM_DOCUMENT_SHARING_SETTING)
                        .setting_value("Enable")
                        .status("Default")
                        .build(),
                )
                .build()
        });
    assert_eq!(
        read(&ssm(&[&enabled]), Setting::SsmDocumentSharing).await,
        Some(json!({"SettingId": SSM_DOCUMENT_SHARING_SETTING, "SettingValue": "Enable"}))
    );
    // A region where the setting was never created answers ServiceSettingNotFound.
    let missing = mock!(aws_sdk_ssm::Client::get_service_setting).then_error(|| {
        GetServiceSettingError::ServiceSettingNotFound(
            ServiceSettingNotFound::builder()
                .message("the setting does not exist")
                .build(),
        )
    });
    assert_eq!(
        read(&ssm(&[&missing]), Setting::SsmDocumentSharing).await,
        None
    );
    let update = mock!(aws_sdk_ssm::Client::update_service_setting)
        .match_requests(|r| {
            r.setting_id() == Some(SSM_DOCUMENT_SHARING_SETTING)
                && r.setting_value() == Some("Disable")
        })
        .then_output(|| UpdateServiceSettingOutput::builder().build());
    let api = ssm(&[&update]);
    apply(&api, Setting::SsmDocumentSharing).await;
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn default_host_management_is_read_and_pointed_at_the_baselines_role() {
    use cfn_baseline::settings::DEFAULT_HOST_MANAGEMENT_SETTING;
    // Never configured: AWS answers the setting's default value, `$None`.
    let unset = mock!(aws_sdk_ssm::Client::get_service_setting)
        .match_requests(|r| r.setting_id() == Some(DEFAULT_HOST_MANAGEMENT_SETTING))
        .then_output(|| {
            GetServiceSettingOutput::builder()
                .service_setting(
                    ServiceSetting::builder()
                        .setting_id(DEFAULT_HOST_MANAGEMENT_SETTING)
                        .setting_value("$None")
                        .status("Default")
                        .build(),
                )
                .build()
        });
    assert_eq!(
        read(&ssm(&[&unset]), Setting::DefaultHostManagement).await,
        Some(json!({"SettingId": DEFAULT_HOST_MANAGEMENT_SETTING, "SettingValue": "$None"}))
    );
    let update = mock!(aws_sdk_ssm::Client::update_service_setting)
        .match_requests(|r| {
            r.setting_id() == Some(DEFAULT_HOST_MANAGEMENT_SETTING)
                && r.setting_value() == Some("service-role/acme-default-host-management")
        })
        .then_output(|| UpdateServiceSettingOutput::builder().build());
    let api = ssm(&[&update]);
    let wanted = json!({
        "SettingId": DEFAULT_HOST_MANAGEMENT_SETTING,
        "SettingValue": "service-role/acme-default-host-management",
    });
    api.apply_setting(Setting::DefaultHostManagement, ACCOUNT, REGION, &wanted)
        .await
        .unwrap();
    assert_eq!(update.num_calls(), 1);
}

fn shield(rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_shield, RuleMode::MatchAny, rules);
    SdkStacks::with_client(cloudformation()).with_shield(client)
}

fn subscription(status: Option<aws_sdk_shield::types::ProactiveEngagementStatus>) -> Rule {
    use aws_sdk_shield::operation::describe_subscription::DescribeSubscriptionOutput;
    use aws_sdk_shield::types::{Subscription, SubscriptionLimits};
    mock!(aws_sdk_shield::Client::describe_subscription).then_output(move || {
        DescribeSubscriptionOutput::builder()
            .subscription(
                Subscription::builder()
                    .set_proactive_engagement_status(status.clone())
                    .subscription_limits(SubscriptionLimits::builder().build())
                    .build(),
            )
            .build()
    })
}

/// Shield Advanced's proactive engagement and emergency contacts, which the emulator does
/// not implement (Shield API reference: DescribeSubscription's ProactiveEngagementStatus is
/// absent until engagement was first set up, which AssociateProactiveEngagementDetails
/// does with the contacts; afterwards UpdateEmergencyContactSettings and
/// EnableProactiveEngagement).
#[tokio::test]
async fn shield_proactive_engagement_is_read_and_switched_on_with_the_security_contact() {
    use aws_sdk_shield::operation::associate_proactive_engagement_details::AssociateProactiveEngagementDetailsOutput;
    use aws_sdk_shield::operation::describe_emergency_contact_settings::DescribeEmergencyContactSettingsOutput;
    use aws_sdk_shield::operation::enable_proactive_engagement::EnableProactiveEngagementOutput;
    use aws_sdk_shield::operation::list_protections::{
        ListProtectionsError, ListProtectionsOutput,
    };
    use aws_sdk_shield::operation::update_emergency_contact_settings::UpdateEmergencyContactSettingsOutput;
    use aws_sdk_shield::types::error::ResourceNotFoundException;
    use aws_sdk_shield::types::{EmergencyContact, ProactiveEngagementStatus, Protection};

    let wanted = json!({
        "ProactiveEngagementStatus": "ENABLED",
        "EmergencyContacts": [{
            "EmailAddress": "security@example.com",
            "PhoneNumber": "+1 206 555 0100",
            "ContactNotes": "Security team",
        }],
    });
    let contact_sent = |list: &[EmergencyContact]| {
        matches!(list, [c] if c.email_address() == "security@example.com"
            && c.phone_number() == Some("+1 206 555 0100")
            && c.contact_notes() == Some("Security team"))
    };

    // Subscribed, never set up: nothing protected ("not found"), no contacts.
    let never = subscription(None);
    let none_protected = mock!(aws_sdk_shield::Client::list_protections).then_error(|| {
        ListProtectionsError::ResourceNotFoundException(
            ResourceNotFoundException::builder().build(),
        )
    });
    let no_contacts = mock!(aws_sdk_shield::Client::describe_emergency_contact_settings)
        .then_output(|| DescribeEmergencyContactSettingsOutput::builder().build());
    let associate = mock!(aws_sdk_shield::Client::associate_proactive_engagement_details)
        .match_requests(move |r| contact_sent(r.emergency_contact_list()))
        .then_output(|| AssociateProactiveEngagementDetailsOutput::builder().build());
    let api = shield(&[&never, &none_protected, &no_contacts, &associate]);
    let live = api
        .read_setting(Setting::ShieldAdvanced, ACCOUNT, "global")
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(json!({
            "Subscription": "ACTIVE",
            "ProactiveEngagementStatus": "DISABLED",
            "Protections": [],
            "EmergencyContacts": [],
        }))
    );
    api.apply_setting(Setting::ShieldAdvanced, ACCOUNT, "global", &wanted)
        .await
        .unwrap();
    assert_eq!(associate.num_calls(), 1, "set up in one call");

    // Set up once and switched off since: the contacts are written, then engagement on.
    let disabled = subscription(Some(ProactiveEngagementStatus::Disabled));
    let protected = mock!(aws_sdk_shield::Client::list_protections).then_output(|| {
        ListProtectionsOutput::builder()
            .protections(
                Protection::builder()
                    .resource_arn("arn:aws:cloudfront::111122223333:distribution/E1")
                    .build(),
            )
            .build()
    });
    let contacts =
        mock!(aws_sdk_shield::Client::describe_emergency_contact_settings).then_output(|| {
            DescribeEmergencyContactSettingsOutput::builder()
                .emergency_contact_list(
                    EmergencyContact::builder()
                        .email_address("old@example.com")
                        .build()
                        .unwrap(),
                )
                .build()
        });
    let update = mock!(aws_sdk_shield::Client::update_emergency_contact_settings)
        .match_requests(move |r| contact_sent(r.emergency_contact_list()))
        .then_output(|| UpdateEmergencyContactSettingsOutput::builder().build());
    let enable = mock!(aws_sdk_shield::Client::enable_proactive_engagement)
        .then_output(|| EnableProactiveEngagementOutput::builder().build());
    let api = shield(&[&disabled, &protected, &contacts, &update, &enable]);
    let live = api
        .read_setting(Setting::ShieldAdvanced, ACCOUNT, "global")
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(json!({
            "Subscription": "ACTIVE",
            "ProactiveEngagementStatus": "DISABLED",
            "Protections": ["arn:aws:cloudfront::111122223333:distribution/E1"],
            "EmergencyContacts": [
                {"EmailAddress": "old@example.com", "PhoneNumber": "", "ContactNotes": ""}
            ],
        }))
    );
    api.apply_setting(Setting::ShieldAdvanced, ACCOUNT, "global", &wanted)
        .await
        .unwrap();
    assert_eq!((update.num_calls(), enable.num_calls()), (1, 1));
    assert_eq!(associate.num_calls(), 1, "not set up a second time");
}

/// Shield Advanced's protections in a subscribed account (the emulator cannot play one, see
/// tests/drift_emulator.rs): each listed resource is protected under the baseline's name; one
/// protected already (AWS: ResourceAlreadyExistsException) is left as it is. An account that
/// does not subscribe is refused with a sentence, never subscribed.
#[tokio::test]
async fn shield_protections_are_created_and_a_missing_subscription_is_refused() {
    use aws_sdk_shield::operation::create_protection::{
        CreateProtectionError, CreateProtectionOutput,
    };
    use aws_sdk_shield::operation::describe_subscription::DescribeSubscriptionError;
    use aws_sdk_shield::types::error::{ResourceAlreadyExistsException, ResourceNotFoundException};
    use aws_sdk_shield::types::ProactiveEngagementStatus;

    let alb =
        "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/web/50dc6c495c0c9188";
    let cdn = "arn:aws:cloudfront::111122223333:distribution/E1";
    let wanted = json!({"Protections": [alb, cdn]});
    let on = subscription(Some(ProactiveEngagementStatus::Enabled));
    let create_alb = mock!(aws_sdk_shield::Client::create_protection)
        .match_requests(move |r| {
            r.resource_arn() == Some(alb)
                && r.name() == Some("cfn-baseline-loadbalancer-app-web-50dc6c495c0c9188")
        })
        .then_output(|| {
            CreateProtectionOutput::builder()
                .protection_id("p-1")
                .build()
        });
    let create_cdn = mock!(aws_sdk_shield::Client::create_protection)
        .match_requests(move |r| r.resource_arn() == Some(cdn))
        .then_error(|| {
            CreateProtectionError::ResourceAlreadyExistsException(
                ResourceAlreadyExistsException::builder().build(),
            )
        });
    let api = shield(&[&on, &create_alb, &create_cdn]);
    api.apply_setting(Setting::ShieldAdvanced, ACCOUNT, "global", &wanted)
        .await
        .unwrap();
    assert_eq!((create_alb.num_calls(), create_cdn.num_calls()), (1, 1));

    let off = mock!(aws_sdk_shield::Client::describe_subscription).then_error(|| {
        DescribeSubscriptionError::ResourceNotFoundException(
            ResourceNotFoundException::builder().build(),
        )
    });
    let api = shield(&[&off]);
    assert_eq!(
        api.read_setting(Setting::ShieldAdvanced, ACCOUNT, "global")
            .await
            .unwrap(),
        Some(json!({"Subscription": "INACTIVE"}))
    );
    let refused = api
        .apply_setting(Setting::ShieldAdvanced, ACCOUNT, "global", &wanted)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        refused
            .contains("does not subscribe to Shield Advanced, and the baseline never subscribes"),
        "{refused}"
    );
}

fn macie(rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_macie2, RuleMode::MatchAny, rules);
    SdkStacks::with_client(cloudformation()).with_macie(client)
}

/// Macie's jobs as listed: one of the baseline's (`job-1`, weekly on Mondays over one
/// bucket) and one of someone else's; and `job-1` described.
fn macie_jobs_live() -> (Rule, Rule) {
    use aws_sdk_macie2::operation::describe_classification_job::DescribeClassificationJobOutput;
    use aws_sdk_macie2::operation::list_classification_jobs::ListClassificationJobsOutput;
    use aws_sdk_macie2::types::{
        DayOfWeek, JobScheduleFrequency, JobStatus, JobSummary, JobType,
        ManagedDataIdentifierSelector, S3BucketDefinitionForJob, S3JobDefinition, WeeklySchedule,
    };
    // One job of the baseline's, weekly on Mondays over one bucket, and one of someone else's.
    let listed = mock!(aws_sdk_macie2::Client::list_classification_jobs).then_output(|| {
        ListClassificationJobsOutput::builder()
            .items(
                JobSummary::builder()
                    .job_id("job-1")
                    .name("cfn-baseline-uploads")
                    .job_status(JobStatus::Idle)
                    .build(),
            )
            .items(
                JobSummary::builder()
                    .job_id("job-2")
                    .name("quarterly-audit")
                    .job_status(JobStatus::Idle)
                    .build(),
            )
            .build()
    });
    let described = mock!(aws_sdk_macie2::Client::describe_classification_job)
        .match_requests(|r| r.job_id() == Some("job-1"))
        .then_output(|| {
            DescribeClassificationJobOutput::builder()
                .job_id("job-1")
                .name("cfn-baseline-uploads")
                .job_type(JobType::Scheduled)
                .schedule_frequency(
                    JobScheduleFrequency::builder()
                        .weekly_schedule(
                            WeeklySchedule::builder()
                                .day_of_week(DayOfWeek::Monday)
                                .build(),
                        )
                        .build(),
                )
                .s3_job_definition(
                    S3JobDefinition::builder()
                        .bucket_definitions(
                            S3BucketDefinitionForJob::builder()
                                .account_id(ACCOUNT)
                                .buckets("acme-uploads")
                                .build(),
                        )
                        .build(),
                )
                .managed_data_identifier_selector(ManagedDataIdentifierSelector::Recommended)
                .build()
        });
    (listed, described)
}

/// Macie's discovery jobs, which neither CloudFormation nor the emulator knows (Macie API
/// reference: ListClassificationJobs, DescribeClassificationJob, CreateClassificationJob,
/// UpdateClassificationJob with jobStatus CANCELLED, the only change a job takes). The
/// baseline's jobs are those named `cfn-baseline-<name>`; others are not its business.
#[tokio::test]
async fn macie_jobs_are_read_created_and_replaced_when_changed() {
    use aws_sdk_macie2::operation::create_classification_job::CreateClassificationJobOutput;
    use aws_sdk_macie2::operation::update_classification_job::UpdateClassificationJobOutput;
    use aws_sdk_macie2::types::{JobStatus, JobType, ManagedDataIdentifierSelector};

    let (listed, described) = macie_jobs_live();
    let api = macie(&[&listed, &described]);
    let live = api
        .read_setting(Setting::MacieJobs, ACCOUNT, REGION)
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(json!({"Jobs": {"uploads": {
            "Buckets": ["acme-uploads"],
            "Schedule": "weekly:MONDAY",
            "ManagedDataIdentifiers": "RECOMMENDED",
        }}}))
    );
    assert_eq!(described.num_calls(), 1, "someone else's job is not read");

    // The baseline now wants it daily over two buckets, with a second job run once: the
    // first is cancelled and created anew, the second created; the other job is left alone.
    let cancel = mock!(aws_sdk_macie2::Client::update_classification_job)
        .match_requests(|r| {
            r.job_id() == Some("job-1") && r.job_status() == Some(&JobStatus::Cancelled)
        })
        .then_output(|| UpdateClassificationJobOutput::builder().build());
    let create_daily = mock!(aws_sdk_macie2::Client::create_classification_job)
        .match_requests(|r| {
            r.name() == Some("cfn-baseline-uploads")
                && r.job_type() == Some(&JobType::Scheduled)
                && r.schedule_frequency()
                    .is_some_and(|f| f.daily_schedule().is_some())
                && r.initial_run() == Some(true)
                && r.s3_job_definition().is_some_and(|d| {
                    d.bucket_definitions().len() == 1
                        && d.bucket_definitions()[0].account_id() == Some(ACCOUNT)
                        && d.bucket_definitions()[0].buckets() == ["acme-exports", "acme-uploads"]
                })
        })
        .then_output(|| {
            CreateClassificationJobOutput::builder()
                .job_id("job-3")
                .build()
        });
    let create_once = mock!(aws_sdk_macie2::Client::create_classification_job)
        .match_requests(|r| {
            r.name() == Some("cfn-baseline-archive")
                && r.job_type() == Some(&JobType::OneTime)
                && r.schedule_frequency().is_none()
                && r.managed_data_identifier_selector()
                    == Some(&ManagedDataIdentifierSelector::Include)
                && r.managed_data_identifier_ids() == ["AWS_CREDENTIALS"]
        })
        .then_output(|| {
            CreateClassificationJobOutput::builder()
                .job_id("job-4")
                .build()
        });
    let api = macie(&[&listed, &described, &cancel, &create_daily, &create_once]);
    let wanted = json!({"Jobs": {
        "uploads": {
            "Buckets": ["acme-exports", "acme-uploads"],
            "Schedule": "daily",
            "ManagedDataIdentifiers": "RECOMMENDED",
        },
        "archive": {
            "Buckets": ["acme-archive"],
            "Schedule": "once",
            "ManagedDataIdentifiers": ["AWS_CREDENTIALS"],
        },
    }});
    api.apply_setting(Setting::MacieJobs, ACCOUNT, REGION, &wanted)
        .await
        .unwrap();
    assert_eq!(
        (
            cancel.num_calls(),
            create_daily.num_calls(),
            create_once.num_calls()
        ),
        (1, 1, 1)
    );

    // As wanted already: nothing is sent.
    let same = json!({"Jobs": {"uploads": {
        "Buckets": ["acme-uploads"],
        "Schedule": "weekly:MONDAY",
        "ManagedDataIdentifiers": "RECOMMENDED",
    }}});
    let api = macie(&[&listed, &described, &cancel, &create_daily, &create_once]);
    api.apply_setting(Setting::MacieJobs, ACCOUNT, REGION, &same)
        .await
        .unwrap();
    assert_eq!(
        (
            cancel.num_calls(),
            create_daily.num_calls(),
            create_once.num_calls()
        ),
        (1, 1, 1)
    );
}

/// A changed job is created anew before the old one is cancelled, so the inspection never
/// stops; a create that fails cancels nothing. Each create carries an idempotency token, the
/// same on a retry of the same job.
#[tokio::test]
async fn a_changed_macie_job_is_replaced_before_the_old_one_is_cancelled() {
    use aws_sdk_macie2::operation::create_classification_job::{
        CreateClassificationJobError, CreateClassificationJobOutput,
    };
    use aws_sdk_macie2::operation::update_classification_job::UpdateClassificationJobOutput;
    use aws_sdk_macie2::types::error::ValidationException;
    use std::sync::{Arc, Mutex};

    let daily = json!({"Jobs": {"uploads": {
        "Buckets": ["acme-uploads"],
        "Schedule": "daily",
        "ManagedDataIdentifiers": "RECOMMENDED",
    }}});
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let (listed, described) = macie_jobs_live();
    let log = calls.clone();
    let create = mock!(aws_sdk_macie2::Client::create_classification_job)
        .match_requests(|r| {
            r.client_token()
                .is_some_and(|t| t.starts_with("cfn-baseline-"))
        })
        .then_output(move || {
            log.lock().unwrap().push("create".into());
            CreateClassificationJobOutput::builder()
                .job_id("job-3")
                .build()
        });
    let log = calls.clone();
    let cancel = mock!(aws_sdk_macie2::Client::update_classification_job)
        .match_requests(|r| r.job_id() == Some("job-1"))
        .then_output(move || {
            log.lock().unwrap().push("cancel job-1".into());
            UpdateClassificationJobOutput::builder().build()
        });
    macie(&[&listed, &described, &create, &cancel])
        .apply_setting(Setting::MacieJobs, ACCOUNT, REGION, &daily)
        .await
        .unwrap();
    assert_eq!(*calls.lock().unwrap(), ["create", "cancel job-1"]);

    // The replacement cannot be created: the old job keeps running.
    let (listed, described) = macie_jobs_live();
    let refused = mock!(aws_sdk_macie2::Client::create_classification_job).then_error(|| {
        CreateClassificationJobError::ValidationException(
            ValidationException::builder()
                .message("The bucket does not exist")
                .meta(
                    aws_sdk_macie2::error::ErrorMetadata::builder()
                        .code("ValidationException")
                        .message("The bucket does not exist")
                        .build(),
                )
                .build(),
        )
    });
    let cancel = mock!(aws_sdk_macie2::Client::update_classification_job)
        .then_output(|| UpdateClassificationJobOutput::builder().build());
    let err = macie(&[&listed, &described, &refused, &cancel])
        .apply_setting(Setting::MacieJobs, ACCOUNT, REGION, &daily)
        .await;
    assert!(err.is_err(), "the failed create is an error");
    assert_eq!(
        cancel.num_calls(),
        0,
        "nothing cancelled without its replacement"
    );
}
