//! The settings outside CloudFormation that have no type of their own, through their
//! services' clients: the account's security contact (AWS Account API), Amazon Inspector's
//! scanning (Inspector API, per region), and the account settings: the S3 account public
//! access block (S3 Control), EBS encryption by default, the instance metadata defaults and
//! the snapshot and AMI public access blocks (EC2, per region), and public sharing of SSM
//! documents (an SSM service setting, per region).

use aws_sdk_account::types::AlternateContactType;
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
            Setting::S3PublicAccessBlock
            | Setting::EbsEncryption
            | Setting::Imdsv2Default
            | Setting::SnapshotPublicAccess
            | Setting::ImagePublicAccess
            | Setting::SsmDocumentSharing => {
                self.read_account_setting(setting, account, region).await
            }
            Setting::DefaultHostManagement => {
                self.read_service_setting(DEFAULT_HOST_MANAGEMENT_SETTING, region)
                    .await
            }
            Setting::Inspector => {
                self.reach
                    .call("BatchGetAccountStatus", || async move {
                        let out = regional!(self, aws_sdk_inspector2, region)
                            .batch_get_account_status()
                            .account_ids(account)
                            .send()
                            .await
                            .map_err(|e| api_error("BatchGetAccountStatus", e))?;
                        let Some(state) = out
                            .accounts()
                            .iter()
                            .find(|a| a.account_id() == account)
                            .and_then(|a| a.resource_state())
                        else {
                            return Ok(None);
                        };
                        // Enabling counts as on: Inspector is switching it on already.
                        let status = |s: Option<&aws_sdk_inspector2::types::State>| match s
                            .map(|s| s.status())
                        {
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
                    })
                    .await
            }
            Setting::SecurityContact => {
                self.reach
                    .call("GetAlternateContact", || async move {
                        let account = aws_sdk_account::Client::new(&self.config);
                        let out = match account
                            .get_alternate_contact()
                            .alternate_contact_type(AlternateContactType::Security)
                            .send()
                            .await
                        {
                            Ok(out) => out,
                            Err(e) => {
                                if e.as_service_error()
                                    .is_some_and(|s| s.is_resource_not_found_exception())
                                {
                                    return Ok(None);
                                }
                                return Err(api_error("GetAlternateContact", e));
                            }
                        };
                        Ok(out.alternate_contact().map(|c| {
                            json!({
                                "AlternateContactType": "SECURITY",
                                "Name": c.name().unwrap_or_default(),
                                "EmailAddress": c.email_address().unwrap_or_default(),
                                "PhoneNumber": c.phone_number().unwrap_or_default(),
                                "Title": c.title().unwrap_or_default(),
                            })
                        }))
                    })
                    .await
            }
        }
    }

    async fn apply_setting(
        &self,
        setting: Setting,
        account: &str,
        region: &str,
        p: &Json,
    ) -> ApiResult<()> {
        let text = |key: &str| p[key].as_str().unwrap_or_default().to_string();
        match setting {
            Setting::S3PublicAccessBlock
            | Setting::EbsEncryption
            | Setting::Imdsv2Default
            | Setting::SnapshotPublicAccess
            | Setting::ImagePublicAccess
            | Setting::SsmDocumentSharing => {
                self.apply_account_setting(setting, account, region, p)
                    .await
            }
            Setting::DefaultHostManagement => {
                let value = text("SettingValue");
                self.update_service_setting(DEFAULT_HOST_MANAGEMENT_SETTING, &value, region)
                    .await
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
                self.reach
                    .call("Enable", || {
                        let types = types.clone();
                        async move {
                            let out = regional!(self, aws_sdk_inspector2, region)
                                .enable()
                                .account_ids(account)
                                .set_resource_types(Some(types))
                                .send()
                                .await
                                .map_err(|e| api_error("Enable", e))?;
                            // A refusal for the account comes back as a result, not an error.
                            match out.failed_accounts().first() {
                                Some(f) => Err(ApiError::Api {
                                    code: f.error_code().as_str().to_string(),
                                    message: f.error_message().to_string(),
                                }),
                                None => Ok(()),
                            }
                        }
                    })
                    .await
            }
            Setting::SecurityContact => {
                self.reach
                    .call("PutAlternateContact", || async move {
                        aws_sdk_account::Client::new(&self.config)
                            .put_alternate_contact()
                            .alternate_contact_type(AlternateContactType::Security)
                            .name(text("Name"))
                            .email_address(text("EmailAddress"))
                            .phone_number(text("PhoneNumber"))
                            .title(text("Title"))
                            .send()
                            .await
                            .map_err(|e| api_error("PutAlternateContact", e))?;
                        Ok(())
                    })
                    .await
            }
        }
    }
}

impl SdkStacks {
    /// Reads an account setting as its pseudo-resource's properties (`None`: never set).
    async fn read_account_setting(
        &self,
        setting: Setting,
        account: &str,
        region: &str,
    ) -> ApiResult<Option<Json>> {
        match setting {
            Setting::S3PublicAccessBlock => {
                self.reach
                    .call("GetPublicAccessBlock", || async move {
                        // S3 Control is reached in the home region; the block is account-wide.
                        let out = match self
                            .s3control()
                            .get_public_access_block()
                            .account_id(account)
                            .send()
                            .await
                        {
                            Ok(out) => out,
                            Err(e) => {
                                if e.as_service_error().is_some_and(|s| {
                                    s.is_no_such_public_access_block_configuration()
                                }) {
                                    return Ok(None);
                                }
                                return Err(api_error("GetPublicAccessBlock", e));
                            }
                        };
                        Ok(out.public_access_block_configuration().map(|c| {
                            json!({
                                "BlockPublicAcls": c.block_public_acls().unwrap_or(false),
                                "IgnorePublicAcls": c.ignore_public_acls().unwrap_or(false),
                                "BlockPublicPolicy": c.block_public_policy().unwrap_or(false),
                                "RestrictPublicBuckets": c.restrict_public_buckets().unwrap_or(false),
                            })
                        }))
                    })
                    .await
            }
            Setting::EbsEncryption => self
                .reach
                .call("GetEbsEncryptionByDefault", || async move {
                    let out = self
                        .ec2(region)
                        .get_ebs_encryption_by_default()
                        .send()
                        .await
                        .map_err(|e| api_error("GetEbsEncryptionByDefault", e))?;
                    Ok(Some(json!({
                        "EbsEncryptionByDefault": out.ebs_encryption_by_default().unwrap_or(false)
                    })))
                })
                .await,
            Setting::Imdsv2Default => {
                self.reach
                    .call("GetInstanceMetadataDefaults", || async move {
                        let out = self
                            .ec2(region)
                            .get_instance_metadata_defaults()
                            .send()
                            .await
                            .map_err(|e| api_error("GetInstanceMetadataDefaults", e))?;
                        // No account-level default: new instances take the AMI's setting.
                        let tokens = out
                            .account_level()
                            .and_then(|d| d.http_tokens())
                            .map_or("no-preference", |t| t.as_str());
                        Ok(Some(json!({"HttpTokens": tokens})))
                    })
                    .await
            }
            Setting::SnapshotPublicAccess => {
                self.reach
                    .call("GetSnapshotBlockPublicAccessState", || async move {
                        let out = self
                            .ec2(region)
                            .get_snapshot_block_public_access_state()
                            .send()
                            .await
                            .map_err(|e| api_error("GetSnapshotBlockPublicAccessState", e))?;
                        let state = out.state().map_or("unblocked", |s| s.as_str());
                        Ok(Some(json!({"State": state})))
                    })
                    .await
            }
            Setting::ImagePublicAccess => {
                self.reach
                    .call("GetImageBlockPublicAccessState", || async move {
                        let out = self
                            .ec2(region)
                            .get_image_block_public_access_state()
                            .send()
                            .await
                            .map_err(|e| api_error("GetImageBlockPublicAccessState", e))?;
                        let state = out.image_block_public_access_state().unwrap_or("unblocked");
                        Ok(Some(json!({"ImageBlockPublicAccessState": state})))
                    })
                    .await
            }
            Setting::SsmDocumentSharing => {
                self.read_service_setting(SSM_DOCUMENT_SHARING_SETTING, region)
                    .await
            }
            Setting::SecurityContact | Setting::Inspector | Setting::DefaultHostManagement => {
                unreachable!("not an account setting")
            }
        }
    }

    /// Turns an account setting on (the baseline never turns one off).
    async fn apply_account_setting(
        &self,
        setting: Setting,
        account: &str,
        region: &str,
        p: &Json,
    ) -> ApiResult<()> {
        match setting {
            Setting::S3PublicAccessBlock => {
                let flag = |key: &str| p[key].as_bool().unwrap_or(true);
                let config = aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(flag("BlockPublicAcls"))
                    .ignore_public_acls(flag("IgnorePublicAcls"))
                    .block_public_policy(flag("BlockPublicPolicy"))
                    .restrict_public_buckets(flag("RestrictPublicBuckets"))
                    .build();
                self.reach
                    .call("PutPublicAccessBlock", || {
                        let config = config.clone();
                        async move {
                            self.s3control()
                                .put_public_access_block()
                                .account_id(account)
                                .public_access_block_configuration(config)
                                .send()
                                .await
                                .map_err(|e| api_error("PutPublicAccessBlock", e))?;
                            Ok(())
                        }
                    })
                    .await
            }
            Setting::EbsEncryption => {
                self.reach
                    .call("EnableEbsEncryptionByDefault", || async move {
                        self.ec2(region)
                            .enable_ebs_encryption_by_default()
                            .send()
                            .await
                            .map_err(|e| api_error("EnableEbsEncryptionByDefault", e))?;
                        Ok(())
                    })
                    .await
            }
            Setting::Imdsv2Default => {
                self.reach
                    .call("ModifyInstanceMetadataDefaults", || async move {
                        self.ec2(region)
                            .modify_instance_metadata_defaults()
                            .http_tokens(
                                aws_sdk_ec2::types::MetadataDefaultHttpTokensState::Required,
                            )
                            .send()
                            .await
                            .map_err(|e| api_error("ModifyInstanceMetadataDefaults", e))?;
                        Ok(())
                    })
                    .await
            }
            Setting::SnapshotPublicAccess => {
                self.reach
                    .call("EnableSnapshotBlockPublicAccess", || async move {
                        self.ec2(region)
                            .enable_snapshot_block_public_access()
                            .state(
                                aws_sdk_ec2::types::SnapshotBlockPublicAccessState::BlockAllSharing,
                            )
                            .send()
                            .await
                            .map_err(|e| api_error("EnableSnapshotBlockPublicAccess", e))?;
                        Ok(())
                    })
                    .await
            }
            Setting::ImagePublicAccess => {
                self.reach
                    .call("EnableImageBlockPublicAccess", || async move {
                        self.ec2(region)
                        .enable_image_block_public_access()
                        .image_block_public_access_state(
                            aws_sdk_ec2::types::ImageBlockPublicAccessEnabledState::BlockNewSharing,
                        )
                        .send()
                        .await
                        .map_err(|e| api_error("EnableImageBlockPublicAccess", e))?;
                        Ok(())
                    })
                    .await
            }
            Setting::SsmDocumentSharing => {
                self.update_service_setting(SSM_DOCUMENT_SHARING_SETTING, "Disable", region)
                    .await
            }
            Setting::SecurityContact | Setting::Inspector | Setting::DefaultHostManagement => {
                unreachable!("not an account setting")
            }
        }
    }

    /// An SSM service setting as `{SettingId, SettingValue}` (`None`: not found).
    async fn read_service_setting(&self, id: &str, region: &str) -> ApiResult<Option<Json>> {
        self.reach
            .call("GetServiceSetting", || async move {
                let out = match self
                    .ssm(region)
                    .get_service_setting()
                    .setting_id(id)
                    .send()
                    .await
                {
                    Ok(out) => out,
                    Err(e) => {
                        if e.as_service_error()
                            .is_some_and(|s| s.is_service_setting_not_found())
                        {
                            return Ok(None);
                        }
                        return Err(api_error("GetServiceSetting", e));
                    }
                };
                Ok(out.service_setting().map(|s| {
                    json!({
                        "SettingId": id,
                        "SettingValue": s.setting_value().unwrap_or_default(),
                    })
                }))
            })
            .await
    }

    async fn update_service_setting(&self, id: &str, value: &str, region: &str) -> ApiResult<()> {
        self.reach
            .call("UpdateServiceSetting", || async move {
                self.ssm(region)
                    .update_service_setting()
                    .setting_id(id)
                    .setting_value(value)
                    .send()
                    .await
                    .map_err(|e| api_error("UpdateServiceSetting", e))?;
                Ok(())
            })
            .await
    }

    /// The S3 Control client. Its endpoint rules put the account id in the host name
    /// (`<account>.s3-control.<region>.amazonaws.com`, and `<account>.<host>` for an endpoint
    /// URL); an endpoint URL given on the command line (the emulator) is used as it is, since
    /// `<account>.127.0.0.1` cannot be resolved. The account id also travels in the
    /// `x-amz-account-id` header, which is what S3 Control reads.
    fn s3control(&self) -> aws_sdk_s3control::Client {
        let mut config = aws_sdk_s3control::config::Builder::from(&self.config);
        if let Some(url) = self.config.endpoint_url() {
            config = config.endpoint_resolver(AsGiven(url.to_string()));
        }
        aws_sdk_s3control::Client::from_conf(config.build())
    }
}

/// An endpoint URL taken as it is, with no host prefix.
#[derive(Debug)]
struct AsGiven(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for AsGiven {
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
