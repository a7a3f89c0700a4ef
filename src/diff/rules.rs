//! The security-impact rule table. Each rule names a resource type and a property path
//! (globs: `*` matches any run of characters), says which direction is the safe one, and
//! explains the change in one line. The first rule that matches and has an opinion wins;
//! a change no rule covers is neutral and says so.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::{scalar_text, Action, Impact, PathSeg, RawChange};

/// The templates a change came from, for rules that look beyond the changed value.
pub struct Ctx<'a> {
    pub old_template: &'a Json,
    pub new_template: &'a Json,
}

/// What absence means for a number.
#[derive(Clone, Copy, Debug)]
pub enum Missing {
    /// No limit at all (retention kept forever, no maximum age).
    Unlimited,
    /// Nothing (no reuse prevention, no minimum).
    Zero,
}

/// Which direction of a change is the secure one.
#[derive(Clone, Copy)]
pub enum Expect {
    /// The thing existing protects: removing it weakens, adding it strengthens.
    Present,
    /// The thing existing opens something up (a grant, a filter): adding it weakens.
    Absent,
    /// `true` protects; `absent` is the value when the property is left out.
    True { absent: bool },
    /// This value protects; moving away from it weakens.
    Value {
        secure: &'static str,
        absent: Option<&'static str>,
    },
    /// A larger number protects.
    More(Missing),
    /// A smaller number protects.
    Less(Missing),
    /// Earlier in the list protects more (e.g. finding frequencies, fastest first).
    Order {
        best_first: &'static [&'static str],
        absent: Option<&'static str>,
    },
    /// A list whose elements each protect: dropping one weakens, adding one strengthens.
    Superset,
    /// A list whose elements each open something up: adding one weakens.
    Subset,
    /// Known to have no security effect.
    Neutral,
    /// Looks at the whole change; returns the impact and, optionally, its own explanation.
    Custom(fn(&RawChange, &Ctx) -> Option<(Impact, &'static str)>),
}

pub struct Rule {
    pub id: &'static str,
    /// Resource type glob; `stack/<component>` for whole stacks, `template` for sections
    /// outside Resources, `stack-tags` for stack tags.
    pub resource_type: &'static str,
    /// Property path glob; empty for the resource (or stack) itself.
    pub path: &'static str,
    pub expect: Expect,
    /// Explanation when the change weakens (or, for neutral rules, the note).
    pub weaker: &'static str,
    pub stronger: &'static str,
}

const fn rule(
    id: &'static str,
    resource_type: &'static str,
    path: &'static str,
    expect: Expect,
    weaker: &'static str,
    stronger: &'static str,
) -> Rule {
    Rule {
        id,
        resource_type,
        path,
        expect,
        weaker,
        stronger,
    }
}

const fn neutral(
    id: &'static str,
    resource_type: &'static str,
    path: &'static str,
    note: &'static str,
) -> Rule {
    rule(id, resource_type, path, Expect::Neutral, note, note)
}

const GD_FREQUENCY: &[&str] = &["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"];
const CONFIG_DELIVERY: &[&str] = &[
    "One_Hour",
    "Three_Hours",
    "Six_Hours",
    "Twelve_Hours",
    "TwentyFour_Hours",
];
const SSE: &[&str] = &["aws:kms:dsse", "aws:kms", "AES256"];
const RECORDING_STRATEGY: &[&str] = &[
    "ALL_SUPPORTED_RESOURCE_TYPES",
    "EXCLUSION_BY_RESOURCE_TYPES",
    "INCLUSION_BY_RESOURCE_TYPES",
];

/// The rule table. Specific rules come before generic ones.
pub const RULES: &[Rule] = &[
    // Whole stacks: a component switched off in a target.
    rule("stack.guardduty", "stack/guardduty", "", Expect::Present,
        "GuardDuty threat detection is switched off in this account and region",
        "GuardDuty threat detection is switched on in this account and region"),
    rule("stack.cloudtrail", "stack/cloudtrail", "", Expect::Present,
        "the trail, its encrypted log archive and the CIS alarms are removed",
        "a multi-region trail with an encrypted log archive is added"),
    rule("stack.config", "stack/config", "", Expect::Present,
        "AWS Config stops recording and evaluating resources in this account and region",
        "AWS Config records and evaluates resources in this account and region"),
    rule("stack.securityhub", "stack/securityhub", "", Expect::Present,
        "Security Hub and its standards are switched off in this account and region",
        "Security Hub and its standards are switched on in this account and region"),
    rule("stack.alerts", "stack/alerts", "", Expect::Present,
        "the alert topic and its rules are removed: nobody is told about findings here",
        "findings in this account and region reach the alert topic"),
    rule("stack.access_analyzer", "stack/access-analyzer", "", Expect::Present,
        "IAM Access Analyzer is switched off here: resources shared outside the account are no longer found",
        "IAM Access Analyzer finds resources shared outside the account here"),
    rule("stack.patching", "stack/patching", "", Expect::Present,
        "the daily patch scan is removed: missing patches are no longer reported here",
        "managed nodes here are scanned for missing patches daily"),
    rule("stack.waf", "stack/waf", "", Expect::Present,
        "the baseline's web ACL is removed: load balancers and APIs associated with it lose its managed rules",
        "a web ACL with AWS's managed rule groups is available here"),
    rule("stack.macie", "stack/macie", "", Expect::Present,
        "Amazon Macie is switched off here, with its findings: sensitive data in S3 goes unnoticed",
        "Amazon Macie watches the S3 buckets here"),
    rule("stack.detective", "stack/detective", "", Expect::Present,
        "Amazon Detective's behavior graph is removed here, with its data",
        "Amazon Detective builds a behavior graph here"),
    rule("stack.iam", "stack/iam", "", Expect::Present,
        "the account password policy is no longer managed by the baseline",
        "the account password policy is managed by the baseline"),
    rule("stack.security_contact", "stack/security-contact", "", Expect::Present,
        "the account's security contact is no longer managed by the baseline",
        "the account's security contact is managed by the baseline"),
    rule("stack.inspector", "stack/inspector", "", Expect::Present,
        "Amazon Inspector scanning is no longer switched on by the baseline here",
        "Amazon Inspector scans for vulnerabilities here"),
    rule("stack.s3_block_public_access", "stack/s3-block-public-access", "", Expect::Present,
        "the S3 account public access block is no longer set by the baseline",
        "the S3 account public access block is set by the baseline"),
    rule("stack.ebs_encryption", "stack/ebs-encryption-by-default", "", Expect::Present,
        "EBS encryption by default is no longer switched on by the baseline here",
        "new EBS volumes here are encrypted by default"),
    rule("stack.imdsv2_default", "stack/imdsv2-by-default", "", Expect::Present,
        "the IMDSv2 default for new instances is no longer set by the baseline here",
        "new instances here require IMDSv2 by default"),
    rule("stack.snapshot_public_access", "stack/snapshot-block-public-access", "", Expect::Present,
        "public sharing of EBS snapshots is no longer blocked by the baseline here",
        "EBS snapshots here cannot be shared publicly"),
    rule("stack.ami_public_access", "stack/ami-block-public-access", "", Expect::Present,
        "public sharing of AMIs is no longer blocked by the baseline here",
        "AMIs here cannot be newly shared publicly"),
    rule("stack.ssm_document_sharing", "stack/ssm-documents-public-sharing", "", Expect::Present,
        "public sharing of SSM documents is no longer blocked by the baseline here",
        "SSM documents here cannot be shared publicly"),
    rule("stack.default_host_management", "stack/default-host-management", "", Expect::Present,
        "Default Host Management Configuration is no longer set by the baseline here",
        "Systems Manager manages the EC2 instances here without instance profiles"),
    rule("stack.macie_jobs", "stack/macie-jobs", "", Expect::Present,
        "the Macie discovery jobs of this region are no longer kept by the baseline",
        "the baseline keeps Macie discovery jobs here"),
    rule("stack.shield_advanced", "stack/shield-advanced", "", Expect::Present,
        "Shield Advanced is no longer read or managed by the baseline in this account",
        "the baseline reads Shield Advanced in this account and manages what it lists"),
    rule("stack.organization_delegations", "stack/organization-delegations", "", Expect::Present,
        "the organization's delegations to the security account are no longer managed by the baseline",
        "the management account delegates the organization's services to the security account"),
    rule("stack.organization_administrators", "stack/organization-administrators", "", Expect::Present,
        "the security services' delegated administrator is no longer managed by the baseline here",
        "the security account administers the security services of the organization here"),
    rule("stack.organization_auto_enable", "stack/organization-*", "", Expect::Present,
        "a service's organization configuration is no longer managed by the baseline here: new member accounts may go without it",
        "a service switches itself on in the organization's member accounts here"),
    neutral("stack.securityhub_controls", "stack/securityhub-controls", "",
        "the Security Hub controls of this account and region are no longer set by the baseline (Security Hub is switched off here, reported with its stack)"),
    rule("stack.other", "stack/*", "", Expect::Present,
        "a baseline stack is removed with all its controls",
        "a baseline stack is added"),
    neutral("stack.tags", "stack-tags", "*", "stack tags only label resources"),
    neutral("template.sections", "template", "*",
        "descriptions, metadata, outputs and rules do not change what is deployed securely"),

    // GuardDuty.
    rule("guardduty.detector", "AWS::GuardDuty::Detector", "", Expect::Present,
        "the GuardDuty detector is removed: no threat detection", "a GuardDuty detector is added"),
    rule("guardduty.enable", "AWS::GuardDuty::Detector", "Properties.Enable",
        Expect::True { absent: false },
        "the GuardDuty detector is disabled: no threat detection", "the GuardDuty detector is enabled"),
    rule("guardduty.frequency", "AWS::GuardDuty::Detector", "Properties.FindingPublishingFrequency",
        Expect::Order { best_first: GD_FREQUENCY, absent: Some("SIX_HOURS") },
        "updated findings are published less often, so alerts arrive later",
        "updated findings are published more often"),
    rule("guardduty.feature.additional.status", "AWS::GuardDuty::Detector",
        "Properties.Features[*].AdditionalConfiguration[*].Status",
        Expect::Value { secure: "ENABLED", absent: None },
        "automated agent management for runtime monitoring is disabled",
        "automated agent management for runtime monitoring is enabled"),
    rule("guardduty.feature.status", "AWS::GuardDuty::Detector", "Properties.Features[*].Status",
        Expect::Value { secure: "ENABLED", absent: None },
        "a GuardDuty protection plan is disabled", "a GuardDuty protection plan is enabled"),
    rule("guardduty.feature", "AWS::GuardDuty::Detector", "Properties.Features[*]", Expect::Present,
        "a GuardDuty protection plan is no longer enabled by the baseline",
        "a GuardDuty protection plan is enabled"),
    rule("guardduty.malware_plan", "AWS::GuardDuty::MalwareProtectionPlan", "", Expect::Present,
        "a bucket is no longer scanned for malware: uploads to it reach readers unchecked",
        "new objects in a bucket are scanned for malware"),
    rule("guardduty.malware_plan.tagging", "AWS::GuardDuty::MalwareProtectionPlan",
        "Properties.Actions.Tagging.Status", Expect::Value { secure: "ENABLED", absent: Some("DISABLED") },
        "scanned objects are no longer tagged with the result: bucket policies cannot hold back objects not found clean",
        "scanned objects are tagged with the scan result"),
    rule("guardduty.malware_plan.prefixes", "AWS::GuardDuty::MalwareProtectionPlan",
        "Properties.ProtectedResource.S3Bucket.ObjectPrefixes", Expect::Custom(scan_prefixes),
        "fewer objects are scanned for malware: uploads outside the prefixes go unchecked",
        "more of the bucket is scanned for malware"),

    // CloudTrail.
    rule("cloudtrail.trail", "AWS::CloudTrail::Trail", "", Expect::Present,
        "the trail is removed: API activity is no longer recorded", "a trail is added"),
    rule("cloudtrail.logging", "AWS::CloudTrail::Trail", "Properties.IsLogging",
        Expect::True { absent: false },
        "the trail stops logging", "the trail starts logging"),
    rule("cloudtrail.organization_trail", "AWS::CloudTrail::Trail", "Properties.IsOrganizationTrail",
        Expect::True { absent: false },
        "the trail no longer records the organization's other accounts, new ones included",
        "the trail records every account of the organization, new ones included"),
    rule("cloudtrail.multi_region", "AWS::CloudTrail::Trail", "Properties.IsMultiRegionTrail",
        Expect::True { absent: false },
        "the trail no longer records every region", "the trail records every region"),
    rule("cloudtrail.global_events", "AWS::CloudTrail::Trail", "Properties.IncludeGlobalServiceEvents",
        Expect::True { absent: true },
        "global service events (IAM, STS, CloudFront) are no longer recorded",
        "global service events are recorded"),
    rule("cloudtrail.log_validation", "AWS::CloudTrail::Trail", "Properties.EnableLogFileValidation",
        Expect::True { absent: false },
        "log file validation is off: tampered or deleted log files go unnoticed",
        "log file validation is on"),
    rule("cloudtrail.kms", "AWS::CloudTrail::Trail", "Properties.KMSKeyId", Expect::Present,
        "trail logs are no longer encrypted with the baseline's KMS key",
        "trail logs are encrypted with a KMS key"),
    rule("cloudtrail.cloudwatch_logs", "AWS::CloudTrail::Trail", "Properties.CloudWatchLogs*",
        Expect::Present,
        "the trail no longer feeds CloudWatch Logs, so the CIS metric alarms stop working",
        "the trail feeds CloudWatch Logs"),
    rule("cloudtrail.selector.fields", "AWS::CloudTrail::Trail",
        "Properties.AdvancedEventSelectors[*].FieldSelectors[*].Equals", Expect::Superset,
        "an event selector matches fewer events: data events narrowed",
        "an event selector matches more events"),
    rule("cloudtrail.selector.field", "AWS::CloudTrail::Trail",
        "Properties.AdvancedEventSelectors[*].FieldSelectors[*]", Expect::Absent,
        "an event selector gains a condition and records fewer events",
        "an event selector loses a condition and records more events"),
    rule("cloudtrail.selector", "AWS::CloudTrail::Trail", "Properties.AdvancedEventSelectors*",
        Expect::Present,
        "an event selector is removed: those events (e.g. S3 or Lambda data events) are no longer recorded",
        "an event selector is added: more events are recorded"),
    rule("cloudtrail.classic_selector", "AWS::CloudTrail::Trail", "Properties.EventSelectors*",
        Expect::Present,
        "an event selector is removed: fewer events are recorded", "an event selector is added"),
    rule("cloudtrail.insights", "AWS::CloudTrail::Trail", "Properties.InsightSelectors*",
        Expect::Present,
        "CloudTrail Insights no longer watches for unusual API call or error rates",
        "CloudTrail Insights watches for unusual API activity"),

    // Log archive and log groups.
    rule("s3.bucket", "AWS::S3::Bucket", "", Expect::Present,
        "a log bucket is removed from the stack", "a log bucket is added"),
    rule("s3.encryption.algorithm", "AWS::S3::Bucket",
        "Properties.BucketEncryption.ServerSideEncryptionConfiguration[*].ServerSideEncryptionByDefault.SSEAlgorithm",
        Expect::Order { best_first: SSE, absent: Some("AES256") },
        "the bucket's default encryption is weaker (SSE-S3 instead of a KMS key)",
        "the bucket's default encryption uses a KMS key"),
    rule("s3.encryption.key", "AWS::S3::Bucket",
        "Properties.BucketEncryption.ServerSideEncryptionConfiguration[*].ServerSideEncryptionByDefault.KMSMasterKeyID",
        Expect::Present,
        "the bucket no longer encrypts with the baseline's KMS key",
        "the bucket encrypts with a KMS key"),
    rule("s3.encryption", "AWS::S3::Bucket", "Properties.BucketEncryption*", Expect::Present,
        "the bucket's default encryption setting is removed", "the bucket has default encryption"),
    rule("s3.versioning.status", "AWS::S3::Bucket", "Properties.VersioningConfiguration.Status",
        Expect::Value { secure: "Enabled", absent: None },
        "versioning is suspended: overwritten or deleted logs cannot be recovered",
        "versioning is enabled"),
    rule("s3.versioning", "AWS::S3::Bucket", "Properties.VersioningConfiguration", Expect::Present,
        "versioning is no longer configured: overwritten or deleted logs cannot be recovered",
        "versioning is configured"),
    rule("s3.public_access_block.setting", "AWS::S3::Bucket", "Properties.PublicAccessBlockConfiguration.*",
        Expect::True { absent: false },
        "the bucket's public access block is relaxed", "the bucket's public access block is tightened"),
    rule("s3.public_access_block", "AWS::S3::Bucket", "Properties.PublicAccessBlockConfiguration",
        Expect::Present,
        "the bucket's public access block is removed", "the bucket blocks public access"),
    rule("s3.ownership", "AWS::S3::Bucket", "Properties.OwnershipControls*",
        Expect::Custom(ownership),
        "object ACLs are enabled again (BucketOwnerEnforced is gone)", "object ACLs are disabled"),
    rule("s3.retention", "AWS::S3::Bucket",
        "Properties.LifecycleConfiguration.Rules[*].ExpirationInDays", Expect::More(Missing::Unlimited),
        "archived logs are deleted sooner", "archived logs are kept longer"),
    rule("s3.noncurrent_retention", "AWS::S3::Bucket",
        "Properties.LifecycleConfiguration.Rules[*].NoncurrentVersionExpiration*",
        Expect::More(Missing::Unlimited),
        "overwritten log versions are deleted sooner", "overwritten log versions are kept longer"),
    rule("s3.access_logging", "AWS::S3::Bucket", "Properties.LoggingConfiguration*", Expect::Present,
        "server access logging for the bucket is off: reads of the archive are not recorded",
        "server access logging for the bucket is on"),
    neutral("s3.lifecycle.transitions", "AWS::S3::Bucket", "Properties.LifecycleConfiguration*",
        "storage class transitions and housekeeping change cost, not protection"),
    rule("logs.retention", "AWS::Logs::LogGroup", "Properties.RetentionInDays",
        Expect::More(Missing::Unlimited),
        "the CloudWatch Logs copy of the trail is kept for less time", "the log group keeps logs longer"),
    rule("logs.kms", "AWS::Logs::LogGroup", "Properties.KmsKeyId", Expect::Present,
        "the log group is no longer encrypted with the baseline's KMS key",
        "the log group is encrypted with a KMS key"),
    rule("logs.deletion_protection", "AWS::Logs::LogGroup", "Properties.DeletionProtectionEnabled",
        Expect::True { absent: false },
        "the log group can be deleted", "the log group is protected from deletion"),
    rule("logs.log_group", "AWS::Logs::LogGroup", "", Expect::Present,
        "the trail's log group is removed", "a log group is added"),
    rule("resource.deletion_policy", "*", "*ReplacePolicy", Expect::Value { secure: "Retain", absent: Some("Delete") },
        "a replacement would delete the old resource (and its data) instead of keeping it",
        "a replaced resource is kept"),
    // RetainExceptOnCreate keeps the resource when its stack is deleted, as Retain does (it
    // differs only when the stack's first create fails).
    rule("resource.retain", "*", "DeletionPolicy", Expect::Value { secure: "Retain|RetainExceptOnCreate", absent: Some("Delete") },
        "the resource (and the logs or keys in it) is deleted with its stack instead of kept",
        "the resource is kept when its stack is deleted"),

    // KMS.
    rule("kms.rotation", "AWS::KMS::Key", "Properties.EnableKeyRotation", Expect::True { absent: false },
        "automatic key rotation is off", "automatic key rotation is on"),
    rule("kms.enabled", "AWS::KMS::Key", "Properties.Enabled", Expect::True { absent: true },
        "the key is disabled: nothing can be encrypted or read with it", "the key is enabled"),
    rule("kms.pending_window", "AWS::KMS::Key", "Properties.PendingWindowInDays",
        Expect::More(Missing::Zero),
        "a deleted key can be recovered for fewer days", "a deleted key can be recovered for longer"),
    rule("kms.key", "AWS::KMS::Key", "", Expect::Present,
        "an encryption key is removed from the stack", "an encryption key is added"),

    // AWS Config.
    rule("config.recorder", "AWS::Config::ConfigurationRecorder", "", Expect::Present,
        "the configuration recorder is removed: resource changes are no longer recorded",
        "a configuration recorder is added"),
    rule("config.all_supported", "AWS::Config::ConfigurationRecorder",
        "Properties.RecordingGroup.AllSupported", Expect::True { absent: true },
        "the recorder no longer records every supported resource type",
        "the recorder records every supported resource type"),
    rule("config.global_types", "AWS::Config::ConfigurationRecorder",
        "Properties.RecordingGroup.IncludeGlobalResourceTypes", Expect::True { absent: false },
        "global IAM resources (users, roles, policies) are no longer recorded",
        "global IAM resources are recorded"),
    rule("config.strategy", "AWS::Config::ConfigurationRecorder",
        "Properties.RecordingGroup.RecordingStrategy.UseOnly",
        Expect::Order { best_first: RECORDING_STRATEGY, absent: Some("ALL_SUPPORTED_RESOURCE_TYPES") },
        "the recorder's scope is narrowed to a list of resource types",
        "the recorder's scope is widened"),
    rule("config.exclusions", "AWS::Config::ConfigurationRecorder",
        "Properties.RecordingGroup.ExclusionByResourceTypes*", Expect::Subset,
        "more resource types are excluded from recording", "fewer resource types are excluded"),
    rule("config.included_types", "AWS::Config::ConfigurationRecorder",
        "Properties.RecordingGroup.ResourceTypes", Expect::Superset,
        "fewer resource types are recorded", "more resource types are recorded"),
    rule("config.recording_frequency", "AWS::Config::ConfigurationRecorder",
        "Properties.RecordingMode.RecordingFrequency",
        Expect::Order { best_first: &["CONTINUOUS", "DAILY"], absent: Some("CONTINUOUS") },
        "changes are recorded daily instead of as they happen", "changes are recorded as they happen"),
    rule("config.delivery_channel", "AWS::Config::DeliveryChannel", "", Expect::Present,
        "the delivery channel is removed: recordings are no longer archived",
        "a delivery channel is added"),
    rule("config.delivery_frequency", "AWS::Config::DeliveryChannel",
        "Properties.ConfigSnapshotDeliveryProperties*",
        Expect::Order { best_first: CONFIG_DELIVERY, absent: Some("TwentyFour_Hours") },
        "configuration snapshots are delivered less often", "configuration snapshots are delivered more often"),
    rule("config.password.min_length", "AWS::Config::ConfigRule",
        "Properties.InputParameters.MinimumPasswordLength", Expect::More(Missing::Zero),
        "the password-policy check accepts shorter passwords", "the password-policy check requires longer passwords"),
    rule("config.password.reuse", "AWS::Config::ConfigRule",
        "Properties.InputParameters.PasswordReusePrevention", Expect::More(Missing::Zero),
        "the password-policy check allows reusing more recent passwords",
        "the password-policy check prevents reusing more passwords"),
    rule("config.password.max_age", "AWS::Config::ConfigRule",
        "Properties.InputParameters.MaxPasswordAge", Expect::Less(Missing::Unlimited),
        "the password-policy check allows older passwords", "the password-policy check requires newer passwords"),
    rule("config.password.character_class", "AWS::Config::ConfigRule",
        "Properties.InputParameters.Require*", Expect::True { absent: false },
        "the password-policy check no longer requires a character class",
        "the password-policy check requires another character class"),
    rule("config.max_age", "AWS::Config::ConfigRule", "Properties.InputParameters.max*",
        Expect::Less(Missing::Unlimited),
        "the rule tolerates older credentials or keys", "the rule requires fresher credentials or keys"),
    rule("config.rule", "AWS::Config::ConfigRule", "", Expect::Present,
        "a Config rule is removed: nothing checks that control any more", "a Config rule is added"),
    rule("config.restricted_ports", "AWS::Config::ConfigRule", "Properties.InputParameters.blockedPort*",
        Expect::Superset,
        "a port is no longer checked for being open to the internet", "another port is checked"),
    rule("config.remediation", "AWS::Config::RemediationConfiguration", "", Expect::Present,
        "automatic remediation is removed: default security groups keep their rules until someone removes them",
        "AWS Config removes the rules of default security groups automatically"),
    rule("config.remediation.automatic", "AWS::Config::RemediationConfiguration", "Properties.Automatic",
        Expect::True { absent: false },
        "remediation no longer runs by itself", "remediation runs by itself"),
    rule("config.aggregator", "AWS::Config::ConfigurationAggregator", "", Expect::Present,
        "the organization's Config aggregator is removed: its accounts' compliance is no longer seen in one place",
        "the organization's accounts and regions are seen in one Config aggregator"),
    rule("config.aggregator.all_regions", "AWS::Config::ConfigurationAggregator",
        "Properties.OrganizationAggregationSource.AllAwsRegions", Expect::True { absent: false },
        "the Config aggregator no longer covers every region", "the Config aggregator covers every region"),
    rule("securityhub.finding_aggregator", "AWS::SecurityHub::FindingAggregator", "", Expect::Present,
        "findings of the other regions are no longer gathered in the home region",
        "findings of the other regions are gathered in the home region"),
    rule("securityhub.finding_aggregator.regions", "AWS::SecurityHub::FindingAggregator",
        "Properties.Regions", Expect::Superset,
        "a region's findings are no longer gathered in the home region",
        "another region's findings are gathered in the home region"),
    rule("accessanalyzer.analyzer", "AWS::AccessAnalyzer::Analyzer", "", Expect::Present,
        "an IAM Access Analyzer analyzer is removed: what it found is no longer reported",
        "an IAM Access Analyzer analyzer is added"),
    rule("accessanalyzer.unused_age", "AWS::AccessAnalyzer::Analyzer",
        "Properties.AnalyzerConfiguration.UnusedAccessConfiguration.UnusedAccessAge",
        Expect::Less(Missing::Unlimited),
        "access must stay unused longer before it is reported", "unused access is reported sooner"),
    rule("ssm.patch_scan", "AWS::SSM::Association", "", Expect::Present,
        "the daily patch scan is removed: missing patches are no longer reported",
        "managed nodes are scanned for missing patches"),
    neutral("ssm.patch_scan.schedule", "AWS::SSM::Association", "Properties.ScheduleExpression",
        "the patch scan runs on another schedule"),
    rule("wafv2.webacl", "AWS::WAFv2::WebACL", "", Expect::Present,
        "the web ACL is removed: what it protected loses its managed rules",
        "a web ACL with AWS's managed rule groups is added"),
    rule("wafv2.count", "AWS::WAFv2::WebACL", "Properties.Rules[*].OverrideAction.Count",
        Expect::Absent,
        "a managed rule group only counts what it matches: requests it would block get through",
        "a managed rule group no longer only counts"),
    rule("wafv2.block", "AWS::WAFv2::WebACL", "Properties.Rules[*].OverrideAction.None",
        Expect::Present,
        "a managed rule group no longer blocks what it matches",
        "a managed rule group blocks what it matches"),
    rule("wafv2.rule", "AWS::WAFv2::WebACL", "Properties.Rules[*]", Expect::Present,
        "a managed rule group is removed from the web ACL", "a managed rule group is added to the web ACL"),
    rule("wafv2.logging", "AWS::WAFv2::LoggingConfiguration", "", Expect::Present,
        "web ACL logging is removed: requests it allowed or blocked are no longer recorded",
        "the web ACL logs every request"),
    rule("wafv2.redacted", "AWS::WAFv2::LoggingConfiguration", "Properties.RedactedFields[*]",
        Expect::Present,
        "a header is no longer redacted: credentials it carries reach the logs",
        "another field is redacted from the logs"),
    rule("ssm.patch_install", "AWS::SSM::MaintenanceWindowTask", "", Expect::Present,
        "patches are no longer installed in the maintenance window",
        "missing patches are installed in a maintenance window"),
    rule("ssm.patch_install.reboot", "AWS::SSM::MaintenanceWindowTask",
        "Properties.TaskInvocationParameters.MaintenanceWindowRunCommandParameters.Parameters.RebootOption*",
        Expect::Value { secure: "RebootIfNeeded", absent: Some("RebootIfNeeded") },
        "nodes no longer reboot after patching: patches that need a reboot stay pending",
        "nodes reboot when a patch needs it, so installed patches take effect"),
    rule("ssm.patch_window", "AWS::SSM::MaintenanceWindow", "", Expect::Present,
        "the patch maintenance window is removed: patches are no longer installed",
        "a patch maintenance window is added"),
    rule("ssm.patch_window.enabled", "AWS::SSM::MaintenanceWindow", "Properties.Enabled",
        Expect::True { absent: true },
        "the patch maintenance window is disabled: patches are no longer installed",
        "the patch maintenance window is enabled"),
    neutral("ssm.patch_window.timing", "AWS::SSM::MaintenanceWindow", "Properties.*",
        "the patch window opens at another time or for another length"),
    neutral("ssm.patch_window.targets", "AWS::SSM::MaintenanceWindowTarget", "*",
        "the patch window targets nodes by another tag: check which nodes it now patches"),
    rule("iam.service_linked_role", "AWS::IAM::ServiceLinkedRole", "", Expect::Present,
        "the service-linked role a service needs is no longer managed by the baseline",
        "a service-linked role is managed by the baseline"),

    // Amazon Macie and Amazon Detective.
    rule("macie.session", "AWS::Macie::Session", "", Expect::Present,
        "Amazon Macie is disabled: its findings and discovery results are deleted",
        "Amazon Macie is enabled"),
    rule("macie.status", "AWS::Macie::Session", "Properties.Status",
        Expect::Value { secure: "ENABLED", absent: Some("ENABLED") },
        "Amazon Macie is paused: buckets are no longer evaluated",
        "Amazon Macie evaluates the buckets again"),
    rule("macie.frequency", "AWS::Macie::Session", "Properties.FindingPublishingFrequency",
        Expect::Order { best_first: GD_FREQUENCY, absent: Some("SIX_HOURS") },
        "updated Macie findings reach alerts later", "updated Macie findings reach alerts sooner"),
    rule("macie.automated_discovery", "AWS::Macie::Session", "Properties.AutomatedDiscoveryStatus",
        Expect::Value { secure: "ENABLED", absent: Some("DISABLED") },
        "Macie no longer samples the buckets for sensitive data",
        "Macie samples every bucket for sensitive data daily"),
    rule("detective.graph", "AWS::Detective::Graph", "", Expect::Present,
        "the Detective behavior graph is deleted: findings can no longer be investigated there",
        "a Detective behavior graph is created"),
    neutral("detective.auto_enable_members", "AWS::Detective::Graph", "Properties.AutoEnableMembers",
        "which member accounts join the graph by themselves"),

    // Amazon Inspector's scanning (outside CloudFormation).
    rule("inspector.scanning", "AWS::Inspector2::Scanning", "", Expect::Present,
        "Amazon Inspector scanning is no longer switched on: vulnerabilities here go unreported",
        "Amazon Inspector scans for vulnerabilities"),
    rule("inspector.scan_type", "AWS::Inspector2::Scanning", "Properties.*",
        Expect::Value { secure: "ENABLED", absent: None },
        "a resource type is no longer scanned for vulnerabilities",
        "another resource type is scanned for vulnerabilities"),

    // The account settings (outside CloudFormation).
    rule("account.s3_block_public_access", "AWS::S3::AccountPublicAccessBlock", "", Expect::Present,
        "the account has no S3 public access block: any bucket may be made public",
        "the S3 account public access block keeps every bucket private"),
    rule("account.s3_block_public_access.block", "AWS::S3::AccountPublicAccessBlock", "Properties.*",
        Expect::True { absent: false },
        "a part of the S3 account public access block is off: buckets may be made public that way",
        "a part of the S3 account public access block is on"),
    rule("account.ebs_encryption", "AWS::EC2::EbsEncryptionByDefault", "", Expect::Present,
        "EBS encryption by default is not managed: new volumes may be unencrypted",
        "EBS encryption by default is managed"),
    rule("account.ebs_encryption.enabled", "AWS::EC2::EbsEncryptionByDefault",
        "Properties.EbsEncryptionByDefault", Expect::True { absent: false },
        "new EBS volumes are no longer encrypted by default",
        "new EBS volumes are encrypted by default"),
    rule("account.imdsv2_default", "AWS::EC2::InstanceMetadataDefaults", "", Expect::Present,
        "the instance metadata default is not managed: new instances may allow IMDSv1",
        "the instance metadata default is managed"),
    rule("account.imdsv2_default.tokens", "AWS::EC2::InstanceMetadataDefaults",
        "Properties.HttpTokens", Expect::Value { secure: "required", absent: None },
        "new instances may use IMDSv1, whose credentials a server-side request forgery can read",
        "new instances require IMDSv2"),
    rule("account.snapshot_public_access", "AWS::EC2::SnapshotBlockPublicAccess", "", Expect::Present,
        "EBS snapshot public access is not blocked: snapshots may be shared publicly",
        "EBS snapshot public access is blocked"),
    rule("account.snapshot_public_access.state", "AWS::EC2::SnapshotBlockPublicAccess",
        "Properties.State", Expect::Order { best_first: &["block-all-sharing", "block-new-sharing", "unblocked"], absent: Some("unblocked") },
        "EBS snapshots may be (or stay) shared publicly",
        "EBS snapshots are kept from public sharing"),
    rule("account.ami_public_access", "AWS::EC2::ImageBlockPublicAccess", "", Expect::Present,
        "AMI public access is not blocked: AMIs may be shared publicly",
        "AMI public access is blocked"),
    rule("account.ami_public_access.state", "AWS::EC2::ImageBlockPublicAccess",
        "Properties.ImageBlockPublicAccessState", Expect::Value { secure: "block-new-sharing", absent: None },
        "AMIs may be shared publicly",
        "AMIs can no longer be newly shared publicly"),
    rule("account.ssm_document_sharing", "AWS::SSM::ServiceSetting", "", Expect::Present,
        "public sharing of SSM documents is not managed: documents may be shared publicly",
        "public sharing of SSM documents is managed"),
    rule("account.ssm_document_sharing.value", "AWS::SSM::ServiceSetting",
        "Properties.SettingValue", Expect::Value { secure: "Disable", absent: None },
        "SSM documents may be shared publicly",
        "SSM documents can no longer be shared publicly"),
    neutral("account.ssm_document_sharing.setting", "AWS::SSM::ServiceSetting", "Properties.SettingId",
        "another SSM service setting"),

    rule("ssm.default_host_management", "AWS::SSM::DefaultHostManagement", "", Expect::Present,
        "Default Host Management Configuration is not managed: instances without an instance profile may go unpatched and unscanned",
        "Systems Manager manages every EC2 instance, with or without an instance profile"),
    neutral("ssm.default_host_management.role", "AWS::SSM::DefaultHostManagement", "Properties.*",
        "Default Host Management uses another role: check that it carries AmazonSSMManagedEC2InstanceDefaultPolicy"),

    // Macie's discovery jobs (outside CloudFormation), one pseudo-resource per region.
    rule("macie.job.schedule", "AWS::Macie::ClassificationJobs", "Properties.Jobs.*.Schedule",
        Expect::Custom(job_schedule),
        "a discovery job runs less often: sensitive data is found later",
        "a discovery job runs more often"),
    rule("macie.job.buckets", "AWS::Macie::ClassificationJobs", "Properties.Jobs.*.Buckets",
        Expect::Superset,
        "a discovery job inspects fewer buckets",
        "a discovery job inspects more buckets"),
    rule("macie.job.identifiers", "AWS::Macie::ClassificationJobs",
        "Properties.Jobs.*.ManagedDataIdentifiers", Expect::Custom(job_identifiers),
        "a discovery job looks for fewer kinds of sensitive data",
        "a discovery job looks for more kinds of sensitive data"),
    rule("macie.job", "AWS::Macie::ClassificationJobs", "Properties.Jobs.*", Expect::Present,
        "a discovery job is removed (cancelled): its buckets are no longer inspected on schedule",
        "a discovery job inspects buckets for sensitive data"),

    // Shield Advanced (outside CloudFormation): only where the account subscribes.
    rule("shield.advanced", "AWS::Shield::Advanced", "", Expect::Present,
        "Shield Advanced is no longer managed: its protections and proactive engagement are left as they are",
        "Shield Advanced's protections and proactive engagement are managed"),
    rule("shield.protections", "AWS::Shield::Advanced", "Properties.Protections", Expect::Superset,
        "a resource loses Shield Advanced's protection: DDoS mitigation, cost protection and the response team no longer cover it",
        "another resource is protected by Shield Advanced"),
    rule("shield.proactive_engagement", "AWS::Shield::Advanced", "Properties.ProactiveEngagementStatus",
        Expect::Value { secure: "ENABLED", absent: Some("DISABLED") },
        "proactive engagement is off: the Shield Response Team no longer calls during an attack",
        "the Shield Response Team calls the emergency contact during an attack"),
    neutral("shield.emergency_contacts", "AWS::Shield::Advanced", "Properties.EmergencyContacts*",
        "Shield's emergency contacts change: check that someone answers the new ones"),

    // An organization's delegations, from its management account (outside CloudFormation).
    rule("organization.delegations", "AWS::Organizations::Delegations", "", Expect::Present,
        "the organization's trusted access and delegated administrators are no longer managed",
        "the security account is delegated the organization's services"),
    rule("organization.trusted_access", "AWS::Organizations::Delegations", "Properties.TrustedAccess",
        Expect::Superset,
        "a service loses trusted access to the organization: it no longer acts in member accounts, new ones included",
        "a service acts in every account of the organization, new ones included"),
    rule("organization.delegated_administrators", "AWS::Organizations::Delegations",
        "Properties.DelegatedAdministrators", Expect::Superset,
        "a delegated administrator is removed: the security account no longer sees that service across the organization",
        "the security account administers another service across the organization"),
    rule("organization.service_administrators", "AWS::Organizations::ServiceAdministrators", "",
        Expect::Present,
        "the security services' delegated administrators are no longer managed",
        "the security account administers the security services of every account"),
    rule("organization.service_administrator", "AWS::Organizations::ServiceAdministrators",
        "Properties.*", Expect::Custom(service_administrator),
        "a service's delegated administrator is removed: its findings across the organization are no longer gathered in one account",
        "the security account administers the service for every account of the organization"),

    // The security account's organization configurations (outside CloudFormation): which
    // member accounts each service switches itself on in.
    rule("organization.guardduty", "AWS::GuardDuty::OrganizationConfiguration", "", Expect::Present,
        "GuardDuty's organization configuration is no longer managed: new accounts may go unprotected",
        "GuardDuty switches itself on in every member account, new ones included"),
    rule("organization.guardduty.auto_enable", "AWS::GuardDuty::OrganizationConfiguration",
        "Properties.*", Expect::Custom(auto_enable),
        "GuardDuty (or one of its protection plans) no longer switches itself on in every member account",
        "GuardDuty (or one of its protection plans) switches itself on in more member accounts"),
    rule("organization.securityhub", "AWS::SecurityHub::OrganizationConfiguration", "", Expect::Present,
        "Security Hub's organization configuration is no longer managed: new accounts may go unchecked",
        "Security Hub switches itself on in every new member account"),
    rule("organization.securityhub.members", "AWS::SecurityHub::OrganizationConfiguration",
        "Properties.Members", Expect::Superset,
        "an account is no longer a Security Hub member of the security account: its findings no longer reach the organization's alerts",
        "another account's findings reach the security account and the organization's alerts"),
    rule("organization.securityhub.central", "AWS::SecurityHub::OrganizationConfiguration",
        "Properties.ConfigurationType", Expect::Value { secure: "CENTRAL", absent: None },
        "Security Hub leaves central configuration: no policy sets it, its standards and disabled controls in the organization's accounts any more",
        "one configuration policy sets Security Hub, its standards and disabled controls in every account of the organization"),
    rule("organization.securityhub.policy_enabled", "AWS::SecurityHub::OrganizationConfiguration",
        "Properties.ServiceEnabled", Expect::True { absent: false },
        "the configuration policy turns Security Hub off in the accounts it governs",
        "the configuration policy turns Security Hub on in the accounts it governs"),
    rule("organization.securityhub.policy_standards", "AWS::SecurityHub::OrganizationConfiguration",
        "Properties.EnabledStandards", Expect::Superset,
        "a standard leaves the configuration policy: its controls are no longer checked in any account the policy governs",
        "the configuration policy enables another standard in every account it governs"),
    rule("organization.securityhub.policy_disabled_controls", "AWS::SecurityHub::OrganizationConfiguration",
        "Properties.DisabledControls", Expect::Subset,
        "the configuration policy disables another control in every account it governs",
        "a control the configuration policy disabled is checked again in every account it governs"),
    rule("organization.securityhub.policy_targets", "AWS::SecurityHub::OrganizationConfiguration",
        "Properties.Targets", Expect::Superset,
        "the configuration policy no longer governs a part of the organization (its root or an organizational unit): accounts there keep their own settings, and new ones get no Security Hub",
        "the configuration policy governs another part of the organization"),
    rule("organization.securityhub.auto_enable", "AWS::SecurityHub::OrganizationConfiguration",
        "Properties.*", Expect::Custom(auto_enable),
        "new member accounts no longer get Security Hub (or its default standards) by themselves",
        "new member accounts get Security Hub with its default standards by themselves"),
    rule("organization.macie", "AWS::Macie::OrganizationConfiguration", "", Expect::Present,
        "Macie's organization configuration is no longer managed",
        "Macie switches itself on in every new member account"),
    rule("organization.macie.members", "AWS::Macie::OrganizationConfiguration",
        "Properties.Members", Expect::Superset,
        "an account is no longer a Macie member of the security account: Macie may be off there, and its sensitive data findings no longer reach the security account",
        "the security account enables Macie in another account"),
    rule("organization.macie.auto_enable", "AWS::Macie::OrganizationConfiguration",
        "Properties.*", Expect::Custom(auto_enable),
        "new member accounts no longer get Macie by themselves",
        "new member accounts get Macie by themselves"),
    rule("organization.inspector", "AWS::Inspector2::OrganizationConfiguration", "", Expect::Present,
        "Inspector's organization configuration is no longer managed",
        "Inspector switches itself on in every new member account"),
    rule("organization.inspector.auto_enable", "AWS::Inspector2::OrganizationConfiguration",
        "Properties.*", Expect::Custom(auto_enable),
        "new member accounts no longer have a resource type scanned by themselves",
        "new member accounts have another resource type scanned by themselves"),

    rule("organization.inspector.members", "AWS::Inspector2::MemberScanning", "", Expect::Present,
        "Inspector's scanning of the member accounts is no longer managed: their vulnerabilities may go unreported",
        "the security account switches Inspector's scanning on in the member accounts"),
    rule("organization.inspector.member_scan", "AWS::Inspector2::MemberScanning", "Properties.*",
        Expect::Value { secure: "ENABLED", absent: None },
        "a member account's resource type is no longer scanned for vulnerabilities",
        "another resource type of a member account is scanned for vulnerabilities"),

    rule("organization.detective", "AWS::Detective::OrganizationConfiguration", "", Expect::Present,
        "Detective's organization configuration is no longer managed",
        "new member accounts join the Detective behavior graph by themselves"),
    rule("organization.detective.members", "AWS::Detective::OrganizationConfiguration",
        "Properties.Members", Expect::Superset,
        "an account no longer feeds the security account's Detective behavior graph: its activity is no longer there to investigate",
        "another account feeds the security account's Detective behavior graph"),
    rule("organization.detective.auto_enable", "AWS::Detective::OrganizationConfiguration",
        "Properties.*", Expect::Custom(auto_enable),
        "new member accounts no longer join the Detective behavior graph by themselves",
        "new member accounts join the Detective behavior graph by themselves"),

    // The account's security contact (outside CloudFormation).
    rule("account.security_contact", "AWS::Account::AlternateContact", "", Expect::Present,
        "the account has no security contact: AWS's notices of security issues reach only the root email",
        "a security contact receives AWS's notices of security issues"),
    neutral("account.security_contact.details", "AWS::Account::AlternateContact", "Properties.*",
        "the security contact's details change: check that someone reads the new address"),

    // The IAM account password policy (outside CloudFormation).
    rule("password_policy", "AWS::IAM::AccountPasswordPolicy", "", Expect::Present,
        "there is no account password policy: IAM users may choose any password",
        "an account password policy is set"),
    rule("password_policy.min_length", "AWS::IAM::AccountPasswordPolicy",
        "Properties.MinimumPasswordLength", Expect::More(Missing::Zero),
        "shorter passwords are allowed", "longer passwords are required"),
    rule("password_policy.reuse", "AWS::IAM::AccountPasswordPolicy",
        "Properties.PasswordReusePrevention", Expect::More(Missing::Zero),
        "fewer previous passwords are blocked from reuse", "more previous passwords are blocked from reuse"),
    rule("password_policy.max_age", "AWS::IAM::AccountPasswordPolicy",
        "Properties.MaxPasswordAge", Expect::Less(Missing::Unlimited),
        "passwords may be kept longer (or forever)", "passwords must be changed sooner"),
    rule("password_policy.character_class", "AWS::IAM::AccountPasswordPolicy",
        "Properties.Require*", Expect::True { absent: false },
        "a required character class is dropped", "another character class is required"),
    rule("password_policy.self_service", "AWS::IAM::AccountPasswordPolicy",
        "Properties.AllowUsersToChangePassword", Expect::True { absent: false },
        "users can no longer change their own passwords", "users can change their own passwords"),
    neutral("password_policy.hard_expiry", "AWS::IAM::AccountPasswordPolicy",
        "Properties.HardExpiry", "whether an expired password locks the user out is availability, not protection"),

    // Security Hub.
    rule("securityhub.hub", "AWS::SecurityHub::Hub", "", Expect::Present,
        "Security Hub is switched off", "Security Hub is switched on"),
    rule("securityhub.auto_enable", "AWS::SecurityHub::Hub", "Properties.AutoEnableControls",
        Expect::True { absent: true },
        "new controls of enabled standards are no longer switched on automatically",
        "new controls are switched on automatically"),
    rule("securityhub.disabled_control", "AWS::SecurityHub::Standard",
        "Properties.DisabledStandardsControls*", Expect::Subset,
        "a Security Hub control is disabled", "a disabled Security Hub control is enabled again"),
    rule("securityhub.standard", "AWS::SecurityHub::Standard", "", Expect::Present,
        "a Security Hub standard is disabled: its controls no longer run",
        "a Security Hub standard is enabled"),
    rule("securityhub.control_disabled", crate::settings::CONTROL_TYPE, "", Expect::Custom(control_disabled),
        "a Security Hub control is disabled: it no longer produces findings",
        "a Security Hub control is enabled again"),
    neutral("securityhub.control_disabled.reason", crate::settings::CONTROL_TYPE, "Properties.UpdatedReason",
        "the reason a control is disabled changed"),
    rule("securityhub.control", "AWS::SecurityHub::SecurityControl", "", Expect::Present,
        "a Security Hub control setting is removed", "a Security Hub control setting is added"),

    // Alerts.
    rule("sns.topic", "AWS::SNS::Topic", "", Expect::Present,
        "the alert topic is removed: nobody is told about findings", "an alert topic is added"),
    rule("sns.encryption", "AWS::SNS::Topic", "Properties.KmsMasterKeyId", Expect::Present,
        "the alert topic is no longer encrypted", "the alert topic is encrypted"),
    rule("sns.subscription", "AWS::SNS::Subscription", "", Expect::Present,
        "an alert subscriber is removed", "an alert subscriber is added"),
    neutral("sns.subscription.endpoint", "AWS::SNS::Subscription", "Properties.Endpoint",
        "a subscriber's address changed; check that someone reads it"),
    rule("chatbot.channel", "AWS::Chatbot::SlackChannelConfiguration", "", Expect::Present,
        "the Slack alert channel is removed", "a Slack alert channel is added"),
    rule("events.rule", "AWS::Events::Rule", "", Expect::Present,
        "an EventBridge rule that feeds the alert topic is removed: those findings no longer alert",
        "an EventBridge rule feeds more findings to the alert topic"),
    rule("events.state", "AWS::Events::Rule", "Properties.State",
        Expect::Value { secure: "ENABLED", absent: Some("ENABLED") },
        "the EventBridge rule is disabled: its findings no longer alert", "the EventBridge rule is enabled"),
    rule("events.severity", "AWS::Events::Rule", "Properties.EventPattern.detail.severity*",
        Expect::Custom(severity_threshold),
        "the severity threshold is raised: less severe findings no longer alert",
        "the severity threshold is lowered: more findings alert"),
    rule("events.pattern", "AWS::Events::Rule", "Properties.EventPattern*", Expect::Custom(event_pattern),
        "the rule matches fewer events (e.g. fewer severities): some findings no longer alert",
        "the rule matches more events"),
    rule("events.target", "AWS::Events::Rule", "Properties.Targets*", Expect::Present,
        "the rule no longer sends to the alert topic", "the rule sends to another target"),
    rule("cloudwatch.alarm", "AWS::CloudWatch::Alarm", "", Expect::Present,
        "a CIS metric alarm is removed: that activity no longer alerts", "a CIS metric alarm is added"),
    rule("cloudwatch.actions_enabled", "AWS::CloudWatch::Alarm", "Properties.ActionsEnabled",
        Expect::True { absent: true },
        "the alarm's actions are disabled: it no longer notifies", "the alarm's actions are enabled"),
    rule("cloudwatch.actions", "AWS::CloudWatch::Alarm", "Properties.AlarmActions*", Expect::Superset,
        "the alarm no longer notifies the alert topic", "the alarm notifies more targets"),
    rule("cloudwatch.threshold", "AWS::CloudWatch::Alarm", "Properties.Threshold",
        Expect::Less(Missing::Unlimited),
        "the alarm needs more occurrences before it fires", "the alarm fires sooner"),
    rule("logs.metric_filter", "AWS::Logs::MetricFilter", "", Expect::Custom(metric_filter),
        "a metric filter is removed while its alarm stays: the alarm can no longer fire",
        "a metric filter is added"),
    neutral("logs.metric_filter.pattern", "AWS::Logs::MetricFilter", "Properties.FilterPattern",
        "the filter pattern changed; check that it still matches the CIS events"),

    // Policies anywhere (bucket, topic and key policies, IAM roles).
    rule("policy.statement", "*", "*Statement[*]", Expect::Custom(statement_presence),
        "a policy statement changed", "a policy statement changed"),
    rule("policy.statement.scope", "*", "*Statement[*]*", Expect::Custom(statement_scope),
        "a policy statement is broadened: it allows more", "a policy statement is narrowed: it allows less"),
    rule("iam.inline_policy", "AWS::IAM::*", "Properties.Policies[*]", Expect::Absent,
        "an inline policy is added: the role may do more", "an inline policy is removed: the role may do less"),
    rule("iam.managed_policies", "AWS::IAM::*", "Properties.ManagedPolicyArns", Expect::Subset,
        "a managed policy is attached: the role may do more", "a managed policy is detached"),
    neutral("resource.tags", "*", "Properties.Tags*", "tags only label resources"),
    neutral("resource.description", "*", "Properties.*Description", "descriptions only"),
];

/// Glob match where `*` matches any run of characters (including none).
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// Classifies one change: (impact, rule id, explanation).
pub fn classify(
    change: &RawChange,
    path: &str,
    ctx: &Ctx,
) -> (Impact, Option<&'static str>, String) {
    for rule in RULES {
        if !glob(rule.resource_type, &change.resource_type) || !glob(rule.path, path) {
            continue;
        }
        if let Some((impact, text)) = assess(rule, change, ctx) {
            let text = if !text.is_empty() {
                text
            } else {
                match impact {
                    Impact::Strengthening => rule.stronger,
                    _ => rule.weaker,
                }
            };
            return (impact, Some(rule.id), text.to_string());
        }
    }
    (
        Impact::Neutral,
        None,
        "no security rule covers this change; review it".to_string(),
    )
}

fn weaker_if(weakens: bool) -> Impact {
    if weakens {
        Impact::Weakening
    } else {
        Impact::Strengthening
    }
}

fn number(v: Option<&Json>, missing: Missing) -> Option<f64> {
    match v {
        None | Some(Json::Null) => Some(match missing {
            Missing::Unlimited => f64::INFINITY,
            Missing::Zero => 0.0,
        }),
        Some(Json::Object(m)) if m.len() == 1 => {
            // `NoncurrentVersionExpiration: {NoncurrentDays: 90}`.
            number(m.values().next(), missing)
        }
        Some(v) => scalar_text(v)?.parse().ok(),
    }
}

fn text_of(v: Option<&Json>, absent: Option<&str>) -> Option<String> {
    match v {
        None => absent.map(str::to_string),
        Some(Json::Object(m)) if m.len() == 1 => text_of(m.values().next(), absent),
        // Systems Manager document parameters are lists of one string.
        Some(Json::Array(items)) if items.len() == 1 => text_of(items.first(), absent),
        Some(v) => scalar_text(v),
    }
}

/// Every scalar inside a value, as CloudFormation strings.
fn leaves(v: Option<&Json>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn walk(v: &Json, out: &mut BTreeSet<String>) {
        match v {
            Json::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Json::Object(m) => m.values().for_each(|i| walk(i, out)),
            other => {
                if let Some(s) = scalar_text(other) {
                    out.insert(s);
                }
            }
        }
    }
    if let Some(v) = v {
        walk(v, &mut out);
    }
    out
}

fn assess(rule: &Rule, c: &RawChange, ctx: &Ctx) -> Option<(Impact, &'static str)> {
    let (o, n) = (c.old.as_ref(), c.new.as_ref());
    let impact = match rule.expect {
        Expect::Neutral => Impact::Neutral,
        Expect::Present => match c.action {
            Action::Added => Impact::Strengthening,
            Action::Removed => Impact::Weakening,
            Action::Modified => return None,
        },
        Expect::Absent => match c.action {
            Action::Added => Impact::Weakening,
            Action::Removed => Impact::Strengthening,
            Action::Modified => return None,
        },
        Expect::True { absent } => {
            let truth = |v: Option<&Json>| match v {
                None => Some(absent),
                Some(v) => match scalar_text(v)?.as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                },
            };
            let (a, b) = (truth(o)?, truth(n)?);
            if a == b {
                return None;
            }
            weaker_if(a)
        }
        Expect::Value { secure, absent } => {
            let (a, b) = (text_of(o, absent), text_of(n, absent));
            // `secure` may name several values, separated by `|`.
            let ok = |v: Option<&str>| v.is_some_and(|v| secure.split('|').any(|s| s == v));
            let (a, b) = (ok(a.as_deref()), ok(b.as_deref()));
            if a == b {
                return None;
            }
            weaker_if(a)
        }
        Expect::More(missing) | Expect::Less(missing) => {
            let (a, b) = (number(o, missing)?, number(n, missing)?);
            if a == b {
                return None;
            }
            let larger = b > a;
            weaker_if(matches!(rule.expect, Expect::More(_)) != larger)
        }
        Expect::Order { best_first, absent } => {
            let rank = |v: Option<&Json>| {
                let t = text_of(v, absent)?;
                best_first.iter().position(|x| *x == t)
            };
            let (a, b) = (rank(o)?, rank(n)?);
            if a == b {
                return None;
            }
            weaker_if(b > a)
        }
        Expect::Superset | Expect::Subset => {
            let (a, b) = (leaves(o), leaves(n));
            let dropped = a.difference(&b).count() > 0;
            let gained = b.difference(&a).count() > 0;
            let protective = matches!(rule.expect, Expect::Superset);
            match (dropped, gained) {
                (false, false) => return None,
                (true, _) if protective => Impact::Weakening,
                (_, true) if !protective => Impact::Weakening,
                _ => Impact::Strengthening,
            }
        }
        Expect::Custom(f) => return f(c, ctx),
    };
    Some((impact, ""))
}

fn ownership(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    let enforced = |v: Option<&Json>| leaves(v).contains("BucketOwnerEnforced");
    let (a, b) = (enforced(c.old.as_ref()), enforced(c.new.as_ref()));
    (a != b).then(|| (weaker_if(a), ""))
}

/// How many member accounts an organization configuration covers: every one (`ALL`,
/// `true`, Security Hub's `DEFAULT` standards), new ones only (`NEW`), none (`NONE`, `false`,
/// absent).
fn coverage(v: Option<&Json>) -> Option<u8> {
    Some(match v {
        None | Some(Json::Bool(false)) => 0,
        Some(Json::Bool(true)) => 2,
        Some(Json::String(s)) => match s.as_str() {
            "ALL" | "DEFAULT" => 2,
            "NEW" => 1,
            "NONE" => 0,
            _ => return None,
        },
        _ => return None,
    })
}

/// An organization configuration covering fewer member accounts weakens.
fn auto_enable(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    let (a, b) = (coverage(c.old.as_ref())?, coverage(c.new.as_ref())?);
    (a != b).then(|| (weaker_if(b < a), ""))
}

/// A service's delegated administrator: naming one strengthens, removing one weakens,
/// moving it to another account neither (the rule's text says what to check).
fn service_administrator(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    match (&c.old, &c.new) {
        (None, Some(_)) => Some((Impact::Strengthening, "")),
        (Some(_), None) => Some((Impact::Weakening, "")),
        (Some(a), Some(b)) if a != b => Some((
            Impact::Neutral,
            "the delegated administrator moves to another account: findings are gathered there from now on",
        )),
        _ => None,
    }
}

/// How many days apart a job schedule runs (`once`: never again).
fn schedule_days(v: Option<&Json>) -> Option<u32> {
    let s = v?.as_str()?;
    Some(match s.split_once(':').map_or(s, |(kind, _)| kind) {
        "daily" => 1,
        "weekly" => 7,
        "monthly" => 31,
        "once" => u32::MAX,
        _ => return None,
    })
}

/// A discovery job's schedule: running less often weakens; another day at the same pace
/// does not.
fn job_schedule(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    let (a, b) = (
        schedule_days(c.old.as_ref())?,
        schedule_days(c.new.as_ref())?,
    );
    (a != b).then(|| (weaker_if(b > a), ""))
}

/// A job's managed data identifiers: ALL covers most, then Macie's RECOMMENDED set, then an
/// explicit list (where dropping an id weakens).
fn job_identifiers(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    let rank = |v: Option<&Json>| match v {
        Some(Json::String(s)) if s == "ALL" => Some(0),
        Some(Json::String(s)) if s == "RECOMMENDED" => Some(1),
        Some(Json::Array(_)) => Some(2),
        _ => None,
    };
    let (a, b) = (rank(c.old.as_ref())?, rank(c.new.as_ref())?);
    if a != b {
        return Some((weaker_if(b > a), ""));
    }
    let (old, new) = (leaves(c.old.as_ref()), leaves(c.new.as_ref()));
    if old.difference(&new).count() > 0 {
        Some((Impact::Weakening, ""))
    } else if new.difference(&old).count() > 0 {
        Some((Impact::Strengthening, ""))
    } else {
        None
    }
}

/// A Malware Protection plan's object prefixes: none means the whole bucket, so adding the
/// list narrows the scan, dropping it widens it; within a list, a dropped prefix narrows.
fn scan_prefixes(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    let (a, b) = (leaves(c.old.as_ref()), leaves(c.new.as_ref()));
    let impact = match (a.is_empty(), b.is_empty()) {
        (true, true) => return None,
        (true, false) => Impact::Weakening,
        (false, true) => Impact::Strengthening,
        (false, false) if a.difference(&b).count() > 0 => Impact::Weakening,
        (false, false) if b.difference(&a).count() > 0 => Impact::Strengthening,
        (false, false) => return None,
    };
    Some((impact, ""))
}

/// GuardDuty's `severity: [{numeric: [">=", 7]}]`: a higher floor alerts on less.
fn severity_threshold(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    let floor = |v: Option<&Json>| -> Option<f64> {
        leaves(v)
            .iter()
            .filter_map(|s| s.parse::<f64>().ok())
            .reduce(f64::min)
    };
    match (floor(c.old.as_ref()), floor(c.new.as_ref())) {
        (Some(a), Some(b)) if a != b => Some((weaker_if(b > a), "")),
        (Some(_), None) if c.action == Action::Removed => Some((Impact::Strengthening, "")),
        (None, Some(_)) if c.action == Action::Added => Some((Impact::Weakening, "")),
        _ => None,
    }
}

/// Event patterns filter: a value dropped from a list, or a new key, matches less.
/// An event pattern's values widen what it matches, except those under `anything-but`,
/// which narrow it (a suppression): dropping a value, or adding an exclusion, weakens.
fn event_pattern(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    // The change may sit below an `anything-but` (its list of exclusions).
    let under = c
        .segments
        .iter()
        .any(|s| matches!(s, PathSeg::Key(k) if k == "anything-but"));
    const SUPPRESSION: &str = "a suppression is added: those findings no longer alert";
    match c.action {
        Action::Added if !pattern_values(c.new.as_ref(), under).1.is_empty() => {
            Some((Impact::Weakening, SUPPRESSION))
        }
        Action::Added => Some((Impact::Weakening, "")),
        Action::Removed => Some((Impact::Strengthening, "")),
        Action::Modified => {
            let (old_in, old_out) = pattern_values(c.old.as_ref(), under);
            let (new_in, new_out) = pattern_values(c.new.as_ref(), under);
            if old_in.difference(&new_in).count() > 0 {
                Some((Impact::Weakening, ""))
            } else if new_out.difference(&old_out).count() > 0 {
                Some((Impact::Weakening, SUPPRESSION))
            } else if new_in.difference(&old_in).count() > 0
                || old_out.difference(&new_out).count() > 0
            {
                Some((Impact::Strengthening, ""))
            } else {
                None
            }
        }
    }
}

/// (values that admit events, values under `anything-but` that exclude them).
fn pattern_values(v: Option<&Json>, excluding: bool) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut admit = BTreeSet::new();
    let mut exclude = BTreeSet::new();
    fn walk(
        v: &Json,
        excluding: bool,
        admit: &mut BTreeSet<String>,
        exclude: &mut BTreeSet<String>,
    ) {
        match v {
            Json::Array(items) => items
                .iter()
                .for_each(|i| walk(i, excluding, admit, exclude)),
            Json::Object(m) => m
                .iter()
                .for_each(|(k, i)| walk(i, excluding || k == "anything-but", admit, exclude)),
            other => {
                if let Some(s) = scalar_text(other) {
                    if excluding {
                        exclude.insert(s)
                    } else {
                        admit.insert(s)
                    };
                }
            }
        }
    }
    if let Some(v) = v {
        walk(v, excluding, &mut admit, &mut exclude);
    }
    (admit, exclude)
}

/// A control disabled outside the home region because it checks global resources only
/// stops repeating the home region's findings; any other disabled control loses findings.
fn control_disabled(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    match c.action {
        Action::Added => {
            let reason = c
                .new
                .as_ref()
                .and_then(|r| r.pointer("/Properties/UpdatedReason"))
                .and_then(Json::as_str)
                .unwrap_or_default();
            if reason.starts_with(crate::settings::GLOBAL_CONTROL_REASON_START) {
                Some((
                    Impact::Neutral,
                    "a control for global resources is disabled outside the home region, where it would repeat the home region's findings",
                ))
            } else {
                Some((Impact::Weakening, ""))
            }
        }
        Action::Removed => Some((Impact::Strengthening, "")),
        Action::Modified => None,
    }
}

/// A removed metric filter matters when an alarm still counts on its metric.
fn metric_filter(c: &RawChange, ctx: &Ctx) -> Option<(Impact, &'static str)> {
    match c.action {
        Action::Added => Some((
            Impact::Neutral,
            "a metric filter is added (its alarm is reported separately)",
        )),
        Action::Modified => None,
        Action::Removed => {
            let metric = c
                .old
                .as_ref()?
                .pointer("/Properties/MetricTransformations/0/MetricName")
                .and_then(scalar_text)?;
            let still_alarmed = ctx
                .new_template
                .get("Resources")
                .and_then(Json::as_object)
                .is_some_and(|rs| {
                    rs.values().any(|r| {
                        r.get("Type").and_then(Json::as_str) == Some("AWS::CloudWatch::Alarm")
                            && r.pointer("/Properties/MetricName")
                                .and_then(scalar_text)
                                .as_deref()
                                == Some(metric.as_str())
                    })
                });
            Some(if still_alarmed {
                (Impact::Weakening, "")
            } else {
                (
                    Impact::Neutral,
                    "a metric filter is removed together with its alarm (reported separately)",
                )
            })
        }
    }
}

/// The index of the `Statement` key when the change is a whole statement or inside one.
fn statement_at(segments: &[PathSeg]) -> Option<usize> {
    segments
        .iter()
        .rposition(|s| matches!(s, PathSeg::Key(k) if k == "Statement"))
        .filter(|i| {
            matches!(
                segments.get(i + 1),
                Some(PathSeg::Item { .. } | PathSeg::Index(_))
            )
        })
}

/// Follows a path into a value.
fn lookup<'a>(mut v: &'a Json, segments: &[PathSeg]) -> Option<&'a Json> {
    for seg in segments {
        v = match seg {
            PathSeg::Key(k) => v.get(k)?,
            PathSeg::Index(i) => v.get(i)?,
            PathSeg::Item { field, id } => v
                .as_array()?
                .iter()
                .find(|item| item.get(field).and_then(scalar_text).as_deref() == Some(id))?,
        };
    }
    Some(v)
}

fn effect(statement: Option<&Json>) -> Option<String> {
    statement?.get("Effect").and_then(scalar_text)
}

fn statement_presence(c: &RawChange, _: &Ctx) -> Option<(Impact, &'static str)> {
    let at = statement_at(&c.segments)?;
    if at + 2 != c.segments.len() {
        return None;
    }
    let value = c.new.as_ref().or(c.old.as_ref());
    let allow = effect(value)? == "Allow";
    let tls = leaves(value).contains("aws:SecureTransport")
        || value.is_some_and(|v| v.to_string().contains("aws:SecureTransport"));
    Some(match (c.action, allow) {
        (Action::Added, true) => (
            Impact::Weakening,
            "a policy statement is added: it allows more",
        ),
        (Action::Removed, true) => (
            Impact::Strengthening,
            "a policy statement is removed: it allows less",
        ),
        (Action::Added, false) => (Impact::Strengthening, "a Deny statement is added"),
        (Action::Removed, false) if tls => (
            Impact::Weakening,
            "the statement that denies unencrypted (non-TLS) access is removed",
        ),
        (Action::Removed, false) => (
            Impact::Weakening,
            "a Deny statement is removed: it no longer protects",
        ),
        (Action::Modified, _) => return None,
    })
}

fn statement_scope(c: &RawChange, ctx: &Ctx) -> Option<(Impact, &'static str)> {
    let at = statement_at(&c.segments)?;
    let inside = &c.segments[at + 2..];
    let Some(PathSeg::Key(field)) = inside.first() else {
        return None;
    };
    let find = |template: &Json| -> Option<String> {
        let resource = template.get("Resources")?.get(c.resource.as_deref()?)?;
        effect(lookup(resource, &c.segments[..at + 2]))
    };
    let effect = find(ctx.new_template).or_else(|| find(ctx.old_template))?;
    let allow = effect == "Allow";
    if field == "Effect" {
        let (a, b) = (
            text_of(c.old.as_ref(), None)?,
            text_of(c.new.as_ref(), None)?,
        );
        return match (a.as_str(), b.as_str()) {
            ("Deny", "Allow") => Some((Impact::Weakening, "a Deny statement becomes an Allow")),
            ("Allow", "Deny") => Some((Impact::Strengthening, "an Allow statement becomes a Deny")),
            _ => None,
        };
    }
    if field == "Condition" {
        return match (c.action, allow) {
            (Action::Removed, true) => Some((
                Impact::Weakening,
                "a condition that limited the grant is removed",
            )),
            (Action::Added, true) => {
                Some((Impact::Strengthening, "a condition now limits the grant"))
            }
            (Action::Removed, false) => Some((
                Impact::Strengthening,
                "the Deny applies without a condition",
            )),
            (Action::Added, false) => Some((
                Impact::Weakening,
                "the Deny applies only under a new condition",
            )),
            (Action::Modified, _) => Some((
                Impact::Neutral,
                "a condition value changed; check that it still limits the statement",
            )),
        };
    }
    let negated = field.starts_with("Not");
    if !matches!(
        field.trim_start_matches("Not"),
        "Action" | "Resource" | "Principal"
    ) {
        return None;
    }
    let (a, b) = (leaves(c.old.as_ref()), leaves(c.new.as_ref()));
    let wildcard = |s: &BTreeSet<String>| s.iter().any(|x| x == "*" || x.ends_with(":*"));
    let broadened = b.difference(&a).count() > 0 || (wildcard(&b) && !wildcard(&a));
    let narrowed = a.difference(&b).count() > 0;
    // For Allow, more actions/resources/principals allow more; for Deny they protect more.
    // `Not*` fields invert that.
    let covers_more = match (broadened, narrowed) {
        (true, _) => true,
        (false, true) => false,
        (false, false) => return None,
    };
    let weakens = covers_more == (allow != negated);
    Some(if weakens {
        (
            Impact::Weakening,
            if allow {
                "a policy statement is broadened: it allows more"
            } else {
                "a Deny statement covers less"
            },
        )
    } else {
        (
            Impact::Strengthening,
            if allow {
                "a policy statement is narrowed: it allows less"
            } else {
                "a Deny statement covers more"
            },
        )
    })
}
