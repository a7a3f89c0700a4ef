//! The settings outside CloudFormation that have no type of their own, through their
//! services' clients: the account's security contact (AWS Account API), Amazon Inspector's
//! scanning (Inspector API, per region), and the account settings: the S3 account public
//! access block (S3 Control), EBS encryption by default, the instance metadata defaults and
//! the snapshot and AMI public access blocks (EC2, per region), public sharing of SSM
//! documents and Default Host Management (SSM service settings, per region).

use std::future::Future;

use aws_sdk_account::types::AlternateContactType;
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::{
    ImageBlockPublicAccessEnabledState, MetadataDefaultHttpTokensState,
    SnapshotBlockPublicAccessState,
};
use aws_sdk_inspector2::types::{ResourceScanType, Status as InspectorStatus};
use serde_json::{json, Value as Json};

use super::sdk::{api_error, SdkStacks};
use super::*;
use crate::settings::{Setting, DEFAULT_HOST_MANAGEMENT_SETTING, SSM_DOCUMENT_SHARING_SETTING};

impl SettingsApi for SdkStacks {
    async fn read_setting(
        &self,
        setting: Setting,
        account: &str,
        region: &str,
    ) -> ApiResult<Option<Json>> {
        match setting {
            Setting::SecurityContact => {
                let out = self
                    .send_or_absent(
                        "GetAlternateContact",
                        || {
                            aws_sdk_account::Client::new(&self.config)
                                .get_alternate_contact()
                                .alternate_contact_type(AlternateContactType::Security)
                                .send()
                        },
                        |e| e.is_resource_not_found_exception(),
                    )
                    .await?;
                Ok(out.as_ref().and_then(|o| o.alternate_contact()).map(|c| {
                    json!({
                        "AlternateContactType": "SECURITY",
                        "Name": c.name().unwrap_or_default(),
                        "EmailAddress": c.email_address().unwrap_or_default(),
                        "PhoneNumber": c.phone_number().unwrap_or_default(),
                        "Title": c.title().unwrap_or_default(),
                    })
                }))
            }
            Setting::S3PublicAccessBlock => {
                // Account-wide: S3 Control is asked in the caller's region.
                let out = self
                    .send_or_absent(
                        "GetPublicAccessBlock",
                        || {
                            self.s3control()
                                .get_public_access_block()
                                .account_id(account)
                                .send()
                        },
                        |e| e.is_no_such_public_access_block_configuration(),
                    )
                    .await?;
                Ok(out
                    .as_ref()
                    .and_then(|o| o.public_access_block_configuration())
                    .map(|c| {
                        json!({
                            "BlockPublicAcls": c.block_public_acls().unwrap_or(false),
                            "IgnorePublicAcls": c.ignore_public_acls().unwrap_or(false),
                            "BlockPublicPolicy": c.block_public_policy().unwrap_or(false),
                            "RestrictPublicBuckets": c.restrict_public_buckets().unwrap_or(false),
                        })
                    }))
            }
            Setting::Inspector => {
                let out = self
                    .send("BatchGetAccountStatus", || {
                        regional!(self, aws_sdk_inspector2, region)
                            .batch_get_account_status()
                            .account_ids(account)
                            .send()
                    })
                    .await?;
                let Some(state) = out
                    .accounts()
                    .iter()
                    .find(|a| a.account_id() == account)
                    .and_then(|a| a.resource_state())
                else {
                    return Ok(None);
                };
                // Enabling counts as on: Inspector is switching it on already.
                let status =
                    |s: Option<&aws_sdk_inspector2::types::State>| match s.map(|s| s.status()) {
                        Some(InspectorStatus::Enabled | InspectorStatus::Enabling) => {
                            "ENABLED".to_string()
                        }
                        Some(other) => other.as_str().to_string(),
                        None => "DISABLED".to_string(),
                    };
                Ok(Some(json!({
                    "Ec2": status(state.ec2()),
                    "Ecr": status(state.ecr()),
                    "Lambda": status(state.lambda()),
                    "LambdaCode": status(state.lambda_code()),
                })))
            }
            Setting::EbsEncryption => {
                let out = self
                    .send("GetEbsEncryptionByDefault", || {
                        self.ec2(region).get_ebs_encryption_by_default().send()
                    })
                    .await?;
                Ok(Some(json!({
                    "EbsEncryptionByDefault": out.ebs_encryption_by_default().unwrap_or(false)
                })))
            }
            Setting::Imdsv2Default => {
                let out = self
                    .send("GetInstanceMetadataDefaults", || {
                        self.ec2(region).get_instance_metadata_defaults().send()
                    })
                    .await?;
                // No account-level default: new instances take the AMI's setting.
                let tokens = out
                    .account_level()
                    .and_then(|d| d.http_tokens())
                    .map_or("no-preference", |t| t.as_str());
                Ok(Some(json!({"HttpTokens": tokens})))
            }
            Setting::SnapshotPublicAccess => {
                let out = self
                    .send("GetSnapshotBlockPublicAccessState", || {
                        self.ec2(region)
                            .get_snapshot_block_public_access_state()
                            .send()
                    })
                    .await?;
                let state = out.state().map_or("unblocked", |s| s.as_str());
                Ok(Some(json!({"State": state})))
            }
            Setting::ImagePublicAccess => {
                let out = self
                    .send("GetImageBlockPublicAccessState", || {
                        self.ec2(region)
                            .get_image_block_public_access_state()
                            .send()
                    })
                    .await?;
                let state = out.image_block_public_access_state().unwrap_or("unblocked");
                Ok(Some(json!({"ImageBlockPublicAccessState": state})))
            }
            Setting::SsmDocumentSharing => {
                self.read_service_setting(SSM_DOCUMENT_SHARING_SETTING, region)
                    .await
            }
            Setting::DefaultHostManagement => {
                self.read_service_setting(DEFAULT_HOST_MANAGEMENT_SETTING, region)
                    .await
            }
        }
    }

    /// Sets what the baseline wants; the account settings are only ever turned on.
    async fn apply_setting(
        &self,
        setting: Setting,
        account: &str,
        region: &str,
        p: &Json,
    ) -> ApiResult<()> {
        let text = |key: &str| p[key].as_str().unwrap_or_default().to_string();
        match setting {
            Setting::SecurityContact => {
                self.send("PutAlternateContact", || {
                    aws_sdk_account::Client::new(&self.config)
                        .put_alternate_contact()
                        .alternate_contact_type(AlternateContactType::Security)
                        .name(text("Name"))
                        .email_address(text("EmailAddress"))
                        .phone_number(text("PhoneNumber"))
                        .title(text("Title"))
                        .send()
                })
                .await?;
            }
            Setting::S3PublicAccessBlock => {
                let flag = |key: &str| p[key].as_bool().unwrap_or(true);
                let config = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(flag("BlockPublicAcls"))
                    .ignore_public_acls(flag("IgnorePublicAcls"))
                    .block_public_policy(flag("BlockPublicPolicy"))
                    .restrict_public_buckets(flag("RestrictPublicBuckets"))
                    .build();
                self.send("PutPublicAccessBlock", || {
                    self.s3control()
                        .put_public_access_block()
                        .account_id(account)
                        .public_access_block_configuration(config.clone())
                        .send()
                })
                .await?;
            }
            Setting::Inspector => {
                // Enable is idempotent: asking for what is on already changes nothing.
                let types: Vec<ResourceScanType> = p
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, _)| match k.as_str() {
                        "Ec2" => Some(ResourceScanType::Ec2),
                        "Ecr" => Some(ResourceScanType::Ecr),
                        "Lambda" => Some(ResourceScanType::Lambda),
                        "LambdaCode" => Some(ResourceScanType::LambdaCode),
                        _ => None,
                    })
                    .collect();
                let out = self
                    .send("Enable", || {
                        regional!(self, aws_sdk_inspector2, region)
                            .enable()
                            .account_ids(account)
                            .set_resource_types(Some(types.clone()))
                            .send()
                    })
                    .await?;
                // A refusal for the account comes back as a result, not an error.
                if let Some(f) = out.failed_accounts().first() {
                    return Err(ApiError::Api {
                        code: f.error_code().as_str().to_string(),
                        message: f.error_message().to_string(),
                    });
                }
            }
            Setting::EbsEncryption => {
                self.send("EnableEbsEncryptionByDefault", || {
                    self.ec2(region).enable_ebs_encryption_by_default().send()
                })
                .await?;
            }
            Setting::Imdsv2Default => {
                self.send("ModifyInstanceMetadataDefaults", || {
                    self.ec2(region)
                        .modify_instance_metadata_defaults()
                        .http_tokens(MetadataDefaultHttpTokensState::Required)
                        .send()
                })
                .await?;
            }
            Setting::SnapshotPublicAccess => {
                self.send("EnableSnapshotBlockPublicAccess", || {
                    self.ec2(region)
                        .enable_snapshot_block_public_access()
                        .state(SnapshotBlockPublicAccessState::BlockAllSharing)
                        .send()
                })
                .await?;
            }
            Setting::ImagePublicAccess => {
                self.send("EnableImageBlockPublicAccess", || {
                    self.ec2(region)
                        .enable_image_block_public_access()
                        .image_block_public_access_state(
                            ImageBlockPublicAccessEnabledState::BlockNewSharing,
                        )
                        .send()
                })
                .await?;
            }
            Setting::SsmDocumentSharing => {
                self.update_service_setting(SSM_DOCUMENT_SHARING_SETTING, "Disable", region)
                    .await?;
            }
            Setting::DefaultHostManagement => {
                let value = text("SettingValue");
                self.update_service_setting(DEFAULT_HOST_MANAGEMENT_SETTING, &value, region)
                    .await?;
            }
        }
        Ok(())
    }
}

impl SdkStacks {
    /// Sends one request within the run's budget for reaching AWS; its error becomes ours.
    async fn send<O, E, F, Fut>(&self, op: &'static str, request: F) -> ApiResult<O>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        self.reach
            .call(op, || async {
                request().await.map_err(|e| api_error(op, e))
            })
            .await
    }

    /// [`SdkStacks::send`] for a read whose service says "there is none" with an error:
    /// that error (`absent`) is `None`.
    async fn send_or_absent<O, E, F, Fut>(
        &self,
        op: &'static str,
        request: F,
        absent: fn(&E) -> bool,
    ) -> ApiResult<Option<O>>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        self.reach
            .call(op, || async {
                match request().await {
                    Ok(out) => Ok(Some(out)),
                    Err(e) if e.as_service_error().is_some_and(absent) => Ok(None),
                    Err(e) => Err(api_error(op, e)),
                }
            })
            .await
    }

    /// An SSM service setting as `{SettingId, SettingValue}` (`None`: not found).
    async fn read_service_setting(&self, id: &str, region: &str) -> ApiResult<Option<Json>> {
        let out = self
            .send_or_absent(
                "GetServiceSetting",
                || self.ssm(region).get_service_setting().setting_id(id).send(),
                |e| e.is_service_setting_not_found(),
            )
            .await?;
        Ok(out.as_ref().and_then(|o| o.service_setting()).map(|s| {
            json!({
                "SettingId": id,
                "SettingValue": s.setting_value().unwrap_or_default(),
            })
        }))
    }

    async fn update_service_setting(&self, id: &str, value: &str, region: &str) -> ApiResult<()> {
        self.send("UpdateServiceSetting", || {
            self.ssm(region)
                .update_service_setting()
                .setting_id(id)
                .setting_value(value)
                .send()
        })
        .await?;
        Ok(())
    }

    /// The S3 Control client. Its endpoint rules put the account id in the host name
    /// (`<account>.s3-control.<region>.amazonaws.com`, and `<account>.<host>` for an endpoint
    /// URL); an endpoint URL given on the command line (the emulator) is used as it is, since
    /// `<account>.127.0.0.1` cannot be resolved. The account id also travels in the
    /// `x-amz-account-id` header, which is what S3 Control reads.
    fn s3control(&self) -> aws_sdk_s3control::Client {
        let mut config = aws_sdk_s3control::config::Builder::from(&self.config);
        if let Some(url) = self.config.endpoint_url() {
            config = config.endpoint_resolver(EndpointAsGiven(url.to_string()));
        }
        aws_sdk_s3control::Client::from_conf(config.build())
    }
}

/// An S3 Control endpoint URL taken as it is, with no account-id host prefix (for the
/// emulator; the tests' checking clients use it too).
#[derive(Debug)]
pub struct EndpointAsGiven(pub String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for EndpointAsGiven {
    fn resolve_endpoint<'a>(
        &'a self,
        _: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_sdk_s3control::config::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}
