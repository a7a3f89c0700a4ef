//! The baseline file, version 1. Every struct rejects unknown keys; every field that may be
//! left out has a secure default (see `defaults.rs`).

use std::collections::BTreeMap;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use crate::yaml::Value;

/// The whole baseline as written. Component settings here are the base that overrides
/// refine per account and region (see [`crate::baseline::Baseline::components_for`]).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    // Required; checked by validation so that its absence gets a located message.
    /// The file format version: 1.
    #[schemars(extend("x-default" = "(required)"))]
    #[serde(default)]
    #[schemars(range(min = 1, max = 1))]
    pub version: Option<u64>,
    /// The baseline's name: the prefix of every stack (`<name>-cloudtrail`, ...) and bucket.
    /// 1-20 of `a-z 0-9 -`, starting with a letter.
    #[schemars(extend("x-default" = "(required)"))]
    #[serde(default)]
    pub name: Option<String>,
    /// Where the trail, the log archive, global resource recording and the CIS alarms live. It
    /// must be a region where AWS Config records global IAM types (not one added after February
    /// 2022).
    #[schemars(extend("x-default" = "(required)"))]
    #[serde(default)]
    pub home_region: Option<String>,
    /// The regions the baseline covers: a list that includes `home_region`, or `all`: every
    /// region enabled in each account (found with EC2 DescribeRegions when plan, deploy, diff
    /// and drift connect; offline, `render` and `validate` use the 17 regions enabled by
    /// default). A listed region an account has not enabled stops the run before any change.
    /// Not in stack-set mode.
    #[schemars(extend("x-default" = "`[home_region]`"))]
    #[serde(default)]
    pub regions: Regions,
    /// The target accounts: quoted 12-digit ids, or `{id, role_arn}` / `{id, profile}` saying
    /// how to reach one. An unquoted id is an error whatever its digits (YAML readers disagree
    /// on such numbers: `012345670123` is text to one, octal to another), here, in
    /// `deployment.accounts` and in override matches.
    #[schemars(extend("x-default" = "the caller's account"))]
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// Tags on every stack and resource: up to 40, in CloudFormation's tag character set, no
    /// `aws:` keys.
    #[schemars(extend("x-default" = "`{}`"))]
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub alerts: Alerts,
    #[serde(default)]
    pub cloudtrail: CloudTrail,
    #[serde(default)]
    pub config: Config,
    #[serde(default)]
    pub guardduty: GuardDuty,
    #[serde(default)]
    pub securityhub: SecurityHub,
    #[serde(default)]
    pub access_analyzer: AccessAnalyzer,
    #[serde(default)]
    pub network: Network,
    #[serde(default)]
    pub patching: Patching,
    #[serde(default)]
    pub waf: Waf,
    #[serde(default)]
    pub inspector: Inspector,
    #[serde(default)]
    pub macie: Macie,
    #[serde(default)]
    pub detective: Detective,
    #[serde(default)]
    pub account_settings: AccountLevelSettings,
    #[serde(default)]
    pub iam: Iam,
    /// The account's security contact (AWS Account alternate contact of type SECURITY):
    /// whom AWS tells about security issues in the account. Not managed when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_contact: Option<SecurityContact>,
    #[serde(default)]
    pub shield: Shield,
    /// An AWS organization run from a security account, as AWS's Security Reference
    /// Architecture lays it out: the management account delegates each enabled service to the
    /// security account and runs the organization trail; the log archive account holds the
    /// archive every account delivers to; the security account holds the one set of alert
    /// topics, and members have no trail or topic of their own. The three ids differ and are
    /// each in `accounts`. Not managed when left out (see docs/guides/organizations.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<Organization>,
    /// Settings for some accounts and/or regions: `{match: {account?, region?}, <component>:
    /// {partial settings}}`, merged over the settings above in order, later ones winning.
    #[serde(default)]
    pub overrides: Vec<Override>,
    #[serde(default)]
    pub deployment: Deployment,
}

/// A target account: a 12-digit id, optionally with how to reach it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "Account")]
struct AccountObject {
    #[schemars(with = "AccountId")]
    id: String,
    #[serde(default)]
    role_arn: Option<String>,
    #[serde(default)]
    profile: Option<String>,
}

/// A 12-digit AWS account id, always a quoted string in the file.
struct AccountId;

impl JsonSchema for AccountId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AccountId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A 12-digit AWS account id, as a quoted string (\"012345678901\")",
            "type": "string",
            "pattern": "^[0-9]{12}$"
        })
    }
}

impl JsonSchema for Account {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TargetAccount".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let id = generator.subschema_for::<AccountId>();
        let object = generator.subschema_for::<AccountObject>();
        json_schema!({
            "description": "A target account: its id, or its id with how to reach it",
            "oneOf": [id, object]
        })
    }
}

impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = Value::deserialize(deserializer)?;
        match value {
            Value::String(id) => Ok(Account {
                id,
                role_arn: None,
                profile: None,
            }),
            // Reported, with its position, before the shape check (load.rs).
            Value::Number(n) => Err(D::Error::custom(format!(
                "account id {n} must be a quoted string, e.g. \"{n}\""
            ))),
            Value::Mapping(_) => {
                let obj: AccountObject =
                    crate::yaml::from_value(value).map_err(D::Error::custom)?;
                Ok(Account {
                    id: obj.id,
                    role_arn: obj.role_arn,
                    profile: obj.profile,
                })
            }
            _ => Err(D::Error::custom(
                "expected an account id string or a mapping {id, role_arn or profile}",
            )),
        }
    }
}

/// What to do with a resource of a component that already exists outside the baseline's
/// stacks (a detector, a hub, a recorder, a trail, a leftover bucket, ...).
#[derive(
    Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
#[serde(rename_all = "lowercase")]
pub enum Existing {
    /// Bring it under the stack (an IMPORT change set, or taking a Config recorder over by
    /// its name), then bring its settings to the baseline.
    #[default]
    Adopt,
    /// Leave it alone; deploy the rest of the component.
    Skip,
    /// Stop before any change, saying what exists where.
    Fail,
}

/// Alerts: one encrypted SNS topic per region that GuardDuty, Security Hub, Config and the CIS
/// alarms publish to, with its email and Slack subscribers; see docs/guides/alerts.md.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Alerts {
    pub existing: Existing,
    /// Email subscribers: each confirms the subscription from the mail AWS sends. A baseline
    /// without any subscriber gets a warning (nobody would hear an alert). A shared address (a
    /// list or group) keeps the template small.
    pub email: Vec<String>,
    /// `{workspace_id, channel_id}`: a Slack channel through AWS Chatbot (the workspace is
    /// authorized once in the Chatbot console).
    pub slack: Option<Slack>,
    /// The lowest GuardDuty severity that alerts: `low` (1+), `medium` (4+), `high` (7+) or
    /// `critical` (9+).
    pub guardduty_min_severity: GuardDutySeverity,
    /// The Security Hub finding severities that alert.
    pub securityhub_severities: Vec<SecurityHubSeverity>,
    /// Alert when a Config rule becomes NON_COMPLIANT.
    pub config_noncompliant: bool,
    /// Known noise that must not alert: GuardDuty finding types
    /// (`Recon:EC2/PortProbeUnprotectedPort`), Security Hub control ids (`EC2.19`) and
    /// Security Hub product names (`Inspector`).
    pub suppress: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Slack {
    /// The Slack workspace (team) id: uppercase letters and digits, e.g. `T0123ABCD` (Slack:
    /// workspace settings).
    pub workspace_id: String,
    /// The channel id: letters and digits, e.g. `C0123ABCD` (Slack: channel details); invite
    /// the AWS Chatbot app to the channel.
    pub channel_id: String,
}

#[derive(
    Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
#[serde(rename_all = "lowercase")]
pub enum GuardDutySeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl GuardDutySeverity {
    /// The lowest GuardDuty severity score in the band.
    pub fn threshold(self) -> f64 {
        match self {
            GuardDutySeverity::Low => 1.0,
            GuardDutySeverity::Medium => 4.0,
            GuardDutySeverity::High => 7.0,
            GuardDutySeverity::Critical => 9.0,
        }
    }

    /// The Security Hub severities of GuardDuty findings in this band or above, highest
    /// first (Security Hub labels GuardDuty's scores by the same bands).
    pub fn securityhub_labels(self) -> Vec<SecurityHubSeverity> {
        [
            (GuardDutySeverity::Critical, SecurityHubSeverity::Critical),
            (GuardDutySeverity::High, SecurityHubSeverity::High),
            (GuardDutySeverity::Medium, SecurityHubSeverity::Medium),
            (GuardDutySeverity::Low, SecurityHubSeverity::Low),
        ]
        .into_iter()
        .filter(|(band, _)| *band >= self)
        .map(|(_, label)| label)
        .collect()
    }
}

#[derive(
    Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum SecurityHubSeverity {
    Informational,
    Low,
    Medium,
    High,
    Critical,
}

/// CloudTrail: a multi-region trail in the home region, logging to a KMS-encrypted, versioned
/// and retained S3 archive and to CloudWatch Logs, with the CIS metric filters and alarms.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CloudTrail {
    /// Whether the trail and the log archive exist (AWS Config's delivery needs the archive).
    pub enabled: bool,
    pub existing: Existing,
    /// Data events (billed per event): `s3: none|write|all` for S3 object calls (the baseline's
    /// log buckets are excluded), `lambda: true` for function invocations.
    pub data_events: DataEvents,
    /// CloudTrail Insights on API call and error rates (billed per event analyzed).
    pub insights: bool,
    /// Days the trail's CloudWatch Logs copy is kept: a value CloudWatch Logs accepts (1, 3, 5,
    /// 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288
    /// or 3653).
    pub log_retention_days: u32,
    /// Days before the S3 archive expires a log file; at least 365.
    pub archive_days: u32,
    /// The 15 CIS monitoring metric filters and alarms on the trail's log group (root use,
    /// unauthorized calls, policy changes, ...).
    pub cis_alarms: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DataEvents {
    /// S3 object-level events: `none`, `write` (puts and deletes) or `all` (reads too, usually
    /// the costly part).
    pub s3: S3DataEvents,
    /// Lambda function invocations.
    pub lambda: bool,
}

#[derive(
    Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum S3DataEvents {
    #[default]
    None,
    Write,
    All,
}

/// AWS Config: a recorder of every supported resource type (global IAM types in the home region
/// only), delivering to the trail's archive, with managed rules.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Whether the recorder, its delivery channel and rules exist; needs `cloudtrail.enabled`
    /// (the archive lives in that stack).
    pub enabled: bool,
    pub existing: Existing,
    /// How often Config delivers configuration snapshots to the archive.
    pub delivery_frequency: DeliveryFrequency,
    /// `CONTINUOUS` records every change; `DAILY` records once a day (cheaper for resources
    /// that change often).
    pub recording_frequency: RecordingFrequency,
    /// The managed rules: `default` (21 recommended ones; `cfn-baseline render` shows them in
    /// the config stack) or a list of managed rule ids.
    pub rules: ConfigRules,
    /// Deprecated: whether the AWSServiceRoleForConfig service-linked role exists is now
    /// discovered, and the role is created (once per account, in the home region) only where
    /// it does not. Set, it overrides the discovery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_service_linked_role: Option<bool>,
}

#[derive(
    Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
#[allow(non_camel_case_types)]
pub enum DeliveryFrequency {
    One_Hour,
    Three_Hours,
    Six_Hours,
    Twelve_Hours,
    TwentyFour_Hours,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordingFrequency {
    Continuous,
    Daily,
}

/// `all` (every region enabled in each account, found when plan and deploy connect) or a
/// list of regions (empty: the home region only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Regions {
    All,
    List(Vec<String>),
}

impl Default for Regions {
    fn default() -> Self {
        Regions::List(Vec::new())
    }
}

impl Regions {
    /// The regions listed (none for `all`).
    pub fn listed(&self) -> &[String] {
        match self {
            Regions::All => &[],
            Regions::List(list) => list,
        }
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Regions::All)
    }
}

impl Serialize for Regions {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Regions::All => serializer.serialize_str("all"),
            Regions::List(list) => list.serialize(serializer),
        }
    }
}

impl JsonSchema for Regions {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Regions".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`all` (every region enabled in each account) or a list of region codes",
            "oneOf": [
                {"const": "all"},
                {"type": "array", "items": {"type": "string"}}
            ]
        })
    }
}

impl<'de> Deserialize<'de> for Regions {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(deserializer)? {
            Value::String(s) if s == "all" => Ok(Regions::All),
            Value::String(s) => Err(D::Error::custom(format!(
                "expected `all` or a list of regions, found {s:?}"
            ))),
            value @ Value::Sequence(_) => crate::yaml::from_value::<Vec<String>>(value)
                .map(Regions::List)
                .map_err(D::Error::custom),
            _ => Err(D::Error::custom("expected `all` or a list of regions")),
        }
    }
}

/// `default` (the recommended managed rules) or an explicit list of managed rule ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigRules {
    Default,
    List(Vec<String>),
}

impl Serialize for ConfigRules {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ConfigRules::Default => serializer.serialize_str("default"),
            ConfigRules::List(ids) => ids.serialize(serializer),
        }
    }
}

impl JsonSchema for ConfigRules {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ConfigRules".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`default` (the recommended managed rules) or a list of managed rule ids",
            "oneOf": [
                {"const": "default"},
                {"type": "array", "items": {"type": "string", "pattern": "^[A-Z0-9_]+$"}}
            ]
        })
    }
}

impl<'de> Deserialize<'de> for ConfigRules {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match Value::deserialize(deserializer)? {
            Value::String(s) if s == "default" => Ok(ConfigRules::Default),
            Value::String(s) => Err(D::Error::custom(format!(
                "expected `default` or a list of managed rule ids, found {s:?}"
            ))),
            value @ Value::Sequence(_) => crate::yaml::from_value::<Vec<String>>(value)
                .map(ConfigRules::List)
                .map_err(D::Error::custom),
            _ => Err(D::Error::custom(
                "expected `default` or a list of managed rule ids",
            )),
        }
    }
}

/// GuardDuty: a detector per region with every protection plan, publishing findings to
/// EventBridge (and so to the alerts).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDuty {
    /// Whether a detector runs in each region.
    pub enabled: bool,
    pub existing: Existing,
    /// How often updated findings are published to EventBridge.
    pub finding_frequency: FindingFrequency,
    /// GuardDuty's protection plans, each billed by what it reads; all on by default.
    pub features: GuardDutyFeatures,
    /// Malware Protection for S3: buckets whose new objects GuardDuty scans, each with an
    /// `AWS::GuardDuty::MalwareProtectionPlan` (billed per GB scanned and per object
    /// evaluated): use it for buckets that take uploads from outside (customers, partners,
    /// forms), not for logs or backups. One role per region scans them, trusted by
    /// `malware-protection-plan.guardduty.amazonaws.com` only and scoped to the listed
    /// buckets. Malware found alerts once, as the finding `Object:S3/MaliciousFile`. A bucket
    /// lives in one region: with several regions, list it under an override for its region.
    pub s3_malware_protection: Vec<MalwareProtectedBucket>,
}

/// One bucket under GuardDuty Malware Protection for S3
/// (`AWS::GuardDuty::MalwareProtectionPlan`).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MalwareProtectedBucket {
    /// The bucket's name (in the account and region it is listed for).
    pub bucket: String,
    /// Scan only objects under these key prefixes (up to 5); empty: the whole bucket.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<String>,
    /// Tag each scanned object with `GuardDutyMalwareScanStatus` (the result), so bucket
    /// policies can deny reads of objects not yet found clean.
    #[serde(default = "default_true")]
    pub tag_objects: bool,
    /// The ARN of the KMS key the bucket encrypts with (SSE-KMS), which the scan role may
    /// then decrypt with through S3 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
}

fn default_true() -> bool {
    true
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum FindingFrequency {
    FIFTEEN_MINUTES,
    ONE_HOUR,
    SIX_HOURS,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDutyFeatures {
    /// S3 Protection: S3 data events of every bucket.
    pub s3_data_events: bool,
    /// EKS Protection: the clusters' Kubernetes audit logs.
    pub eks_audit_logs: bool,
    /// Malware Protection for EC2: scans the EBS volumes of instances and containers GuardDuty
    /// finds suspicious.
    pub ebs_malware_protection: bool,
    /// RDS Protection: login activity of Aurora and RDS databases.
    pub rds_login_events: bool,
    /// Lambda Protection: network activity of Lambda functions.
    pub lambda_network_logs: bool,
    /// Runtime Monitoring of EKS, ECS (Fargate) and EC2 workloads through GuardDuty's security
    /// agent; excludes `eks_runtime_monitoring`.
    pub runtime_monitoring: bool,
    /// The older EKS-only runtime feature; `runtime_monitoring` supersedes it.
    pub eks_runtime_monitoring: bool,
    /// Let GuardDuty manage its security agents (EKS add-on, ECS Fargate, EC2). GuardDuty
    /// then creates VPC endpoints in your VPCs.
    pub runtime_agent_management: bool,
}

/// Security Hub (CSPM): a hub per region with the listed standards, aggregated into the home
/// region; findings alert by severity.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityHub {
    /// Whether a hub runs in each region.
    pub enabled: bool,
    pub existing: Existing,
    /// The standards the hub checks against.
    pub standards: Vec<Standard>,
    /// Controls switched off in every enabled standard, each with a reason. Outside the home
    /// region the controls for global resources are disabled as well (see
    /// docs/guides/deploy-and-plan.md).
    pub disabled_controls: Vec<DisabledControl>,
}

#[derive(
    Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash,
)]
pub enum Standard {
    #[serde(rename = "aws-foundational-security-best-practices")]
    Fsbp,
    #[serde(rename = "cis-aws-foundations-benchmark-v1.2")]
    CisV1_2,
    #[serde(rename = "cis-aws-foundations-benchmark-v1.4")]
    CisV1_4,
    #[serde(rename = "cis-aws-foundations-benchmark-v3")]
    CisV3,
    #[serde(rename = "cis-aws-foundations-benchmark-v5")]
    CisV5,
    #[serde(rename = "nist-800-53-v5")]
    Nist80053,
    #[serde(rename = "nist-800-171-v2")]
    Nist800171,
    #[serde(rename = "pci-dss-v3.2.1")]
    PciDss321,
    #[serde(rename = "pci-dss-v4.0.1")]
    PciDss401,
    #[serde(rename = "aws-resource-tagging-standard")]
    ResourceTagging,
}

impl Standard {
    /// The name used in baseline files.
    pub fn id(self) -> &'static str {
        match self {
            Standard::Fsbp => "aws-foundational-security-best-practices",
            Standard::CisV1_2 => "cis-aws-foundations-benchmark-v1.2",
            Standard::CisV1_4 => "cis-aws-foundations-benchmark-v1.4",
            Standard::CisV3 => "cis-aws-foundations-benchmark-v3",
            Standard::CisV5 => "cis-aws-foundations-benchmark-v5",
            Standard::Nist80053 => "nist-800-53-v5",
            Standard::Nist800171 => "nist-800-171-v2",
            Standard::PciDss321 => "pci-dss-v3.2.1",
            Standard::PciDss401 => "pci-dss-v4.0.1",
            Standard::ResourceTagging => "aws-resource-tagging-standard",
        }
    }

    /// The standard's path inside its ARN, e.g. `aws-foundational-security-best-practices/v/1.0.0`.
    pub fn arn_path(self) -> &'static str {
        match self {
            Standard::Fsbp => "aws-foundational-security-best-practices/v/1.0.0",
            Standard::CisV1_2 => "cis-aws-foundations-benchmark/v/1.2.0",
            Standard::CisV1_4 => "cis-aws-foundations-benchmark/v/1.4.0",
            Standard::CisV3 => "cis-aws-foundations-benchmark/v/3.0.0",
            Standard::CisV5 => "cis-aws-foundations-benchmark/v/5.0.0",
            Standard::Nist80053 => "nist-800-53/v/5.0.0",
            Standard::Nist800171 => "nist-800-171/v/2.0.0",
            Standard::PciDss321 => "pci-dss/v/3.2.1",
            Standard::PciDss401 => "pci-dss/v/4.0.1",
            Standard::ResourceTagging => "aws-resource-tagging-standard/v/1.0.0",
        }
    }

    /// The `StandardsArn` as a `Fn::Sub` string. CIS v1.2.0 alone uses the region-less
    /// `ruleset` form.
    pub fn arn_sub(self) -> String {
        match self {
            Standard::CisV1_2 => format!(
                "arn:${{AWS::Partition}}:securityhub:::ruleset/{}",
                self.arn_path()
            ),
            _ => format!(
                "arn:${{AWS::Partition}}:securityhub:${{AWS::Region}}::standards/{}",
                self.arn_path()
            ),
        }
    }

    /// The standard's ARN in a region (what `arn_sub` becomes there).
    pub fn arn(self, region: &str) -> String {
        self.arn_sub()
            .replace("${AWS::Partition}", super::regions::partition(region))
            .replace("${AWS::Region}", region)
    }

    /// A CloudFormation logical id for the subscription.
    pub fn logical_id(self) -> &'static str {
        match self {
            Standard::Fsbp => "StandardFsbp",
            Standard::CisV1_2 => "StandardCisV12",
            Standard::CisV1_4 => "StandardCisV14",
            Standard::CisV3 => "StandardCisV3",
            Standard::CisV5 => "StandardCisV5",
            Standard::Nist80053 => "StandardNist80053",
            Standard::Nist800171 => "StandardNist800171",
            Standard::PciDss321 => "StandardPciDss321",
            Standard::PciDss401 => "StandardPciDss401",
            Standard::ResourceTagging => "StandardResourceTagging",
        }
    }
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DisabledControl {
    /// The Security Hub control id, e.g. `IAM.6`: disabled in every enabled standard that
    /// has it.
    pub control: String,
    /// Why the control is off (1-900 characters), kept by Security Hub and shown in plan and
    /// diff.
    pub reason: String,
    /// No longer needed (a control is disabled in every standard); accepted with a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<Standard>,
}

/// IAM Access Analyzer: an account analyzer per region finds resources shared outside the
/// account (free); `unused_access` adds the unused-access analyzer (billed per IAM role and
/// user analyzed each month).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AccessAnalyzer {
    /// Whether an account analyzer runs in each region (free).
    pub enabled: bool,
    /// What to do with an analyzer that exists: import it, skip it or stop the run.
    pub existing: Existing,
    /// Adds the unused-access analyzer (billed per IAM role and user analyzed each month).
    pub unused_access: bool,
    /// Days without use after which access counts as unused (1-365).
    pub unused_access_age_days: u32,
}

/// AWS WAF: a regional web ACL with AWS's managed rule groups for application stacks to
/// associate with their load balancers and APIs, logged to CloudWatch Logs. Billed per web
/// ACL, rule and million requests.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Waf {
    /// The `<name>-waf` stack: a regional web ACL for application stacks to associate (billed
    /// per web ACL, rule group and million requests; AWS's managed rule groups are free to
    /// use). A rule group set to `count` reports what it would block without blocking; the core
    /// rule set blocks request bodies over 8 KB, so watch it first.
    pub enabled: bool,
    /// What each managed rule group does with what it matches.
    pub rules: WafRules,
    /// CloudWatch Logs retention of the web ACL's logs (a valid RetentionInDays value).
    pub log_retention_days: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WafRules {
    /// AWSManagedRulesCommonRuleSet (OWASP top ten).
    pub common: WafAction,
    /// AWSManagedRulesKnownBadInputsRuleSet (exploit patterns such as Log4j).
    pub known_bad_inputs: WafAction,
    /// AWSManagedRulesAmazonIpReputationList (bots and threat sources).
    pub ip_reputation: WafAction,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum WafAction {
    /// Block what the group matches.
    #[default]
    Block,
    /// Only count it (to watch a rule group before it blocks).
    Count,
}

/// Amazon Inspector: vulnerability scanning of EC2 instances, ECR images and Lambda
/// functions, switched on per region through the Inspector API (there is no CloudFormation
/// type for it). Billed per instance, image and function scanned.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Inspector {
    /// Whether Inspector scans in each region (billed per EC2 instance, ECR image and Lambda
    /// function scanned each month; 15 days free per account).
    pub enabled: bool,
    /// What is scanned. Types not listed are left as they are (never switched off).
    pub scan: Vec<InspectorScan>,
}

#[derive(
    Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum InspectorScan {
    /// EC2 instances: packages and network reachability.
    Ec2,
    /// Container images pushed to ECR.
    Ecr,
    /// Lambda functions' packages.
    Lambda,
    /// Lambda functions' own code (needs `lambda`).
    LambdaCode,
}

/// Amazon Macie: sensitive-data discovery in S3, one session per region
/// (`AWS::Macie::Session`). Billed per bucket evaluated and per GB inspected.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Macie {
    /// Whether Macie runs in each region where CloudFormation offers `AWS::Macie::Session` (not
    /// in the newest regions; validation names them). Turning it off later deletes Macie's
    /// findings (30 days free).
    pub enabled: bool,
    /// What to do with a Macie that is already on in a region (see `guardduty.existing`).
    pub existing: Existing,
    /// How often updated policy findings are published to EventBridge and Security Hub.
    pub finding_frequency: FindingFrequency,
    /// Automated sensitive-data discovery: Macie samples every bucket daily (billed per
    /// object analysed).
    pub automated_discovery: bool,
    /// Sensitive-data discovery jobs over listed buckets, on a schedule (billed per GB
    /// inspected: a job first inspects every object there, then each run what is new).
    /// Created through the Macie API after the stacks, named `cfn-baseline-<name>` (jobs with
    /// other names are left alone): CloudFormation has no type for them. Macie cannot change
    /// a job, so a changed job is replaced, and a job dropped from the list is cancelled (its
    /// findings stay); a job removed, slowed or narrowed is weakening. A job's buckets live in
    /// one region: with several regions, list it under an override for its region.
    pub jobs: Vec<MacieJob>,
}

/// A Macie sensitive-data discovery job the baseline keeps in a region.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MacieJob {
    /// Letters, digits, `-` and `_`, up to 64; Macie shows it as `cfn-baseline-<name>`.
    pub name: String,
    /// The buckets to inspect, in the account and region the job is listed for.
    pub buckets: Vec<String>,
    /// `once`, `daily`, `{weekly: monday}` or `{monthly: 1}` (day of the month, 1-31).
    pub schedule: JobSchedule,
    /// Macie's managed data identifiers to use: `recommended` (its default set), `all`, or
    /// `{include: [CREDIT_CARD_NUMBER, ...]}`.
    #[serde(default)]
    pub managed_identifiers: ManagedIdentifiers,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(try_from = "ScheduleForm", into = "ScheduleForm")]
#[schemars(with = "ScheduleForm")]
pub enum JobSchedule {
    Once,
    Daily,
    Weekly(Weekday),
    Monthly(u8),
}

/// How a schedule is written: a word, or a one-key map.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ScheduleForm {
    /// `once` or `daily`.
    Word(String),
    Weekly {
        weekly: Weekday,
    },
    Monthly {
        monthly: u8,
    },
}

impl TryFrom<ScheduleForm> for JobSchedule {
    type Error = String;
    fn try_from(f: ScheduleForm) -> Result<Self, String> {
        match f {
            ScheduleForm::Word(w) if w == "once" => Ok(JobSchedule::Once),
            ScheduleForm::Word(w) if w == "daily" => Ok(JobSchedule::Daily),
            ScheduleForm::Word(w) => Err(format!(
                "unknown schedule `{w}`: expected `once`, `daily`, `{{weekly: monday}}` or `{{monthly: 1}}`"
            )),
            ScheduleForm::Weekly { weekly } => Ok(JobSchedule::Weekly(weekly)),
            ScheduleForm::Monthly { monthly } => Ok(JobSchedule::Monthly(monthly)),
        }
    }
}

impl From<JobSchedule> for ScheduleForm {
    fn from(s: JobSchedule) -> Self {
        match s {
            JobSchedule::Once => ScheduleForm::Word("once".into()),
            JobSchedule::Daily => ScheduleForm::Word("daily".into()),
            JobSchedule::Weekly(weekly) => ScheduleForm::Weekly { weekly },
            JobSchedule::Monthly(monthly) => ScheduleForm::Monthly { monthly },
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// Macie's name for it.
    pub fn api_name(self) -> &'static str {
        match self {
            Weekday::Monday => "MONDAY",
            Weekday::Tuesday => "TUESDAY",
            Weekday::Wednesday => "WEDNESDAY",
            Weekday::Thursday => "THURSDAY",
            Weekday::Friday => "FRIDAY",
            Weekday::Saturday => "SATURDAY",
            Weekday::Sunday => "SUNDAY",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(try_from = "IdentifiersForm", into = "IdentifiersForm")]
#[schemars(with = "IdentifiersForm")]
pub enum ManagedIdentifiers {
    #[default]
    Recommended,
    All,
    Include(Vec<String>),
}

/// How the identifiers are written: `recommended`, `all`, or `{include: [...]}`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum IdentifiersForm {
    Word(String),
    Include { include: Vec<String> },
}

impl TryFrom<IdentifiersForm> for ManagedIdentifiers {
    type Error = String;
    fn try_from(f: IdentifiersForm) -> Result<Self, String> {
        match f {
            IdentifiersForm::Word(w) if w == "recommended" => Ok(ManagedIdentifiers::Recommended),
            IdentifiersForm::Word(w) if w == "all" => Ok(ManagedIdentifiers::All),
            IdentifiersForm::Word(w) => Err(format!(
                "unknown value `{w}`: expected `recommended`, `all` or `{{include: [CREDIT_CARD_NUMBER, ...]}}`"
            )),
            IdentifiersForm::Include { include } => Ok(ManagedIdentifiers::Include(include)),
        }
    }
}

impl From<ManagedIdentifiers> for IdentifiersForm {
    fn from(m: ManagedIdentifiers) -> Self {
        match m {
            ManagedIdentifiers::Recommended => IdentifiersForm::Word("recommended".into()),
            ManagedIdentifiers::All => IdentifiersForm::Word("all".into()),
            ManagedIdentifiers::Include(include) => IdentifiersForm::Include { include },
        }
    }
}

/// Amazon Detective: a behavior graph per region (`AWS::Detective::Graph`) built from
/// CloudTrail, VPC flow logs and GuardDuty findings, for investigating them. Billed per GB
/// ingested.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Detective {
    /// Whether a behavior graph runs in each region where CloudFormation offers
    /// `AWS::Detective::Graph` (30 days free).
    pub enabled: bool,
    /// What to do with a behavior graph the account already has in a region.
    pub existing: Existing,
}

/// Account-level settings that have no CloudFormation type, applied through the service APIs
/// after the stacks. `true` turns a setting on where it is off; `false` leaves it as it is
/// (the baseline never turns one off). All free.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AccountLevelSettings {
    /// New EBS volumes and snapshot copies are encrypted (per region; EC2).
    pub ebs_encryption_by_default: bool,
    /// The account-wide S3 Block Public Access: all four blocks on (S3 Control; account-wide,
    /// set from the home region).
    pub s3_block_public_access: bool,
    /// New instances require IMDSv2 (session tokens) unless launched otherwise (per region;
    /// EC2 instance metadata defaults).
    pub imdsv2_by_default: bool,
    /// SSM documents cannot be shared publicly (per region; SSM service setting).
    pub ssm_documents_public_sharing_blocked: bool,
    /// AMIs cannot be newly shared publicly (per region; EC2 image block public access).
    pub ami_public_sharing_blocked: bool,
    /// EBS snapshots cannot be shared publicly, including those shared before (per region;
    /// EC2 snapshot block public access, `block-all-sharing`).
    pub snapshot_public_sharing_blocked: bool,
}

/// AWS Shield. Shield Standard protects every account at no cost and needs nothing; plan and
/// drift report whether an account subscribes to Shield Advanced. The baseline never
/// subscribes (a one-year commitment, billed monthly): these keys take effect in accounts
/// that do.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Shield {
    /// The Shield Response Team contacts the account's security contact (`security_contact`,
    /// required) during an attack on a protected resource.
    pub proactive_engagement: bool,
    /// Resources Shield Advanced protects, by ARN: Application and Classic Load Balancers,
    /// CloudFront distributions, Global Accelerator accelerators, Route 53 hosted zones and
    /// Elastic IP allocations. Each is protected (named `cfn-baseline-<resource>`) in the
    /// account its ARN names; protections made by hand are left alone, and one dropped from
    /// the list is kept (diff calls the drop weakening). Without a subscription to Shield
    /// Advanced, plan says so as an error and deploy refuses before any change.
    pub protections: Vec<String>,
}

/// The parts of a resource ARN Shield cares about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShieldArn<'a> {
    pub service: &'a str,
    /// `loadbalancer`, `distribution`, ...: the resource part up to its first `/`.
    pub resource_type: &'a str,
    /// None for ARNs with no account field (Route 53 hosted zones).
    pub account: Option<&'a str>,
}

impl<'a> ShieldArn<'a> {
    /// `arn:<partition>:<service>:<region>:<account>:<type>/<id>`; None when not that shape.
    pub fn parse(arn: &'a str) -> Option<ShieldArn<'a>> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(service), Some(_region), Some(account), Some(rest)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let (resource_type, id) = rest.split_once('/')?;
        if partition.is_empty() || service.is_empty() || id.is_empty() {
            return None;
        }
        let account = match account {
            "" => None,
            a if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) => Some(a),
            _ => return None,
        };
        Some(ShieldArn {
            service,
            resource_type,
            account,
        })
    }
}

/// Whom AWS contacts about security issues in the account (the SECURITY alternate contact).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecurityContact {
    /// A person or team, 1-64 characters.
    pub name: String,
    /// An address that is read, e.g. the security team's list.
    pub email: String,
    /// Digits, spaces, `+`, `-`, `(` and `)`, up to 25 characters.
    pub phone: String,
    /// The contact's title, 1-50 characters.
    #[serde(default = "default_contact_title")]
    pub title: String,
}

fn default_contact_title() -> String {
    "Security".to_string()
}

/// The accounts of an AWS organization by role, as AWS's Security Reference Architecture
/// lays them out. Each is also listed in `accounts`; the home region is where findings and
/// logs are gathered.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The organization's management account: it delegates each service to the security
    /// account.
    #[schemars(with = "AccountId")]
    pub management_account: String,
    /// The delegated administrator of every enabled security service.
    #[schemars(with = "AccountId")]
    pub security_account: String,
    /// Where the organization's logs are archived.
    #[schemars(with = "AccountId")]
    pub log_archive_account: String,
    /// The security account switches the services on in every member account, new ones
    /// included, by itself.
    #[serde(default = "default_true")]
    pub auto_enable: bool,
    /// The organizational units (`ou-...`, or the root `r-...`) Security Hub's configuration
    /// policy is associated with; empty: the organization's root, so every account, new
    /// ones included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organizational_units: Vec<String>,
    /// The organization's id (`o-...`). Stack-set mode needs it: the log archive bucket then
    /// accepts AWS Config deliveries from every account of the organization (the stack
    /// sets' accounts are known only to AWS), checked with `aws:SourceOrgID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// What an account is in an organization, in the order they are set up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountRole {
    Management,
    LogArchive,
    Security,
    Member,
}

impl AccountRole {
    /// Whether the security account switches the services on in it, with auto-enable: a
    /// member or the log archive account. The management account keeps its own: it is the
    /// organization's, not a member an administrator enables.
    pub fn is_administered(self) -> bool {
        matches!(self, AccountRole::LogArchive | AccountRole::Member)
    }
}

impl AccountRole {
    pub fn describe(self) -> &'static str {
        match self {
            AccountRole::Management => "management",
            AccountRole::LogArchive => "log archive",
            AccountRole::Security => "security",
            AccountRole::Member => "member",
        }
    }
}

impl Organization {
    /// The management, log archive and security accounts, sorted.
    pub fn role_accounts(&self) -> Vec<String> {
        let mut ids = vec![
            self.management_account.clone(),
            self.log_archive_account.clone(),
            self.security_account.clone(),
        ];
        ids.sort();
        ids
    }

    /// The role of an account of the organization.
    pub fn role_of(&self, account: &str) -> AccountRole {
        if account == self.management_account {
            AccountRole::Management
        } else if account == self.log_archive_account {
            AccountRole::LogArchive
        } else if account == self.security_account {
            AccountRole::Security
        } else {
            AccountRole::Member
        }
    }
}

/// Network guardrails: AWS Config rules for security groups and network ACLs open to the
/// internet, in the config stack (they need the recorder).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// Whether the network guardrails' Config rules exist (free beyond Config's per-evaluation
    /// price).
    pub enabled: bool,
    /// `detect` reports a default security group with rules; `remediate` also removes them
    /// with AWS's runbook (workloads that use the default group lose its rules).
    pub default_security_group: DefaultSecurityGroup,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DefaultSecurityGroup {
    #[default]
    Detect,
    Remediate,
}

/// Patch Manager: a daily scan of every managed node against its patch baseline, reported
/// to AWS Config.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Patching {
    /// A daily `AWS-RunPatchBaseline` scan of all managed nodes.
    pub scan: bool,
    /// Installing patches in a maintenance window, on the nodes that carry a tag.
    pub install: PatchInstall,
    /// Default Host Management Configuration: Systems Manager manages every EC2 instance
    /// through a role of the account, with no instance profile (patch scans and Session
    /// Manager; needs SSM Agent 3.2.582.0 or later and IMDSv2). The home region's patching
    /// stack creates the role `service-role/<name>-default-host-management` (AWS's
    /// `AmazonSSMManagedEC2InstanceDefaultPolicy`, trusted by Systems Manager only; kept when
    /// dropped), and deploy sets the service setting to it in every region. Free.
    pub default_host_management: bool,
}

/// Patch installation: a Systems Manager maintenance window that runs `AWS-RunPatchBaseline`
/// with `Operation: Install` on the managed nodes tagged for it.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PatchInstall {
    /// Install missing patches in the window on the managed nodes that carry `tag` (each node
    /// opts in, since installing may reboot it).
    pub enabled: bool,
    /// When the window opens: a Systems Manager `cron(...)` or `rate(...)` expression.
    pub schedule: String,
    /// The IANA time zone of the schedule (`Etc/UTC`, `Europe/Berlin`, ...).
    pub timezone: String,
    /// How long the window stays open, 2-24 hours (no new node starts in its last hour).
    pub duration_hours: u32,
    /// Whether a node reboots when an installed patch needs it.
    pub reboot: PatchReboot,
    /// The tag that puts a managed node in the window.
    pub tag: PatchTag,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PatchTag {
    /// The tag's key.
    pub key: String,
    /// The tag's value.
    pub value: String,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum PatchReboot {
    /// Reboot when a patch needs it (the patch is not in force until then).
    #[default]
    IfNeeded,
    /// Never reboot: patches that need a reboot stay pending, and the node reports them.
    Never,
}

/// IAM account settings.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Iam {
    /// The account's password policy for IAM users, at the CIS values by default; weaker values
    /// get a warning. The `IAM_PASSWORD_POLICY` Config rule checks the same values.
    pub password_policy: PasswordPolicy,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    /// The shortest password allowed (CIS: 14 or more).
    pub min_length: u32,
    /// How many previous passwords cannot be reused (CIS: 24).
    pub reuse_prevention: u32,
    /// At least one symbol.
    pub require_symbols: bool,
    /// At least one digit.
    pub require_numbers: bool,
    /// At least one uppercase letter.
    pub require_uppercase: bool,
    /// At least one lowercase letter.
    pub require_lowercase: bool,
    /// Users may change their own password.
    pub allow_users_to_change: bool,
    /// Days before a password expires; none means passwords do not expire (CIS v1.4+).
    pub max_age_days: Option<u32>,
    /// An expired password cannot be changed by its user (an administrator must reset it).
    pub hard_expiry: bool,
}

/// Settings for the accounts and/or regions matched. Component values are partial: they
/// are merged over the base settings, later overrides winning.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Override {
    #[serde(rename = "match")]
    pub matcher: Match,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Alerts>")]
    pub alerts: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<CloudTrail>")]
    pub cloudtrail: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Config>")]
    pub config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<GuardDuty>")]
    pub guardduty: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<SecurityHub>")]
    pub securityhub: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<AccessAnalyzer>")]
    pub access_analyzer: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Network>")]
    pub network: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Patching>")]
    pub patching: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Waf>")]
    pub waf: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Inspector>")]
    pub inspector: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Macie>")]
    pub macie: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Detective>")]
    pub detective: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<AccountLevelSettings>")]
    pub account_settings: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Iam>")]
    pub iam: Option<Value>,
}

#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Match {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<AccountId>")]
    pub account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// How the stacks reach the accounts: as stacks from the caller, or as stack sets (see
/// docs/guides/stack-sets.md).
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Deployment {
    /// `stacks`: the tool deploys each account's stacks itself; `stacksets`: CloudFormation
    /// StackSets carry them to the target accounts.
    pub mode: DeploymentMode,
    /// Stack sets: who holds the permissions.
    pub permission_model: PermissionModel,
    /// Service-managed targets: organizational units (or the root `r-...`).
    pub organizational_units: Vec<String>,
    /// Self-managed targets; default: the ids under `accounts`.
    #[schemars(with = "Vec<AccountId>")]
    pub accounts: Vec<String>,
    /// Service-managed: deploy to accounts that join a target OU.
    pub auto_deployment: bool,
    /// Keep the stacks when an account leaves a target OU or the baseline.
    pub retain_stacks_on_account_removal: bool,
    /// Stack sets: the share of target accounts deployed at once, 1-100.
    pub max_concurrent_percentage: u32,
    /// Stack sets: the share of accounts that may fail in a region before the operation stops,
    /// 0-100.
    pub failure_tolerance_percentage: u32,
    /// Stack sets: regions one after another (`sequential`) or at once (`parallel`).
    pub region_concurrency: RegionConcurrency,
    /// Service-managed stack sets: `self` from the management account, `delegated_admin` from a
    /// delegated administrator account.
    pub call_as: CallAs,
}

impl Default for Deployment {
    fn default() -> Self {
        Deployment {
            mode: DeploymentMode::Stacks,
            permission_model: PermissionModel::ServiceManaged,
            organizational_units: Vec::new(),
            accounts: Vec::new(),
            auto_deployment: true,
            retain_stacks_on_account_removal: true,
            max_concurrent_percentage: 100,
            failure_tolerance_percentage: 0,
            region_concurrency: RegionConcurrency::Parallel,
            call_as: CallAs::SelfAccount,
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PermissionModel {
    ServiceManaged,
    SelfManaged,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RegionConcurrency {
    Parallel,
    Sequential,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
pub enum CallAs {
    #[serde(rename = "self")]
    SelfAccount,
    #[serde(rename = "delegated_admin")]
    DelegatedAdmin,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum DeploymentMode {
    #[default]
    Stacks,
    Stacksets,
}

/// The component settings in force for one account and region.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Components {
    pub alerts: Alerts,
    pub cloudtrail: CloudTrail,
    pub config: Config,
    pub guardduty: GuardDuty,
    pub securityhub: SecurityHub,
    pub access_analyzer: AccessAnalyzer,
    pub network: Network,
    pub patching: Patching,
    pub waf: Waf,
    pub inspector: Inspector,
    pub macie: Macie,
    pub detective: Detective,
    pub account_settings: AccountLevelSettings,
    pub iam: Iam,
}
