//! The settings outside CloudFormation that have no type of their own, through their
//! services' clients: the account's security contact (AWS Account API) and Amazon
//! Inspector's scanning (Inspector API, per region).

use aws_sdk_account::types::AlternateContactType;
use aws_sdk_inspector2::types::{ResourceScanType, Status as InspectorStatus};
use serde_json::{json, Value as Json};

use super::sdk::{api_error, SdkStacks};
use super::*;
use crate::settings::Setting;

impl SettingsApi for SdkStacks {
    async fn read_setting(
        &self,
        setting: Setting,
        account: &str,
        region: &str,
    ) -> ApiResult<Option<Json>> {
        match setting {
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
