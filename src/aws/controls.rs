//! Security Hub control associations through the Security Hub client: read what is
//! disabled in which standard, and disable or enable a control in every standard that has it.

use aws_sdk_securityhub::types::{
    AssociationStatus, ControlStatus, StandardsControlAssociationId,
    StandardsControlAssociationUpdate, UnprocessedErrorCode,
};

use super::sdk::{api_error, SdkStacks};
use super::*;
use crate::settings::{ControlAssociation, ControlSettings, ControlUpdate, LiveControls};

/// BatchGet/BatchUpdateStandardsControlAssociations take at most this many at once.
const BATCH: usize = 100;

impl ControlsApi for SdkStacks {
    async fn controls(
        &self,
        region: &str,
        standards: &[String],
        controls: &[String],
    ) -> ApiResult<LiveControls> {
        self.reach
            .call("GetEnabledStandards", || async move {
                let hub = self.securityhub(region);
                // The wanted standards that are enabled, with their subscriptions.
                let mut enabled = Vec::new();
                let mut pages = hub.get_enabled_standards().into_paginator().send();
                while let Some(page) = pages.next().await {
                    let page = match page {
                        Ok(p) => p,
                        // "Account ... is not subscribed to AWS Security Hub"
                        Err(e)
                            if e.as_service_error()
                                .is_some_and(|se| se.is_invalid_access_exception()) =>
                        {
                            return Ok(LiveControls::default())
                        }
                        Err(e) => return Err(api_error("GetEnabledStandards", e)),
                    };
                    for s in page.standards_subscriptions() {
                        if let (Some(arn), Some(sub)) =
                            (s.standards_arn(), s.standards_subscription_arn())
                        {
                            if standards.iter().any(|w| w == arn) {
                                enabled.push((arn.to_string(), sub.to_string()));
                            }
                        }
                    }
                }
                // Controls the baseline disabled earlier, by the reason it wrote.
                let mut asked: Vec<String> = controls.to_vec();
                for (_, sub) in &enabled {
                    let mut pages = hub
                        .describe_standards_controls()
                        .standards_subscription_arn(sub)
                        .into_paginator()
                        .send();
                    while let Some(page) = pages.next().await {
                        let page = page.map_err(|e| api_error("DescribeStandardsControls", e))?;
                        for c in page.controls() {
                            if c.control_status() != Some(&ControlStatus::Disabled) {
                                continue;
                            }
                            if let Some((control, _)) =
                                c.disabled_reason().and_then(ControlSettings::read_reason)
                            {
                                asked.push(control.to_string());
                            }
                        }
                    }
                }
                asked.sort();
                asked.dedup();
                let ids: Vec<StandardsControlAssociationId> = asked
                    .iter()
                    .flat_map(|control| {
                        enabled.iter().map(move |(arn, _)| {
                            StandardsControlAssociationId::builder()
                                .security_control_id(control)
                                .standards_arn(arn)
                                .build()
                        })
                    })
                    .collect();
                let mut associations = Vec::new();
                for chunk in ids.chunks(BATCH) {
                    let out = hub
                        .batch_get_standards_control_associations()
                        .set_standards_control_association_ids(Some(chunk.to_vec()))
                        .send()
                        .await
                        .map_err(|e| api_error("BatchGetStandardsControlAssociations", e))?;
                    // An id unprocessed as not found is a control the standard does not
                    // have; any other reason (throttled, denied, ...) leaves the control
                    // unread, which must not count as in sync.
                    for u in out.unprocessed_associations() {
                        if matches!(
                            u.error_code(),
                            Some(
                                UnprocessedErrorCode::NotFound
                                    | UnprocessedErrorCode::ResourceNotFound
                            )
                        ) {
                            continue;
                        }
                        let id = u.standards_control_association_id();
                        return Err(ApiError::Api {
                            code: u
                                .error_code()
                                .map(|c| c.as_str().to_string())
                                .unwrap_or_else(|| "Unprocessed".into()),
                            message: format!(
                                "BatchGetStandardsControlAssociations could not read {} in {}: {}",
                                id.and_then(|i| i.security_control_id()).unwrap_or("?"),
                                id.and_then(|i| i.standards_arn()).unwrap_or("?"),
                                u.error_reason().unwrap_or("not processed")
                            ),
                        });
                    }
                    for d in out.standards_control_association_details() {
                        associations.push(ControlAssociation {
                            standards_arn: d.standards_arn().unwrap_or_default().to_string(),
                            control: d.security_control_id().unwrap_or_default().to_string(),
                            disabled: d.association_status() == Some(&AssociationStatus::Disabled),
                            reason: d.updated_reason().map(str::to_string),
                        });
                    }
                }
                Ok(LiveControls {
                    hub_enabled: true,
                    associations,
                })
            })
            .await
    }

    async fn update_controls(
        &self,
        region: &str,
        updates: &[ControlUpdate],
    ) -> ApiResult<Vec<ControlUpdate>> {
        self.reach
            .call("BatchUpdateStandardsControlAssociations", || async move {
                let hub = self.securityhub(region);
                let mut not_found = Vec::new();
                for chunk in updates.chunks(BATCH) {
                    let sdk: Vec<StandardsControlAssociationUpdate> = chunk
                        .iter()
                        .map(|u| {
                            StandardsControlAssociationUpdate::builder()
                                .standards_arn(&u.standards_arn)
                                .security_control_id(&u.control)
                                .association_status(if u.disable {
                                    AssociationStatus::Disabled
                                } else {
                                    AssociationStatus::Enabled
                                })
                                .set_updated_reason(u.reason.clone())
                                .build()
                        })
                        .collect();
                    let out = hub
                        .batch_update_standards_control_associations()
                        .set_standards_control_association_updates(Some(sdk))
                        .send()
                        .await
                        .map_err(|e| api_error("BatchUpdateStandardsControlAssociations", e))?;
                    for u in out.unprocessed_association_updates() {
                        let which = u.standards_control_association_update();
                        let update = chunk
                            .iter()
                            .find(|c| {
                                which.is_some_and(|w| {
                                    w.standards_arn() == Some(c.standards_arn.as_str())
                                        && w.security_control_id() == Some(c.control.as_str())
                                })
                            })
                            .cloned();
                        match (u.error_code(), update) {
                            (
                                Some(
                                    UnprocessedErrorCode::NotFound
                                    | UnprocessedErrorCode::ResourceNotFound,
                                ),
                                Some(update),
                            ) => not_found.push(update),
                            (code, _) => {
                                return Err(ApiError::Api {
                                    code: code
                                        .map(|c| c.as_str().to_string())
                                        .unwrap_or_else(|| "Unprocessed".into()),
                                    message: format!(
                                        "{} in {}: {}",
                                        which.and_then(|w| w.security_control_id()).unwrap_or("?"),
                                        which.and_then(|w| w.standards_arn()).unwrap_or("?"),
                                        u.error_reason().unwrap_or("not processed")
                                    ),
                                })
                            }
                        }
                    }
                }
                Ok(not_found)
            })
            .await
    }
}
