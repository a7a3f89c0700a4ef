//! The input model: types, defaults, loading with located errors, and validation.

pub mod alerts;
pub mod controls;
mod defaults;
mod diagnostic;
mod load;
pub mod regions;
mod schema;
mod types;
mod validate;

pub use defaults::{
    DEFAULT_CONFIG_RULES, HOME_ONLY_CONFIG_RULES, LOG_RETENTION_DAYS, NETWORK_CONFIG_RULES,
    PATCHING_CONFIG_RULE, WAF_CONFIG_RULES,
};
pub use diagnostic::{did_you_mean, Diagnostic, Severity};
pub use load::load;
pub use schema::{json_schema, modeline, reference_markdown, SCHEMA_FILE};
pub use types::*;

use crate::yaml::{self, Value};

/// The built-in default baseline, embedded in the binary.
pub const DEFAULT_BASELINE: &str = include_str!("../../baselines/default.yaml");
/// The name under which the built-in default is reported.
/// The stack tag that names the baseline a stack belongs to.
pub const BASELINE_TAG: &str = "cfn-baseline:baseline";

pub const DEFAULT_BASELINE_NAME: &str = "<built-in default baseline>";

/// Where a baseline's text came from.
#[derive(Clone, Debug)]
pub struct Source {
    /// How to name the file in messages.
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn builtin() -> Source {
        Source {
            name: DEFAULT_BASELINE_NAME.to_string(),
            text: DEFAULT_BASELINE.to_string(),
        }
    }
}

/// A baseline that passed validation.
#[derive(Clone, Debug)]
pub struct Baseline {
    pub source: Source,
    pub file: BaselineFile,
    /// Which of its accounts a run covers.
    pub part: Part,
}

/// Which accounts of a baseline a run covers. Stack-set mode with an organization deploys
/// in two parts: the management, log archive and security accounts as stacks (their
/// delegations and organization configurations included), then the members as stack sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Every account: its render has every account's stacks.
    Whole,
    /// The organization's management, log archive and security accounts of a stack-set
    /// baseline, deployed as stacks. `members` are the member accounts its stack sets
    /// reach that the run knows by id (self-managed targets, or the accounts of the
    /// organizational units it listed, [`Baseline::with_members`]), which the security
    /// account makes members of its services.
    Roles { members: Vec<String> },
}

impl Baseline {
    pub fn name(&self) -> &str {
        self.file.name.as_deref().unwrap_or_default()
    }

    pub fn home_region(&self) -> &str {
        self.file.home_region.as_deref().unwrap_or_default()
    }

    /// Target regions, home region first if it is listed first; defaults to the home region.
    /// With `regions: all`, the regions every account has enabled by default (and the home
    /// region): what a render knows without asking an account. Plan and deploy replace it
    /// with each account's enabled regions ([`Baseline::regions_enabled`]).
    pub fn regions(&self) -> Vec<String> {
        match &self.file.regions {
            Regions::All => self.regions_enabled(
                &regions::DEFAULT_ENABLED_REGIONS
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>(),
            ),
            Regions::List(list) if list.is_empty() => vec![self.home_region().to_string()],
            Regions::List(list) => list.clone(),
        }
    }

    /// The target regions of an account whose enabled regions are `enabled`: with `regions:
    /// all`, the home region first, then every other enabled region the tool knows, in
    /// order; otherwise the listed regions.
    pub fn regions_enabled(&self, enabled: &[String]) -> Vec<String> {
        if !self.file.regions.is_all() {
            return self.regions();
        }
        let home = self.home_region().to_string();
        let mut out = vec![home.clone()];
        out.extend(
            regions::KNOWN_REGIONS
                .iter()
                .map(|r| r.to_string())
                .filter(|r| *r != home && enabled.contains(r)),
        );
        out
    }

    /// What the render leaves out of some of `regions` because AWS does not offer it there
    /// (the region table): (what, the regions). For `regions: all`, whose regions are known
    /// only once each account is asked; listed regions get validation warnings instead.
    pub fn left_out(
        &self,
        account: Option<&str>,
        regions: &[String],
    ) -> Vec<(&'static str, Vec<String>)> {
        let mut out = Vec::new();
        for (what, capability) in [
            ("Macie (AWS::Macie::Session)", regions::Capability::Macie),
            (
                "Detective (AWS::Detective::Graph)",
                regions::Capability::Detective,
            ),
            ("Slack alerts (AWS Chatbot)", regions::Capability::Chatbot),
            ("Inspector scanning", regions::Capability::Inspector),
        ] {
            let skipped: Vec<String> = regions
                .iter()
                .filter(|r| !regions::offers(r, capability))
                .filter(|r| {
                    let c = self.components_for(account, r);
                    match capability {
                        regions::Capability::Macie => c.macie.enabled,
                        regions::Capability::Detective => c.detective.enabled,
                        regions::Capability::Inspector => c.inspector.enabled,
                        _ => self.file.alerts.slack.is_some(),
                    }
                })
                .cloned()
                .collect();
            if !skipped.is_empty() {
                out.push((what, skipped));
            }
        }
        out
    }

    /// Target account ids; empty means "the caller's account".
    /// The tags every stack gets: the baseline's tags plus `cfn-baseline:baseline` (its name).
    pub fn stack_tags(&self) -> Vec<(String, String)> {
        let mut tags: Vec<(String, String)> = self
            .file
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        tags.push((BASELINE_TAG.to_string(), self.name().to_string()));
        tags
    }

    /// The organization whose accounts are laid out by role: the trail and the archive in
    /// the management and log archive accounts, one set of alert topics in the security
    /// account, members with only what the administrators cannot do for them. In stack-set
    /// mode the three role accounts are deployed as stacks and the stack sets carry the
    /// members' layout ([`Baseline::role_part`]).
    pub fn organization_layout(&self) -> Option<&Organization> {
        self.file.organization.as_ref()
    }

    /// Whether the members are deployed by stack sets: stack-set mode with an organization.
    pub fn members_in_stack_sets(&self) -> bool {
        self.file.organization.is_some() && self.file.deployment.mode == DeploymentMode::Stacksets
    }

    /// What an account is laid out as: its role in the organization (`None`, the stack
    /// sets' accounts, is a member), or `None` without an organization.
    pub fn stack_role(&self, account: Option<&str>) -> Option<AccountRole> {
        let org = self.organization_layout()?;
        Some(account.map_or(AccountRole::Member, |a| org.role_of(a)))
    }

    /// Whether an account (`None`: the stack sets' accounts) is an organization's member,
    /// not its management, log archive or security account.
    pub fn is_member(&self, account: Option<&str>) -> bool {
        self.stack_role(account) == Some(AccountRole::Member)
    }

    /// The accounts rendered, each with its stacks: the listed accounts (`None`, the
    /// caller's, when none are). In stack-set mode with an organization, the role accounts
    /// and then the members the stack sets target by id, or one `None` for the members of
    /// their organizational units; the role part has the role accounts only.
    pub fn rendered_accounts(&self) -> Vec<Option<String>> {
        if self.file.accounts.is_empty() {
            return vec![None];
        }
        let listed = self.account_ids().into_iter().map(Some);
        if !self.members_in_stack_sets() {
            return listed.collect();
        }
        let mut out: Vec<Option<String>> =
            listed.filter(|a| !self.is_member(a.as_deref())).collect();
        if self.part == Part::Whole {
            let members = self.stack_set_members();
            if members.is_empty() {
                out.push(None);
            } else {
                out.extend(members.into_iter().map(Some));
            }
        }
        out
    }

    /// The member accounts the stack sets of an organization target by id (self-managed:
    /// `deployment.accounts`, or `accounts`, less the role accounts), sorted; none when
    /// they target organizational units or without an organization in stack-set mode.
    pub fn stack_set_members(&self) -> Vec<String> {
        if let Part::Roles { members } = &self.part {
            return members.clone();
        }
        if !self.members_in_stack_sets()
            || self.file.deployment.permission_model != PermissionModel::SelfManaged
        {
            return Vec::new();
        }
        let d = &self.file.deployment;
        let mut ids: Vec<String> = if d.accounts.is_empty() {
            self.account_ids()
        } else {
            d.accounts.clone()
        };
        ids.retain(|a| self.is_member(Some(a)));
        ids.sort();
        ids.dedup();
        ids
    }

    /// The role part of a stack-set baseline with an organization ([`Part::Roles`]): the
    /// management, log archive and security accounts only, deployed as stacks.
    pub fn role_part(&self) -> Option<Baseline> {
        if !self.members_in_stack_sets() || self.part != Part::Whole {
            return None;
        }
        let members = self.stack_set_members();
        let mut file = self.file.clone();
        file.accounts.retain(|a| !self.is_member(Some(&a.id)));
        Some(Baseline {
            source: self.source.clone(),
            file,
            part: Part::Roles { members },
        })
    }

    /// A role part that also knows `accounts` (the accounts of the stack sets'
    /// organizational units, looked up by the caller) as members of the security account's
    /// services; the role accounts among them are left out.
    pub fn with_members(mut self, accounts: Vec<String>) -> Baseline {
        if let Part::Roles { members } = &self.part {
            let mut all = members.clone();
            all.extend(accounts.into_iter().filter(|a| self.is_member(Some(a))));
            all.sort();
            all.dedup();
            self.part = Part::Roles { members: all };
        }
        self
    }

    /// Every account of the organization the baseline knows by id: the listed accounts and
    /// the stack sets' members, sorted.
    pub fn organization_accounts(&self) -> Vec<String> {
        let mut ids = self.account_ids();
        ids.extend(self.stack_set_members());
        ids.sort();
        ids.dedup();
        ids
    }

    /// The organization whose Security Hub runs under central configuration: laid out by
    /// role, with auto-enable, Security Hub on in the security account's home region and at
    /// least one other region. One configuration policy of the security account then sets
    /// Security Hub, its standards and disabled controls in every account and region, and no
    /// account has standards or controls of its own. Central configuration needs a finding
    /// aggregator, which CloudFormation cannot create with no region to link: an
    /// organization in one region keeps local configuration.
    pub fn securityhub_central(&self) -> Option<&Organization> {
        self.file
            .organization
            .as_ref()
            .filter(|_| securityhub_central(&self.file))
    }

    /// The security account's organization, when an account is one whose services it
    /// switches on (a member or the log archive account of an organization laid out by role,
    /// with auto-enable). The management account keeps its own: it is the organization's,
    /// not a member an administrator enables.
    fn administered(&self, account: Option<&str>) -> Option<&Organization> {
        self.organization_layout().filter(|o| {
            o.auto_enable
                && self
                    .stack_role(account)
                    .is_some_and(AccountRole::is_administered)
        })
    }

    /// Whether GuardDuty's organization configuration, not a stack of the account's own,
    /// runs GuardDuty in an account and region: an administered account
    /// ([`Baseline::administered`]) where the security account runs GuardDuty (its
    /// organization configuration then enables every member, existing ones included, with
    /// the baseline's protection plans). An account with S3 malware protection plans keeps
    /// its stack: a plan is the account's own.
    pub fn guardduty_by_organization(&self, account: Option<&str>, region: &str) -> bool {
        self.administered(account).is_some_and(|org| {
            self.components_for(Some(&org.security_account), region)
                .guardduty
                .enabled
                && self
                    .components_for(account, region)
                    .guardduty
                    .s3_malware_protection
                    .is_empty()
        })
    }

    /// Whether the security account, as Inspector's delegated administrator, switches
    /// Inspector's scanning on in an administered account and region (an associated member
    /// cannot switch its own scan types).
    pub fn inspector_by_organization(&self, account: Option<&str>, region: &str) -> bool {
        self.administered(account).is_some_and(|org| {
            self.components_for(Some(&org.security_account), region)
                .inspector
                .enabled
        })
    }

    /// Whether the security account, as Macie's delegated administrator, enables Macie in
    /// an administered account and region (it makes the account a member), so that the
    /// account has no macie stack of its own. Its discovery jobs stay its own.
    pub fn macie_by_organization(&self, account: Option<&str>, region: &str) -> bool {
        self.administered(account).is_some_and(|org| {
            self.components_for(Some(&org.security_account), region)
                .macie
                .enabled
                && regions::offers(region, regions::Capability::Macie)
        })
    }

    /// Whether an administered account joins the security account's Detective behavior
    /// graph in a region (made a member by it), instead of a graph of its own.
    pub fn detective_by_organization(&self, account: Option<&str>, region: &str) -> bool {
        self.administered(account).is_some_and(|org| {
            self.components_for(Some(&org.security_account), region)
                .detective
                .enabled
                && regions::offers(region, regions::Capability::Detective)
        })
    }

    /// What an account is in the organization (None without `organization`).
    pub fn role_of(&self, account: &str) -> Option<AccountRole> {
        self.file.organization.as_ref().map(|o| o.role_of(account))
    }

    /// The organization's accounts by role, in the order they are set up (management, log
    /// archive, security, members); empty without `organization`.
    pub fn organization_order(&self) -> Vec<(AccountRole, Vec<String>)> {
        let Some(org) = &self.file.organization else {
            return Vec::new();
        };
        [
            AccountRole::Management,
            AccountRole::LogArchive,
            AccountRole::Security,
            AccountRole::Member,
        ]
        .into_iter()
        .map(|role| {
            let accounts = if role == AccountRole::Member && self.members_in_stack_sets() {
                // The stack sets' targets: by id, or the organizational units' accounts
                // (with those known, when the run listed them).
                let ids = self.stack_set_members();
                let units = &self.file.deployment.organizational_units;
                match (units.is_empty(), ids.is_empty()) {
                    (true, _) => ids,
                    (false, true) => vec![format!("the accounts of {}", units.join(", "))],
                    (false, false) => vec![format!(
                        "the accounts of {} ({})",
                        units.join(", "),
                        ids.join(", ")
                    )],
                }
            } else {
                self.account_ids()
                    .into_iter()
                    .filter(|a| org.role_of(a) == role)
                    .collect()
            };
            (role, accounts)
        })
        .collect()
    }

    pub fn account_ids(&self) -> Vec<String> {
        self.file.accounts.iter().map(|a| a.id.clone()).collect()
    }

    /// The component settings in force for one account and region: the base settings with
    /// every matching override merged over them, in order.
    pub fn components_for(&self, account: Option<&str>, region: &str) -> Components {
        components_for(&self.file, account, region)
            .expect("validation merged every override for every target")
    }
}

pub(crate) fn override_matches(o: &Override, account: Option<&str>, region: &str) -> bool {
    let account_ok = match (&o.matcher.account, account) {
        (None, _) => true,
        (Some(want), Some(have)) => want == have,
        (Some(_), None) => false,
    };
    let region_ok = o.matcher.region.as_deref().is_none_or(|r| r == region);
    account_ok && region_ok
}

/// [`Baseline::securityhub_central`] of a baseline file (validation has no `Baseline` yet):
/// auto-enable, more than one region, Security Hub on in the security account's home region.
pub(crate) fn securityhub_central(file: &BaselineFile) -> bool {
    let Some(org) = file.organization.as_ref().filter(|o| o.auto_enable) else {
        return false;
    };
    let several = file.regions.is_all() || file.regions.listed().len() > 1;
    let home = file.home_region.as_deref().unwrap_or_default();
    several
        && components_for(file, Some(&org.security_account), home)
            .is_ok_and(|c| c.securityhub.enabled)
}

pub(crate) fn components_for(
    file: &BaselineFile,
    account: Option<&str>,
    region: &str,
) -> Result<Components, String> {
    let matching: Vec<&Override> = file
        .overrides
        .iter()
        .filter(|o| override_matches(o, account, region))
        .collect();
    fn merged<T: serde::Serialize + serde::de::DeserializeOwned + Clone>(
        base: &T,
        parts: impl Iterator<Item = Option<Value>>,
    ) -> Result<T, String> {
        let mut parts = parts.flatten().peekable();
        if parts.peek().is_none() {
            return Ok(base.clone());
        }
        let mut value = yaml::to_value(base);
        for part in parts {
            deep_merge(&mut value, part);
        }
        yaml::from_value(value)
    }
    Ok(Components {
        alerts: merged(&file.alerts, matching.iter().map(|o| o.alerts.clone()))?,
        cloudtrail: merged(
            &file.cloudtrail,
            matching.iter().map(|o| o.cloudtrail.clone()),
        )?,
        config: merged(&file.config, matching.iter().map(|o| o.config.clone()))?,
        guardduty: merged(
            &file.guardduty,
            matching.iter().map(|o| o.guardduty.clone()),
        )?,
        securityhub: merged(
            &file.securityhub,
            matching.iter().map(|o| o.securityhub.clone()),
        )?,
        access_analyzer: merged(
            &file.access_analyzer,
            matching.iter().map(|o| o.access_analyzer.clone()),
        )?,
        network: merged(&file.network, matching.iter().map(|o| o.network.clone()))?,
        patching: merged(&file.patching, matching.iter().map(|o| o.patching.clone()))?,
        waf: merged(&file.waf, matching.iter().map(|o| o.waf.clone()))?,
        inspector: merged(
            &file.inspector,
            matching.iter().map(|o| o.inspector.clone()),
        )?,
        macie: merged(&file.macie, matching.iter().map(|o| o.macie.clone()))?,
        detective: merged(
            &file.detective,
            matching.iter().map(|o| o.detective.clone()),
        )?,
        account_settings: merged(
            &file.account_settings,
            matching.iter().map(|o| o.account_settings.clone()),
        )?,
        iam: merged(&file.iam, matching.iter().map(|o| o.iam.clone()))?,
    })
}

/// Merges `patch` into `base`: mappings merge key by key, anything else replaces.
fn deep_merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Mapping(base), Value::Mapping(patch)) => {
            for (k, v) in patch {
                match base.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        base.insert(k, v);
                    }
                }
            }
        }
        (base, patch) => *base = patch,
    }
}
