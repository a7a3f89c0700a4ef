//! The IAM permissions a baseline needs from the principal that deploys it: the service API
//! operations the tool calls (one table, `SDK_OPERATIONS`, which a test holds to the calls
//! in `src/aws`), the actions CloudFormation takes with the caller's credentials to create,
//! update and delete each resource type the templates use (`RESOURCE_ACTIONS`, held by a
//! test to every type the templates render), the roles it passes and the service-linked
//! roles the services create. Pure: it reads the baseline and the render, never AWS.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value as Json};

use crate::baseline::{regions::partition, Baseline, DeploymentMode};
use crate::plan::Component;
use crate::render::RenderedStack;
use crate::settings::{self, Setting};

/// What a run needs the permission for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Every run: who the caller is, the stacks, change sets, drift detection, regions.
    Always,
    /// `deployment.mode: stacksets`.
    StackSets,
    /// Finding what a component's stacks would create or import (discovery).
    Discover(Component),
    /// Security Hub's controls, where a hub runs.
    Controls,
    /// A setting outside CloudFormation.
    Setting(Setting),
    /// `alerts test`.
    AlertsTest,
}

/// One service operation the tool sends: the SDK's name for it (as `src/aws` calls it),
/// the IAM action it needs, and when.
pub struct Operation {
    pub sdk: &'static str,
    pub action: &'static str,
    pub need: Need,
}

const fn op(sdk: &'static str, action: &'static str, need: Need) -> Operation {
    Operation { sdk, action, need }
}

use Need::*;

/// Every service operation the tool calls. An operation that several services share a name
/// for (`list_members`) has a row per service.
pub const SDK_OPERATIONS: &[Operation] = &[
    // Who the caller is; the regions an account has enabled.
    op("get_caller_identity", "sts:GetCallerIdentity", Always),
    op("describe_regions", "ec2:DescribeRegions", Always),
    // Stacks and change sets.
    op("describe_stacks", "cloudformation:DescribeStacks", Always),
    op("get_template", "cloudformation:GetTemplate", Always),
    op(
        "create_change_set",
        "cloudformation:CreateChangeSet",
        Always,
    ),
    op(
        "describe_change_set",
        "cloudformation:DescribeChangeSet",
        Always,
    ),
    op(
        "execute_change_set",
        "cloudformation:ExecuteChangeSet",
        Always,
    ),
    op(
        "delete_change_set",
        "cloudformation:DeleteChangeSet",
        Always,
    ),
    op("delete_stack", "cloudformation:DeleteStack", Always),
    op(
        "describe_stack_events",
        "cloudformation:DescribeStackEvents",
        Always,
    ),
    op(
        "update_termination_protection",
        "cloudformation:UpdateTerminationProtection",
        Always,
    ),
    op(
        "detect_stack_drift",
        "cloudformation:DetectStackDrift",
        Always,
    ),
    op(
        "describe_stack_drift_detection_status",
        "cloudformation:DescribeStackDriftDetectionStatus",
        Always,
    ),
    op(
        "describe_stack_resource_drifts",
        "cloudformation:DescribeStackResourceDrifts",
        Always,
    ),
    // Stack sets.
    op(
        "describe_stack_set",
        "cloudformation:DescribeStackSet",
        StackSets,
    ),
    op(
        "create_stack_set",
        "cloudformation:CreateStackSet",
        StackSets,
    ),
    op(
        "update_stack_set",
        "cloudformation:UpdateStackSet",
        StackSets,
    ),
    op(
        "delete_stack_set",
        "cloudformation:DeleteStackSet",
        StackSets,
    ),
    op("list_stack_sets", "cloudformation:ListStackSets", StackSets),
    op(
        "list_stack_instances",
        "cloudformation:ListStackInstances",
        StackSets,
    ),
    op(
        "create_stack_instances",
        "cloudformation:CreateStackInstances",
        StackSets,
    ),
    op(
        "delete_stack_instances",
        "cloudformation:DeleteStackInstances",
        StackSets,
    ),
    op(
        "describe_stack_set_operation",
        "cloudformation:DescribeStackSetOperation",
        StackSets,
    ),
    op(
        "list_stack_set_operation_results",
        "cloudformation:ListStackSetOperationResults",
        StackSets,
    ),
    op(
        "detect_stack_set_drift",
        "cloudformation:DetectStackSetDrift",
        StackSets,
    ),
    op("get_role", "iam:GetRole", StackSets),
    // Discovery: what exists that a stack would create or import.
    op("list_topics", "sns:ListTopics", Discover(Component::Alerts)),
    op(
        "describe_rule",
        "events:DescribeRule",
        Discover(Component::Alerts),
    ),
    op(
        "describe_slack_channel_configurations",
        "chatbot:DescribeSlackChannelConfigurations",
        Discover(Component::Alerts),
    ),
    op(
        "list_aliases",
        "kms:ListAliases",
        Discover(Component::Alerts),
    ),
    op(
        "describe_trails",
        "cloudtrail:DescribeTrails",
        Discover(Component::Cloudtrail),
    ),
    op(
        "head_bucket",
        "s3:ListBucket",
        Discover(Component::Cloudtrail),
    ),
    op(
        "describe_log_groups",
        "logs:DescribeLogGroups",
        Discover(Component::Cloudtrail),
    ),
    op(
        "describe_configuration_recorders",
        "config:DescribeConfigurationRecorders",
        Discover(Component::Config),
    ),
    op(
        "describe_delivery_channels",
        "config:DescribeDeliveryChannels",
        Discover(Component::Config),
    ),
    op("list_roles", "iam:ListRoles", Discover(Component::Config)),
    op(
        "list_detectors",
        "guardduty:ListDetectors",
        Discover(Component::Guardduty),
    ),
    op(
        "get_detector",
        "guardduty:GetDetector",
        Discover(Component::Guardduty),
    ),
    op(
        "get_administrator_account",
        "guardduty:GetAdministratorAccount",
        Discover(Component::Guardduty),
    ),
    op(
        "describe_hub",
        "securityhub:DescribeHub",
        Discover(Component::Securityhub),
    ),
    op(
        "get_enabled_standards",
        "securityhub:GetEnabledStandards",
        Discover(Component::Securityhub),
    ),
    op(
        "describe_standards",
        "securityhub:DescribeStandards",
        Discover(Component::Securityhub),
    ),
    op(
        "get_administrator_account",
        "securityhub:GetAdministratorAccount",
        Discover(Component::Securityhub),
    ),
    op(
        "list_analyzers",
        "access-analyzer:ListAnalyzers",
        Discover(Component::AccessAnalyzer),
    ),
    op(
        "get_macie_session",
        "macie2:GetMacieSession",
        Discover(Component::Macie),
    ),
    op(
        "get_administrator_account",
        "macie2:GetAdministratorAccount",
        Discover(Component::Macie),
    ),
    op(
        "list_graphs",
        "detective:ListGraphs",
        Discover(Component::Detective),
    ),
    // Security Hub's controls.
    op(
        "describe_standards_controls",
        "securityhub:DescribeStandardsControls",
        Controls,
    ),
    op(
        "batch_get_standards_control_associations",
        "securityhub:BatchGetStandardsControlAssociations",
        Controls,
    ),
    op(
        "batch_update_standards_control_associations",
        "securityhub:BatchUpdateStandardsControlAssociations",
        Controls,
    ),
    // Settings outside CloudFormation.
    op(
        "get_account_password_policy",
        "iam:GetAccountPasswordPolicy",
        Setting(Setting::PasswordPolicy),
    ),
    op(
        "update_account_password_policy",
        "iam:UpdateAccountPasswordPolicy",
        Setting(Setting::PasswordPolicy),
    ),
    op(
        "get_alternate_contact",
        "account:GetAlternateContact",
        Setting(Setting::SecurityContact),
    ),
    op(
        "put_alternate_contact",
        "account:PutAlternateContact",
        Setting(Setting::SecurityContact),
    ),
    op(
        "get_public_access_block",
        "s3:GetAccountPublicAccessBlock",
        Setting(Setting::S3PublicAccessBlock),
    ),
    op(
        "put_public_access_block",
        "s3:PutAccountPublicAccessBlock",
        Setting(Setting::S3PublicAccessBlock),
    ),
    op(
        "batch_get_account_status",
        "inspector2:BatchGetAccountStatus",
        Setting(Setting::Inspector),
    ),
    op("enable", "inspector2:Enable", Setting(Setting::Inspector)),
    op(
        "get_ebs_encryption_by_default",
        "ec2:GetEbsEncryptionByDefault",
        Setting(Setting::EbsEncryption),
    ),
    op(
        "enable_ebs_encryption_by_default",
        "ec2:EnableEbsEncryptionByDefault",
        Setting(Setting::EbsEncryption),
    ),
    op(
        "get_instance_metadata_defaults",
        "ec2:GetInstanceMetadataDefaults",
        Setting(Setting::Imdsv2Default),
    ),
    op(
        "modify_instance_metadata_defaults",
        "ec2:ModifyInstanceMetadataDefaults",
        Setting(Setting::Imdsv2Default),
    ),
    op(
        "get_snapshot_block_public_access_state",
        "ec2:GetSnapshotBlockPublicAccessState",
        Setting(Setting::SnapshotPublicAccess),
    ),
    op(
        "enable_snapshot_block_public_access",
        "ec2:EnableSnapshotBlockPublicAccess",
        Setting(Setting::SnapshotPublicAccess),
    ),
    op(
        "get_image_block_public_access_state",
        "ec2:GetImageBlockPublicAccessState",
        Setting(Setting::ImagePublicAccess),
    ),
    op(
        "enable_image_block_public_access",
        "ec2:EnableImageBlockPublicAccess",
        Setting(Setting::ImagePublicAccess),
    ),
    op(
        "get_service_setting",
        "ssm:GetServiceSetting",
        Setting(Setting::SsmDocumentSharing),
    ),
    op(
        "update_service_setting",
        "ssm:UpdateServiceSetting",
        Setting(Setting::SsmDocumentSharing),
    ),
    op(
        "get_service_setting",
        "ssm:GetServiceSetting",
        Setting(Setting::DefaultHostManagement),
    ),
    op(
        "update_service_setting",
        "ssm:UpdateServiceSetting",
        Setting(Setting::DefaultHostManagement),
    ),
    op(
        "describe_subscription",
        "shield:DescribeSubscription",
        Setting(Setting::ShieldAdvanced),
    ),
    op(
        "list_protections",
        "shield:ListProtections",
        Setting(Setting::ShieldAdvanced),
    ),
    op(
        "describe_emergency_contact_settings",
        "shield:DescribeEmergencyContactSettings",
        Setting(Setting::ShieldAdvanced),
    ),
    op(
        "create_protection",
        "shield:CreateProtection",
        Setting(Setting::ShieldAdvanced),
    ),
    op(
        "associate_proactive_engagement_details",
        "shield:AssociateProactiveEngagementDetails",
        Setting(Setting::ShieldAdvanced),
    ),
    op(
        "update_emergency_contact_settings",
        "shield:UpdateEmergencyContactSettings",
        Setting(Setting::ShieldAdvanced),
    ),
    op(
        "enable_proactive_engagement",
        "shield:EnableProactiveEngagement",
        Setting(Setting::ShieldAdvanced),
    ),
    op(
        "list_classification_jobs",
        "macie2:ListClassificationJobs",
        Setting(Setting::MacieJobs),
    ),
    op(
        "describe_classification_job",
        "macie2:DescribeClassificationJob",
        Setting(Setting::MacieJobs),
    ),
    op(
        "create_classification_job",
        "macie2:CreateClassificationJob",
        Setting(Setting::MacieJobs),
    ),
    op(
        "update_classification_job",
        "macie2:UpdateClassificationJob",
        Setting(Setting::MacieJobs),
    ),
    // An organization: the management account's delegations.
    op(
        "list_aws_service_access_for_organization",
        "organizations:ListAWSServiceAccessForOrganization",
        Setting(Setting::OrgDelegations),
    ),
    op(
        "list_delegated_administrators",
        "organizations:ListDelegatedAdministrators",
        Setting(Setting::OrgDelegations),
    ),
    op(
        "list_delegated_services_for_account",
        "organizations:ListDelegatedServicesForAccount",
        Setting(Setting::OrgDelegations),
    ),
    op(
        "enable_aws_service_access",
        "organizations:EnableAWSServiceAccess",
        Setting(Setting::OrgDelegations),
    ),
    op(
        "register_delegated_administrator",
        "organizations:RegisterDelegatedAdministrator",
        Setting(Setting::OrgDelegations),
    ),
    // ... and each service's delegated administrator, named through the service.
    op(
        "list_organization_admin_accounts",
        "guardduty:ListOrganizationAdminAccounts",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "list_organization_admin_accounts",
        "securityhub:ListOrganizationAdminAccounts",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "list_organization_admin_accounts",
        "macie2:ListOrganizationAdminAccounts",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "list_organization_admin_accounts",
        "detective:ListOrganizationAdminAccounts",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "list_delegated_admin_accounts",
        "inspector2:ListDelegatedAdminAccounts",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "enable_organization_admin_account",
        "guardduty:EnableOrganizationAdminAccount",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "enable_organization_admin_account",
        "securityhub:EnableOrganizationAdminAccount",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "enable_organization_admin_account",
        "macie2:EnableOrganizationAdminAccount",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "enable_organization_admin_account",
        "detective:EnableOrganizationAdminAccount",
        Setting(Setting::OrgServiceAdmins),
    ),
    op(
        "enable_delegated_admin_account",
        "inspector2:EnableDelegatedAdminAccount",
        Setting(Setting::OrgServiceAdmins),
    ),
    // The security account's organization configurations and members.
    op(
        "list_detectors",
        "guardduty:ListDetectors",
        Setting(Setting::OrgGuardDuty),
    ),
    op(
        "describe_organization_configuration",
        "guardduty:DescribeOrganizationConfiguration",
        Setting(Setting::OrgGuardDuty),
    ),
    op(
        "update_organization_configuration",
        "guardduty:UpdateOrganizationConfiguration",
        Setting(Setting::OrgGuardDuty),
    ),
    op(
        "describe_organization_configuration",
        "securityhub:DescribeOrganizationConfiguration",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "update_organization_configuration",
        "securityhub:UpdateOrganizationConfiguration",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "list_members",
        "securityhub:ListMembers",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "create_members",
        "securityhub:CreateMembers",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "list_configuration_policies",
        "securityhub:ListConfigurationPolicies",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "list_configuration_policy_associations",
        "securityhub:ListConfigurationPolicyAssociations",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "get_configuration_policy",
        "securityhub:GetConfigurationPolicy",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "create_configuration_policy",
        "securityhub:CreateConfigurationPolicy",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "update_configuration_policy",
        "securityhub:UpdateConfigurationPolicy",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "start_configuration_policy_association",
        "securityhub:StartConfigurationPolicyAssociation",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "list_roots",
        "organizations:ListRoots",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "list_accounts_for_parent",
        "organizations:ListAccountsForParent",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "list_organizational_units_for_parent",
        "organizations:ListOrganizationalUnitsForParent",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "describe_account",
        "organizations:DescribeAccount",
        Setting(Setting::OrgSecurityHub),
    ),
    op(
        "describe_organization_configuration",
        "macie2:DescribeOrganizationConfiguration",
        Setting(Setting::OrgMacie),
    ),
    op(
        "update_organization_configuration",
        "macie2:UpdateOrganizationConfiguration",
        Setting(Setting::OrgMacie),
    ),
    op(
        "list_members",
        "macie2:ListMembers",
        Setting(Setting::OrgMacie),
    ),
    op(
        "create_member",
        "macie2:CreateMember",
        Setting(Setting::OrgMacie),
    ),
    op(
        "describe_account",
        "organizations:DescribeAccount",
        Setting(Setting::OrgMacie),
    ),
    op(
        "describe_organization_configuration",
        "inspector2:DescribeOrganizationConfiguration",
        Setting(Setting::OrgInspector),
    ),
    op(
        "update_organization_configuration",
        "inspector2:UpdateOrganizationConfiguration",
        Setting(Setting::OrgInspector),
    ),
    op(
        "list_members",
        "inspector2:ListMembers",
        Setting(Setting::OrgInspectorMembers),
    ),
    op(
        "batch_get_account_status",
        "inspector2:BatchGetAccountStatus",
        Setting(Setting::OrgInspectorMembers),
    ),
    op(
        "associate_member",
        "inspector2:AssociateMember",
        Setting(Setting::OrgInspectorMembers),
    ),
    op(
        "enable",
        "inspector2:Enable",
        Setting(Setting::OrgInspectorMembers),
    ),
    op(
        "list_graphs",
        "detective:ListGraphs",
        Setting(Setting::OrgDetective),
    ),
    op(
        "describe_organization_configuration",
        "detective:DescribeOrganizationConfiguration",
        Setting(Setting::OrgDetective),
    ),
    op(
        "update_organization_configuration",
        "detective:UpdateOrganizationConfiguration",
        Setting(Setting::OrgDetective),
    ),
    op(
        "list_members",
        "detective:ListMembers",
        Setting(Setting::OrgDetective),
    ),
    op(
        "create_members",
        "detective:CreateMembers",
        Setting(Setting::OrgDetective),
    ),
    // alerts test.
    op("get_topic_attributes", "sns:GetTopicAttributes", AlertsTest),
    op(
        "list_subscriptions_by_topic",
        "sns:ListSubscriptionsByTopic",
        AlertsTest,
    ),
    op("publish", "sns:Publish", AlertsTest),
    op(
        "create_sample_findings",
        "guardduty:CreateSampleFindings",
        AlertsTest,
    ),
    op("list_detectors", "guardduty:ListDetectors", AlertsTest),
];

/// What CloudFormation does with the caller's credentials for each resource type the
/// templates use: the permissions its create, read, update, delete and list handlers
/// document in the type's schema (`handlers.*.permissions`), which a caller without a
/// CloudFormation service role needs.
pub const RESOURCE_ACTIONS: &[(&str, &[&str])] = &[
    (
        "AWS::AccessAnalyzer::Analyzer",
        &[
            "access-analyzer:CreateAnalyzer",
            "access-analyzer:GetAnalyzer",
            "access-analyzer:UpdateAnalyzer",
            "access-analyzer:DeleteAnalyzer",
            "access-analyzer:ListAnalyzers",
            "access-analyzer:ListArchiveRules",
            "access-analyzer:TagResource",
            "access-analyzer:UntagResource",
            "access-analyzer:ListTagsForResource",
            "iam:CreateServiceLinkedRole",
            "organizations:ListAWSServiceAccessForOrganization",
            "organizations:ListDelegatedAdministrators",
        ],
    ),
    (
        "AWS::Chatbot::SlackChannelConfiguration",
        &[
            "chatbot:CreateSlackChannelConfiguration",
            "chatbot:DescribeSlackChannelConfigurations",
            "chatbot:UpdateSlackChannelConfiguration",
            "chatbot:DeleteSlackChannelConfiguration",
            "chatbot:TagResource",
            "chatbot:UntagResource",
            "chatbot:ListTagsForResource",
            "iam:PassRole",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::CloudTrail::Trail",
        &[
            "cloudtrail:CreateTrail",
            "cloudtrail:UpdateTrail",
            "cloudtrail:DeleteTrail",
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrail",
            "cloudtrail:GetTrailStatus",
            "cloudtrail:StartLogging",
            "cloudtrail:StopLogging",
            "cloudtrail:GetEventSelectors",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:GetInsightSelectors",
            "cloudtrail:PutInsightSelectors",
            "cloudtrail:AddTags",
            "cloudtrail:RemoveTags",
            "cloudtrail:ListTags",
            "iam:GetRole",
            "iam:PassRole",
            "iam:CreateServiceLinkedRole",
            "organizations:DescribeOrganization",
            "organizations:ListAWSServiceAccessForOrganization",
        ],
    ),
    (
        "AWS::CloudWatch::Alarm",
        &[
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
            "cloudwatch:ListTagsForResource",
        ],
    ),
    (
        "AWS::Config::ConfigRule",
        &[
            "config:PutConfigRule",
            "config:DescribeConfigRules",
            "config:DescribeConfigRuleEvaluationStatus",
            "config:DeleteConfigRule",
            "config:TagResource",
            "config:UntagResource",
            "config:ListTagsForResource",
        ],
    ),
    (
        "AWS::Config::ConfigurationAggregator",
        &[
            "config:PutConfigurationAggregator",
            "config:DescribeConfigurationAggregators",
            "config:DeleteConfigurationAggregator",
            "config:TagResource",
            "config:UntagResource",
            "config:ListTagsForResource",
            "iam:PassRole",
            "organizations:EnableAWSServiceAccess",
            "organizations:ListDelegatedAdministrators",
        ],
    ),
    (
        "AWS::Config::ConfigurationRecorder",
        &[
            "config:PutConfigurationRecorder",
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:StartConfigurationRecorder",
            "config:StopConfigurationRecorder",
            "config:DeleteConfigurationRecorder",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::Config::DeliveryChannel",
        &[
            "config:PutDeliveryChannel",
            "config:DescribeDeliveryChannels",
            "config:DeleteDeliveryChannel",
        ],
    ),
    (
        "AWS::Config::RemediationConfiguration",
        &[
            "config:PutRemediationConfigurations",
            "config:DescribeRemediationConfigurations",
            "config:DeleteRemediationConfiguration",
        ],
    ),
    (
        "AWS::Detective::Graph",
        &[
            "detective:CreateGraph",
            "detective:DeleteGraph",
            "detective:ListGraphs",
            "detective:TagResource",
            "detective:UntagResource",
            "detective:ListTagsForResource",
            "detective:DescribeOrganizationConfiguration",
            "detective:UpdateOrganizationConfiguration",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::Events::Rule",
        &[
            "events:PutRule",
            "events:DescribeRule",
            "events:DeleteRule",
            "events:PutTargets",
            "events:RemoveTargets",
            "events:ListTargetsByRule",
        ],
    ),
    (
        "AWS::GuardDuty::Detector",
        &[
            "guardduty:CreateDetector",
            "guardduty:GetDetector",
            "guardduty:UpdateDetector",
            "guardduty:DeleteDetector",
            "guardduty:ListDetectors",
            "guardduty:TagResource",
            "guardduty:UntagResource",
            "guardduty:ListTagsForResource",
            "iam:GetRole",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::GuardDuty::MalwareProtectionPlan",
        &[
            "guardduty:CreateMalwareProtectionPlan",
            "guardduty:GetMalwareProtectionPlan",
            "guardduty:UpdateMalwareProtectionPlan",
            "guardduty:DeleteMalwareProtectionPlan",
            "guardduty:ListMalwareProtectionPlans",
            "guardduty:TagResource",
            "guardduty:UntagResource",
            "iam:GetRole",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::IAM::Role",
        &[
            "iam:CreateRole",
            "iam:GetRole",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
            "iam:UpdateAssumeRolePolicy",
            "iam:DeleteRole",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:ListRoleTags",
            "iam:PutRolePolicy",
            "iam:GetRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:ListRolePolicies",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:ListAttachedRolePolicies",
        ],
    ),
    (
        "AWS::IAM::ServiceLinkedRole",
        &[
            "iam:CreateServiceLinkedRole",
            "iam:GetRole",
            "iam:DeleteServiceLinkedRole",
            "iam:GetServiceLinkedRoleDeletionStatus",
        ],
    ),
    (
        "AWS::KMS::Alias",
        &[
            "kms:CreateAlias",
            "kms:UpdateAlias",
            "kms:DeleteAlias",
            "kms:ListAliases",
        ],
    ),
    (
        "AWS::KMS::Key",
        &[
            "kms:CreateKey",
            "kms:DescribeKey",
            "kms:EnableKey",
            "kms:DisableKey",
            "kms:EnableKeyRotation",
            "kms:DisableKeyRotation",
            "kms:GetKeyRotationStatus",
            "kms:GetKeyPolicy",
            "kms:PutKeyPolicy",
            "kms:UpdateKeyDescription",
            "kms:ScheduleKeyDeletion",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:ListResourceTags",
        ],
    ),
    (
        "AWS::Logs::LogGroup",
        &[
            "logs:CreateLogGroup",
            "logs:DescribeLogGroups",
            "logs:DeleteLogGroup",
            "logs:PutRetentionPolicy",
            "logs:DeleteRetentionPolicy",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            "logs:TagResource",
            "logs:UntagResource",
            "logs:ListTagsForResource",
        ],
    ),
    (
        "AWS::Logs::MetricFilter",
        &[
            "logs:PutMetricFilter",
            "logs:DescribeMetricFilters",
            "logs:DeleteMetricFilter",
        ],
    ),
    (
        "AWS::Macie::Session",
        &[
            "macie2:EnableMacie",
            "macie2:GetMacieSession",
            "macie2:UpdateMacieSession",
            "macie2:DisableMacie",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::S3::Bucket",
        &[
            "s3:CreateBucket",
            "s3:DeleteBucket",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
            "s3:GetBucketVersioning",
            "s3:PutBucketVersioning",
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
            "s3:GetBucketLogging",
            "s3:PutBucketLogging",
            "s3:GetLifecycleConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:GetBucketOwnershipControls",
            "s3:PutBucketOwnershipControls",
            "s3:GetBucketTagging",
            "s3:PutBucketTagging",
        ],
    ),
    (
        "AWS::S3::BucketPolicy",
        &[
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ],
    ),
    (
        "AWS::SNS::Subscription",
        &[
            "sns:Subscribe",
            "sns:Unsubscribe",
            "sns:GetSubscriptionAttributes",
            "sns:SetSubscriptionAttributes",
            "sns:ListSubscriptionsByTopic",
        ],
    ),
    (
        "AWS::SNS::Topic",
        &[
            "sns:CreateTopic",
            "sns:DeleteTopic",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListTopics",
            "sns:TagResource",
            "sns:UntagResource",
            "sns:ListTagsForResource",
        ],
    ),
    (
        "AWS::SNS::TopicPolicy",
        &["sns:GetTopicAttributes", "sns:SetTopicAttributes"],
    ),
    (
        "AWS::SSM::Association",
        &[
            "ssm:CreateAssociation",
            "ssm:DescribeAssociation",
            "ssm:UpdateAssociation",
            "ssm:DeleteAssociation",
            "ssm:ListAssociations",
        ],
    ),
    (
        "AWS::SSM::MaintenanceWindow",
        &[
            "ssm:CreateMaintenanceWindow",
            "ssm:GetMaintenanceWindow",
            "ssm:UpdateMaintenanceWindow",
            "ssm:DeleteMaintenanceWindow",
            "ssm:AddTagsToResource",
            "ssm:RemoveTagsFromResource",
            "ssm:ListTagsForResource",
        ],
    ),
    (
        "AWS::SSM::MaintenanceWindowTarget",
        &[
            "ssm:RegisterTargetWithMaintenanceWindow",
            "ssm:DescribeMaintenanceWindowTargets",
            "ssm:UpdateMaintenanceWindowTarget",
            "ssm:DeregisterTargetFromMaintenanceWindow",
        ],
    ),
    (
        "AWS::SSM::MaintenanceWindowTask",
        &[
            "ssm:RegisterTaskWithMaintenanceWindow",
            "ssm:GetMaintenanceWindowTask",
            "ssm:DescribeMaintenanceWindowTasks",
            "ssm:UpdateMaintenanceWindowTask",
            "ssm:DeregisterTaskFromMaintenanceWindow",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::SecurityHub::FindingAggregator",
        &[
            "securityhub:CreateFindingAggregator",
            "securityhub:GetFindingAggregator",
            "securityhub:UpdateFindingAggregator",
            "securityhub:DeleteFindingAggregator",
            "securityhub:ListFindingAggregators",
        ],
    ),
    (
        "AWS::SecurityHub::Hub",
        &[
            "securityhub:EnableSecurityHub",
            "securityhub:DescribeHub",
            "securityhub:UpdateSecurityHubConfiguration",
            "securityhub:DisableSecurityHub",
            "securityhub:GetEnabledStandards",
            "securityhub:TagResource",
            "securityhub:UntagResource",
            "securityhub:ListTagsForResource",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "AWS::SecurityHub::Standard",
        &[
            "securityhub:BatchEnableStandards",
            "securityhub:BatchDisableStandards",
            "securityhub:GetEnabledStandards",
            "securityhub:BatchGetStandardsControlAssociations",
            "securityhub:BatchUpdateStandardsControlAssociations",
        ],
    ),
    (
        "AWS::WAFv2::LoggingConfiguration",
        &[
            "wafv2:PutLoggingConfiguration",
            "wafv2:GetLoggingConfiguration",
            "wafv2:DeleteLoggingConfiguration",
            "logs:CreateLogDelivery",
            "logs:DeleteLogDelivery",
            "logs:PutResourcePolicy",
            "logs:DescribeResourcePolicies",
            "logs:DescribeLogGroups",
        ],
    ),
    (
        "AWS::WAFv2::WebACL",
        &[
            "wafv2:CreateWebACL",
            "wafv2:GetWebACL",
            "wafv2:UpdateWebACL",
            "wafv2:DeleteWebACL",
            "wafv2:ListWebACLs",
            "wafv2:TagResource",
            "wafv2:UntagResource",
            "wafv2:ListTagsForResource",
        ],
    ),
];

/// The service principals whose service-linked roles the baseline's services create when
/// they are switched on with the caller's credentials.
const SERVICE_LINKED: &[(Component, &str)] = &[
    (Component::Cloudtrail, "cloudtrail.amazonaws.com"),
    (Component::Config, "config.amazonaws.com"),
    (Component::Guardduty, "guardduty.amazonaws.com"),
    (
        Component::Guardduty,
        "malware-protection.guardduty.amazonaws.com",
    ),
    (Component::Securityhub, "securityhub.amazonaws.com"),
    (Component::AccessAnalyzer, "access-analyzer.amazonaws.com"),
    (Component::Macie, "macie.amazonaws.com"),
    (Component::Detective, "detective.amazonaws.com"),
    (Component::Alerts, "management.chatbot.amazonaws.com"),
];

/// Who the policy is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `deploy`, `drift --reapply` and `alerts test`: everything.
    Deploy,
    /// `plan`, live `diff` and `drift`: every read, plus creating and deleting the change
    /// sets a plan shows and running drift detection, which change nothing deployed.
    Plan,
}

/// The SDK operations a plan may send that are not reads.
const PLAN_WRITES: &[&str] = &[
    "create_change_set",
    "delete_change_set",
    "detect_stack_drift",
    "detect_stack_set_drift",
];

fn is_read_sdk(sdk: &str) -> bool {
    ["describe_", "list_", "get_", "head_", "batch_get_"]
        .iter()
        .any(|p| sdk.starts_with(p))
}

fn is_read_action(action: &str) -> bool {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    ["Describe", "List", "Get", "BatchGet"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// What a baseline uses, as far as permissions go.
struct Needs<'a> {
    baseline: &'a Baseline,
    components: BTreeSet<&'static str>,
    settings: BTreeSet<Setting>,
    stack_sets: bool,
    purpose: Purpose,
}

impl Needs<'_> {
    fn has(&self, c: Component) -> bool {
        self.components.contains(c.as_str())
    }

    /// Whether the run sends this operation.
    fn sends(&self, o: &Operation) -> bool {
        let needed = match o.need {
            Always => true,
            StackSets => self.stack_sets,
            Discover(c) => self.has(c),
            Controls => self.has(Component::Securityhub),
            // Shield Advanced is read everywhere; written only where the baseline asks.
            Setting(Setting::ShieldAdvanced) => {
                self.settings.contains(&Setting::ShieldAdvanced)
                    && (is_read_sdk(o.sdk) || shield_writes(self.baseline))
            }
            Setting(s) => self.settings.contains(&s),
            AlertsTest => self.purpose == Purpose::Deploy && self.has(Component::Alerts),
        };
        needed
            && (self.purpose == Purpose::Deploy
                || is_read_sdk(o.sdk)
                || PLAN_WRITES.contains(&o.sdk))
    }

    /// Every action but `iam:PassRole` and `iam:CreateServiceLinkedRole`, by service.
    fn actions(&self, stacks: &[RenderedStack]) -> BTreeMap<String, BTreeSet<String>> {
        let mut actions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut add = |action: &str| {
            let (service, _) = action.split_once(':').expect("service:Action");
            actions
                .entry(service.to_string())
                .or_default()
                .insert(action.to_string());
        };
        SDK_OPERATIONS
            .iter()
            .filter(|o| self.sends(o))
            .for_each(|o| add(o.action));
        let types: BTreeSet<&str> = stacks
            .iter()
            .filter_map(|s| s.template.resources())
            .flat_map(|r| r.values())
            .filter_map(|r| r.get("Type").and_then(Json::as_str))
            .collect();
        RESOURCE_ACTIONS
            .iter()
            .filter(|(ty, _)| types.contains(ty))
            .flat_map(|(_, list)| list.iter())
            .filter(|a| **a != "iam:PassRole" && **a != "iam:CreateServiceLinkedRole")
            .filter(|a| self.purpose == Purpose::Deploy || is_read_action(a))
            .for_each(|a| add(a));
        if self.purpose == Purpose::Deploy && !self.baseline.file.shield.protections.is_empty() {
            // CreateProtection checks that the caller may see the resource it protects.
            [
                "elasticloadbalancing:DescribeLoadBalancers",
                "cloudfront:GetDistribution",
                "globalaccelerator:DescribeAccelerator",
                "route53:GetHostedZone",
                "ec2:DescribeAddresses",
            ]
            .into_iter()
            .for_each(add);
        }
        actions
    }
}

/// The least-privilege IAM policy (a JSON policy document) the principal that runs the tool
/// for this baseline needs, in every account it deploys to: one statement per service,
/// sorted, so the same baseline always prints the same policy.
///
/// `stacks` is the baseline's render: which components have stacks and which resource types
/// they hold.
pub fn policy(baseline: &Baseline, stacks: &[RenderedStack], purpose: Purpose) -> Json {
    let needs = Needs {
        baseline,
        components: stacks.iter().map(|s| s.spec.component.as_str()).collect(),
        settings: settings::wanted_setting_kinds(baseline),
        stack_sets: baseline.file.deployment.mode == DeploymentMode::Stacksets,
        purpose,
    };
    let mut actions = needs.actions(stacks);
    let part = partition(baseline.home_region());
    let name = baseline.name();
    let mut statements = cloudformation_statements(
        actions.remove("cloudformation").unwrap_or_default(),
        part,
        name,
        needs.stack_sets,
    );
    let mut iam = actions.remove("iam").unwrap_or_default();
    let service_linked: Vec<String> = iam
        .iter()
        .filter(|a| a.contains("ServiceLinkedRole"))
        .cloned()
        .collect();
    iam.retain(|a| !a.contains("ServiceLinkedRole"));
    if !service_linked.is_empty() {
        statements.push(statement(
            "ServiceLinkedRoleLifecycle",
            service_linked,
            json!(format!("arn:{part}:iam::*:role/aws-service-role/*")),
        ));
    }
    // The baseline's own roles (named after its stacks) are managed by name only.
    let own_roles = vec![
        format!("arn:{part}:iam::*:role/{name}-*"),
        format!("arn:{part}:iam::*:role/service-role/{name}-*"),
    ];
    let (iam_roles, iam_other): (Vec<String>, Vec<String>) = iam.into_iter().partition(|a| {
        let n = a.trim_start_matches("iam:");
        n.contains("Role") && n != "ListRoles" && n != "GetRole"
    });
    if !iam_roles.is_empty() {
        statements.push(statement("BaselineRoles", iam_roles, json!(own_roles)));
    }
    for (service, list) in actions {
        let read = if purpose == Purpose::Plan { "Read" } else { "" };
        let sid = format!("{}{read}", title(&service));
        statements.push(statement(&sid, list.into_iter().collect(), json!("*")));
    }
    if !iam_other.is_empty() {
        statements.push(statement("Iam", iam_other, json!("*")));
    }
    if purpose == Purpose::Deploy {
        statements.extend(role_statements(&needs, part, own_roles));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The stacks, change sets and stack sets, by the baseline's names; reads of stacks and
/// sets by any name (listing needs `*`).
fn cloudformation_statements(
    actions: BTreeSet<String>,
    part: &str,
    name: &str,
    stack_sets: bool,
) -> Vec<Json> {
    let (scoped, any): (Vec<String>, Vec<String>) = actions.into_iter().partition(|a| {
        !matches!(
            a.as_str(),
            "cloudformation:DescribeStacks"
                | "cloudformation:ListStackSets"
                | "cloudformation:DescribeStackDriftDetectionStatus"
        )
    });
    let mut statements = Vec::new();
    if !scoped.is_empty() {
        let mut resources = vec![
            format!("arn:{part}:cloudformation:*:*:stack/{name}-*/*"),
            format!("arn:{part}:cloudformation:*:*:changeSet/cfn-baseline-*/*"),
        ];
        if stack_sets {
            resources.push(format!("arn:{part}:cloudformation:*:*:stackset/{name}-*:*"));
            resources.push(format!(
                "arn:{part}:cloudformation:*:*:stackset-target/{name}-*:*/*"
            ));
            resources.push(format!("arn:{part}:cloudformation:*::type/resource/*"));
        }
        statements.push(statement(
            "CloudFormationBaselineStacks",
            scoped,
            json!(resources),
        ));
    }
    if !any.is_empty() {
        statements.push(statement("CloudFormationRead", any, json!("*")));
    }
    statements
}

/// Roles handed to services (the baseline's own, Config's service-linked role, the
/// stack-set administration role) and the service-linked roles the services create.
fn role_statements(needs: &Needs, part: &str, mut passed: Vec<String>) -> Vec<Json> {
    if needs.has(Component::Config) {
        passed.push(format!(
            "arn:{part}:iam::*:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
        ));
    }
    if needs.stack_sets {
        passed.push(format!(
            "arn:{part}:iam::*:role/{}",
            crate::stacksets::ADMINISTRATION_ROLE
        ));
    }
    let mut statements = vec![statement(
        "PassBaselineRoles",
        vec!["iam:PassRole".into()],
        json!(passed),
    )];
    let mut services: BTreeSet<&str> = SERVICE_LINKED
        .iter()
        .filter(|(c, _)| needs.has(*c))
        .map(|(_, s)| *s)
        .collect();
    if needs.settings.contains(&Setting::Inspector)
        || needs.settings.contains(&Setting::OrgInspectorMembers)
    {
        services.insert("inspector2.amazonaws.com");
    }
    if !needs.baseline.file.shield.protections.is_empty() {
        services.insert("shield.amazonaws.com");
    }
    if !services.is_empty() {
        let mut s = statement(
            "ServiceLinkedRoles",
            vec!["iam:CreateServiceLinkedRole".into()],
            json!(format!("arn:{part}:iam::*:role/aws-service-role/*")),
        );
        s["Condition"] = json!({"StringEquals": {"iam:AWSServiceName": services}});
        statements.push(s);
    }
    statements
}

/// Whether deploy writes Shield Advanced settings: protections or proactive engagement.
fn shield_writes(baseline: &Baseline) -> bool {
    let shield = &baseline.file.shield;
    !shield.protections.is_empty() || shield.proactive_engagement
}

/// IAM's limit on a managed policy's size, in characters without whitespace.
pub const MAX_MANAGED_POLICY_CHARS: usize = 6_144;

/// The policy as managed policies IAM accepts: its statements packed in order into
/// documents of at most [`MAX_MANAGED_POLICY_CHARS`], a statement too large for one split
/// by its actions (`Sid`, `Sid2`, ...).
pub fn managed_policies(document: &Json) -> Vec<Json> {
    let size = |statements: &[Json]| {
        json!({"Version": "2012-10-17", "Statement": statements})
            .to_string()
            .len()
    };
    let mut pieces = Vec::new();
    for s in document["Statement"].as_array().into_iter().flatten() {
        if size(std::slice::from_ref(s)) <= MAX_MANAGED_POLICY_CHARS {
            pieces.push(s.clone());
            continue;
        }
        let actions: Vec<Json> = s["Action"].as_array().cloned().unwrap_or_default();
        let mut part: Vec<Json> = Vec::new();
        let mut n = 1;
        let piece = |part: &[Json], n: usize| {
            let mut p = s.clone();
            p["Action"] = json!(part);
            if n > 1 {
                p["Sid"] = json!(format!("{}{n}", s["Sid"].as_str().unwrap_or_default()));
            }
            p
        };
        for a in actions {
            part.push(a);
            if size(&[piece(&part, n)]) > MAX_MANAGED_POLICY_CHARS {
                let last = part.pop().expect("just pushed");
                pieces.push(piece(&part, n));
                n += 1;
                part = vec![last];
            }
        }
        pieces.push(piece(&part, n));
    }
    let mut documents: Vec<Vec<Json>> = Vec::new();
    for p in pieces {
        match documents.last_mut() {
            Some(current)
                if size(&[current.as_slice(), std::slice::from_ref(&p)].concat())
                    <= MAX_MANAGED_POLICY_CHARS =>
            {
                current.push(p)
            }
            _ => documents.push(vec![p]),
        }
    }
    documents
        .into_iter()
        .map(|statements| json!({"Version": "2012-10-17", "Statement": statements}))
        .collect()
}

fn statement(sid: &str, actions: Vec<String>, resource: Json) -> Json {
    json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource})
}

/// `access-analyzer` -> `AccessAnalyzer`: an IAM statement id (letters and digits).
fn title(service: &str) -> String {
    service
        .split(|c: char| !c.is_ascii_alphanumeric())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|f| f.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
