//! An organization's delegations, from its management account: trusted access and the
//! delegated administrators registered through AWS Organizations (AWS Config, IAM Access
//! Analyzer), and the delegated administrator each security service names through its own
//! API (GuardDuty, Security Hub, Macie, Inspector, Detective), per region.

use serde_json::{json, Value as Json};

use super::sdk::SdkStacks;
use super::*;
use crate::settings::AdminService;

/// What AWS says when the account is in no organization, in words.
const NO_ORGANIZATION: &str = "the account is not in an AWS organization: create the organization \
     in the management account (AWS Organizations console) first, or remove `organization`";

fn texts(p: &Json, key: &str) -> Vec<String> {
    p[key]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .map(str::to_string)
        .collect()
}

/// An error of AWS Organizations, with the one that means "no organization" in words.
fn in_organization(e: ApiError) -> ApiError {
    match e {
        ApiError::Api { code, .. } if code == "AWSOrganizationsNotInUseException" => {
            ApiError::Api {
                code,
                message: NO_ORGANIZATION.to_string(),
            }
        }
        other => other,
    }
}

impl SdkStacks {
    /// Every page of a listing: `page` takes the next token and gives one page's items and
    /// the token after it.
    async fn all_pages<T, F, Fut>(&self, page: F) -> ApiResult<Vec<T>>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: std::future::Future<Output = ApiResult<(Vec<T>, Option<String>)>>,
    {
        let mut all = Vec::new();
        let mut token = None;
        loop {
            let (items, next) = page(token).await.map_err(in_organization)?;
            all.extend(items);
            if next.is_none() {
                return Ok(all);
            }
            token = next;
        }
    }

    /// [`SdkStacks::all_pages`] of account ids: every page's, sorted, each once.
    async fn account_pages<F, Fut>(&self, page: F) -> ApiResult<Vec<String>>
    where
        F: Fn(Option<String>) -> Fut,
        Fut: std::future::Future<Output = ApiResult<(Vec<String>, Option<String>)>>,
    {
        let mut ids = self.all_pages(page).await?;
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// `{TrustedAccess: [principal], DelegatedAdministrators: ["principal=account"]}`, sorted.
    pub(super) async fn read_delegations(&self) -> ApiResult<Json> {
        let org = self.organizations();
        let org = &org;
        let mut trusted: Vec<String> = self
            .all_pages(|token| async move {
                let out = self
                    .send("ListAWSServiceAccessForOrganization", || {
                        org.list_aws_service_access_for_organization()
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                let items = out
                    .enabled_service_principals()
                    .iter()
                    .filter_map(|p| p.service_principal())
                    .map(str::to_string)
                    .collect();
                Ok((items, out.next_token().map(str::to_string)))
            })
            .await?;
        // Every delegated administrator, then what each administers: no service principal
        // is named, so none the endpoint does not know can fail the read.
        let admins: Vec<String> = self
            .all_pages(|token| async move {
                let out = self
                    .send("ListDelegatedAdministrators", || {
                        org.list_delegated_administrators()
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                let items = out
                    .delegated_administrators()
                    .iter()
                    .filter_map(|a| a.id())
                    .map(str::to_string)
                    .collect();
                Ok((items, out.next_token().map(str::to_string)))
            })
            .await?;
        let mut delegated = Vec::new();
        for account in &admins {
            delegated.extend(
                self.all_pages(|token| async move {
                    let out = self
                        .send("ListDelegatedServicesForAccount", || {
                            org.list_delegated_services_for_account()
                                .account_id(account)
                                .set_next_token(token.clone())
                                .send()
                        })
                        .await?;
                    let items: Vec<String> = out
                        .delegated_services()
                        .iter()
                        .filter_map(|s| s.service_principal())
                        .map(|p| format!("{p}={account}"))
                        .collect();
                    Ok((items, out.next_token().map(str::to_string)))
                })
                .await?,
            );
        }
        trusted.sort();
        trusted.dedup();
        delegated.sort();
        delegated.dedup();
        Ok(json!({"TrustedAccess": trusted, "DelegatedAdministrators": delegated}))
    }

    /// Gives trusted access, then registers the delegated administrators, that are missing;
    /// nothing is disabled or deregistered.
    pub(super) async fn apply_delegations(&self, wanted: &Json) -> ApiResult<()> {
        let live = self.read_delegations().await?;
        let org = self.organizations();
        let have = texts(&live, "TrustedAccess");
        for principal in texts(wanted, "TrustedAccess") {
            if have.contains(&principal) {
                continue;
            }
            self.send("EnableAWSServiceAccess", || {
                org.enable_aws_service_access()
                    .service_principal(&principal)
                    .send()
            })
            .await?;
        }
        let have = texts(&live, "DelegatedAdministrators");
        for wanted in texts(wanted, "DelegatedAdministrators") {
            if have.contains(&wanted) {
                continue;
            }
            // `principal=account`.
            let Some((principal, account)) = wanted.split_once('=') else {
                continue;
            };
            self.send("RegisterDelegatedAdministrator", || {
                org.register_delegated_administrator()
                    .service_principal(principal)
                    .account_id(account)
                    .send()
            })
            .await?;
        }
        Ok(())
    }

    /// The delegated administrator of one service in a region (None: there is none, or the
    /// endpoint does not implement the service).
    async fn service_admin(
        &self,
        service: AdminService,
        region: &str,
    ) -> ApiResult<Option<String>> {
        let got: ApiResult<Option<String>> = match service {
            AdminService::GuardDuty => self
                .send("ListOrganizationAdminAccounts", || {
                    self.guardduty(region)
                        .list_organization_admin_accounts()
                        .send()
                })
                .await
                .map(|o| {
                    o.admin_accounts()
                        .iter()
                        .find(|a| {
                            a.admin_status()
                                == Some(&aws_sdk_guardduty::types::AdminStatus::Enabled)
                        })
                        .and_then(|a| a.admin_account_id())
                        .map(str::to_string)
                }),
            AdminService::SecurityHub => self
                .send("ListOrganizationAdminAccounts", || {
                    self.securityhub(region)
                        .list_organization_admin_accounts()
                        .send()
                })
                .await
                .map(|o| {
                    o.admin_accounts()
                        .iter()
                        .find(|a| {
                            a.status() == Some(&aws_sdk_securityhub::types::AdminStatus::Enabled)
                        })
                        .and_then(|a| a.account_id())
                        .map(str::to_string)
                }),
            AdminService::Macie => self
                .send("ListOrganizationAdminAccounts", || {
                    self.macie(region).list_organization_admin_accounts().send()
                })
                .await
                .map(|o| {
                    o.admin_accounts()
                        .iter()
                        .find(|a| a.status() == Some(&aws_sdk_macie2::types::AdminStatus::Enabled))
                        .and_then(|a| a.account_id())
                        .map(str::to_string)
                }),
            AdminService::Inspector => self
                .send("ListDelegatedAdminAccounts", || {
                    self.inspector2(region)
                        .list_delegated_admin_accounts()
                        .send()
                })
                .await
                .map(|o| {
                    o.delegated_admin_accounts()
                        .iter()
                        .find(|a| {
                            a.status()
                                == Some(&aws_sdk_inspector2::types::DelegatedAdminStatus::Enabled)
                        })
                        .and_then(|a| a.account_id())
                        .map(str::to_string)
                }),
            AdminService::Detective => self
                .send("ListOrganizationAdminAccounts", || {
                    self.detective(region)
                        .list_organization_admin_accounts()
                        .send()
                })
                .await
                .map(|o| {
                    o.administrators()
                        .first()
                        .and_then(|a| a.account_id())
                        .map(str::to_string)
                }),
        };
        // Not implemented by the endpoint, or refused where the management account has not
        // switched the service on (a service the baseline may not even enable): none known.
        super::discover::unknown(got.map_err(in_organization)).map(Option::flatten)
    }

    /// `{GuardDuty: account, ...}` for each service the region offers that has a delegated
    /// administrator.
    pub(super) async fn read_service_admins(&self, region: &str) -> ApiResult<Json> {
        let mut out = serde_json::Map::new();
        for service in AdminService::ALL {
            if !service.offered_in(region) {
                continue;
            }
            if let Some(account) = self.service_admin(service, region).await? {
                out.insert(service.key().to_string(), json!(account));
            }
        }
        Ok(Json::Object(out))
    }

    /// Names the delegated administrator of each service that has none. One that has
    /// another is refused before any change (plan's refusal), and never replaced here.
    pub(super) async fn apply_service_admins(&self, region: &str, wanted: &Json) -> ApiResult<()> {
        let live = self.read_service_admins(region).await?;
        for (key, account) in wanted.as_object().into_iter().flatten() {
            let (Some(service), Some(account)) = (AdminService::from_key(key), account.as_str())
            else {
                continue;
            };
            match live[key].as_str() {
                Some(have) if have == account => continue,
                Some(have) => {
                    return Err(ApiError::Api {
                        code: "DelegatedAdministratorTaken".to_string(),
                        message: format!(
                            "{key}'s delegated administrator in {region} is {have}, not {account}"
                        ),
                    })
                }
                None => {}
            }
            match service {
                AdminService::GuardDuty => self
                    .send("EnableOrganizationAdminAccount", || {
                        self.guardduty(region)
                            .enable_organization_admin_account()
                            .admin_account_id(account)
                            .send()
                    })
                    .await
                    .map(drop),
                AdminService::SecurityHub => self
                    .send("EnableOrganizationAdminAccount", || {
                        self.securityhub(region)
                            .enable_organization_admin_account()
                            .admin_account_id(account)
                            .send()
                    })
                    .await
                    .map(drop),
                AdminService::Macie => self
                    .send("EnableOrganizationAdminAccount", || {
                        self.macie(region)
                            .enable_organization_admin_account()
                            .admin_account_id(account)
                            .send()
                    })
                    .await
                    .map(drop),
                AdminService::Inspector => self
                    .send("EnableDelegatedAdminAccount", || {
                        self.inspector2(region)
                            .enable_delegated_admin_account()
                            .delegated_admin_account_id(account)
                            .send()
                    })
                    .await
                    .map(drop),
                AdminService::Detective => self
                    .send("EnableOrganizationAdminAccount", || {
                        self.detective(region)
                            .enable_organization_admin_account()
                            .account_id(account)
                            .send()
                    })
                    .await
                    .map(drop),
            }
            .map_err(in_organization)?;
        }
        Ok(())
    }
}

/// Before the security account is a service's delegated administrator, the service refuses
/// to describe its organization configuration there: nothing is set yet (plan says when it
/// is read). Any other error stays one.
fn before_delegation(result: ApiResult<Json>) -> ApiResult<Option<Json>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(ApiError::Api { code, .. })
            if [
                "AccessDeniedException",
                "BadRequestException",
                "InvalidAccessException",
                "ResourceNotFoundException",
                "ValidationException",
            ]
            .contains(&code.as_str()) =>
        {
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A service's refusal to make an account a member, which it gives as a result, not an
/// error.
fn not_made_member(service: &str, account: Option<&str>, reason: Option<&str>) -> ApiError {
    ApiError::Api {
        code: "UnprocessedAccount".to_string(),
        message: format!(
            "{service} did not make account {} a member: {}",
            account.unwrap_or("?"),
            reason.unwrap_or("no reason given")
        ),
    }
}

/// GuardDuty's `ALL` / `NEW` / `NONE`, as the pseudo-resource holds it.
fn members(value: Option<&str>) -> Json {
    json!(value.unwrap_or("NONE"))
}

impl SdkStacks {
    /// The accounts that are Security Hub members of this (administrator) account in a
    /// region, sorted.
    async fn securityhub_members(&self, region: &str) -> ApiResult<Vec<String>> {
        let sh = self.securityhub(region);
        let sh = &sh;
        self.account_pages(|token| async move {
            let out = self
                .send("ListMembers", || {
                    sh.list_members()
                        .only_associated(false)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            let items = out
                .members()
                .iter()
                .filter_map(|m| m.account_id().map(str::to_string))
                .collect();
            Ok((items, out.next_token().map(str::to_string)))
        })
        .await
    }

    /// Makes the baseline's accounts Security Hub members of the security account where
    /// they are not yet. Auto-enable (or the configuration policy) covers the accounts that
    /// join later; those already in the organization become members here, so that their
    /// findings reach the security account (an organization's members need no invitation).
    async fn create_securityhub_members(&self, region: &str, wanted: &Json) -> ApiResult<()> {
        let have = self.securityhub_members(region).await?;
        let missing = Self::missing(wanted, &have);
        // CreateMembers takes at most 50 accounts a call.
        for chunk in missing.chunks(50) {
            let details: Vec<aws_sdk_securityhub::types::AccountDetails> = chunk
                .iter()
                .map(|a| {
                    aws_sdk_securityhub::types::AccountDetails::builder()
                        .account_id(a)
                        .build()
                })
                .collect();
            let out = self
                .send("CreateMembers", || {
                    self.securityhub(region)
                        .create_members()
                        .set_account_details(Some(details.clone()))
                        .send()
                })
                .await?;
            if let Some(u) = out.unprocessed_accounts().first() {
                return Err(not_made_member(
                    "Security Hub",
                    u.account_id(),
                    u.processing_result(),
                ));
            }
        }
        Ok(())
    }

    /// The id of the baseline's configuration policy
    /// ([`crate::settings::SECURITYHUB_POLICY_NAME`]), if there is one.
    async fn securityhub_policy_id(&self, region: &str) -> ApiResult<Option<String>> {
        let sh = self.securityhub(region);
        let sh = &sh;
        let policies = self
            .all_pages(|token| async move {
                let out = self
                    .send("ListConfigurationPolicies", || {
                        sh.list_configuration_policies()
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                let items = out
                    .configuration_policy_summaries()
                    .iter()
                    .filter(|p| p.name() == Some(crate::settings::SECURITYHUB_POLICY_NAME))
                    .filter_map(|p| p.id().map(str::to_string))
                    .collect();
                Ok((items, out.next_token().map(str::to_string)))
            })
            .await?;
        Ok(policies.into_iter().next())
    }

    /// The baseline's configuration policy as the pseudo-resource holds it: `ServiceEnabled`,
    /// `EnabledStandards`, `DisabledControls` (sorted) and `Targets`, where it is applied
    /// (`ROOT` for the organization's root; OU and account ids as they are); and
    /// `OtherPolicyTargets`, the root and OUs another configuration (another policy, or
    /// self-managed) is applied to, which the baseline does not take over.
    async fn securityhub_policy(&self, region: &str) -> ApiResult<serde_json::Map<String, Json>> {
        use aws_sdk_securityhub::types::{AssociationFilters, AssociationType, Policy, TargetType};
        let sh = self.securityhub(region);
        let sh = &sh;
        // (policy id, target) of every association applied directly.
        let applied: Vec<(String, String, bool)> = self
            .all_pages(|token| async move {
                let out = self
                    .send("ListConfigurationPolicyAssociations", || {
                        sh.list_configuration_policy_associations()
                            .filters(
                                AssociationFilters::builder()
                                    .association_type(AssociationType::Applied)
                                    .build(),
                            )
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await?;
                let items = out
                    .configuration_policy_association_summaries()
                    .iter()
                    .filter_map(|a| {
                        let policy = a.configuration_policy_id()?.to_string();
                        let (target, account) = match a.target_type() {
                            Some(TargetType::Root) => ("ROOT".to_string(), false),
                            Some(TargetType::Account) => (a.target_id()?.to_string(), true),
                            _ => (a.target_id()?.to_string(), false),
                        };
                        Some((policy, target, account))
                    })
                    .collect();
                Ok((items, out.next_token().map(str::to_string)))
            })
            .await?;
        let ours = self.securityhub_policy_id(region).await?;
        let mut others: Vec<String> = applied
            .iter()
            .filter(|(policy, _, account)| Some(policy) != ours.as_ref() && !account)
            .map(|(_, target, _)| target.clone())
            .collect();
        others.sort();
        others.dedup();
        let mut map = serde_json::Map::new();
        map.insert("OtherPolicyTargets".into(), json!(others));
        let Some(id) = ours else {
            return Ok(map);
        };
        let got = self
            .send("GetConfigurationPolicy", || {
                sh.get_configuration_policy().identifier(&id).send()
            })
            .await?;
        let policy = match got.configuration_policy() {
            Some(Policy::SecurityHub(p)) => Some(p),
            _ => None,
        };
        let mut standards: Vec<String> = policy
            .map(|p| p.enabled_standard_identifiers().to_vec())
            .unwrap_or_default();
        standards.sort();
        let mut disabled: Vec<String> = policy
            .and_then(|p| p.security_controls_configuration())
            .map(|c| c.disabled_security_control_identifiers().to_vec())
            .unwrap_or_default();
        disabled.sort();
        let mut targets: Vec<String> = applied
            .into_iter()
            .filter(|(policy, _, _)| *policy == id)
            .map(|(_, target, _)| target)
            .collect();
        targets.sort();
        targets.dedup();
        map.insert(
            "ServiceEnabled".into(),
            json!(policy.and_then(|p| p.service_enabled()).unwrap_or(false)),
        );
        map.insert("EnabledStandards".into(), json!(standards));
        map.insert("DisabledControls".into(), json!(disabled));
        map.insert("Targets".into(), json!(targets));
        Ok(map)
    }

    /// Security Hub central configuration: the organization configuration turned CENTRAL
    /// (it needs the finding aggregator of the security account's home stack), the
    /// baseline's configuration policy created or updated, and associated with each target.
    /// Associations to targets the baseline no longer lists are left as they are.
    async fn apply_securityhub_central(&self, region: &str, wanted: &Json) -> ApiResult<()> {
        use aws_sdk_securityhub::types::{
            AutoEnableStandards, ConfigurationPolicyAssociationStatus, OrganizationConfiguration,
            OrganizationConfigurationConfigurationType, OrganizationConfigurationStatus, Policy,
            SecurityControlsConfiguration, SecurityHubPolicy, Target,
        };
        let sh = self.securityhub(region);
        let texts = |key: &str| -> Vec<String> {
            wanted[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        };
        let described = self
            .send("DescribeOrganizationConfiguration", || {
                sh.describe_organization_configuration().send()
            })
            .await?;
        let central = described
            .organization_configuration()
            .and_then(|c| c.configuration_type())
            == Some(&OrganizationConfigurationConfigurationType::Central);
        if !central {
            self.send("UpdateOrganizationConfiguration", || {
                sh.update_organization_configuration()
                    .auto_enable(false)
                    .auto_enable_standards(AutoEnableStandards::None)
                    .organization_configuration(
                        OrganizationConfiguration::builder()
                            .configuration_type(OrganizationConfigurationConfigurationType::Central)
                            .build(),
                    )
                    .send()
            })
            .await?;
            // The switch completes in the background (PENDING, then ENABLED or FAILED).
            let mut tries = 0;
            loop {
                let now = self
                    .send("DescribeOrganizationConfiguration", || {
                        sh.describe_organization_configuration().send()
                    })
                    .await?;
                let config = now.organization_configuration();
                match config.and_then(|c| c.status()) {
                    Some(OrganizationConfigurationStatus::Pending) if tries < 30 => {
                        tries += 1;
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    }
                    Some(OrganizationConfigurationStatus::Pending) => {
                        return Err(ApiError::Api {
                            code: "CentralConfigurationPending".to_string(),
                            message: "Security Hub's switch to central configuration is still pending after a minute: run deploy again to finish the configuration policy".to_string(),
                        });
                    }
                    Some(OrganizationConfigurationStatus::Failed) => {
                        return Err(ApiError::Api {
                            code: "CentralConfigurationFailed".to_string(),
                            message: format!(
                                "Security Hub could not switch to central configuration: {}",
                                config
                                    .and_then(|c| c.status_message())
                                    .unwrap_or("no reason given")
                            ),
                        });
                    }
                    _ => break,
                }
            }
        }
        let policy = Policy::SecurityHub(
            SecurityHubPolicy::builder()
                .service_enabled(wanted["ServiceEnabled"].as_bool().unwrap_or(true))
                .set_enabled_standard_identifiers(Some(texts("EnabledStandards")))
                .security_controls_configuration(
                    SecurityControlsConfiguration::builder()
                        .set_disabled_security_control_identifiers(Some(texts("DisabledControls")))
                        .build(),
                )
                .build(),
        );
        const DESCRIPTION: &str =
            "cfn-baseline: Security Hub with the baseline's standards and disabled controls";
        let id = match self.securityhub_policy_id(region).await? {
            Some(id) => {
                self.send("UpdateConfigurationPolicy", || {
                    sh.update_configuration_policy()
                        .identifier(&id)
                        .description(DESCRIPTION)
                        .configuration_policy(policy.clone())
                        .updated_reason("the baseline changed")
                        .send()
                })
                .await?;
                id
            }
            None => {
                let out = self
                    .send("CreateConfigurationPolicy", || {
                        sh.create_configuration_policy()
                            .name(crate::settings::SECURITYHUB_POLICY_NAME)
                            .description(DESCRIPTION)
                            .configuration_policy(policy.clone())
                            .send()
                    })
                    .await?;
                out.id().unwrap_or_default().to_string()
            }
        };
        for target in texts("Targets") {
            let target = if target == "ROOT" {
                Target::RootId(self.organization_root().await?)
            } else {
                Target::OrganizationalUnitId(target)
            };
            let out = self
                .send("StartConfigurationPolicyAssociation", || {
                    sh.start_configuration_policy_association()
                        .configuration_policy_identifier(&id)
                        .target(target.clone())
                        .send()
                })
                .await?;
            if out.association_status() == Some(&ConfigurationPolicyAssociationStatus::Failed) {
                return Err(ApiError::Api {
                    code: "AssociationFailed".to_string(),
                    message: format!(
                        "Security Hub could not associate its configuration policy with {}: {}",
                        out.target_id().unwrap_or("the target"),
                        out.association_status_message()
                            .unwrap_or("no reason given")
                    ),
                });
            }
        }
        Ok(())
    }

    /// The active accounts of organizational units (`ou-...`, or a root `r-...`) and of the
    /// units under them, sorted: the accounts service-managed stack sets reach.
    pub async fn unit_accounts(&self, units: &[String]) -> ApiResult<Vec<String>> {
        let org = self.organizations();
        let org = &org;
        let mut parents: Vec<String> = units.to_vec();
        let mut seen = std::collections::BTreeSet::new();
        let mut accounts = Vec::new();
        while let Some(parent) = parents.pop() {
            if !seen.insert(parent.clone()) {
                continue;
            }
            let parent = &parent;
            accounts.extend(
                self.account_pages(|token| async move {
                    let out = self
                        .send("ListAccountsForParent", || {
                            org.list_accounts_for_parent()
                                .parent_id(parent)
                                .set_next_token(token.clone())
                                .send()
                        })
                        .await?;
                    let items = out
                        .accounts()
                        .iter()
                        .filter(|a| {
                            a.state().is_none_or(|s| {
                                *s == aws_sdk_organizations::types::AccountState::Active
                            })
                        })
                        .filter_map(|a| a.id())
                        .map(str::to_string)
                        .collect();
                    Ok((items, out.next_token().map(str::to_string)))
                })
                .await?,
            );
            parents.extend(
                self.all_pages(|token| async move {
                    let out = self
                        .send("ListOrganizationalUnitsForParent", || {
                            org.list_organizational_units_for_parent()
                                .parent_id(parent)
                                .set_next_token(token.clone())
                                .send()
                        })
                        .await?;
                    let items = out
                        .organizational_units()
                        .iter()
                        .filter_map(|u| u.id())
                        .map(str::to_string)
                        .collect();
                    Ok((items, out.next_token().map(str::to_string)))
                })
                .await?,
            );
        }
        accounts.sort();
        accounts.dedup();
        Ok(accounts)
    }

    /// The organization's root id (a service's delegated administrator may read it).
    async fn organization_root(&self) -> ApiResult<String> {
        let org = self.organizations();
        let out = self
            .send("ListRoots", || org.list_roots().send())
            .await
            .map_err(in_organization)?;
        out.roots()
            .first()
            .and_then(|r| r.id())
            .map(str::to_string)
            .ok_or_else(|| ApiError::Api {
                code: "NoRoot".to_string(),
                message: "the organization lists no root".to_string(),
            })
    }

    /// The security account's organization configuration of one service in a region, as
    /// [`crate::settings::Setting`]'s pseudo-resource holds it; None before it can be read.
    /// Inspector's organization configuration: what is switched on in new members.
    async fn inspector_auto_enable(&self, region: &str) -> ApiResult<Json> {
        self.send("DescribeOrganizationConfiguration", || {
            self.inspector2(region)
                .describe_organization_configuration()
                .send()
        })
        .await
        .map(|o| {
            let a = o.auto_enable();
            json!({
                "Ec2": a.is_some_and(|a| a.ec2()),
                "Ecr": a.is_some_and(|a| a.ecr()),
                "Lambda": a.and_then(|a| a.lambda()).unwrap_or(false),
                "LambdaCode": a.and_then(|a| a.lambda_code()).unwrap_or(false),
            })
        })
    }

    pub(super) async fn read_auto_enable(
        &self,
        setting: crate::settings::Setting,
        region: &str,
    ) -> ApiResult<Option<Json>> {
        use crate::settings::Setting;
        match setting {
            Setting::OrgGuardDuty => {
                let gd = self.guardduty(region);
                let ids = self
                    .send("ListDetectors", || gd.list_detectors().send())
                    .await?;
                // The stack creates the detector: until then there is nothing to read.
                let Some(id) = ids.detector_ids().first().cloned() else {
                    return Ok(None);
                };
                before_delegation(
                    self.send("DescribeOrganizationConfiguration", || {
                        gd.describe_organization_configuration()
                            .detector_id(&id)
                            .send()
                    })
                    .await
                    .map(|o| {
                        let mut p = serde_json::Map::new();
                        p.insert(
                            "AutoEnableOrganizationMembers".into(),
                            members(o.auto_enable_organization_members().map(|m| m.as_str())),
                        );
                        for f in o.features() {
                            let Some(name) = f.name() else { continue };
                            p.insert(
                                name.as_str().to_string(),
                                members(f.auto_enable().map(|s| s.as_str())),
                            );
                            for a in f.additional_configuration() {
                                let Some(extra) = a.name() else { continue };
                                p.insert(
                                    format!("{}:{}", name.as_str(), extra.as_str()),
                                    members(a.auto_enable().map(|s| s.as_str())),
                                );
                            }
                        }
                        Json::Object(p)
                    }),
                )
            }
            Setting::OrgSecurityHub => {
                let read = before_delegation(
                    self.send("DescribeOrganizationConfiguration", || {
                        self.securityhub(region)
                            .describe_organization_configuration()
                            .send()
                    })
                    .await
                    .map(|o| {
                        json!({
                            "AutoEnable": o.auto_enable().unwrap_or(false),
                            "AutoEnableStandards": o.auto_enable_standards().map_or("NONE", |s| s.as_str()),
                            "ConfigurationType": o
                                .organization_configuration()
                                .and_then(|c| c.configuration_type())
                                .map_or("LOCAL", |t| t.as_str()),
                        })
                    }),
                )?;
                let Some(mut read) = read else {
                    return Ok(None);
                };
                if read["ConfigurationType"] == "CENTRAL" {
                    for (k, v) in self.securityhub_policy(region).await? {
                        read[k] = v;
                    }
                }
                read["Members"] = json!(self.securityhub_members(region).await?);
                Ok(Some(read))
            }
            Setting::OrgMacie => {
                let read = before_delegation(
                    self.send("DescribeOrganizationConfiguration", || {
                        self.macie(region)
                            .describe_organization_configuration()
                            .send()
                    })
                    .await
                    .map(|o| json!({"AutoEnable": o.auto_enable().unwrap_or(false)})),
                )?;
                let Some(mut read) = read else {
                    return Ok(None);
                };
                read["Members"] = json!(self.macie_members(region).await?);
                Ok(Some(read))
            }
            Setting::OrgInspector => before_delegation(self.inspector_auto_enable(region).await),
            Setting::OrgDetective => {
                let Some(graph) = self.detective_graph(region).await? else {
                    return Ok(None);
                };
                let read = before_delegation(
                    self.send("DescribeOrganizationConfiguration", || {
                        self.detective(region)
                            .describe_organization_configuration()
                            .graph_arn(&graph)
                            .send()
                    })
                    .await
                    .map(|o| json!({"AutoEnable": o.auto_enable()})),
                )?;
                let Some(mut read) = read else {
                    return Ok(None);
                };
                read["Members"] = json!(self.detective_members(region, &graph).await?);
                Ok(Some(read))
            }
            other => unreachable!("{other:?} is not an organization configuration"),
        }
    }

    /// The wanted `Members` that are not in `have`.
    fn missing(wanted: &Json, have: &[String]) -> Vec<String> {
        wanted["Members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .filter(|a| !have.iter().any(|h| h == a))
            .map(str::to_string)
            .collect()
    }

    /// An organization account's email address, which Macie and Detective want with a new
    /// member (a service's delegated administrator may read it).
    async fn account_email(&self, account: &str) -> ApiResult<String> {
        let org = self.organizations();
        let out = self
            .send("DescribeAccount", || {
                org.describe_account().account_id(account).send()
            })
            .await
            .map_err(in_organization)?;
        out.account()
            .and_then(|a| a.email())
            .map(str::to_string)
            .ok_or_else(|| ApiError::Api {
                code: "NoEmail".to_string(),
                message: format!("AWS Organizations gives no email address for account {account}"),
            })
    }

    /// The accounts that are Macie members of the security account in a region, enabled
    /// (not paused, removed or resigned), sorted.
    async fn macie_members(&self, region: &str) -> ApiResult<Vec<String>> {
        use aws_sdk_macie2::types::RelationshipStatus;
        let macie = self.macie(region);
        let macie = &macie;
        self.account_pages(|token| async move {
            let out = self
                .send("ListMembers", || {
                    macie
                        .list_members()
                        .only_associated("true")
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            let items = out
                .members()
                .iter()
                .filter(|m| m.relationship_status() == Some(&RelationshipStatus::Enabled))
                .filter_map(|m| m.account_id().map(str::to_string))
                .collect();
            Ok((items, out.next_token().map(str::to_string)))
        })
        .await
    }

    /// Makes the wanted accounts Macie members of the security account where they are not
    /// yet: for an organization account that enables Macie in it (no invitation).
    async fn create_macie_members(&self, region: &str, wanted: &Json) -> ApiResult<()> {
        let have = self.macie_members(region).await?;
        for account in Self::missing(wanted, &have) {
            let email = self.account_email(&account).await?;
            let detail = aws_sdk_macie2::types::AccountDetail::builder()
                .account_id(&account)
                .email(email)
                .build();
            self.send("CreateMember", || {
                self.macie(region)
                    .create_member()
                    .account(detail.clone())
                    .send()
            })
            .await?;
        }
        Ok(())
    }

    /// The accounts that are enabled members of the security account's behavior graph,
    /// sorted.
    async fn detective_members(&self, region: &str, graph: &str) -> ApiResult<Vec<String>> {
        let detective = self.detective(region);
        let detective = &detective;
        self.account_pages(|token| async move {
            let out = self
                .send("ListMembers", || {
                    detective
                        .list_members()
                        .graph_arn(graph)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            let items = out
                .member_details()
                .iter()
                .filter(|m| m.status() == Some(&aws_sdk_detective::types::MemberStatus::Enabled))
                .filter_map(|m| m.account_id().map(str::to_string))
                .collect();
            Ok((items, out.next_token().map(str::to_string)))
        })
        .await
    }

    /// Makes the wanted accounts members of the security account's behavior graph where
    /// they are not yet (organization accounts are enabled, not invited).
    async fn create_detective_members(
        &self,
        region: &str,
        graph: &str,
        wanted: &Json,
    ) -> ApiResult<()> {
        let have = self.detective_members(region, graph).await?;
        let missing = Self::missing(wanted, &have);
        let mut accounts = Vec::new();
        for account in &missing {
            let email = self.account_email(account).await?;
            accounts.push(
                aws_sdk_detective::types::Account::builder()
                    .account_id(account)
                    .email_address(email)
                    .build()
                    .map_err(|e| ApiError::Api {
                        code: "InvalidAccount".to_string(),
                        message: e.to_string(),
                    })?,
            );
        }
        // CreateMembers takes at most 50 accounts a call.
        for chunk in accounts.chunks(50) {
            let out = self
                .send("CreateMembers", || {
                    self.detective(region)
                        .create_members()
                        .graph_arn(graph)
                        .set_accounts(Some(chunk.to_vec()))
                        .disable_email_notification(true)
                        .send()
                })
                .await?;
            if let Some(u) = out.unprocessed_accounts().first() {
                return Err(not_made_member("Detective", u.account_id(), u.reason()));
            }
        }
        Ok(())
    }

    /// The accounts associated with the security account as Inspector members in a region
    /// (ENABLED or CREATED; not those disabled, removed or resigned), sorted.
    async fn inspector_members(&self, region: &str) -> ApiResult<Vec<String>> {
        use aws_sdk_inspector2::types::RelationshipStatus;
        let client = self.inspector2(region);
        let client = &client;
        self.account_pages(|token| async move {
            let out = self
                .send("ListMembers", || {
                    client
                        .list_members()
                        .only_associated(true)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            let items = out
                .members()
                .iter()
                .filter(|m| {
                    matches!(
                        m.relationship_status(),
                        Some(RelationshipStatus::Enabled | RelationshipStatus::Created)
                    )
                })
                .filter_map(|m| m.account_id().map(str::to_string))
                .collect();
            Ok((items, out.next_token().map(str::to_string)))
        })
        .await
    }

    /// Inspector's scanning of the associated members, read by the security account:
    /// `<account>:<scan type>` = ENABLED / DISABLED / ... (ENABLING counts as on). None
    /// before the security account is Inspector's delegated administrator.
    pub(super) async fn read_inspector_members(&self, region: &str) -> ApiResult<Option<Json>> {
        use aws_sdk_inspector2::types::Status;
        let members = match self.inspector_members(region).await {
            Ok(m) => m,
            Err(e) => return before_delegation(Err(e)),
        };
        let mut map = serde_json::Map::new();
        // BatchGetAccountStatus takes at most 10 accounts a call.
        for chunk in members.chunks(10) {
            let out = self
                .send("BatchGetAccountStatus", || {
                    self.inspector2(region)
                        .batch_get_account_status()
                        .set_account_ids(Some(chunk.to_vec()))
                        .send()
                })
                .await?;
            for a in out.accounts() {
                let Some(state) = a.resource_state() else {
                    continue;
                };
                let status =
                    |s: Option<&aws_sdk_inspector2::types::State>| match s.map(|s| s.status()) {
                        Some(Status::Enabled | Status::Enabling) => "ENABLED".to_string(),
                        Some(other) => other.as_str().to_string(),
                        None => "DISABLED".to_string(),
                    };
                let account = a.account_id();
                for (key, s) in [
                    ("Ec2", state.ec2()),
                    ("Ecr", state.ecr()),
                    ("Lambda", state.lambda()),
                    ("LambdaCode", state.lambda_code()),
                ] {
                    map.insert(format!("{account}:{key}"), json!(status(s)));
                }
            }
        }
        Ok(Some(Json::Object(map)))
    }

    /// Associates the baseline's accounts that are not yet Inspector members, then
    /// switches on each account's scan types (Enable is idempotent; what the baseline does
    /// not list is left as it is).
    pub(super) async fn apply_inspector_members(
        &self,
        region: &str,
        wanted: &Json,
    ) -> ApiResult<()> {
        use aws_sdk_inspector2::types::ResourceScanType;
        let mut scans: std::collections::BTreeMap<String, Vec<ResourceScanType>> =
            std::collections::BTreeMap::new();
        for key in wanted.as_object().into_iter().flat_map(|m| m.keys()) {
            let Some((account, scan)) = key.split_once(':') else {
                continue;
            };
            let Some(scan) = super::settings::inspector_scan_type(scan) else {
                continue;
            };
            scans.entry(account.to_string()).or_default().push(scan);
        }
        let have = self.inspector_members(region).await?;
        for (account, types) in &scans {
            if !have.contains(account) {
                self.send("AssociateMember", || {
                    self.inspector2(region)
                        .associate_member()
                        .account_id(account)
                        .send()
                })
                .await?;
            }
            self.enable_inspector(region, account, types).await?;
        }
        Ok(())
    }

    /// The region's behavior graph (the security account's detective stack creates it).
    async fn detective_graph(&self, region: &str) -> ApiResult<Option<String>> {
        let graphs = self
            .send("ListGraphs", || self.detective(region).list_graphs().send())
            .await?;
        Ok(graphs
            .graph_list()
            .first()
            .and_then(|g| g.arn())
            .map(str::to_string))
    }

    /// Switches on what the baseline lists; what it does not list is left as it is.
    pub(super) async fn apply_auto_enable(
        &self,
        setting: crate::settings::Setting,
        region: &str,
        wanted: &Json,
    ) -> ApiResult<()> {
        use crate::settings::Setting;
        let on = |key: &str| wanted.get(key).is_some();
        match setting {
            Setting::OrgGuardDuty => {
                use aws_sdk_guardduty::types::{
                    AutoEnableMembers, OrgFeature, OrgFeatureAdditionalConfiguration,
                    OrgFeatureStatus, OrganizationAdditionalConfiguration,
                    OrganizationFeatureConfiguration,
                };
                let gd = self.guardduty(region);
                let ids = self
                    .send("ListDetectors", || gd.list_detectors().send())
                    .await?;
                let Some(id) = ids.detector_ids().first().cloned() else {
                    return Err(ApiError::Api {
                        code: "NoDetector".to_string(),
                        message: format!(
                            "the security account has no GuardDuty detector in {region} (its guardduty stack creates one)"
                        ),
                    });
                };
                let keys: Vec<&String> = wanted
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.keys())
                    .filter(|k| *k != "AutoEnableOrganizationMembers")
                    .collect();
                let features: Vec<OrganizationFeatureConfiguration> = keys
                    .iter()
                    .filter(|k| !k.contains(':'))
                    .map(|name| {
                        let extra: Vec<OrganizationAdditionalConfiguration> = keys
                            .iter()
                            .filter_map(|k| k.strip_prefix(&format!("{name}:")))
                            .map(|a| {
                                OrganizationAdditionalConfiguration::builder()
                                    .name(OrgFeatureAdditionalConfiguration::from(a))
                                    .auto_enable(OrgFeatureStatus::All)
                                    .build()
                            })
                            .collect();
                        OrganizationFeatureConfiguration::builder()
                            .name(OrgFeature::from(name.as_str()))
                            .auto_enable(OrgFeatureStatus::All)
                            .set_additional_configuration((!extra.is_empty()).then_some(extra))
                            .build()
                    })
                    .collect();
                self.send("UpdateOrganizationConfiguration", || {
                    gd.update_organization_configuration()
                        .detector_id(&id)
                        .auto_enable_organization_members(AutoEnableMembers::All)
                        .set_features(Some(features.clone()))
                        .send()
                })
                .await?;
            }
            Setting::OrgSecurityHub if wanted["ConfigurationType"] == "CENTRAL" => {
                self.apply_securityhub_central(region, wanted).await?;
                self.create_securityhub_members(region, wanted).await?;
            }
            Setting::OrgSecurityHub => {
                self.send("UpdateOrganizationConfiguration", || {
                    self.securityhub(region)
                        .update_organization_configuration()
                        .auto_enable(true)
                        .auto_enable_standards(
                            aws_sdk_securityhub::types::AutoEnableStandards::Default,
                        )
                        .send()
                })
                .await?;
                self.create_securityhub_members(region, wanted).await?;
            }
            Setting::OrgMacie => {
                self.send("UpdateOrganizationConfiguration", || {
                    self.macie(region)
                        .update_organization_configuration()
                        .auto_enable(true)
                        .send()
                })
                .await?;
                self.create_macie_members(region, wanted).await?;
            }
            Setting::OrgInspector => {
                // The call sets every scan type: those the baseline does not list keep
                // their value, read now. The security account administers Inspector by
                // this point, so a read that fails is an error, never "nothing set": a
                // write built on it would switch off scanning the baseline leaves alone.
                let live = self.inspector_auto_enable(region).await?;
                let keep = |key: &str| on(key) || live[key].as_bool().unwrap_or(false);
                let auto = aws_sdk_inspector2::types::AutoEnable::builder()
                    .ec2(keep("Ec2"))
                    .ecr(keep("Ecr"))
                    .lambda(keep("Lambda"))
                    .lambda_code(keep("LambdaCode"))
                    .build()
                    .map_err(|e| ApiError::Api {
                        code: "InvalidAutoEnable".to_string(),
                        message: e.to_string(),
                    })?;
                self.send("UpdateOrganizationConfiguration", || {
                    self.inspector2(region)
                        .update_organization_configuration()
                        .auto_enable(auto.clone())
                        .send()
                })
                .await?;
            }
            Setting::OrgDetective => {
                let Some(graph) = self.detective_graph(region).await? else {
                    return Err(ApiError::Api {
                        code: "NoGraph".to_string(),
                        message: format!(
                            "the security account has no Detective behavior graph in {region} (its detective stack creates one)"
                        ),
                    });
                };
                self.send("UpdateOrganizationConfiguration", || {
                    self.detective(region)
                        .update_organization_configuration()
                        .graph_arn(&graph)
                        .auto_enable(true)
                        .send()
                })
                .await?;
                self.create_detective_members(region, &graph, wanted)
                    .await?;
            }
            other => unreachable!("{other:?} is not an organization configuration"),
        }
        Ok(())
    }
}
