//! Secure defaults for every optional setting. The values follow
//! shared/reference/cloudformation-baseline.md: all GuardDuty protections on, a multi-region
//! trail with log validation and KMS, FSBP + CIS v5, Config with the service-linked role.

use super::types::*;

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            existing: Existing::Adopt,
            email: Vec::new(),
            slack: None,
            guardduty_min_severity: GuardDutySeverity::Medium,
            securityhub_severities: vec![SecurityHubSeverity::Critical, SecurityHubSeverity::High],
            config_noncompliant: true,
            suppress: Vec::new(),
        }
    }
}

impl Default for CloudTrail {
    fn default() -> Self {
        CloudTrail {
            enabled: true,
            existing: Existing::Adopt,
            data_events: DataEvents::default(),
            insights: false,
            log_retention_days: 365,
            archive_days: 2557,
            cis_alarms: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            existing: Existing::Adopt,
            delivery_frequency: DeliveryFrequency::TwentyFour_Hours,
            recording_frequency: RecordingFrequency::Continuous,
            rules: ConfigRules::Default,
            create_service_linked_role: None,
        }
    }
}

impl Default for GuardDuty {
    fn default() -> Self {
        GuardDuty {
            enabled: true,
            existing: Existing::Adopt,
            finding_frequency: FindingFrequency::FIFTEEN_MINUTES,
            features: GuardDutyFeatures::default(),
            s3_malware_protection: Vec::new(),
        }
    }
}

impl Default for GuardDutyFeatures {
    fn default() -> Self {
        GuardDutyFeatures {
            s3_data_events: true,
            eks_audit_logs: true,
            ebs_malware_protection: true,
            rds_login_events: true,
            lambda_network_logs: true,
            runtime_monitoring: true,
            eks_runtime_monitoring: false,
            runtime_agent_management: true,
        }
    }
}

impl Default for SecurityHub {
    fn default() -> Self {
        SecurityHub {
            enabled: true,
            existing: Existing::Adopt,
            standards: vec![Standard::Fsbp, Standard::CisV5],
            disabled_controls: Vec::new(),
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 14,
            reuse_prevention: 24,
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            allow_users_to_change: true,
            max_age_days: None,
            hard_expiry: false,
        }
    }
}

/// CloudWatch Logs accepts only these retention periods (days).
pub const LOG_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// Managed Config rules deployed by `rules: default`, with the scope they run in.
pub const DEFAULT_CONFIG_RULES: [&str; 21] = [
    "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
    "ROOT_ACCOUNT_MFA_ENABLED",
    "IAM_ROOT_ACCESS_KEY_CHECK",
    "IAM_PASSWORD_POLICY",
    "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    "IAM_USER_UNUSED_CREDENTIALS_CHECK",
    "ACCESS_KEYS_ROTATED",
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
    "S3_BUCKET_SSL_REQUESTS_ONLY",
    "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
    "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    "EC2_EBS_ENCRYPTION_BY_DEFAULT",
    "CMK_BACKING_KEY_ROTATION_ENABLED",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    "EC2_IMDSV2_CHECK",
    "GUARDDUTY_ENABLED_CENTRALIZED",
    "SECURITYHUB_ENABLED",
];

/// Rules about account-wide or global (IAM, trail) settings: evaluated once, in the home
/// region, to avoid duplicate evaluations and findings.
pub const HOME_ONLY_CONFIG_RULES: [&str; 12] = [
    "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
    "ROOT_ACCOUNT_MFA_ENABLED",
    "IAM_ROOT_ACCESS_KEY_CHECK",
    "IAM_PASSWORD_POLICY",
    "MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS",
    "IAM_USER_UNUSED_CREDENTIALS_CHECK",
    "ACCESS_KEYS_ROTATED",
    "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
];

impl Default for Network {
    fn default() -> Self {
        Network {
            enabled: true,
            default_security_group: DefaultSecurityGroup::Detect,
        }
    }
}

impl Default for Patching {
    fn default() -> Self {
        Patching {
            scan: true,
            install: PatchInstall::default(),
            default_host_management: false,
        }
    }
}

impl Default for PatchInstall {
    fn default() -> Self {
        PatchInstall {
            enabled: false,
            // Sunday 03:00.
            schedule: "cron(0 3 ? * SUN *)".into(),
            timezone: "Etc/UTC".into(),
            duration_hours: 3,
            reboot: PatchReboot::IfNeeded,
            tag: PatchTag {
                key: "Patch".into(),
                value: "install".into(),
            },
        }
    }
}

/// The network guardrails' AWS Config managed rules (AWS Config Developer Guide, managed
/// rules): SSH open to the internet in a security group, the common risky ports
/// (20, 21, 3389, 3306, 4333 by default) open to it, SSH or RDP open in a network ACL, and a
/// default security group with rules.
pub const NETWORK_CONFIG_RULES: [&str; 4] = [
    "INCOMING_SSH_DISABLED",
    "RESTRICTED_INCOMING_TRAFFIC",
    "NACL_NO_UNRESTRICTED_SSH_RDP",
    "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
];

/// Patch compliance of managed nodes, reported by the patching scan.
pub const PATCHING_CONFIG_RULE: &str = "EC2_MANAGEDINSTANCE_PATCH_COMPLIANCE_STATUS_CHECK";

impl Default for AccessAnalyzer {
    fn default() -> Self {
        AccessAnalyzer {
            enabled: true,
            existing: Existing::Adopt,
            unused_access: false,
            unused_access_age_days: 90,
        }
    }
}

impl Default for Waf {
    fn default() -> Self {
        Waf {
            enabled: false,
            rules: WafRules::default(),
            log_retention_days: 365,
        }
    }
}

impl Default for WafRules {
    fn default() -> Self {
        WafRules {
            common: WafAction::Block,
            known_bad_inputs: WafAction::Block,
            ip_reputation: WafAction::Block,
        }
    }
}

/// With `waf`: load balancers and API Gateway stages that no web ACL protects.
pub const WAF_CONFIG_RULES: [&str; 2] = ["ALB_WAF_ENABLED", "API_GW_ASSOCIATED_WITH_WAF"];

impl Default for Macie {
    fn default() -> Self {
        Macie {
            enabled: false,
            existing: Existing::Adopt,
            finding_frequency: FindingFrequency::FIFTEEN_MINUTES,
            automated_discovery: false,
            jobs: Vec::new(),
        }
    }
}

impl Default for AccountLevelSettings {
    fn default() -> Self {
        AccountLevelSettings {
            ebs_encryption_by_default: true,
            s3_block_public_access: true,
            imdsv2_by_default: true,
            ssm_documents_public_sharing_blocked: true,
            ami_public_sharing_blocked: true,
            snapshot_public_sharing_blocked: true,
        }
    }
}

impl Default for Inspector {
    fn default() -> Self {
        Inspector {
            enabled: false,
            scan: vec![
                InspectorScan::Ec2,
                InspectorScan::Ecr,
                InspectorScan::Lambda,
            ],
        }
    }
}
