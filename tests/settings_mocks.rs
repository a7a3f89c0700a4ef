//! The account settings the emulator does not implement, through the real EC2 and SSM
//! clients with canned responses: the instance metadata defaults, the snapshot and AMI
//! public access blocks, and the SSM service setting for public document sharing. The
//! shapes follow the EC2 API reference (GetInstanceMetadataDefaults,
//! ModifyInstanceMetadataDefaults, Get/EnableSnapshotBlockPublicAccess(State),
//! Get/EnableImageBlockPublicAccess(State)) and the SSM API reference (GetServiceSetting,
//! UpdateServiceSetting, ServiceSettingNotFound). Each test stands in for what AWS answers
//! in an account that never set the setting, one that set it, and what `deploy` sends.

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
