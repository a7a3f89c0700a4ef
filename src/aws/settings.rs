//! The settings outside CloudFormation that have no type of their own, through their
//! services' clients: the IAM account password policy, the account's security contact (AWS Account API), Amazon Inspector's
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
use crate::settings::{
    AccountPasswordPolicy, Setting, DEFAULT_HOST_MANAGEMENT_SETTING, SSM_DOCUMENT_SHARING_SETTING,
};

impl SettingsApi for SdkStacks {
    async fn read_setting(
        &self,
        setting: Setting,
        account: &str,
        region: &str,
    ) -> ApiResult<Option<Json>> {
        match setting {
            Setting::PasswordPolicy => {
                let out = self
                    .send_or_absent(
                        "GetAccountPasswordPolicy",
                        || self.iam().get_account_password_policy().send(),
                        |e| e.is_no_such_entity_exception(),
                    )
                    .await?;
                let Some(p) = out.as_ref().and_then(|o| o.password_policy()) else {
                    return Ok(None);
                };
                let positive = |v: Option<i32>| v.filter(|n| *n > 0).map(|n| n as u32);
                Ok(Some(
                    AccountPasswordPolicy {
                        minimum_password_length: positive(p.minimum_password_length()).unwrap_or(0),
                        require_symbols: p.require_symbols(),
                        require_numbers: p.require_numbers(),
                        require_uppercase_characters: p.require_uppercase_characters(),
                        require_lowercase_characters: p.require_lowercase_characters(),
                        allow_users_to_change_password: p.allow_users_to_change_password(),
                        max_password_age: positive(p.max_password_age()),
                        password_reuse_prevention: positive(p.password_reuse_prevention()),
                        hard_expiry: p.hard_expiry().unwrap_or(false),
                    }
                    .to_json(),
                ))
            }
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
                        self.inspector2(region)
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
            Setting::ShieldAdvanced => self.read_shield().await.map(Some),
            Setting::OrgDelegations => self.read_delegations().await.map(Some),
            Setting::OrgServiceAdmins => self.read_service_admins(region).await.map(Some),
            Setting::OrgGuardDuty
            | Setting::OrgSecurityHub
            | Setting::OrgMacie
            | Setting::OrgInspector
            | Setting::OrgDetective => self.read_auto_enable(setting, region).await,
            Setting::OrgInspectorMembers => self.read_inspector_members(region).await,
            Setting::MacieJobs => {
                let jobs = self.macie_jobs(region).await?;
                let map: serde_json::Map<String, Json> =
                    jobs.into_iter().map(|j| (j.name, j.spec)).collect();
                Ok(Some(json!({"Jobs": map})))
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
            Setting::PasswordPolicy => {
                let p: AccountPasswordPolicy =
                    serde_json::from_value(p.clone()).map_err(|e| ApiError::Api {
                        code: "InvalidPolicy".to_string(),
                        message: format!("the wanted password policy does not read back: {e}"),
                    })?;
                self.send("UpdateAccountPasswordPolicy", || {
                    self.iam()
                        .update_account_password_policy()
                        .minimum_password_length(p.minimum_password_length as i32)
                        .require_symbols(p.require_symbols)
                        .require_numbers(p.require_numbers)
                        .require_uppercase_characters(p.require_uppercase_characters)
                        .require_lowercase_characters(p.require_lowercase_characters)
                        .allow_users_to_change_password(p.allow_users_to_change_password)
                        .set_max_password_age(p.max_password_age.map(|n| n as i32))
                        .set_password_reuse_prevention(
                            p.password_reuse_prevention.map(|n| n as i32),
                        )
                        .hard_expiry(p.hard_expiry)
                        .send()
                })
                .await?;
            }
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
                let types: Vec<ResourceScanType> = p
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, _)| inspector_scan_type(k))
                    .collect();
                self.enable_inspector(region, account, &types).await?;
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
            Setting::ShieldAdvanced => self.apply_shield(p).await?,
            Setting::MacieJobs => self.apply_macie_jobs(account, region, p).await?,
            Setting::OrgDelegations => self.apply_delegations(p).await?,
            Setting::OrgServiceAdmins => self.apply_service_admins(region, p).await?,
            Setting::OrgGuardDuty
            | Setting::OrgSecurityHub
            | Setting::OrgMacie
            | Setting::OrgInspector
            | Setting::OrgDetective => self.apply_auto_enable(setting, region, p).await?,
            Setting::OrgInspectorMembers => self.apply_inspector_members(region, p).await?,
        }
        Ok(())
    }
}

/// One of the baseline's Macie jobs as found: its id, the baseline's name for it, and its
/// properties as the pseudo-resource holds them.
struct MacieJob {
    id: String,
    name: String,
    spec: Json,
}

impl SdkStacks {
    /// The baseline's jobs in a region (named `cfn-baseline-<name>`, not cancelled).
    async fn macie_jobs(&self, region: &str) -> ApiResult<Vec<MacieJob>> {
        use aws_sdk_macie2::types::{JobStatus, JobType, ManagedDataIdentifierSelector};
        let macie = self.macie(region);
        let mut summaries = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send("ListClassificationJobs", || {
                    macie
                        .list_classification_jobs()
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            summaries.extend(page.items().iter().cloned());
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        let mut jobs = Vec::new();
        for s in summaries {
            let (Some(id), Some(full)) = (s.job_id(), s.name()) else {
                continue;
            };
            let Some(name) = full.strip_prefix(crate::settings::MACIE_JOB_PREFIX) else {
                continue;
            };
            if s.job_status() == Some(&JobStatus::Cancelled) {
                continue;
            }
            let d = self
                .send("DescribeClassificationJob", || {
                    macie.describe_classification_job().job_id(id).send()
                })
                .await?;
            let mut buckets: Vec<String> = d
                .s3_job_definition()
                .map(|def| {
                    def.bucket_definitions()
                        .iter()
                        .flat_map(|b| b.buckets().iter().cloned())
                        .collect()
                })
                .unwrap_or_default();
            buckets.sort();
            let f = d.schedule_frequency();
            let schedule = if d.job_type() == Some(&JobType::OneTime) {
                "once".to_string()
            } else if let Some(w) = f.and_then(|f| f.weekly_schedule()) {
                format!("weekly:{}", w.day_of_week().map_or("", |d| d.as_str()))
            } else if let Some(m) = f.and_then(|f| f.monthly_schedule()) {
                format!("monthly:{}", m.day_of_month().unwrap_or(1))
            } else {
                "daily".to_string()
            };
            let identifiers = match d.managed_data_identifier_selector() {
                Some(ManagedDataIdentifierSelector::All) => json!("ALL"),
                Some(ManagedDataIdentifierSelector::Include) => {
                    let mut ids = d.managed_data_identifier_ids().to_vec();
                    ids.sort();
                    json!(ids)
                }
                Some(ManagedDataIdentifierSelector::Recommended) | None => json!("RECOMMENDED"),
                Some(other) => json!(other.as_str()),
            };
            jobs.push(MacieJob {
                id: id.to_string(),
                name: name.to_string(),
                spec: json!({
                    "Buckets": buckets,
                    "Schedule": schedule,
                    "ManagedDataIdentifiers": identifiers,
                }),
            });
        }
        Ok(jobs)
    }

    /// Brings the region's jobs to the wanted ones. Macie cannot change a job's buckets,
    /// schedule or identifiers, so a changed job is cancelled and created anew; a job the
    /// baseline no longer lists is cancelled. Cancelling keeps the job's findings.
    async fn apply_macie_jobs(&self, account: &str, region: &str, p: &Json) -> ApiResult<()> {
        use aws_sdk_macie2::types::{
            DailySchedule, DayOfWeek, JobScheduleFrequency, JobStatus, JobType,
            ManagedDataIdentifierSelector, MonthlySchedule, S3BucketDefinitionForJob,
            S3JobDefinition, WeeklySchedule,
        };
        let macie = self.macie(region);
        let wanted = p["Jobs"].as_object().cloned().unwrap_or_default();
        let live = self.macie_jobs(region).await?;
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
            .to_string();
        // New and changed jobs first, then the outdated ones are cancelled: a changed job
        // (Macie cannot change one) keeps running until its replacement exists, so a failed
        // create leaves the old inspection in place.
        for (name, spec) in &wanted {
            if live.iter().any(|j| &j.name == name && &j.spec == spec) {
                continue;
            }
            let buckets: Vec<String> = spec["Buckets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b.as_str().map(str::to_string))
                .collect();
            let definition = S3JobDefinition::builder()
                .bucket_definitions(
                    S3BucketDefinitionForJob::builder()
                        .account_id(account)
                        .set_buckets(Some(buckets))
                        .build(),
                )
                .build();
            let schedule = spec["Schedule"].as_str().unwrap_or("once");
            let frequency = match schedule.split_once(':') {
                Some(("weekly", day)) => Some(
                    JobScheduleFrequency::builder()
                        .weekly_schedule(
                            WeeklySchedule::builder()
                                .day_of_week(DayOfWeek::from(day))
                                .build(),
                        )
                        .build(),
                ),
                Some(("monthly", day)) => Some(
                    JobScheduleFrequency::builder()
                        .monthly_schedule(
                            MonthlySchedule::builder()
                                .day_of_month(day.parse().unwrap_or(1))
                                .build(),
                        )
                        .build(),
                ),
                _ if schedule == "daily" => Some(
                    JobScheduleFrequency::builder()
                        .daily_schedule(DailySchedule::builder().build())
                        .build(),
                ),
                _ => None,
            };
            let (selector, ids) = match &spec["ManagedDataIdentifiers"] {
                Json::Array(ids) => (
                    ManagedDataIdentifierSelector::Include,
                    Some(
                        ids.iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect(),
                    ),
                ),
                Json::String(s) if s == "ALL" => (ManagedDataIdentifierSelector::All, None),
                _ => (ManagedDataIdentifierSelector::Recommended, None),
            };
            let full_name = format!("{}{name}", crate::settings::MACIE_JOB_PREFIX);
            // A retry after a lost answer carries the same token, so Macie creates the job
            // once; another run (which may want a job cancelled earlier back) has its own.
            let token = macie_job_token(&[account, region, name, &run], spec);
            self.send("CreateClassificationJob", || {
                macie
                    .create_classification_job()
                    .client_token(&token)
                    .name(&full_name)
                    .description("Kept by cfn-baseline")
                    .job_type(if frequency.is_some() {
                        JobType::Scheduled
                    } else {
                        JobType::OneTime
                    })
                    .set_schedule_frequency(frequency.clone())
                    // A scheduled job first inspects what is there already.
                    .initial_run(true)
                    .s3_job_definition(definition.clone())
                    .managed_data_identifier_selector(selector.clone())
                    .set_managed_data_identifier_ids(ids.clone())
                    .tags("managed-by", "cfn-baseline")
                    .send()
            })
            .await?;
        }
        for job in &live {
            if wanted.get(&job.name) == Some(&job.spec) {
                continue;
            }
            self.send("UpdateClassificationJob", || {
                macie
                    .update_classification_job()
                    .job_id(&job.id)
                    .job_status(JobStatus::Cancelled)
                    .send()
            })
            .await?;
        }
        Ok(())
    }

    /// Shield Advanced's API is global, served from us-east-1.
    fn shield(&self) -> aws_sdk_shield::Client {
        match &self.fixed_shield {
            Some(c) => c.clone(),
            None => regional!(self, aws_sdk_shield, "us-east-1"),
        }
    }

    /// The subscription, or None when the account does not subscribe.
    async fn shield_subscription(&self) -> ApiResult<Option<aws_sdk_shield::types::Subscription>> {
        let shield = self.shield();
        let out = self
            .send_or_absent(
                "DescribeSubscription",
                || shield.describe_subscription().send(),
                |e| e.is_resource_not_found_exception(),
            )
            .await?;
        Ok(out.and_then(|o| o.subscription))
    }

    /// `{Subscription: ACTIVE | INACTIVE}`, and when subscribed the proactive engagement
    /// status, the emergency contacts and the protected resources' ARNs (sorted).
    async fn read_shield(&self) -> ApiResult<Json> {
        let Some(subscription) = self.shield_subscription().await? else {
            return Ok(json!({"Subscription": "INACTIVE"}));
        };
        let shield = self.shield();
        let mut arns = Vec::new();
        let mut token: Option<String> = None;
        loop {
            // Shield answers "not found" when nothing is protected.
            let page = self
                .send_or_absent(
                    "ListProtections",
                    || {
                        shield
                            .list_protections()
                            .set_next_token(token.clone())
                            .send()
                    },
                    |e| e.is_resource_not_found_exception(),
                )
                .await?;
            let Some(page) = page else { break };
            arns.extend(
                page.protections()
                    .iter()
                    .filter_map(|p| p.resource_arn().map(str::to_string)),
            );
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        arns.sort();
        let mut out = json!({
            "Subscription": "ACTIVE",
            "ProactiveEngagementStatus": subscription
                .proactive_engagement_status()
                .map_or("DISABLED", |s| s.as_str()),
            "Protections": arns,
        });
        let contacts = match self
            .send_or_absent(
                "DescribeEmergencyContactSettings",
                || shield.describe_emergency_contact_settings().send(),
                |e| e.is_resource_not_found_exception(),
            )
            .await
        {
            Ok(contacts) => contacts,
            // An endpoint without this call (the emulator) still answers the rest: the
            // contacts are left out, and compare as not set.
            Err(ApiError::Unsupported(_)) => return Ok(out),
            Err(e) => return Err(e),
        };
        out["EmergencyContacts"] = contacts
            .map(|c| {
                c.emergency_contact_list()
                    .iter()
                    .map(|c| {
                        json!({
                            "EmailAddress": c.email_address(),
                            "PhoneNumber": c.phone_number().unwrap_or_default(),
                            "ContactNotes": c.contact_notes().unwrap_or_default(),
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into();
        Ok(out)
    }

    /// Protects every listed resource not protected yet and turns proactive engagement on
    /// with the baseline's contact; never subscribes, never removes a protection.
    async fn apply_shield(&self, p: &Json) -> ApiResult<()> {
        let Some(subscription) = self.shield_subscription().await? else {
            return Err(ApiError::Api {
                code: "NotSubscribed".to_string(),
                message: crate::settings::SHIELD_NOT_SUBSCRIBED.to_string(),
            });
        };
        let shield = self.shield();
        for arn in p["Protections"].as_array().into_iter().flatten() {
            let Some(arn) = arn.as_str() else { continue };
            let name = crate::settings::shield_protection_name(arn);
            // Protected already (by hand, or by an earlier run): nothing to do.
            self.send_or_absent(
                "CreateProtection",
                || {
                    shield
                        .create_protection()
                        .name(&name)
                        .resource_arn(arn)
                        .send()
                },
                |e| e.is_resource_already_exists_exception(),
            )
            .await?;
        }
        if p["ProactiveEngagementStatus"].as_str() == Some("ENABLED") {
            let contacts: Vec<aws_sdk_shield::types::EmergencyContact> = p["EmergencyContacts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    aws_sdk_shield::types::EmergencyContact::builder()
                        .email_address(c["EmailAddress"].as_str().unwrap_or_default())
                        .phone_number(c["PhoneNumber"].as_str().unwrap_or_default())
                        .contact_notes(c["ContactNotes"].as_str().unwrap_or_default())
                        .build()
                        .ok()
                })
                .collect();
            match subscription.proactive_engagement_status() {
                // Never set up: the contacts and the engagement in one call.
                None => {
                    self.send("AssociateProactiveEngagementDetails", || {
                        shield
                            .associate_proactive_engagement_details()
                            .set_emergency_contact_list(Some(contacts.clone()))
                            .send()
                    })
                    .await?;
                }
                Some(status) => {
                    self.send("UpdateEmergencyContactSettings", || {
                        shield
                            .update_emergency_contact_settings()
                            .set_emergency_contact_list(Some(contacts.clone()))
                            .send()
                    })
                    .await?;
                    if *status != aws_sdk_shield::types::ProactiveEngagementStatus::Enabled {
                        self.send("EnableProactiveEngagement", || {
                            shield.enable_proactive_engagement().send()
                        })
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Switches Inspector's scanning of the given types on in an account: the caller's own,
    /// or, from Inspector's delegated administrator, a member's. Enable is idempotent:
    /// asking for what is on already changes nothing.
    pub(super) async fn enable_inspector(
        &self,
        region: &str,
        account: &str,
        types: &[ResourceScanType],
    ) -> ApiResult<()> {
        let out = self
            .send("Enable", || {
                self.inspector2(region)
                    .enable()
                    .account_ids(account)
                    .set_resource_types(Some(types.to_vec()))
                    .send()
            })
            .await?;
        // A refusal for the account comes back as a result, not an error.
        if let Some(f) = out.failed_accounts().first() {
            return Err(ApiError::Api {
                code: f.error_code().as_str().to_string(),
                message: format!(
                    "Inspector did not switch scanning on in account {account}: {}",
                    f.error_message()
                ),
            });
        }
        Ok(())
    }

    /// Sends one request within the run's budget for reaching AWS; its error becomes ours.
    pub(super) async fn send<O, E, F, Fut>(&self, op: &'static str, request: F) -> ApiResult<O>
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
    pub(super) async fn send_or_absent<O, E, F, Fut>(
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

/// Inspector's scan type for the pseudo-resource's key (`Ec2`, `Ecr`, `Lambda`,
/// `LambdaCode`).
pub(super) fn inspector_scan_type(key: &str) -> Option<ResourceScanType> {
    Some(match key {
        "Ec2" => ResourceScanType::Ec2,
        "Ecr" => ResourceScanType::Ecr,
        "Lambda" => ResourceScanType::Lambda,
        "LambdaCode" => ResourceScanType::LambdaCode,
        _ => return None,
    })
}

/// The idempotency token of a Macie job create: the same parts (account, region, name, run)
/// and settings give the same token.
fn macie_job_token(parts: &[&str], spec: &Json) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let spec = crate::json::to_string_sorted(spec);
    for part in parts.iter().copied().chain([spec.as_str()]) {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    format!(
        "cfn-baseline-{}",
        digest
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}
