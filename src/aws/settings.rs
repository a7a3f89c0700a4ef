//! The settings outside CloudFormation that have no type of their own, through their
//! services' clients: the account's security contact (AWS Account API).

use aws_sdk_account::types::AlternateContactType;
use serde_json::{json, Value as Json};

use super::sdk::{api_error, SdkStacks};
use super::*;
use crate::settings::Setting;

impl SettingsApi for SdkStacks {
    async fn read_setting(&self, setting: Setting, _region: &str) -> ApiResult<Option<Json>> {
        match setting {
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

    async fn apply_setting(&self, setting: Setting, _region: &str, p: &Json) -> ApiResult<()> {
        let text = |key: &str| p[key].as_str().unwrap_or_default().to_string();
        match setting {
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
