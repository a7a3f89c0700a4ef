//! Account settings the baseline manages outside CloudFormation: the IAM account password
//! policy, the Security Hub controls, and the [`Setting`]s (the security contact, Inspector,
//! the account settings such as EBS encryption by default). Each is compared through the same diff as the stacks, as a pseudo-stack
//! `<account>/global/iam-password-policy` holding one pseudo-resource of type
//! `AWS::IAM::AccountPasswordPolicy` whose properties carry IAM's own field names.
//!
//! Pure: no AWS, no printing. The aws module reads and writes [`AccountPasswordPolicy`].

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::baseline::{Baseline, InspectorScan};
use crate::diff::{Change, StackInput};
use crate::plan::CALLER_ACCOUNT_LABEL;

/// The pseudo-stack's name and region.
pub const PASSWORD_POLICY_STACK: &str = "iam-password-policy";
pub const GLOBAL_REGION: &str = "global";
/// The pseudo-resource's type and logical id.
pub const PASSWORD_POLICY_TYPE: &str = "AWS::IAM::AccountPasswordPolicy";
pub const PASSWORD_POLICY_ID: &str = "PasswordPolicy";

/// IAM's account password policy, field for field as UpdateAccountPasswordPolicy takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AccountPasswordPolicy {
    pub minimum_password_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    /// None: passwords do not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_password_age: Option<u32>,
    /// None: no reuse prevention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_reuse_prevention: Option<u32>,
    pub hard_expiry: bool,
}

impl AccountPasswordPolicy {
    /// The policy a baseline asks for in one account (overrides applied).
    pub fn wanted(baseline: &Baseline, account: Option<&str>) -> AccountPasswordPolicy {
        let p = baseline
            .components_for(account, baseline.home_region())
            .iam
            .password_policy;
        AccountPasswordPolicy {
            minimum_password_length: p.min_length,
            require_symbols: p.require_symbols,
            require_numbers: p.require_numbers,
            require_uppercase_characters: p.require_uppercase,
            require_lowercase_characters: p.require_lowercase,
            allow_users_to_change_password: p.allow_users_to_change,
            max_password_age: p.max_age_days,
            password_reuse_prevention: (p.reuse_prevention > 0).then_some(p.reuse_prevention),
            hard_expiry: p.hard_expiry,
        }
    }

    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).expect("policy serializes")
    }
}

/// The pseudo-stack for a policy: `None` stands for "no policy set".
pub fn password_policy_stack(account: &str, policy: Option<&AccountPasswordPolicy>) -> StackInput {
    let properties = policy.map(AccountPasswordPolicy::to_json);
    setting_stack(
        account,
        Setting::PasswordPolicy,
        GLOBAL_REGION,
        properties.as_ref(),
    )
}

/// The target accounts of a baseline: (label, account id; `None` for the caller's).
fn targets(baseline: &Baseline) -> Vec<(String, Option<String>)> {
    let accounts = baseline.account_ids();
    if accounts.is_empty() {
        return vec![(CALLER_ACCOUNT_LABEL.to_string(), None)];
    }
    accounts.into_iter().map(|a| (a.clone(), Some(a))).collect()
}

/// The changes that bring a setting's live pseudo-stack to the wanted one, classified.
pub fn setting_changes(live: StackInput, wanted: StackInput) -> Vec<Change> {
    crate::diff::compare(&[live], &[wanted], "live", "baseline")
        .stacks
        .into_iter()
        .flat_map(|s| s.changes)
        .collect()
}

/// Settings as `render` records them in the manifest, per account label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub account: String,
    /// Manifests written before the password policy was one of the `settings` hold it
    /// here; newer ones hold it there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_password_policy: Option<AccountPasswordPolicy>,
    /// Region -> control id -> reason: the Security Hub controls disabled there. Absent from
    /// manifests written before the controls were a setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub securityhub_controls:
        Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>>,
    /// The settings outside CloudFormation ([`Setting`]); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<WantedSetting>,
}

pub fn account_settings(baseline: &Baseline) -> Vec<AccountSettings> {
    let controls = wanted_control_stacks(baseline);
    targets(baseline)
        .into_iter()
        .map(|(label, account)| AccountSettings {
            iam_password_policy: None,
            securityhub_controls: Some(
                controls
                    .iter()
                    .filter(|c| c.account == label)
                    .map(|c| (c.region.clone(), disabled_of(c)))
                    .collect(),
            ),
            settings: wanted_settings(baseline, account.as_deref(), &baseline.regions()),
            account: label,
        })
        .collect()
}

/// The controls a controls pseudo-stack disables: control id -> reason.
fn disabled_of(stack: &StackInput) -> std::collections::BTreeMap<String, String> {
    stack
        .template
        .value
        .get("Resources")
        .and_then(Json::as_object)
        .map(|rs| {
            rs.iter()
                .map(|(id, r)| {
                    let reason = r
                        .pointer("/Properties/UpdatedReason")
                        .and_then(Json::as_str)
                        .unwrap_or_default();
                    (id.clone(), reason.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether a (pseudo-)stack is a setting outside CloudFormation rather than a stack.
pub fn is_setting(region: &str, stack_name: &str) -> bool {
    region == GLOBAL_REGION
        || stack_name == CONTROLS_STACK
        || Setting::ALL.iter().any(|s| s.stack_name() == stack_name)
}

// ---------------------------------------------------------------------------------------
// Security Hub controls, per account and region: the baseline's `disabled_controls`, and
// outside the home region the controls for global resources. A control id covers every
// standard (consolidated control findings), so they are set through the Security Hub API
// (BatchUpdateStandardsControlAssociations) after the stacks, not in the templates, and
// compared as a pseudo-stack `<account>/<region>/securityhub-controls` holding one
// pseudo-resource per disabled control.

/// The pseudo-stack's name.
pub const CONTROLS_STACK: &str = "securityhub-controls";
/// The pseudo-resource type of one disabled control.
pub const CONTROL_TYPE: &str = "AWS::SecurityHub::StandardsControlAssociation";
/// Every reason the baseline writes starts so: it tells the controls it disabled apart
/// from those disabled by hand, and names the control (a standard's own control ARN does
/// not always).
const REASON_MARK: &str = "cfn-baseline";

/// How the reason for a control of global resources disabled outside the home region starts.
pub const GLOBAL_CONTROL_REASON_START: &str = "global resources are checked in the home region";

/// The reason a control of global resources is disabled outside the home region.
pub fn global_control_reason(home_region: &str) -> String {
    format!("{GLOBAL_CONTROL_REASON_START} ({home_region}) only")
}

/// What the baseline wants of Security Hub's controls in one account and region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlSettings {
    pub region: String,
    /// The StandardsArn of every standard the baseline enables there.
    pub standards: Vec<String>,
    /// Control id -> why it is disabled.
    pub disabled: std::collections::BTreeMap<String, String>,
}

impl ControlSettings {
    /// None where Security Hub is off.
    pub fn wanted(
        baseline: &Baseline,
        account: Option<&str>,
        region: &str,
    ) -> Option<ControlSettings> {
        let c = baseline.components_for(account, region);
        let s = &c.securityhub;
        // Under central configuration the security account's configuration policy holds
        // the standards and disabled controls; no account sets its own.
        if !s.enabled || baseline.securityhub_central().is_some() {
            return None;
        }
        let standards = s.standards.iter().map(|std| std.arn(region)).collect();
        let mut disabled = std::collections::BTreeMap::new();
        if region != baseline.home_region() {
            for id in crate::baseline::controls::GLOBAL_RESOURCE_CONTROLS {
                disabled.insert(
                    id.to_string(),
                    global_control_reason(baseline.home_region()),
                );
            }
        }
        for d in &s.disabled_controls {
            disabled.insert(d.control.clone(), d.reason.clone());
        }
        Some(ControlSettings {
            region: region.to_string(),
            standards,
            disabled,
        })
    }

    /// The reason as written to Security Hub: `cfn-baseline [IAM.6]: <reason>`.
    pub fn written_reason(control: &str, reason: &str) -> String {
        format!("{REASON_MARK} [{control}]: {reason}")
    }

    /// The control a reason written by the baseline names, and the reason itself.
    pub fn read_reason(written: &str) -> Option<(&str, &str)> {
        let rest = written.strip_prefix(REASON_MARK)?.strip_prefix(" [")?;
        let (control, reason) = rest.split_once("]: ")?;
        Some((control, reason))
    }
}

/// The controls disabled in a region, as a pseudo-stack: control id -> reason.
pub fn controls_stack(
    account: &str,
    region: &str,
    disabled: &std::collections::BTreeMap<String, String>,
) -> StackInput {
    let resources: serde_json::Map<String, Json> = disabled
        .iter()
        .map(|(id, reason)| {
            (
                id.clone(),
                json!({"Type": CONTROL_TYPE, "Properties": {
                    "SecurityControlId": id,
                    "AssociationStatus": "DISABLED",
                    "UpdatedReason": reason,
                }}),
            )
        })
        .collect();
    StackInput {
        account: account.to_string(),
        region: region.to_string(),
        stack_name: CONTROLS_STACK.to_string(),
        template: crate::template::Template::shared(json!({
            "Metadata": {"cfn-baseline": {"component": CONTROLS_STACK}},
            "Resources": resources,
        })),
        tags: None,
    }
}

/// One control's association with one standard, as Security Hub reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlAssociation {
    pub standards_arn: String,
    pub control: String,
    pub disabled: bool,
    /// The reason given when it was last changed.
    pub reason: Option<String>,
}

/// What a region's Security Hub says about the controls asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveControls {
    /// Security Hub is on in the region (off: nothing to read; the stack turns it on).
    pub hub_enabled: bool,
    /// The associations of the controls asked for and of every control the baseline
    /// disabled earlier (found by the reason it wrote), in the enabled standards.
    pub associations: Vec<ControlAssociation>,
}

/// One change to make: a control's association with a standard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlUpdate {
    pub standards_arn: String,
    pub control: String,
    pub disable: bool,
    /// Written with a disable (`written_reason`).
    pub reason: Option<String>,
}

impl LiveControls {
    /// The controls disabled now, as the pseudo-stack shows them: a control counts as
    /// disabled when every association it has in the wanted standards is disabled. A wanted
    /// control no enabled standard has cannot produce findings, so it counts as disabled.
    pub fn disabled(&self, wanted: &ControlSettings) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        if !self.hub_enabled {
            return out;
        }
        // The wanted controls and those the baseline disabled earlier; a control someone
        // disabled by hand that the baseline does not name is not its business.
        let mut controls: Vec<&str> = self
            .associations
            .iter()
            .filter(|a| {
                a.reason
                    .as_deref()
                    .and_then(ControlSettings::read_reason)
                    .is_some()
            })
            .map(|a| a.control.as_str())
            .collect();
        controls.extend(wanted.disabled.keys().map(String::as_str));
        controls.sort();
        controls.dedup();
        for control in controls {
            let of: Vec<&ControlAssociation> = self
                .associations
                .iter()
                .filter(|a| a.control == control && wanted.standards.contains(&a.standards_arn))
                .collect();
            if of.is_empty() {
                if let Some(reason) = wanted.disabled.get(control) {
                    out.insert(control.to_string(), reason.clone());
                }
                continue;
            }
            if of.iter().all(|a| a.disabled) {
                let reason = of
                    .iter()
                    .find_map(|a| a.reason.as_deref())
                    .map(|r| ControlSettings::read_reason(r).map_or(r, |(_, text)| text))
                    .unwrap_or("")
                    .to_string();
                out.insert(control.to_string(), reason);
            }
        }
        out
    }

    /// What to change to get `wanted`: disable the wanted controls in every wanted standard
    /// where they are not disabled (all of them when Security Hub was off), and enable again
    /// the controls the baseline disabled earlier and no longer lists.
    pub fn updates(&self, wanted: &ControlSettings) -> Vec<ControlUpdate> {
        let mut out = Vec::new();
        for (control, reason) in &wanted.disabled {
            for std in &wanted.standards {
                let now = self
                    .associations
                    .iter()
                    .find(|a| &a.control == control && &a.standards_arn == std);
                let written = ControlSettings::written_reason(control, reason);
                let needed = match now {
                    Some(a) => !a.disabled || a.reason.as_deref() != Some(written.as_str()),
                    // Not reported: the control is not in that standard, unless Security
                    // Hub was off (then nothing was reported).
                    None => !self.hub_enabled,
                };
                if needed {
                    out.push(ControlUpdate {
                        standards_arn: std.clone(),
                        control: control.clone(),
                        disable: true,
                        reason: Some(written),
                    });
                }
            }
        }
        for a in &self.associations {
            let ours = a
                .reason
                .as_deref()
                .and_then(ControlSettings::read_reason)
                .is_some();
            if a.disabled && ours && !wanted.disabled.contains_key(&a.control) {
                out.push(ControlUpdate {
                    standards_arn: a.standards_arn.clone(),
                    control: a.control.clone(),
                    disable: false,
                    reason: None,
                });
            }
        }
        out
    }
}

/// The wanted controls of every target account and region, as pseudo-stacks.
pub fn wanted_control_stacks(baseline: &Baseline) -> Vec<StackInput> {
    let mut out = Vec::new();
    for (label, account) in targets(baseline) {
        for region in baseline.regions() {
            if let Some(w) = ControlSettings::wanted(baseline, account.as_deref(), &region) {
                out.push(controls_stack(&label, &region, &w.disabled));
            }
        }
    }
    out
}

#[cfg(test)]
mod control_tests {
    use super::*;

    fn wanted() -> ControlSettings {
        ControlSettings {
            region: "eu-west-1".into(),
            standards: vec!["fsbp".into(), "cis".into()],
            disabled: [("IAM.6".to_string(), "hardware MFA".to_string())].into(),
        }
    }

    fn assoc(std: &str, control: &str, disabled: bool, reason: Option<&str>) -> ControlAssociation {
        ControlAssociation {
            standards_arn: std.into(),
            control: control.into(),
            disabled,
            reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn reasons_round_trip() {
        let w = ControlSettings::written_reason("IAM.6", "kept in a safe: [really]");
        assert_eq!(
            ControlSettings::read_reason(&w),
            Some(("IAM.6", "kept in a safe: [really]"))
        );
        assert_eq!(ControlSettings::read_reason("disabled by hand"), None);
    }

    #[test]
    fn hub_off_disables_everything_in_every_standard() {
        let live = LiveControls::default();
        assert!(live.disabled(&wanted()).is_empty());
        let u = live.updates(&wanted());
        assert_eq!(u.len(), 2);
        assert!(u.iter().all(
            |u| u.disable && u.reason.as_deref() == Some("cfn-baseline [IAM.6]: hardware MFA")
        ));
    }

    #[test]
    fn only_what_differs_is_changed_and_our_old_disables_are_undone() {
        let live = LiveControls {
            hub_enabled: true,
            associations: vec![
                assoc("fsbp", "IAM.6", true, Some("by hand")),
                assoc("cis", "IAM.6", false, None),
                assoc(
                    "fsbp",
                    "S3.1",
                    true,
                    Some("cfn-baseline [S3.1]: old reason"),
                ),
                assoc("fsbp", "EC2.2", true, Some("someone else's")),
            ],
        };
        let u = live.updates(&wanted());
        assert_eq!(u.len(), 3, "{u:?}");
        // Disabled by hand with another reason: the baseline's reason is written.
        assert_eq!(
            (
                u[0].standards_arn.as_str(),
                u[0].control.as_str(),
                u[0].disable
            ),
            ("fsbp", "IAM.6", true)
        );
        assert_eq!(
            (
                u[1].standards_arn.as_str(),
                u[1].control.as_str(),
                u[1].disable
            ),
            ("cis", "IAM.6", true)
        );
        assert_eq!((u[2].control.as_str(), u[2].disable), ("S3.1", false));
        let now = live.disabled(&wanted());
        assert!(!now.contains_key("IAM.6"), "enabled in one standard");
        assert_eq!(now.get("S3.1").map(String::as_str), Some("old reason"));
        assert!(
            !now.contains_key("EC2.2"),
            "disabled by hand and not named: not ours"
        );
    }

    #[test]
    fn a_control_no_enabled_standard_has_counts_as_disabled() {
        let live = LiveControls {
            hub_enabled: true,
            associations: vec![],
        };
        assert_eq!(
            live.disabled(&wanted()).get("IAM.6").map(String::as_str),
            Some("hardware MFA")
        );
        assert!(live.updates(&wanted()).is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// Settings with no CloudFormation type, read and applied through one small interface
// ([`crate::aws::SettingsApi`]): each is a pseudo-stack `<account>/<region>/<name>` (region
// `global` for an account-wide setting) holding one pseudo-resource whose properties are
// the setting, named as the service's API names them. Only the properties the baseline sets
// are compared: what it does not manage is left as it is.

/// A setting outside CloudFormation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    /// The IAM account password policy (IAM API), account-wide; compared whole: a field the
    /// baseline leaves out (no expiry, no reuse prevention) must be absent.
    PasswordPolicy,
    /// The account's SECURITY alternate contact (AWS Account API), account-wide.
    SecurityContact,
    /// The account-wide S3 Block Public Access (S3 Control API), set from the home region.
    S3PublicAccessBlock,
    /// Amazon Inspector's scanning, per region: what the baseline lists is ENABLED.
    Inspector,
    /// EBS encryption by default, per region (EC2 API).
    EbsEncryption,
    /// The instance metadata defaults for new instances (IMDSv2 required), per region.
    Imdsv2Default,
    /// EBS snapshot block public access, per region.
    SnapshotPublicAccess,
    /// AMI (image) block public access, per region.
    ImagePublicAccess,
    /// The SSM service setting that allows public sharing of documents, per region.
    SsmDocumentSharing,
    /// Systems Manager's Default Host Management Configuration (the service setting naming
    /// the role it manages instances with), per region.
    DefaultHostManagement,
    /// Shield Advanced, account-wide: read in every account (whether it subscribes); where
    /// it does, the proactive engagement and the protections the baseline lists.
    ShieldAdvanced,
    /// Macie's sensitive-data discovery jobs the baseline keeps, per region (Macie API).
    MacieJobs,
    /// In an organization's management account, account-wide: the services with trusted
    /// access to the organization and the delegated administrators registered through
    /// AWS Organizations (AWS Config, IAM Access Analyzer).
    OrgDelegations,
    /// In an organization's management account, per region: the delegated administrator of
    /// each service that names its own (GuardDuty, Security Hub, Macie, Inspector,
    /// Detective), through that service's API.
    OrgServiceAdmins,
    /// In an organization's security account, per region: GuardDuty's organization
    /// configuration (every member, new ones included, with the baseline's protection plans).
    OrgGuardDuty,
    /// ... Security Hub's organization configuration (new members, default standards) and
    /// its members (the baseline's other accounts).
    OrgSecurityHub,
    /// ... Macie's organization configuration (every new member).
    OrgMacie,
    /// ... Inspector's organization configuration (the baseline's scan types, new members).
    OrgInspector,
    /// ... Inspector's scanning of the existing member accounts, which the security account
    /// associates and enables as their delegated administrator (a member cannot switch its
    /// own scan types once associated).
    OrgInspectorMembers,
    /// ... Detective's organization configuration (new members join the behavior graph).
    OrgDetective,
}

/// The pseudo-resource types of the organization's delegations.
pub const ORG_DELEGATIONS_TYPE: &str = "AWS::Organizations::Delegations";
pub const ORG_SERVICE_ADMINS_TYPE: &str = "AWS::Organizations::ServiceAdministrators";

/// The service principals the management account gives trusted access and registers the
/// security account for through AWS Organizations.
pub const CONFIG_PRINCIPAL: &str = "config.amazonaws.com";
pub const ACCESS_ANALYZER_PRINCIPAL: &str = "access-analyzer.amazonaws.com";
/// Trusted access only: the organization trail is the management account's.
pub const CLOUDTRAIL_PRINCIPAL: &str = "cloudtrail.amazonaws.com";

/// The services that name their delegated administrator through their own API (which also
/// gives them trusted access), as the per-region pseudo-resource keys them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminService {
    GuardDuty,
    SecurityHub,
    Macie,
    Inspector,
    Detective,
}

impl AdminService {
    pub const ALL: [AdminService; 5] = [
        AdminService::GuardDuty,
        AdminService::SecurityHub,
        AdminService::Macie,
        AdminService::Inspector,
        AdminService::Detective,
    ];

    pub fn key(self) -> &'static str {
        match self {
            AdminService::GuardDuty => "GuardDuty",
            AdminService::SecurityHub => "SecurityHub",
            AdminService::Macie => "Macie",
            AdminService::Inspector => "Inspector",
            AdminService::Detective => "Detective",
        }
    }

    pub fn from_key(key: &str) -> Option<AdminService> {
        AdminService::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether a region has the service ([`crate::baseline::regions`]'s table).
    pub fn offered_in(self, region: &str) -> bool {
        use crate::baseline::regions::{offers, Capability};
        match self {
            AdminService::GuardDuty | AdminService::SecurityHub => true,
            AdminService::Macie => offers(region, Capability::Macie),
            AdminService::Inspector => offers(region, Capability::Inspector),
            AdminService::Detective => offers(region, Capability::Detective),
        }
    }
}

/// Why Shield Advanced's protections and proactive engagement cannot be set.
pub const SHIELD_NOT_SUBSCRIBED: &str = "the account does not subscribe to Shield Advanced, and \
     the baseline never subscribes (a one-year commitment): subscribe in the Shield console, \
     or remove `shield.protections` and `shield.proactive_engagement`";

/// The SSM service setting that governs public sharing of documents.
pub const SSM_DOCUMENT_SHARING_SETTING: &str = "/ssm/documents/console/public-sharing-permission";

/// The SSM service setting that turns Default Host Management Configuration on.
pub const DEFAULT_HOST_MANAGEMENT_SETTING: &str =
    "/ssm/managed-instance/default-ec2-instance-management-role";

/// The role Default Host Management uses (created by the home region's patching stack).
pub fn default_host_management_role(baseline_name: &str) -> String {
    format!("{baseline_name}-default-host-management")
}

impl Setting {
    pub const ALL: [Setting; 20] = [
        Setting::PasswordPolicy,
        Setting::SecurityContact,
        Setting::S3PublicAccessBlock,
        Setting::Inspector,
        Setting::EbsEncryption,
        Setting::Imdsv2Default,
        Setting::SnapshotPublicAccess,
        Setting::ImagePublicAccess,
        Setting::SsmDocumentSharing,
        Setting::DefaultHostManagement,
        Setting::ShieldAdvanced,
        Setting::MacieJobs,
        Setting::OrgDelegations,
        Setting::OrgServiceAdmins,
        Setting::OrgGuardDuty,
        Setting::OrgSecurityHub,
        Setting::OrgMacie,
        Setting::OrgInspector,
        Setting::OrgInspectorMembers,
        Setting::OrgDetective,
    ];

    /// The pseudo-stack's name.
    pub fn stack_name(self) -> &'static str {
        match self {
            Setting::PasswordPolicy => PASSWORD_POLICY_STACK,
            Setting::SecurityContact => "security-contact",
            Setting::S3PublicAccessBlock => "s3-block-public-access",
            Setting::Inspector => "inspector",
            Setting::EbsEncryption => "ebs-encryption-by-default",
            Setting::Imdsv2Default => "imdsv2-by-default",
            Setting::SnapshotPublicAccess => "snapshot-block-public-access",
            Setting::ImagePublicAccess => "ami-block-public-access",
            Setting::SsmDocumentSharing => "ssm-documents-public-sharing",
            Setting::DefaultHostManagement => "default-host-management",
            Setting::ShieldAdvanced => "shield-advanced",
            Setting::MacieJobs => "macie-jobs",
            Setting::OrgDelegations => "organization-delegations",
            Setting::OrgServiceAdmins => "organization-administrators",
            Setting::OrgGuardDuty => "organization-guardduty",
            Setting::OrgSecurityHub => "organization-securityhub",
            Setting::OrgMacie => "organization-macie",
            Setting::OrgInspector => "organization-inspector",
            Setting::OrgInspectorMembers => "organization-inspector-members",
            Setting::OrgDetective => "organization-detective",
        }
    }

    /// The pseudo-resource's type and logical id.
    pub fn resource_type(self) -> &'static str {
        match self {
            Setting::PasswordPolicy => PASSWORD_POLICY_TYPE,
            Setting::SecurityContact => "AWS::Account::AlternateContact",
            Setting::S3PublicAccessBlock => "AWS::S3::AccountPublicAccessBlock",
            Setting::Inspector => "AWS::Inspector2::Scanning",
            Setting::EbsEncryption => "AWS::EC2::EbsEncryptionByDefault",
            Setting::Imdsv2Default => "AWS::EC2::InstanceMetadataDefaults",
            Setting::SnapshotPublicAccess => "AWS::EC2::SnapshotBlockPublicAccess",
            Setting::ImagePublicAccess => "AWS::EC2::ImageBlockPublicAccess",
            Setting::SsmDocumentSharing => "AWS::SSM::ServiceSetting",
            Setting::DefaultHostManagement => "AWS::SSM::DefaultHostManagement",
            Setting::ShieldAdvanced => "AWS::Shield::Advanced",
            Setting::MacieJobs => "AWS::Macie::ClassificationJobs",
            Setting::OrgDelegations => ORG_DELEGATIONS_TYPE,
            Setting::OrgServiceAdmins => ORG_SERVICE_ADMINS_TYPE,
            Setting::OrgGuardDuty => "AWS::GuardDuty::OrganizationConfiguration",
            Setting::OrgSecurityHub => "AWS::SecurityHub::OrganizationConfiguration",
            Setting::OrgMacie => "AWS::Macie::OrganizationConfiguration",
            Setting::OrgInspector => "AWS::Inspector2::OrganizationConfiguration",
            Setting::OrgInspectorMembers => "AWS::Inspector2::MemberScanning",
            Setting::OrgDetective => "AWS::Detective::OrganizationConfiguration",
        }
    }

    pub fn logical_id(self) -> &'static str {
        match self {
            Setting::PasswordPolicy => PASSWORD_POLICY_ID,
            Setting::SecurityContact => "SecurityContact",
            Setting::S3PublicAccessBlock => "AccountPublicAccessBlock",
            Setting::Inspector => "Inspector",
            Setting::EbsEncryption => "EbsEncryptionByDefault",
            Setting::Imdsv2Default => "InstanceMetadataDefaults",
            Setting::SnapshotPublicAccess => "SnapshotBlockPublicAccess",
            Setting::ImagePublicAccess => "ImageBlockPublicAccess",
            Setting::SsmDocumentSharing => "DocumentsPublicSharing",
            Setting::DefaultHostManagement => "DefaultHostManagement",
            Setting::ShieldAdvanced => "ShieldAdvanced",
            Setting::MacieJobs => "ClassificationJobs",
            Setting::OrgDelegations => "Delegations",
            Setting::OrgServiceAdmins => "ServiceAdministrators",
            Setting::OrgGuardDuty
            | Setting::OrgSecurityHub
            | Setting::OrgMacie
            | Setting::OrgInspector
            | Setting::OrgDetective => "OrganizationConfiguration",
            Setting::OrgInspectorMembers => "MemberScanning",
        }
    }

    /// The component its pseudo-stack belongs to, for the diff's stack rules.
    pub fn component(self) -> &'static str {
        match self {
            Setting::PasswordPolicy => "iam",
            other => other.stack_name(),
        }
    }

    /// What it is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Setting::PasswordPolicy => "the IAM password policy",
            Setting::SecurityContact => "the security contact",
            Setting::S3PublicAccessBlock => "the S3 account public access block",
            Setting::Inspector => "Inspector scanning",
            Setting::EbsEncryption => "EBS encryption by default",
            Setting::Imdsv2Default => "the IMDSv2 default for new instances",
            Setting::SnapshotPublicAccess => "the EBS snapshot public access block",
            Setting::ImagePublicAccess => "the AMI public access block",
            Setting::SsmDocumentSharing => "public sharing of SSM documents",
            Setting::DefaultHostManagement => "Default Host Management Configuration",
            Setting::ShieldAdvanced => "Shield Advanced",
            Setting::MacieJobs => "the Macie discovery jobs",
            Setting::OrgDelegations => {
                "the organization's trusted access and delegated administrators"
            }
            Setting::OrgServiceAdmins => "the security services' delegated administrators",
            Setting::OrgGuardDuty => "GuardDuty's organization configuration",
            Setting::OrgSecurityHub => "Security Hub's organization configuration",
            Setting::OrgMacie => "Macie's organization configuration",
            Setting::OrgInspector => "Inspector's organization configuration",
            Setting::OrgInspectorMembers => "Inspector scanning of the member accounts",
            Setting::OrgDetective => "Detective's organization configuration",
        }
    }

    /// Why the setting cannot be brought to what the baseline wants, whatever deploy does
    /// (None: it can): Shield Advanced's settings in an account that does not subscribe; a
    /// service whose delegated administrator is another account than the security account
    /// (a service has one, and the baseline never removes one it did not set).
    pub fn refusal(self, live: Option<&Json>, wanted: &Json) -> Option<String> {
        match self {
            Setting::ShieldAdvanced => {
                let subscribed = live.and_then(|l| l["Subscription"].as_str()) == Some("ACTIVE");
                (!subscribed).then(|| SHIELD_NOT_SUBSCRIBED.to_string())
            }
            Setting::OrgServiceAdmins => {
                let live = live?.as_object()?;
                let taken: Vec<String> = wanted
                    .as_object()?
                    .iter()
                    .filter_map(|(service, want)| {
                        let have = live.get(service)?.as_str()?;
                        (Some(have) != want.as_str()).then(|| format!("{service}'s is {have}"))
                    })
                    .collect();
                (!taken.is_empty()).then(|| {
                    format!(
                        "another account is the delegated administrator ({}), and a service has only one: \
                         remove it in that service's console of the management account (Settings, delegated administrator), \
                         or name that account as `organization.security_account`",
                        taken.join(", ")
                    )
                })
            }
            Setting::OrgSecurityHub if wanted["ConfigurationType"] == "CENTRAL" => {
                // A target another configuration governs is not taken over.
                let others = live?["OtherPolicyTargets"].as_array()?;
                let taken: Vec<&str> = wanted["Targets"]
                    .as_array()?
                    .iter()
                    .filter(|t| others.contains(t))
                    .filter_map(Json::as_str)
                    .map(|t| {
                        if t == "ROOT" {
                            "the organization's root"
                        } else {
                            t
                        }
                    })
                    .collect();
                (!taken.is_empty()).then(|| {
                    format!(
                        "{} already has another Security Hub configuration (another configuration policy, or self-managed), which the baseline does not replace: \
                         associate the `cfn-baseline` policy there yourself in the Security Hub console of the security account, \
                         or list other `organization.organizational_units`",
                        taken.join(", ")
                    )
                })
            }
            Setting::OrgSecurityHub => (live?["ConfigurationType"].as_str() == Some("CENTRAL"))
                .then(|| {
                    "Security Hub runs under central configuration in this organization: its \
                     configuration policies decide which accounts it is on in, and the baseline \
                     manages one only in stack mode with more than one region (a finding \
                     aggregator needs a region to link); return to local configuration, or \
                     list another region"
                        .to_string()
                }),
            _ => None,
        }
    }

    /// A line for plan and drift about what was read, beside the comparison: for Shield,
    /// whether the account subscribes to Shield Advanced.
    pub fn note(self, live: Option<&Json>, wanted: &Json) -> Option<String> {
        if (self.is_auto_enable() || self == Setting::OrgInspectorMembers) && live.is_none() {
            return Some(
                "read once the security account is the service's delegated administrator (and, for \
                 GuardDuty, has its detector): set after the management account's delegations and the stacks"
                    .to_string(),
            );
        }
        // Plan says beforehand what deploy would refuse.
        if self == Setting::OrgSecurityHub {
            return self.refusal(live, wanted);
        }
        if self != Setting::ShieldAdvanced {
            return None;
        }
        let subscribed = self.refusal(live, wanted).is_none();
        let asked = wanted.as_object().is_some_and(|w| !w.is_empty());
        Some(match (subscribed, asked) {
            (true, _) => {
                let live = live.expect("subscribed");
                let protections = live["Protections"].as_array().map_or(0, Vec::len);
                format!(
                    "Shield Advanced: subscribed; proactive engagement {}, {protections} protected resource(s)",
                    live["ProactiveEngagementStatus"]
                        .as_str()
                        .unwrap_or("DISABLED")
                        .to_lowercase()
                )
            }
            (false, false) => "Shield Advanced: not subscribed (Shield Standard protects the account at no cost; the baseline never subscribes: a one-year commitment)".to_string(),
            (false, true) => "Shield Advanced: not subscribed, so proactive engagement and protections cannot be set (the baseline never subscribes: a one-year commitment; subscribe in the Shield console, or remove them from `shield`)".to_string(),
        })
    }

    /// Whether it is a service's organization configuration (auto-enable), in the security
    /// account.
    pub fn is_auto_enable(self) -> bool {
        matches!(
            self,
            Setting::OrgGuardDuty
                | Setting::OrgSecurityHub
                | Setting::OrgMacie
                | Setting::OrgInspector
                | Setting::OrgDetective
        )
    }

    /// The properties that turn the setting on, as its service names them (the account
    /// settings; None for the others, whose properties come from their own keys).
    pub fn on_properties(self) -> Option<Json> {
        Some(match self {
            Setting::S3PublicAccessBlock => json!({
                "BlockPublicAcls": true,
                "IgnorePublicAcls": true,
                "BlockPublicPolicy": true,
                "RestrictPublicBuckets": true,
            }),
            Setting::EbsEncryption => json!({"EbsEncryptionByDefault": true}),
            Setting::Imdsv2Default => json!({"HttpTokens": "required"}),
            Setting::SnapshotPublicAccess => json!({"State": "block-all-sharing"}),
            Setting::ImagePublicAccess => {
                json!({"ImageBlockPublicAccessState": "block-new-sharing"})
            }
            Setting::SsmDocumentSharing => json!({
                "SettingId": SSM_DOCUMENT_SHARING_SETTING,
                "SettingValue": "Disable",
            }),
            Setting::PasswordPolicy
            | Setting::SecurityContact
            | Setting::Inspector
            | Setting::DefaultHostManagement
            | Setting::ShieldAdvanced
            | Setting::MacieJobs
            | Setting::OrgDelegations
            | Setting::OrgServiceAdmins
            | Setting::OrgGuardDuty
            | Setting::OrgSecurityHub
            | Setting::OrgMacie
            | Setting::OrgInspector
            | Setting::OrgInspectorMembers
            | Setting::OrgDetective => return None,
        })
    }
}

/// One setting the baseline wants in one account (and region).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WantedSetting {
    pub setting: Setting,
    /// [`GLOBAL_REGION`] for an account-wide setting.
    pub region: String,
    /// The pseudo-resource's properties (a JSON object).
    pub properties: Json,
}

impl WantedSetting {
    /// Keeps of `live` only the properties the baseline sets: the rest is not compared. Of a
    /// list (Shield's protections), only the items the baseline lists are kept: one added by
    /// hand is not the baseline's business.
    pub fn comparable(&self, live: &Json) -> Json {
        if self.setting == Setting::PasswordPolicy {
            return live.clone();
        }
        let Some(wanted) = self.properties.as_object() else {
            return json!({});
        };
        let kept: serde_json::Map<String, Json> = live
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                let w = wanted.get(k)?;
                // A control disabled beyond the baseline's weakens: that list is compared whole.
                let whole = self.setting == Setting::OrgSecurityHub && k == "DisabledControls";
                let v = match (w.as_array(), v.as_array()) {
                    (Some(w), Some(v)) if !whole => {
                        Json::Array(v.iter().filter(|i| w.contains(i)).cloned().collect())
                    }
                    _ => v.clone(),
                };
                Some((k.clone(), v))
            })
            .collect();
        Json::Object(kept)
    }
}

/// Inspector's name for a scan type, as BatchGetAccountStatus reports it.
pub fn inspector_key(scan: InspectorScan) -> &'static str {
    match scan {
        InspectorScan::Ec2 => "Ec2",
        InspectorScan::Ecr => "Ecr",
        InspectorScan::Lambda => "Lambda",
        InspectorScan::LambdaCode => "LambdaCode",
    }
}

/// An account setting switched on in a region (or [`GLOBAL_REGION`]).
fn on(setting: Setting, region: &str) -> WantedSetting {
    WantedSetting {
        setting,
        region: region.to_string(),
        properties: setting.on_properties().expect("an account setting"),
    }
}

/// The settings a baseline wants in one account (`None`: the caller's) and its regions.
pub fn wanted_settings(
    baseline: &Baseline,
    account: Option<&str>,
    regions: &[String],
) -> Vec<WantedSetting> {
    let mut out = vec![WantedSetting {
        setting: Setting::PasswordPolicy,
        region: GLOBAL_REGION.to_string(),
        properties: AccountPasswordPolicy::wanted(baseline, account).to_json(),
    }];
    if let Some(c) = &baseline.file.security_contact {
        out.push(WantedSetting {
            setting: Setting::SecurityContact,
            region: GLOBAL_REGION.to_string(),
            properties: json!({
                "AlternateContactType": "SECURITY",
                "Name": c.name.trim(),
                "EmailAddress": c.email.trim(),
                "PhoneNumber": c.phone.trim(),
                "Title": c.title.trim(),
            }),
        });
    }
    out.push(WantedSetting {
        setting: Setting::ShieldAdvanced,
        region: GLOBAL_REGION.to_string(),
        properties: shield_properties(baseline, account),
    });
    out.extend(organization_settings(baseline, account, regions));
    let home = baseline.components_for(account, baseline.home_region());
    if home.account_settings.s3_block_public_access {
        out.push(on(Setting::S3PublicAccessBlock, GLOBAL_REGION));
    }
    for region in regions {
        let c = baseline.components_for(account, region);
        let a = &c.account_settings;
        for (wanted, setting) in [
            (a.ebs_encryption_by_default, Setting::EbsEncryption),
            (a.imdsv2_by_default, Setting::Imdsv2Default),
            (
                a.snapshot_public_sharing_blocked,
                Setting::SnapshotPublicAccess,
            ),
            (a.ami_public_sharing_blocked, Setting::ImagePublicAccess),
            (
                a.ssm_documents_public_sharing_blocked,
                Setting::SsmDocumentSharing,
            ),
        ] {
            if wanted {
                out.push(on(setting, region));
            }
        }
        if c.patching.default_host_management {
            out.push(WantedSetting {
                setting: Setting::DefaultHostManagement,
                region: region.clone(),
                properties: json!({
                    "SettingId": DEFAULT_HOST_MANAGEMENT_SETTING,
                    "SettingValue": format!(
                        "service-role/{}",
                        default_host_management_role(baseline.name())
                    ),
                }),
            });
        }
        if c.macie.enabled
            && !c.macie.jobs.is_empty()
            && crate::baseline::regions::offers(region, crate::baseline::regions::Capability::Macie)
        {
            out.push(WantedSetting {
                setting: Setting::MacieJobs,
                region: region.clone(),
                properties: json!({"Jobs": macie_jobs(&c.macie.jobs)}),
            });
        }
        let inspector = c.inspector;
        // A member's scanning is the security account's to switch on (OrgInspectorMembers).
        let by_organization = baseline.inspector_by_organization(account, region);
        if !inspector.enabled
            || by_organization
            || !crate::baseline::regions::offers(
                region,
                crate::baseline::regions::Capability::Inspector,
            )
        {
            continue;
        }
        let properties: serde_json::Map<String, Json> = inspector
            .scan
            .iter()
            .map(|s| (inspector_key(*s).to_string(), json!("ENABLED")))
            .collect();
        out.push(WantedSetting {
            setting: Setting::Inspector,
            region: region.clone(),
            properties: Json::Object(properties),
        });
    }
    out
}

/// What the management account of an organization delegates to the security account: the
/// enabled services' trusted access and delegated administrators (none in other accounts).
fn organization_settings(
    baseline: &Baseline,
    account: Option<&str>,
    regions: &[String],
) -> Vec<WantedSetting> {
    let Some(org) = &baseline.file.organization else {
        return Vec::new();
    };
    if account == Some(org.security_account.as_str()) && org.auto_enable {
        return auto_enable_settings(baseline, &org.security_account, regions);
    }
    if account != Some(org.management_account.as_str()) {
        return Vec::new();
    }
    let security = org.security_account.as_str();
    // What the security account runs decides what it administers.
    let at = |region: &str| baseline.components_for(Some(security), region);
    let home = at(baseline.home_region());
    let mut principals = Vec::new();
    if home.config.enabled {
        principals.push(CONFIG_PRINCIPAL);
    }
    if home.access_analyzer.enabled {
        principals.push(ACCESS_ANALYZER_PRINCIPAL);
    }
    principals.sort_unstable();
    // The organization trail needs CloudTrail's trusted access (made before the trail: the
    // management account's trail stack follows its delegations). CloudTrail has no
    // delegated administrator here: the trail is the management account's.
    let mut trusted = principals.clone();
    let management_home = baseline.components_for(account, baseline.home_region());
    if baseline.organization_layout().is_some() && management_home.cloudtrail.enabled {
        trusted.push(CLOUDTRAIL_PRINCIPAL);
        trusted.sort_unstable();
    }
    let mut out = Vec::new();
    if !trusted.is_empty() {
        out.push(WantedSetting {
            setting: Setting::OrgDelegations,
            region: GLOBAL_REGION.to_string(),
            properties: json!({
                "TrustedAccess": trusted,
                "DelegatedAdministrators": principals
                    .iter()
                    .map(|p| format!("{p}={security}"))
                    .collect::<Vec<_>>(),
            }),
        });
    }
    for region in regions {
        let c = at(region);
        let admins: serde_json::Map<String, Json> = AdminService::ALL
            .into_iter()
            .filter(|s| s.offered_in(region))
            .filter(|s| match s {
                AdminService::GuardDuty => c.guardduty.enabled,
                AdminService::SecurityHub => c.securityhub.enabled,
                AdminService::Macie => c.macie.enabled,
                AdminService::Inspector => c.inspector.enabled,
                AdminService::Detective => c.detective.enabled,
            })
            .map(|s| (s.key().to_string(), json!(security)))
            .collect();
        if !admins.is_empty() {
            out.push(WantedSetting {
                setting: Setting::OrgServiceAdmins,
                region: region.clone(),
                properties: Json::Object(admins),
            });
        }
    }
    out
}

/// The security account's organization configurations: each enabled service switches itself
/// on in every member account, new ones included, where the region offers it.
fn auto_enable_settings(
    baseline: &Baseline,
    security: &str,
    regions: &[String],
) -> Vec<WantedSetting> {
    let mut out = Vec::new();
    for region in regions {
        let c = baseline.components_for(Some(security), region);
        let mut add = |setting: Setting, properties: Json| {
            out.push(WantedSetting {
                setting,
                region: region.clone(),
                properties,
            })
        };
        if c.guardduty.enabled {
            let mut p = serde_json::Map::new();
            p.insert("AutoEnableOrganizationMembers".into(), json!("ALL"));
            for f in crate::plan::guardduty_features(&c.guardduty.features, region) {
                if !f.on {
                    continue;
                }
                p.insert(f.name.to_string(), json!("ALL"));
                for (name, on) in f.additional.into_iter().flatten() {
                    if on {
                        p.insert(format!("{}:{name}", f.name), json!("ALL"));
                    }
                }
            }
            add(Setting::OrgGuardDuty, Json::Object(p));
        }
        let central = baseline.securityhub_central().is_some();
        if c.securityhub.enabled && (!central || *region == baseline.home_region()) {
            // Auto-enable (or, under central configuration, the policy) reaches accounts
            // that join later; the baseline's other accounts are made members, so that
            // their findings reach the security account.
            let mut members: Vec<String> = baseline
                .organization_accounts()
                .into_iter()
                .filter(|a| a != security)
                .collect();
            members.sort();
            let properties = if central {
                securityhub_policy(baseline, &c.securityhub, region, members)
            } else {
                json!({"AutoEnable": true, "AutoEnableStandards": "DEFAULT", "Members": members})
            };
            add(Setting::OrgSecurityHub, properties);
        }
        // The existing accounts the security account makes members (auto-enable reaches
        // only those that join later), sorted.
        let members = |by: fn(&Baseline, Option<&str>, &str) -> bool,
                       on: fn(&crate::baseline::Components) -> bool| {
            let mut ids: Vec<String> = baseline
                .organization_accounts()
                .into_iter()
                .filter(|a| {
                    by(baseline, Some(a), region) && on(&baseline.components_for(Some(a), region))
                })
                .collect();
            ids.sort();
            ids
        };
        if c.macie.enabled && AdminService::Macie.offered_in(region) {
            let members = members(Baseline::macie_by_organization, |c| c.macie.enabled);
            add(
                Setting::OrgMacie,
                json!({"AutoEnable": true, "Members": members}),
            );
        }
        if c.inspector.enabled && AdminService::Inspector.offered_in(region) {
            let p: serde_json::Map<String, Json> = c
                .inspector
                .scan
                .iter()
                .map(|s| (inspector_key(*s).to_string(), json!(true)))
                .collect();
            add(Setting::OrgInspector, Json::Object(p));
            // The existing members, associated and switched on by the security account:
            // `<account>:<scan type>` = ENABLED, each with its own scan types.
            let mut members = serde_json::Map::new();
            for account in baseline.organization_accounts() {
                let own = baseline.components_for(Some(&account), region).inspector;
                if !own.enabled || !baseline.inspector_by_organization(Some(&account), region) {
                    continue;
                }
                for scan in &own.scan {
                    members.insert(
                        format!("{account}:{}", inspector_key(*scan)),
                        json!("ENABLED"),
                    );
                }
            }
            if !members.is_empty() {
                add(Setting::OrgInspectorMembers, Json::Object(members));
            }
        }
        if c.detective.enabled && AdminService::Detective.offered_in(region) {
            let members = members(Baseline::detective_by_organization, |c| c.detective.enabled);
            add(
                Setting::OrgDetective,
                json!({"AutoEnable": true, "Members": members}),
            );
        }
    }
    out
}

/// The name of the baseline's Security Hub configuration policy (an organization has one
/// organization configuration, so one baseline sets it).
pub const SECURITYHUB_POLICY_NAME: &str = "cfn-baseline";

/// Security Hub central configuration, from the security account's home region: the
/// configuration policy (Security Hub on, the baseline's standards as that region names
/// them, its disabled controls) and where it is associated (`ROOT`: the organization's
/// root, so every account, new ones included; or the listed organizational units).
fn securityhub_policy(
    baseline: &Baseline,
    s: &crate::baseline::SecurityHub,
    home: &str,
    members: Vec<String>,
) -> Json {
    let mut standards: Vec<String> = s.standards.iter().map(|std| std.arn(home)).collect();
    standards.sort();
    let mut disabled: Vec<&str> = s
        .disabled_controls
        .iter()
        .map(|d| d.control.as_str())
        .collect();
    disabled.sort_unstable();
    disabled.dedup();
    let org = baseline
        .file
        .organization
        .as_ref()
        .expect("an organization");
    // An organization has one root: its id, when listed, is the root.
    let mut targets: Vec<String> = org
        .organizational_units
        .iter()
        .map(|t| {
            if t.starts_with("r-") {
                "ROOT".to_string()
            } else {
                t.clone()
            }
        })
        .collect();
    if targets.is_empty() {
        targets.push("ROOT".to_string());
    }
    targets.sort();
    targets.dedup();
    json!({
        "ConfigurationType": "CENTRAL",
        "ServiceEnabled": true,
        "EnabledStandards": standards,
        "DisabledControls": disabled,
        "Targets": targets,
        "Members": members,
    })
}

/// The prefix of the names of the Macie jobs the baseline keeps (how it finds them).
pub const MACIE_JOB_PREFIX: &str = "cfn-baseline-";

/// A job schedule as the pseudo-resource holds it: `once`, `daily`, `weekly:MONDAY`,
/// `monthly:1`.
pub fn job_schedule(s: &crate::baseline::JobSchedule) -> String {
    use crate::baseline::JobSchedule;
    match s {
        JobSchedule::Once => "once".to_string(),
        JobSchedule::Daily => "daily".to_string(),
        JobSchedule::Weekly(day) => format!("weekly:{}", day.api_name()),
        JobSchedule::Monthly(day) => format!("monthly:{day}"),
    }
}

/// Job name -> {Buckets (sorted), Schedule, ManagedDataIdentifiers: RECOMMENDED, ALL or the
/// sorted ids}.
fn macie_jobs(jobs: &[crate::baseline::MacieJob]) -> Json {
    use crate::baseline::ManagedIdentifiers;
    let map: serde_json::Map<String, Json> = jobs
        .iter()
        .map(|j| {
            let mut buckets = j.buckets.clone();
            buckets.sort();
            let identifiers = match &j.managed_identifiers {
                ManagedIdentifiers::Recommended => json!("RECOMMENDED"),
                ManagedIdentifiers::All => json!("ALL"),
                ManagedIdentifiers::Include(ids) => {
                    let mut ids = ids.clone();
                    ids.sort();
                    json!(ids)
                }
            };
            (
                j.name.clone(),
                json!({
                    "Buckets": buckets,
                    "Schedule": job_schedule(&j.schedule),
                    "ManagedDataIdentifiers": identifiers,
                }),
            )
        })
        .collect();
    Json::Object(map)
}

/// What the baseline asks of Shield Advanced in one account (`None`: the caller's, which
/// takes every listed resource): empty when nothing, and then it is only reported.
fn shield_properties(baseline: &Baseline, account: Option<&str>) -> Json {
    let shield = &baseline.file.shield;
    let mut out = serde_json::Map::new();
    if shield.proactive_engagement {
        if let Some(c) = &baseline.file.security_contact {
            out.insert("ProactiveEngagementStatus".into(), json!("ENABLED"));
            out.insert(
                "EmergencyContacts".into(),
                json!([{
                    "EmailAddress": c.email.trim(),
                    "PhoneNumber": c.phone.trim(),
                    "ContactNotes": c.name.trim(),
                }]),
            );
        }
    }
    let mut protections: Vec<&str> = shield
        .protections
        .iter()
        .map(String::as_str)
        .filter(|arn| {
            let owner = crate::baseline::ShieldArn::parse(arn).and_then(|a| a.account);
            match (account, owner) {
                (Some(account), Some(owner)) => account == owner,
                _ => true,
            }
        })
        .collect();
    protections.sort_unstable();
    if !protections.is_empty() {
        out.insert("Protections".into(), json!(protections));
    }
    Json::Object(out)
}

/// The name the baseline gives the protection of a resource: `cfn-baseline-` and the ARN's
/// resource part, in the characters Shield allows, at most 128 of them.
pub fn shield_protection_name(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    let cleaned: String = resource
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("cfn-baseline-{cleaned}")
        .chars()
        .take(128)
        .collect()
}

/// The pseudo-stack of a setting: `None` stands for "not set at all".
pub fn setting_stack(
    account: &str,
    setting: Setting,
    region: &str,
    properties: Option<&Json>,
) -> StackInput {
    let resources = match properties {
        Some(p) => {
            json!({setting.logical_id(): {"Type": setting.resource_type(), "Properties": p}})
        }
        None => json!({}),
    };
    StackInput {
        account: account.to_string(),
        region: region.to_string(),
        stack_name: setting.stack_name().to_string(),
        template: crate::template::Template::shared(json!({
            "Metadata": {"cfn-baseline": {"component": setting.component()}},
            "Resources": resources,
        })),
        tags: None,
    }
}

/// The wanted settings of every target account of a baseline, as pseudo-stacks.
/// Every kind of setting the baseline keeps in any of its accounts and regions.
pub fn wanted_setting_kinds(baseline: &Baseline) -> std::collections::BTreeSet<Setting> {
    let regions = baseline.regions();
    targets(baseline)
        .into_iter()
        .flat_map(|(_, account)| wanted_settings(baseline, account.as_deref(), &regions))
        .map(|w| w.setting)
        .collect()
}

pub fn wanted_setting_stacks(baseline: &Baseline) -> Vec<StackInput> {
    let regions = baseline.regions();
    targets(baseline)
        .into_iter()
        .flat_map(|(label, account)| {
            wanted_settings(baseline, account.as_deref(), &regions)
                .into_iter()
                .map(move |w| setting_stack(&label, w.setting, &w.region, Some(&w.properties)))
        })
        .collect()
}

#[cfg(test)]
mod organization_tests {
    use super::*;

    fn baseline(extra: &str) -> Baseline {
        let text = format!(
            "version: 1\nname: org\nhome_region: us-east-1\nregions: [us-east-1, ap-east-2]\n\
             accounts: [\"111111111111\", \"222222222222\", \"333333333333\", \"444444444444\"]\n\
             organization: {{management_account: \"111111111111\", security_account: \"222222222222\", \
             log_archive_account: \"333333333333\"}}\n{extra}"
        );
        crate::baseline::load(crate::baseline::Source {
            name: "org.yaml".into(),
            text,
        })
        .expect("valid")
        .0
    }

    fn of(b: &Baseline, account: &str, setting: Setting) -> Vec<WantedSetting> {
        wanted_settings(b, Some(account), &b.regions())
            .into_iter()
            .filter(|w| w.setting == setting)
            .collect()
    }

    #[test]
    fn only_the_management_account_delegates_and_only_what_is_enabled_and_offered() {
        let b = baseline("macie: {enabled: true}\ninspector: {enabled: true}\n");
        let d = of(&b, "111111111111", Setting::OrgDelegations);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].properties,
            json!({
                // CloudTrail's for the organization trail, without an administrator.
                "TrustedAccess": ["access-analyzer.amazonaws.com", "cloudtrail.amazonaws.com", "config.amazonaws.com"],
                "DelegatedAdministrators": [
                    "access-analyzer.amazonaws.com=222222222222",
                    "config.amazonaws.com=222222222222",
                ],
            })
        );
        let admins = of(&b, "111111111111", Setting::OrgServiceAdmins);
        let by_region: Vec<(&str, &Json)> = admins
            .iter()
            .map(|w| (w.region.as_str(), &w.properties))
            .collect();
        // ap-east-2 offers neither Macie nor Inspector (the region table).
        assert_eq!(
            by_region,
            vec![
                (
                    "us-east-1",
                    &json!({"GuardDuty": "222222222222", "Inspector": "222222222222",
                            "Macie": "222222222222", "SecurityHub": "222222222222"})
                ),
                (
                    "ap-east-2",
                    &json!({"GuardDuty": "222222222222", "SecurityHub": "222222222222"})
                ),
            ]
        );
        for other in ["222222222222", "333333333333", "444444444444"] {
            assert!(of(&b, other, Setting::OrgDelegations).is_empty(), "{other}");
            assert!(
                of(&b, other, Setting::OrgServiceAdmins).is_empty(),
                "{other}"
            );
        }
    }

    #[test]
    fn the_security_accounts_components_decide_what_is_delegated() {
        let b = baseline(
            "overrides:\n  - match: {account: \"222222222222\"}\n    config: {enabled: false}\n    guardduty: {enabled: false}\n",
        );
        let d = of(&b, "111111111111", Setting::OrgDelegations);
        assert_eq!(
            d[0].properties["TrustedAccess"],
            json!(["access-analyzer.amazonaws.com", "cloudtrail.amazonaws.com"])
        );
        let admins = of(&b, "111111111111", Setting::OrgServiceAdmins);
        assert!(admins
            .iter()
            .all(|w| w.properties.get("GuardDuty").is_none()));
        // Without the organization trail (trail off in the management account), no
        // CloudTrail trusted access.
        let b = baseline(
            "overrides:\n  - match: {account: \"111111111111\"}\n    cloudtrail: {enabled: false}\n    config: {enabled: false}\n",
        );
        let d = of(&b, "111111111111", Setting::OrgDelegations);
        assert_eq!(
            d[0].properties["TrustedAccess"],
            json!(["access-analyzer.amazonaws.com", "config.amazonaws.com"])
        );
    }

    #[test]
    fn the_security_account_auto_enables_each_enabled_service_where_offered() {
        let b = baseline("macie: {enabled: true}\ninspector: {enabled: true, scan: [ec2, ecr]}\n");
        let security: Vec<(Setting, String)> =
            wanted_settings(&b, Some("222222222222"), &b.regions())
                .into_iter()
                .filter(|w| w.setting.is_auto_enable())
                .map(|w| (w.setting, w.region))
                .collect();
        let at = |region: &str| -> Vec<Setting> {
            security
                .iter()
                .filter(|(_, r)| r == region)
                .map(|(s, _)| *s)
                .collect()
        };
        assert_eq!(
            at("us-east-1"),
            vec![
                Setting::OrgGuardDuty,
                Setting::OrgSecurityHub,
                Setting::OrgMacie,
                Setting::OrgInspector
            ]
        );
        // Security Hub's central configuration is set from the home region only.
        assert_eq!(at("ap-east-2"), vec![Setting::OrgGuardDuty]);
        let gd = wanted_settings(&b, Some("222222222222"), &b.regions())
            .into_iter()
            .find(|w| w.setting == Setting::OrgGuardDuty && w.region == "us-east-1")
            .unwrap();
        assert_eq!(gd.properties["AutoEnableOrganizationMembers"], "ALL");
        assert_eq!(gd.properties["S3_DATA_EVENTS"], "ALL");
        assert_eq!(
            gd.properties["RUNTIME_MONITORING:EC2_AGENT_MANAGEMENT"],
            "ALL"
        );
        let inspector = wanted_settings(&b, Some("222222222222"), &b.regions())
            .into_iter()
            .find(|w| w.setting == Setting::OrgInspector)
            .unwrap();
        assert_eq!(inspector.properties, json!({"Ec2": true, "Ecr": true}));
        // Members and the other roles set none; without auto_enable, neither does security.
        for other in ["111111111111", "333333333333", "444444444444"] {
            assert!(wanted_settings(&b, Some(other), &b.regions())
                .iter()
                .all(|w| !w.setting.is_auto_enable()));
        }
        let off = crate::baseline::load(crate::baseline::Source {
            name: "org.yaml".into(),
            text: "version: 1\nname: org\nhome_region: us-east-1\n\
                   accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\n\
                   organization: {management_account: \"111111111111\", security_account: \"222222222222\", \
                   log_archive_account: \"333333333333\", auto_enable: false}\n"
                .into(),
        })
        .expect("valid")
        .0;
        assert!(wanted_settings(&off, Some("222222222222"), &off.regions())
            .iter()
            .all(|w| !w.setting.is_auto_enable()));
    }

    #[test]
    fn security_hub_central_configuration_carries_the_baselines_standards_and_controls() {
        let b = baseline(
            "securityhub:\n  standards: [aws-foundational-security-best-practices, cis-aws-foundations-benchmark-v5]\n  disabled_controls:\n    - {control: S3.1, reason: no buckets}\n    - {control: IAM.6, reason: hardware MFA by hand}\n",
        );
        let sh = of(&b, "222222222222", Setting::OrgSecurityHub);
        assert_eq!(sh.len(), 1);
        assert_eq!(sh[0].region, "us-east-1");
        assert_eq!(
            sh[0].properties,
            json!({
                "ConfigurationType": "CENTRAL",
                "ServiceEnabled": true,
                "EnabledStandards": [
                    "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0",
                    "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/5.0.0",
                ],
                "DisabledControls": ["IAM.6", "S3.1"],
                "Targets": ["ROOT"],
                "Members": ["111111111111", "333333333333", "444444444444"],
            })
        );
        // No account disables controls of its own: the policy does.
        for account in ["111111111111", "222222222222", "444444444444"] {
            for region in b.regions() {
                assert_eq!(ControlSettings::wanted(&b, Some(account), &region), None);
            }
        }
        // Listed organizational units replace the root (named by its id, it is the root).
        let b = crate::baseline::load(crate::baseline::Source {
            name: "org.yaml".into(),
            text: "version: 1\nname: org\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
                   accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\n\
                   organization: {management_account: \"111111111111\", security_account: \"222222222222\", \
                   log_archive_account: \"333333333333\", \
                   organizational_units: [ou-ab12-zz34ef56, r-ab12, ou-ab12-cd34ef56]}\n"
                .into(),
        })
        .expect("valid")
        .0;
        let sh = of(&b, "222222222222", Setting::OrgSecurityHub);
        assert_eq!(
            sh[0].properties["Targets"],
            json!(["ROOT", "ou-ab12-cd34ef56", "ou-ab12-zz34ef56"])
        );
        // Refused only when the organization is central and the baseline is not.
        let s = Setting::OrgSecurityHub;
        let live = json!({"ConfigurationType": "CENTRAL"});
        assert_eq!(s.refusal(Some(&live), &sh[0].properties), None);
        assert!(s
            .refusal(Some(&live), &json!({"AutoEnable": true}))
            .is_some());
        // A wanted target another configuration governs is not taken over (plan says so
        // beforehand); other targets are fine.
        let live = json!({"ConfigurationType": "CENTRAL", "OtherPolicyTargets": ["ROOT", "ou-zz99-zz99zz99"]});
        let why = s.refusal(Some(&live), &sh[0].properties).expect("refused");
        assert!(
            why.starts_with(
                "the organization's root already has another Security Hub configuration"
            ),
            "{why}"
        );
        assert_eq!(s.note(Some(&live), &sh[0].properties), Some(why));
        let live =
            json!({"ConfigurationType": "CENTRAL", "OtherPolicyTargets": ["ou-zz99-zz99zz99"]});
        assert_eq!(s.refusal(Some(&live), &sh[0].properties), None);
        // The whole list of disabled controls is compared: one more disabled by hand shows.
        let live = json!({"DisabledControls": ["EC2.2", "IAM.6"], "Targets": ["ROOT", "ou-x"]});
        let wanted = WantedSetting {
            setting: s,
            region: "us-east-1".into(),
            properties: json!({"DisabledControls": ["IAM.6"], "Targets": ["ROOT"]}),
        };
        assert_eq!(
            wanted.comparable(&live),
            json!({"DisabledControls": ["EC2.2", "IAM.6"], "Targets": ["ROOT"]})
        );
    }

    #[test]
    fn the_security_account_switches_inspector_on_in_the_members() {
        let b = baseline(
            "inspector: {enabled: true, scan: [ec2, ecr]}\noverrides:\n  - match: {account: \"444444444444\"}\n    inspector: {scan: [lambda]}\n",
        );
        let members = of(&b, "222222222222", Setting::OrgInspectorMembers);
        // Only where Inspector is offered (not ap-east-2), each member with its scan types.
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].region, "us-east-1");
        assert_eq!(
            members[0].properties,
            json!({
                "333333333333:Ec2": "ENABLED",
                "333333333333:Ecr": "ENABLED",
                "444444444444:Lambda": "ENABLED",
            })
        );
        // Members no longer switch their own; the management account and the security
        // account still do.
        for member in ["333333333333", "444444444444"] {
            assert!(of(&b, member, Setting::Inspector).is_empty(), "{member}");
        }
        for own in ["111111111111", "222222222222"] {
            assert_eq!(of(&b, own, Setting::Inspector).len(), 1, "{own}");
        }
    }

    #[test]
    fn the_security_account_makes_the_members_macie_and_detective_members() {
        let b = baseline("macie: {enabled: true}\ndetective: {enabled: true}\n");
        for setting in [Setting::OrgMacie, Setting::OrgDetective] {
            let w = of(&b, "222222222222", setting);
            assert!(!w.is_empty(), "{setting:?}");
            for w in w {
                // Members and the log archive account; the management account keeps its own.
                assert_eq!(
                    w.properties,
                    json!({"AutoEnable": true, "Members": ["333333333333", "444444444444"]}),
                    "{setting:?} in {}",
                    w.region
                );
            }
        }
        assert!(b.macie_by_organization(Some("444444444444"), "us-east-1"));
        assert!(b.detective_by_organization(Some("333333333333"), "us-east-1"));
        assert!(!b.macie_by_organization(Some("111111111111"), "us-east-1"));
        assert!(!b.detective_by_organization(Some("222222222222"), "us-east-1"));
    }

    #[test]
    fn an_organization_in_one_region_keeps_security_hubs_local_configuration() {
        let b = crate::baseline::load(crate::baseline::Source {
            name: "org.yaml".into(),
            text: "version: 1\nname: org\nhome_region: us-east-1\nregions: [us-east-1]\n\
                   accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\n\
                   organization: {management_account: \"111111111111\", security_account: \"222222222222\", \
                   log_archive_account: \"333333333333\"}\n"
                .into(),
        })
        .expect("valid")
        .0;
        assert!(b.securityhub_central().is_none());
        let sh = of(&b, "222222222222", Setting::OrgSecurityHub);
        assert_eq!(sh[0].properties["AutoEnable"], true);
        assert!(ControlSettings::wanted(&b, Some("333333333333"), "us-east-1").is_some());
    }

    #[test]
    fn another_delegated_administrator_is_refused_and_none_is_not() {
        let wanted = json!({"GuardDuty": "222222222222", "Macie": "222222222222"});
        let s = Setting::OrgServiceAdmins;
        assert_eq!(s.refusal(Some(&json!({})), &wanted), None);
        assert_eq!(
            s.refusal(Some(&json!({"GuardDuty": "222222222222"})), &wanted),
            None
        );
        let why = s
            .refusal(Some(&json!({"Macie": "999999999999"})), &wanted)
            .expect("refused");
        assert!(why.contains("Macie's is 999999999999"), "{why}");
    }
}
