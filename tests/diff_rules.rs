//! Every rule of the security-impact table, exercised through the real diff: an old and a
//! new template that differ in what the rule is about, and the impact the rule must give.
//! A rule without a case here fails `every_rule_has_a_case`.

use std::collections::BTreeSet;

use cfn_baseline::diff::{compare, Impact, StackInput, RULES};
use cfn_baseline::template::Template;

use Impact::{Neutral as N, Strengthening as S, Weakening as W};

/// (rule id, old Resources, new Resources, expected impact). `-` means no resources.
const CASES: &[(&str, &str, &str, Impact)] = &[
    // GuardDuty.
    ("guardduty.detector", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Enable: true}}}", "-", W),
    ("guardduty.detector", "-", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Enable: true}}}", S),
    ("guardduty.enable", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Enable: true}}}", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Enable: false}}}", W),
    ("guardduty.frequency", "{R: {Type: AWS::GuardDuty::Detector, Properties: {FindingPublishingFrequency: FIFTEEN_MINUTES}}}", "{R: {Type: AWS::GuardDuty::Detector, Properties: {FindingPublishingFrequency: SIX_HOURS}}}", W),
    ("guardduty.frequency", "{R: {Type: AWS::GuardDuty::Detector, Properties: {}}}", "{R: {Type: AWS::GuardDuty::Detector, Properties: {FindingPublishingFrequency: ONE_HOUR}}}", S),
    ("guardduty.feature.status", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Features: [{Name: S3_DATA_EVENTS, Status: ENABLED}]}}}", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Features: [{Name: S3_DATA_EVENTS, Status: DISABLED}]}}}", W),
    ("guardduty.feature.additional.status", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Features: [{Name: RUNTIME_MONITORING, Status: ENABLED, AdditionalConfiguration: [{Name: EKS_ADDON_MANAGEMENT, Status: ENABLED}]}]}}}", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Features: [{Name: RUNTIME_MONITORING, Status: ENABLED, AdditionalConfiguration: [{Name: EKS_ADDON_MANAGEMENT, Status: DISABLED}]}]}}}", W),
    ("guardduty.feature", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Features: [{Name: A, Status: ENABLED}, {Name: B, Status: ENABLED}]}}}", "{R: {Type: AWS::GuardDuty::Detector, Properties: {Features: [{Name: A, Status: ENABLED}]}}}", W),
    // CloudTrail.
    ("cloudtrail.trail", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true}}}", "-", W),
    ("cloudtrail.logging", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: true}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IsLogging: false}}}", W),
    ("cloudtrail.organization_trail", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IsOrganizationTrail: true}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {}}}", W),
    ("cloudtrail.multi_region", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IsMultiRegionTrail: true}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IsMultiRegionTrail: 'false'}}}", W),
    ("cloudtrail.global_events", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IncludeGlobalServiceEvents: true}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {IncludeGlobalServiceEvents: false}}}", W),
    ("cloudtrail.log_validation", "{T: {Type: AWS::CloudTrail::Trail, Properties: {EnableLogFileValidation: true}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {}}}", W),
    ("cloudtrail.kms", "{T: {Type: AWS::CloudTrail::Trail, Properties: {KMSKeyId: k}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {}}}", W),
    ("cloudtrail.cloudwatch_logs", "{T: {Type: AWS::CloudTrail::Trail, Properties: {CloudWatchLogsLogGroupArn: a}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {}}}", W),
    ("cloudtrail.selector.fields", "{T: {Type: AWS::CloudTrail::Trail, Properties: {AdvancedEventSelectors: [{Name: D, FieldSelectors: [{Field: resources.type, Equals: [a, b]}]}]}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {AdvancedEventSelectors: [{Name: D, FieldSelectors: [{Field: resources.type, Equals: [a]}]}]}}}", W),
    ("cloudtrail.selector.field", "{T: {Type: AWS::CloudTrail::Trail, Properties: {AdvancedEventSelectors: [{Name: D, FieldSelectors: [{Field: eventCategory, Equals: [Data]}]}]}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {AdvancedEventSelectors: [{Name: D, FieldSelectors: [{Field: eventCategory, Equals: [Data]}, {Field: readOnly, Equals: ['true']}]}]}}}", W),
    ("cloudtrail.selector", "{T: {Type: AWS::CloudTrail::Trail, Properties: {AdvancedEventSelectors: [{Name: M, FieldSelectors: []}, {Name: D, FieldSelectors: []}]}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {AdvancedEventSelectors: [{Name: M, FieldSelectors: []}]}}}", W),
    ("cloudtrail.classic_selector", "{T: {Type: AWS::CloudTrail::Trail, Properties: {EventSelectors: [{ReadWriteType: All}]}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {}}}", W),
    ("cloudtrail.insights", "{T: {Type: AWS::CloudTrail::Trail, Properties: {InsightSelectors: [{InsightType: ApiCallRateInsight}, {InsightType: ApiErrorRateInsight}]}}}", "{T: {Type: AWS::CloudTrail::Trail, Properties: {InsightSelectors: [{InsightType: ApiCallRateInsight}]}}}", W),
    // S3 and logs.
    ("s3.bucket", "{B: {Type: AWS::S3::Bucket}}", "-", W),
    ("s3.encryption.algorithm", "{B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms'}}]}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]}}}}", W),
    ("s3.encryption.key", "{B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms', KMSMasterKeyID: k}}]}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: 'aws:kms'}}]}}}}", W),
    ("s3.encryption", "{B: {Type: AWS::S3::Bucket, Properties: {BucketEncryption: {ServerSideEncryptionConfiguration: []}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {}}}", W),
    ("s3.versioning.status", "{B: {Type: AWS::S3::Bucket, Properties: {VersioningConfiguration: {Status: Enabled}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {VersioningConfiguration: {Status: Suspended}}}}", W),
    ("s3.versioning", "{B: {Type: AWS::S3::Bucket, Properties: {VersioningConfiguration: {Status: Enabled}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {}}}", W),
    ("s3.public_access_block.setting", "{B: {Type: AWS::S3::Bucket, Properties: {PublicAccessBlockConfiguration: {BlockPublicAcls: true}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {PublicAccessBlockConfiguration: {BlockPublicAcls: false}}}}", W),
    ("s3.public_access_block", "{B: {Type: AWS::S3::Bucket, Properties: {PublicAccessBlockConfiguration: {BlockPublicAcls: true}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {}}}", W),
    ("s3.ownership", "{B: {Type: AWS::S3::Bucket, Properties: {OwnershipControls: {Rules: [{ObjectOwnership: BucketOwnerEnforced}]}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {OwnershipControls: {Rules: [{ObjectOwnership: ObjectWriter}]}}}}", W),
    ("s3.retention", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r, ExpirationInDays: 3653}]}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r, ExpirationInDays: 365}]}}}}", W),
    ("s3.retention", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r, ExpirationInDays: 365}]}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r}]}}}}", S),
    ("s3.noncurrent_retention", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r, NoncurrentVersionExpiration: {NoncurrentDays: 90}}]}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r, NoncurrentVersionExpiration: {NoncurrentDays: 30}}]}}}}", W),
    ("s3.access_logging", "{B: {Type: AWS::S3::Bucket, Properties: {LoggingConfiguration: {DestinationBucketName: l}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {}}}", W),
    ("s3.lifecycle.transitions", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r, Transitions: [{StorageClass: GLACIER_IR, TransitionInDays: 90}]}]}}}}", "{B: {Type: AWS::S3::Bucket, Properties: {LifecycleConfiguration: {Rules: [{Id: r, Transitions: [{StorageClass: GLACIER_IR, TransitionInDays: 30}]}]}}}}", N),
    ("logs.retention", "{L: {Type: AWS::Logs::LogGroup, Properties: {RetentionInDays: 731}}}", "{L: {Type: AWS::Logs::LogGroup, Properties: {RetentionInDays: '365'}}}", W),
    ("logs.retention", "{L: {Type: AWS::Logs::LogGroup, Properties: {RetentionInDays: 365}}}", "{L: {Type: AWS::Logs::LogGroup, Properties: {}}}", S),
    ("logs.kms", "{L: {Type: AWS::Logs::LogGroup, Properties: {KmsKeyId: k}}}", "{L: {Type: AWS::Logs::LogGroup, Properties: {}}}", W),
    ("logs.deletion_protection", "{L: {Type: AWS::Logs::LogGroup, Properties: {DeletionProtectionEnabled: true}}}", "{L: {Type: AWS::Logs::LogGroup, Properties: {DeletionProtectionEnabled: false}}}", W),
    ("logs.log_group", "{L: {Type: AWS::Logs::LogGroup}}", "-", W),
    ("resource.deletion_policy", "{L: {Type: AWS::Logs::LogGroup, UpdateReplacePolicy: Retain}}", "{L: {Type: AWS::Logs::LogGroup}}", W),
    ("resource.retain", "{L: {Type: AWS::Logs::LogGroup, DeletionPolicy: Retain}}", "{L: {Type: AWS::Logs::LogGroup, DeletionPolicy: Delete}}", W),
    // KMS.
    ("kms.rotation", "{K: {Type: AWS::KMS::Key, Properties: {EnableKeyRotation: true}}}", "{K: {Type: AWS::KMS::Key, Properties: {EnableKeyRotation: false}}}", W),
    ("kms.enabled", "{K: {Type: AWS::KMS::Key, Properties: {}}}", "{K: {Type: AWS::KMS::Key, Properties: {Enabled: false}}}", W),
    ("kms.pending_window", "{K: {Type: AWS::KMS::Key, Properties: {PendingWindowInDays: 30}}}", "{K: {Type: AWS::KMS::Key, Properties: {PendingWindowInDays: 7}}}", W),
    ("kms.key", "{K: {Type: AWS::KMS::Key}}", "-", W),
    // AWS Config.
    ("config.recorder", "{C: {Type: AWS::Config::ConfigurationRecorder}}", "-", W),
    ("config.all_supported", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {AllSupported: true}}}}", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {AllSupported: false}}}}", W),
    ("config.global_types", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {IncludeGlobalResourceTypes: true}}}}", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {IncludeGlobalResourceTypes: false}}}}", W),
    ("config.strategy", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {RecordingStrategy: {UseOnly: ALL_SUPPORTED_RESOURCE_TYPES}}}}}", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {RecordingStrategy: {UseOnly: INCLUSION_BY_RESOURCE_TYPES}}}}}", W),
    ("config.exclusions", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {ExclusionByResourceTypes: {ResourceTypes: [a]}}}}}", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {ExclusionByResourceTypes: {ResourceTypes: [a, b]}}}}}", W),
    ("config.included_types", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {ResourceTypes: [a, b]}}}}", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingGroup: {ResourceTypes: [a]}}}}", W),
    ("config.recording_frequency", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingMode: {RecordingFrequency: CONTINUOUS}}}}", "{C: {Type: AWS::Config::ConfigurationRecorder, Properties: {RecordingMode: {RecordingFrequency: DAILY}}}}", W),
    ("config.delivery_channel", "{D: {Type: AWS::Config::DeliveryChannel}}", "-", W),
    ("config.delivery_frequency", "{D: {Type: AWS::Config::DeliveryChannel, Properties: {ConfigSnapshotDeliveryProperties: {DeliveryFrequency: One_Hour}}}}", "{D: {Type: AWS::Config::DeliveryChannel, Properties: {ConfigSnapshotDeliveryProperties: {DeliveryFrequency: TwentyFour_Hours}}}}", W),
    ("config.delivery_frequency", "{D: {Type: AWS::Config::DeliveryChannel, Properties: {}}}", "{D: {Type: AWS::Config::DeliveryChannel, Properties: {ConfigSnapshotDeliveryProperties: {DeliveryFrequency: Six_Hours}}}}", S),
    ("config.password.min_length", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {MinimumPasswordLength: '16'}}}}", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {MinimumPasswordLength: '14'}}}}", W),
    ("config.password.reuse", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {PasswordReusePrevention: '24'}}}}", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {PasswordReusePrevention: '5'}}}}", W),
    ("config.password.max_age", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {MaxPasswordAge: '90'}}}}", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {}}}}", W),
    ("config.password.character_class", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {RequireSymbols: 'true'}}}}", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {RequireSymbols: 'false'}}}}", W),
    ("config.max_age", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {maxAccessKeyAge: '90'}}}}", "{P: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {maxAccessKeyAge: '180'}}}}", W),
    ("config.rule", "{P: {Type: AWS::Config::ConfigRule}}", "-", W),
    ("iam.service_linked_role", "{S: {Type: AWS::IAM::ServiceLinkedRole}}", "-", W),
    // IAM account password policy.
    ("password_policy", "{PasswordPolicy: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {MinimumPasswordLength: 14}}}", "-", W),
    ("password_policy.min_length", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {MinimumPasswordLength: 14}}}", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {MinimumPasswordLength: 8}}}", W),
    ("password_policy.reuse", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {PasswordReusePrevention: 24}}}", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {}}}", W),
    ("password_policy.max_age", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {MaxPasswordAge: 90}}}", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {MaxPasswordAge: 365}}}", W),
    ("password_policy.max_age", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {}}}", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {MaxPasswordAge: 90}}}", S),
    ("password_policy.character_class", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {RequireNumbers: true}}}", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {RequireNumbers: false}}}", W),
    ("password_policy.self_service", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {AllowUsersToChangePassword: true}}}", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {AllowUsersToChangePassword: false}}}", W),
    ("password_policy.hard_expiry", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {HardExpiry: false}}}", "{P: {Type: AWS::IAM::AccountPasswordPolicy, Properties: {HardExpiry: true}}}", N),
    // Security Hub.
    ("securityhub.hub", "{H: {Type: AWS::SecurityHub::Hub}}", "-", W),
    ("securityhub.auto_enable", "{H: {Type: AWS::SecurityHub::Hub, Properties: {AutoEnableControls: true}}}", "{H: {Type: AWS::SecurityHub::Hub, Properties: {AutoEnableControls: false}}}", W),
    ("securityhub.disabled_control", "{S: {Type: AWS::SecurityHub::Standard, Properties: {}}}", "{S: {Type: AWS::SecurityHub::Standard, Properties: {DisabledStandardsControls: [{StandardsControlArn: c, Reason: r}]}}}", W),
    ("securityhub.standard", "{S: {Type: AWS::SecurityHub::Standard}}", "-", W),
    ("securityhub.control_disabled", "-", "{C: {Type: AWS::SecurityHub::StandardsControlAssociation, Properties: {SecurityControlId: IAM.6, AssociationStatus: DISABLED, UpdatedReason: no MFA yet}}}", W),
    ("securityhub.control_disabled", "-", "{C: {Type: AWS::SecurityHub::StandardsControlAssociation, Properties: {SecurityControlId: IAM.6, AssociationStatus: DISABLED, UpdatedReason: global resources are checked in the home region (us-east-1) only}}}", N),
    ("securityhub.control_disabled", "{C: {Type: AWS::SecurityHub::StandardsControlAssociation, Properties: {SecurityControlId: IAM.6}}}", "-", S),
    ("securityhub.control_disabled.reason", "{C: {Type: AWS::SecurityHub::StandardsControlAssociation, Properties: {UpdatedReason: a}}}", "{C: {Type: AWS::SecurityHub::StandardsControlAssociation, Properties: {UpdatedReason: b}}}", N),
    ("config.restricted_ports", "{R: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {blockedPort1: '20', blockedPort2: '3389'}}}}", "{R: {Type: AWS::Config::ConfigRule, Properties: {InputParameters: {blockedPort1: '20'}}}}", W),
    ("config.remediation", "{R: {Type: AWS::Config::RemediationConfiguration}}", "-", W),
    ("config.remediation.automatic", "{R: {Type: AWS::Config::RemediationConfiguration, Properties: {Automatic: true}}}", "{R: {Type: AWS::Config::RemediationConfiguration, Properties: {Automatic: false}}}", W),
    ("accessanalyzer.analyzer", "{A: {Type: AWS::AccessAnalyzer::Analyzer}}", "-", W),
    ("accessanalyzer.unused_age", "{A: {Type: AWS::AccessAnalyzer::Analyzer, Properties: {AnalyzerConfiguration: {UnusedAccessConfiguration: {UnusedAccessAge: 90}}}}}", "{A: {Type: AWS::AccessAnalyzer::Analyzer, Properties: {AnalyzerConfiguration: {UnusedAccessConfiguration: {UnusedAccessAge: 180}}}}}", W),
    ("ssm.patch_scan", "{P: {Type: AWS::SSM::Association}}", "-", W),
    ("ssm.patch_scan.schedule", "{P: {Type: AWS::SSM::Association, Properties: {ScheduleExpression: rate(1 day)}}}", "{P: {Type: AWS::SSM::Association, Properties: {ScheduleExpression: rate(7 days)}}}", N),
    ("securityhub.control", "{S: {Type: AWS::SecurityHub::SecurityControl}}", "-", W),
    ("ssm.patch_install", "{T: {Type: AWS::SSM::MaintenanceWindowTask}}", "-", W),
    ("ssm.patch_install.reboot", "{T: {Type: AWS::SSM::MaintenanceWindowTask, Properties: {TaskInvocationParameters: {MaintenanceWindowRunCommandParameters: {Parameters: {RebootOption: [RebootIfNeeded]}}}}}}", "{T: {Type: AWS::SSM::MaintenanceWindowTask, Properties: {TaskInvocationParameters: {MaintenanceWindowRunCommandParameters: {Parameters: {RebootOption: [NoReboot]}}}}}}", W),
    ("ssm.patch_install.reboot", "{T: {Type: AWS::SSM::MaintenanceWindowTask, Properties: {TaskInvocationParameters: {MaintenanceWindowRunCommandParameters: {Parameters: {RebootOption: [NoReboot]}}}}}}", "{T: {Type: AWS::SSM::MaintenanceWindowTask, Properties: {TaskInvocationParameters: {MaintenanceWindowRunCommandParameters: {Parameters: {RebootOption: [RebootIfNeeded]}}}}}}", S),
    ("ssm.patch_window", "{W: {Type: AWS::SSM::MaintenanceWindow}}", "-", W),
    ("ssm.patch_window.enabled", "{W: {Type: AWS::SSM::MaintenanceWindow, Properties: {Schedule: a}}}", "{W: {Type: AWS::SSM::MaintenanceWindow, Properties: {Schedule: a, Enabled: false}}}", W),
    ("ssm.patch_window.timing", "{W: {Type: AWS::SSM::MaintenanceWindow, Properties: {Duration: 3}}}", "{W: {Type: AWS::SSM::MaintenanceWindow, Properties: {Duration: 4}}}", N),
    ("ssm.patch_window.targets", "{T: {Type: AWS::SSM::MaintenanceWindowTarget, Properties: {Targets: [{Key: 'tag:Patch', Values: [install]}]}}}", "{T: {Type: AWS::SSM::MaintenanceWindowTarget, Properties: {Targets: [{Key: 'tag:Patch', Values: [yes]}]}}}", N),
    ("inspector.scanning", "{I: {Type: AWS::Inspector2::Scanning, Properties: {Ec2: ENABLED}}}", "-", W),
    ("inspector.scan_type", "{I: {Type: AWS::Inspector2::Scanning, Properties: {Ec2: ENABLED, Ecr: ENABLED}}}", "{I: {Type: AWS::Inspector2::Scanning, Properties: {Ec2: ENABLED, Ecr: DISABLED}}}", W),
    ("inspector.scan_type", "{I: {Type: AWS::Inspector2::Scanning, Properties: {Ec2: ENABLED, Ecr: ENABLED}}}", "{I: {Type: AWS::Inspector2::Scanning, Properties: {Ec2: ENABLED}}}", W),
    ("inspector.scan_type", "{I: {Type: AWS::Inspector2::Scanning, Properties: {Ec2: SUSPENDED}}}", "{I: {Type: AWS::Inspector2::Scanning, Properties: {Ec2: ENABLED}}}", S),
    ("macie.session", "{M: {Type: AWS::Macie::Session, Properties: {Status: ENABLED}}}", "-", W),
    ("macie.status", "{M: {Type: AWS::Macie::Session, Properties: {Status: ENABLED}}}", "{M: {Type: AWS::Macie::Session, Properties: {Status: PAUSED}}}", W),
    ("macie.frequency", "{M: {Type: AWS::Macie::Session, Properties: {FindingPublishingFrequency: FIFTEEN_MINUTES}}}", "{M: {Type: AWS::Macie::Session, Properties: {FindingPublishingFrequency: SIX_HOURS}}}", W),
    ("macie.automated_discovery", "{M: {Type: AWS::Macie::Session, Properties: {AutomatedDiscoveryStatus: DISABLED}}}", "{M: {Type: AWS::Macie::Session, Properties: {AutomatedDiscoveryStatus: ENABLED}}}", S),
    ("macie.automated_discovery", "{M: {Type: AWS::Macie::Session, Properties: {AutomatedDiscoveryStatus: ENABLED}}}", "{M: {Type: AWS::Macie::Session, Properties: {}}}", W),
    ("detective.graph", "{G: {Type: AWS::Detective::Graph}}", "-", W),
    ("detective.graph", "-", "{G: {Type: AWS::Detective::Graph}}", S),
    ("detective.auto_enable_members", "{G: {Type: AWS::Detective::Graph, Properties: {AutoEnableMembers: false}}}", "{G: {Type: AWS::Detective::Graph, Properties: {AutoEnableMembers: true}}}", N),
    ("account.s3_block_public_access", "{B: {Type: AWS::S3::AccountPublicAccessBlock, Properties: {BlockPublicAcls: true}}}", "-", W),
    ("account.s3_block_public_access.block", "{B: {Type: AWS::S3::AccountPublicAccessBlock, Properties: {BlockPublicAcls: true, BlockPublicPolicy: true}}}", "{B: {Type: AWS::S3::AccountPublicAccessBlock, Properties: {BlockPublicAcls: true, BlockPublicPolicy: false}}}", W),
    ("account.s3_block_public_access.block", "{B: {Type: AWS::S3::AccountPublicAccessBlock, Properties: {RestrictPublicBuckets: false}}}", "{B: {Type: AWS::S3::AccountPublicAccessBlock, Properties: {RestrictPublicBuckets: true}}}", S),
    ("account.ebs_encryption", "-", "{E: {Type: AWS::EC2::EbsEncryptionByDefault, Properties: {EbsEncryptionByDefault: true}}}", S),
    ("account.ebs_encryption.enabled", "{E: {Type: AWS::EC2::EbsEncryptionByDefault, Properties: {EbsEncryptionByDefault: true}}}", "{E: {Type: AWS::EC2::EbsEncryptionByDefault, Properties: {EbsEncryptionByDefault: false}}}", W),
    ("account.imdsv2_default", "{M: {Type: AWS::EC2::InstanceMetadataDefaults, Properties: {HttpTokens: required}}}", "-", W),
    ("account.imdsv2_default.tokens", "{M: {Type: AWS::EC2::InstanceMetadataDefaults, Properties: {HttpTokens: required}}}", "{M: {Type: AWS::EC2::InstanceMetadataDefaults, Properties: {HttpTokens: optional}}}", W),
    ("account.imdsv2_default.tokens", "{M: {Type: AWS::EC2::InstanceMetadataDefaults, Properties: {HttpTokens: no-preference}}}", "{M: {Type: AWS::EC2::InstanceMetadataDefaults, Properties: {HttpTokens: required}}}", S),
    ("account.snapshot_public_access", "{P: {Type: AWS::EC2::SnapshotBlockPublicAccess, Properties: {State: block-all-sharing}}}", "-", W),
    ("account.snapshot_public_access.state", "{P: {Type: AWS::EC2::SnapshotBlockPublicAccess, Properties: {State: block-all-sharing}}}", "{P: {Type: AWS::EC2::SnapshotBlockPublicAccess, Properties: {State: block-new-sharing}}}", W),
    ("account.snapshot_public_access.state", "{P: {Type: AWS::EC2::SnapshotBlockPublicAccess, Properties: {State: unblocked}}}", "{P: {Type: AWS::EC2::SnapshotBlockPublicAccess, Properties: {State: block-all-sharing}}}", S),
    ("account.ami_public_access", "{A: {Type: AWS::EC2::ImageBlockPublicAccess, Properties: {ImageBlockPublicAccessState: block-new-sharing}}}", "-", W),
    ("account.ami_public_access.state", "{A: {Type: AWS::EC2::ImageBlockPublicAccess, Properties: {ImageBlockPublicAccessState: block-new-sharing}}}", "{A: {Type: AWS::EC2::ImageBlockPublicAccess, Properties: {ImageBlockPublicAccessState: unblocked}}}", W),
    ("account.ssm_document_sharing", "{D: {Type: AWS::SSM::ServiceSetting, Properties: {SettingValue: Disable}}}", "-", W),
    ("account.ssm_document_sharing.value", "{D: {Type: AWS::SSM::ServiceSetting, Properties: {SettingValue: Disable}}}", "{D: {Type: AWS::SSM::ServiceSetting, Properties: {SettingValue: Enable}}}", W),
    ("account.ssm_document_sharing.value", "{D: {Type: AWS::SSM::ServiceSetting, Properties: {SettingValue: Enable}}}", "{D: {Type: AWS::SSM::ServiceSetting, Properties: {SettingValue: Disable}}}", S),
    ("account.ssm_document_sharing.setting", "{D: {Type: AWS::SSM::ServiceSetting, Properties: {SettingId: /a}}}", "{D: {Type: AWS::SSM::ServiceSetting, Properties: {SettingId: /b}}}", N),
    ("ssm.default_host_management", "{H: {Type: AWS::SSM::DefaultHostManagement, Properties: {SettingValue: service-role/a}}}", "-", W),
    ("ssm.default_host_management.role", "{H: {Type: AWS::SSM::DefaultHostManagement, Properties: {SettingValue: service-role/a}}}", "{H: {Type: AWS::SSM::DefaultHostManagement, Properties: {SettingValue: service-role/b}}}", N),
    ("guardduty.malware_plan", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {ProtectedResource: {S3Bucket: {BucketName: uploads}}}}}", "-", W),
    ("guardduty.malware_plan.tagging", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {Actions: {Tagging: {Status: ENABLED}}}}}", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {Actions: {Tagging: {Status: DISABLED}}}}}", W),
    ("guardduty.malware_plan.tagging", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {Actions: {Tagging: {Status: DISABLED}}}}}", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {Actions: {Tagging: {Status: ENABLED}}}}}", S),
    ("guardduty.malware_plan.prefixes", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {ProtectedResource: {S3Bucket: {BucketName: u}}}}}", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {ProtectedResource: {S3Bucket: {BucketName: u, ObjectPrefixes: [in/]}}}}}", W),
    ("guardduty.malware_plan.prefixes", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {ProtectedResource: {S3Bucket: {BucketName: u, ObjectPrefixes: [in/, up/]}}}}}", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {ProtectedResource: {S3Bucket: {BucketName: u, ObjectPrefixes: [in/]}}}}}", W),
    ("guardduty.malware_plan.prefixes", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {ProtectedResource: {S3Bucket: {BucketName: u, ObjectPrefixes: [in/]}}}}}", "{P: {Type: AWS::GuardDuty::MalwareProtectionPlan, Properties: {ProtectedResource: {S3Bucket: {BucketName: u}}}}}", S),
    ("macie.job", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {uploads: {Schedule: daily}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {}}}}", W),
    ("macie.job.schedule", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Schedule: daily}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Schedule: \"weekly:MONDAY\"}}}}}", W),
    ("macie.job.schedule", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Schedule: \"monthly:1\"}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Schedule: \"weekly:MONDAY\"}}}}}", S),
    ("macie.job.schedule", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Schedule: \"weekly:MONDAY\"}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Schedule: once}}}}}", W),
    ("macie.job.buckets", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Buckets: [a, b]}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {Buckets: [a]}}}}}", W),
    ("macie.job.identifiers", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {ManagedDataIdentifiers: ALL}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {ManagedDataIdentifiers: RECOMMENDED}}}}}", W),
    ("macie.job.identifiers", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {ManagedDataIdentifiers: [AWS_CREDENTIALS, CREDIT_CARD_NUMBER]}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {ManagedDataIdentifiers: [AWS_CREDENTIALS]}}}}}", W),
    ("macie.job.identifiers", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {ManagedDataIdentifiers: [AWS_CREDENTIALS]}}}}}", "{J: {Type: AWS::Macie::ClassificationJobs, Properties: {Jobs: {u: {ManagedDataIdentifiers: RECOMMENDED}}}}}", S),
    ("shield.advanced", "{S: {Type: AWS::Shield::Advanced, Properties: {}}}", "-", W),
    ("shield.protections", "{S: {Type: AWS::Shield::Advanced, Properties: {Protections: [arn:a, arn:b]}}}", "{S: {Type: AWS::Shield::Advanced, Properties: {Protections: [arn:a]}}}", W),
    ("shield.protections", "{S: {Type: AWS::Shield::Advanced, Properties: {Protections: [arn:a]}}}", "{S: {Type: AWS::Shield::Advanced, Properties: {Protections: [arn:a, arn:b]}}}", S),
    ("shield.proactive_engagement", "{S: {Type: AWS::Shield::Advanced, Properties: {ProactiveEngagementStatus: ENABLED}}}", "{S: {Type: AWS::Shield::Advanced, Properties: {ProactiveEngagementStatus: DISABLED}}}", W),
    ("shield.proactive_engagement", "{S: {Type: AWS::Shield::Advanced, Properties: {}}}", "{S: {Type: AWS::Shield::Advanced, Properties: {ProactiveEngagementStatus: ENABLED}}}", S),
    ("shield.emergency_contacts", "{S: {Type: AWS::Shield::Advanced, Properties: {EmergencyContacts: [{EmailAddress: a@example.com}]}}}", "{S: {Type: AWS::Shield::Advanced, Properties: {EmergencyContacts: [{EmailAddress: b@example.com}]}}}", N),
    ("config.aggregator", "{A: {Type: AWS::Config::ConfigurationAggregator, Properties: {ConfigurationAggregatorName: a}}}", "-", W),
    ("config.aggregator.all_regions", "{A: {Type: AWS::Config::ConfigurationAggregator, Properties: {OrganizationAggregationSource: {AllAwsRegions: true}}}}", "{A: {Type: AWS::Config::ConfigurationAggregator, Properties: {OrganizationAggregationSource: {AllAwsRegions: false}}}}", W),
    ("securityhub.finding_aggregator", "-", "{F: {Type: AWS::SecurityHub::FindingAggregator, Properties: {RegionLinkingMode: ALL_REGIONS}}}", S),
    ("securityhub.finding_aggregator.regions", "{F: {Type: AWS::SecurityHub::FindingAggregator, Properties: {Regions: [eu-west-1, ap-northeast-1]}}}", "{F: {Type: AWS::SecurityHub::FindingAggregator, Properties: {Regions: [eu-west-1]}}}", W),
    ("organization.delegations", "{D: {Type: AWS::Organizations::Delegations, Properties: {TrustedAccess: []}}}", "-", W),
    ("organization.trusted_access", "{D: {Type: AWS::Organizations::Delegations, Properties: {TrustedAccess: [config.amazonaws.com]}}}", "{D: {Type: AWS::Organizations::Delegations, Properties: {TrustedAccess: []}}}", W),
    ("organization.trusted_access", "{D: {Type: AWS::Organizations::Delegations, Properties: {TrustedAccess: []}}}", "{D: {Type: AWS::Organizations::Delegations, Properties: {TrustedAccess: [config.amazonaws.com]}}}", S),
    ("organization.delegated_administrators", "{D: {Type: AWS::Organizations::Delegations, Properties: {DelegatedAdministrators: [config.amazonaws.com=222222222222]}}}", "{D: {Type: AWS::Organizations::Delegations, Properties: {DelegatedAdministrators: []}}}", W),
    ("organization.service_administrators", "-", "{A: {Type: AWS::Organizations::ServiceAdministrators, Properties: {GuardDuty: '222222222222'}}}", S),
    ("organization.service_administrator", "{A: {Type: AWS::Organizations::ServiceAdministrators, Properties: {GuardDuty: '222222222222'}}}", "{A: {Type: AWS::Organizations::ServiceAdministrators, Properties: {}}}", W),
    ("organization.service_administrator", "{A: {Type: AWS::Organizations::ServiceAdministrators, Properties: {}}}", "{A: {Type: AWS::Organizations::ServiceAdministrators, Properties: {Macie: '222222222222'}}}", S),
    ("organization.service_administrator", "{A: {Type: AWS::Organizations::ServiceAdministrators, Properties: {Macie: '333333333333'}}}", "{A: {Type: AWS::Organizations::ServiceAdministrators, Properties: {Macie: '222222222222'}}}", N),
    ("organization.guardduty", "{O: {Type: AWS::GuardDuty::OrganizationConfiguration, Properties: {AutoEnableOrganizationMembers: ALL}}}", "-", W),
    ("organization.guardduty.auto_enable", "{O: {Type: AWS::GuardDuty::OrganizationConfiguration, Properties: {AutoEnableOrganizationMembers: ALL}}}", "{O: {Type: AWS::GuardDuty::OrganizationConfiguration, Properties: {AutoEnableOrganizationMembers: NEW}}}", W),
    ("organization.guardduty.auto_enable", "{O: {Type: AWS::GuardDuty::OrganizationConfiguration, Properties: {S3_DATA_EVENTS: NONE}}}", "{O: {Type: AWS::GuardDuty::OrganizationConfiguration, Properties: {S3_DATA_EVENTS: ALL}}}", S),
    ("organization.securityhub", "-", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {AutoEnable: true}}}", S),
    ("organization.securityhub.members", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {Members: ['1', '2']}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {Members: ['2']}}}", W),
    ("organization.securityhub.central", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {ConfigurationType: CENTRAL}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {ConfigurationType: LOCAL}}}", W),
    ("organization.securityhub.central", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {ConfigurationType: LOCAL}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {ConfigurationType: CENTRAL}}}", S),
    ("organization.securityhub.policy_enabled", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {ServiceEnabled: true}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {ServiceEnabled: false}}}", W),
    ("organization.securityhub.policy_standards", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {EnabledStandards: [a, b]}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {EnabledStandards: [a]}}}", W),
    ("organization.securityhub.policy_disabled_controls", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {DisabledControls: [IAM.6]}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {DisabledControls: [IAM.6, S3.1]}}}", W),
    ("organization.securityhub.policy_disabled_controls", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {DisabledControls: [IAM.6]}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {DisabledControls: []}}}", S),
    ("organization.securityhub.policy_targets", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {Targets: [ROOT]}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {Targets: [ou-ab12-cd34ef56]}}}", W),
    ("organization.securityhub.auto_enable", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {AutoEnableStandards: DEFAULT}}}", "{O: {Type: AWS::SecurityHub::OrganizationConfiguration, Properties: {AutoEnableStandards: NONE}}}", W),
    ("organization.macie", "{O: {Type: AWS::Macie::OrganizationConfiguration, Properties: {AutoEnable: true}}}", "-", W),
    ("organization.macie.members", "{O: {Type: AWS::Macie::OrganizationConfiguration, Properties: {Members: ['1', '2']}}}", "{O: {Type: AWS::Macie::OrganizationConfiguration, Properties: {Members: ['1']}}}", W),
    ("organization.detective.members", "{O: {Type: AWS::Detective::OrganizationConfiguration, Properties: {Members: ['1']}}}", "{O: {Type: AWS::Detective::OrganizationConfiguration, Properties: {Members: ['1', '2']}}}", S),
    ("organization.macie.auto_enable", "{O: {Type: AWS::Macie::OrganizationConfiguration, Properties: {AutoEnable: true}}}", "{O: {Type: AWS::Macie::OrganizationConfiguration, Properties: {AutoEnable: false}}}", W),
    ("organization.inspector", "-", "{O: {Type: AWS::Inspector2::OrganizationConfiguration, Properties: {Ec2: true}}}", S),
    ("organization.inspector.auto_enable", "{O: {Type: AWS::Inspector2::OrganizationConfiguration, Properties: {Ec2: false}}}", "{O: {Type: AWS::Inspector2::OrganizationConfiguration, Properties: {Ec2: true}}}", S),
    ("organization.inspector.members", "{M: {Type: AWS::Inspector2::MemberScanning, Properties: {'4:Ec2': ENABLED}}}", "-", W),
    ("organization.inspector.member_scan", "{M: {Type: AWS::Inspector2::MemberScanning, Properties: {'4:Ec2': ENABLED}}}", "{M: {Type: AWS::Inspector2::MemberScanning, Properties: {'4:Ec2': DISABLED}}}", W),
    ("organization.detective", "-", "{O: {Type: AWS::Detective::OrganizationConfiguration, Properties: {AutoEnable: true}}}", S),
    ("organization.detective.auto_enable", "{O: {Type: AWS::Detective::OrganizationConfiguration, Properties: {AutoEnable: true}}}", "{O: {Type: AWS::Detective::OrganizationConfiguration, Properties: {AutoEnable: false}}}", W),
    ("account.security_contact", "{C: {Type: AWS::Account::AlternateContact, Properties: {Name: a}}}", "-", W),
    ("account.security_contact", "-", "{C: {Type: AWS::Account::AlternateContact, Properties: {Name: a}}}", S),
    ("account.security_contact.details", "{C: {Type: AWS::Account::AlternateContact, Properties: {EmailAddress: a@example.com}}}", "{C: {Type: AWS::Account::AlternateContact, Properties: {EmailAddress: b@example.com}}}", N),
    // WAF.
    ("wafv2.webacl", "{W: {Type: AWS::WAFv2::WebACL}}", "-", W),
    ("wafv2.count", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: common, Priority: 1, OverrideAction: {None: {}}}]}}}", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: common, Priority: 1, OverrideAction: {Count: {}}}]}}}", W),
    ("wafv2.block", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: common, Priority: 1, OverrideAction: {None: {}}}]}}}", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: common, Priority: 1, OverrideAction: {Count: {}}}]}}}", W),
    ("wafv2.block", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: common, Priority: 1, OverrideAction: {Count: {}}}]}}}", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: common, Priority: 1, OverrideAction: {None: {}}}]}}}", S),
    ("wafv2.rule", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: a, Priority: 1}, {Name: b, Priority: 2}]}}}", "{W: {Type: AWS::WAFv2::WebACL, Properties: {Rules: [{Name: a, Priority: 1}]}}}", W),
    ("wafv2.logging", "{L: {Type: AWS::WAFv2::LoggingConfiguration}}", "-", W),
    ("wafv2.redacted", "{L: {Type: AWS::WAFv2::LoggingConfiguration, Properties: {RedactedFields: [{SingleHeader: {Name: authorization}}, {SingleHeader: {Name: cookie}}]}}}", "{L: {Type: AWS::WAFv2::LoggingConfiguration, Properties: {RedactedFields: [{SingleHeader: {Name: authorization}}]}}}", W),
    // Alerts.
    ("sns.topic", "{T: {Type: AWS::SNS::Topic}}", "-", W),
    ("sns.encryption", "{T: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: k}}}", "{T: {Type: AWS::SNS::Topic, Properties: {}}}", W),
    ("sns.subscription", "{S: {Type: AWS::SNS::Subscription}}", "-", W),
    ("sns.subscription.endpoint", "{S: {Type: AWS::SNS::Subscription, Properties: {Endpoint: a@example.com}}}", "{S: {Type: AWS::SNS::Subscription, Properties: {Endpoint: b@example.com}}}", N),
    ("chatbot.channel", "{C: {Type: AWS::Chatbot::SlackChannelConfiguration}}", "-", W),
    ("events.rule", "{E: {Type: AWS::Events::Rule}}", "-", W),
    ("events.state", "{E: {Type: AWS::Events::Rule, Properties: {State: ENABLED}}}", "{E: {Type: AWS::Events::Rule, Properties: {State: DISABLED}}}", W),
    ("events.severity", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {severity: [{numeric: ['>=', 4]}]}}}}}", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {severity: [{numeric: ['>=', 7]}]}}}}}", W),
    ("events.severity", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {severity: [{numeric: ['>=', 7]}]}}}}}", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {severity: [{numeric: ['>=', 1]}]}}}}}", S),
    ("events.pattern", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {findings: {Severity: {Label: [CRITICAL, HIGH, MEDIUM]}}}}}}}", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {findings: {Severity: {Label: [CRITICAL]}}}}}}}", W),
    // alerts.suppress: an exclusion added to an existing anything-but, a new anything-but, and one removed.
    ("events.pattern", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {type: [{anything-but: [a]}]}}}}}", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {type: [{anything-but: [a, b]}]}}}}}", W),
    ("events.pattern", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {findings: {ProductName: [{anything-but: [GuardDuty]}]}}}}}}", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {findings: {ProductName: [{anything-but: [GuardDuty, Inspector]}]}}}}}}", W),
    ("events.pattern", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {severity: [1]}}}}}", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {severity: [1], type: [{anything-but: [a]}]}}}}}", W),
    ("events.pattern", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {type: [{anything-but: [a, b]}]}}}}}", "{E: {Type: AWS::Events::Rule, Properties: {EventPattern: {detail: {type: [{anything-but: [a]}]}}}}}", S),
    ("events.target", "{E: {Type: AWS::Events::Rule, Properties: {Targets: [{Id: t, Arn: a}]}}}", "{E: {Type: AWS::Events::Rule, Properties: {Targets: []}}}", W),
    ("cloudwatch.alarm", "{A: {Type: AWS::CloudWatch::Alarm}}", "-", W),
    ("cloudwatch.actions_enabled", "{A: {Type: AWS::CloudWatch::Alarm, Properties: {}}}", "{A: {Type: AWS::CloudWatch::Alarm, Properties: {ActionsEnabled: false}}}", W),
    ("cloudwatch.actions", "{A: {Type: AWS::CloudWatch::Alarm, Properties: {AlarmActions: [{'Fn::Sub': 'arn:topic'}]}}}", "{A: {Type: AWS::CloudWatch::Alarm, Properties: {AlarmActions: []}}}", W),
    ("cloudwatch.threshold", "{A: {Type: AWS::CloudWatch::Alarm, Properties: {Threshold: 1}}}", "{A: {Type: AWS::CloudWatch::Alarm, Properties: {Threshold: 5}}}", W),
    ("logs.metric_filter", "{F: {Type: AWS::Logs::MetricFilter, Properties: {MetricTransformations: [{MetricName: m}]}}, A: {Type: AWS::CloudWatch::Alarm, Properties: {MetricName: m}}}", "{A: {Type: AWS::CloudWatch::Alarm, Properties: {MetricName: m}}}", W),
    ("logs.metric_filter", "{F: {Type: AWS::Logs::MetricFilter, Properties: {MetricTransformations: [{MetricName: m}]}}}", "-", N),
    ("logs.metric_filter.pattern", "{F: {Type: AWS::Logs::MetricFilter, Properties: {FilterPattern: a}}}", "{F: {Type: AWS::Logs::MetricFilter, Properties: {FilterPattern: b}}}", N),
    // Policies.
    ("policy.statement", "{P: {Type: AWS::S3::BucketPolicy, Properties: {PolicyDocument: {Statement: [{Sid: DenyInsecureTransport, Effect: Deny, Principal: '*', Action: 's3:*', Condition: {Bool: {'aws:SecureTransport': 'false'}}}]}}}}", "{P: {Type: AWS::S3::BucketPolicy, Properties: {PolicyDocument: {Statement: []}}}}", W),
    ("policy.statement", "{P: {Type: AWS::SNS::TopicPolicy, Properties: {PolicyDocument: {Statement: [{Sid: A, Effect: Allow, Action: 'sns:Publish'}]}}}}", "{P: {Type: AWS::SNS::TopicPolicy, Properties: {PolicyDocument: {Statement: [{Sid: A, Effect: Allow, Action: 'sns:Publish'}, {Sid: B, Effect: Allow, Action: 'sns:Subscribe'}]}}}}", W),
    ("policy.statement.scope", "{K: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {Statement: [{Sid: A, Effect: Allow, Action: ['kms:Decrypt']}]}}}}", "{K: {Type: AWS::KMS::Key, Properties: {KeyPolicy: {Statement: [{Sid: A, Effect: Allow, Action: ['kms:*']}]}}}}", W),
    ("policy.statement.scope", "{R: {Type: AWS::IAM::Role, Properties: {Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: 'logs:PutLogEvents', Resource: a, Condition: {StringEquals: {x: y}}}]}}]}}}", "{R: {Type: AWS::IAM::Role, Properties: {Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: 'logs:PutLogEvents', Resource: a}]}}]}}}", W),
    ("policy.statement.scope", "{P: {Type: AWS::S3::BucketPolicy, Properties: {PolicyDocument: {Statement: [{Sid: D, Effect: Deny, Action: ['s3:GetObject', 's3:PutObject']}]}}}}", "{P: {Type: AWS::S3::BucketPolicy, Properties: {PolicyDocument: {Statement: [{Sid: D, Effect: Deny, Action: ['s3:GetObject']}]}}}}", W),
    ("policy.statement.scope", "{P: {Type: AWS::S3::BucketPolicy, Properties: {PolicyDocument: {Statement: [{Sid: A, Effect: Allow, Principal: {Service: [a, b]}}]}}}}", "{P: {Type: AWS::S3::BucketPolicy, Properties: {PolicyDocument: {Statement: [{Sid: A, Effect: Allow, Principal: {Service: [a]}}]}}}}", S),
    ("iam.inline_policy", "{R: {Type: AWS::IAM::Role, Properties: {Policies: [{PolicyName: a, PolicyDocument: {}}]}}}", "{R: {Type: AWS::IAM::Role, Properties: {Policies: [{PolicyName: a, PolicyDocument: {}}, {PolicyName: b, PolicyDocument: {}}]}}}", W),
    ("iam.managed_policies", "{R: {Type: AWS::IAM::Role, Properties: {ManagedPolicyArns: [a]}}}", "{R: {Type: AWS::IAM::Role, Properties: {ManagedPolicyArns: [a, 'arn:aws:iam::aws:policy/AdministratorAccess']}}}", W),
    ("resource.tags", "{B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: a, Value: b}]}}}", "{B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: a, Value: c}]}}}", N),
    ("resource.description", "{K: {Type: AWS::KMS::Key, Properties: {Description: a}}}", "{K: {Type: AWS::KMS::Key, Properties: {Description: b}}}", N),
];

fn stack(resources: &str, component: &str) -> Option<StackInput> {
    if resources == "-" {
        return None;
    }
    let text =
        format!("Metadata: {{cfn-baseline: {{component: {component}}}}}\nResources: {resources}\n");
    Some(StackInput {
        account: "111111111111".into(),
        region: "us-east-1".into(),
        stack_name: "acme-test".into(),
        template: std::sync::Arc::new(
            Template::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}")),
        ),
        tags: None,
    })
}

fn changes(
    old: Option<StackInput>,
    new: Option<StackInput>,
) -> Vec<(Option<String>, Impact, String)> {
    let (old, new): (Vec<_>, Vec<_>) = (old.into_iter().collect(), new.into_iter().collect());
    compare(&old, &new, "old", "new")
        .stacks
        .into_iter()
        .flat_map(|s| s.changes)
        .map(|c| (c.rule.map(str::to_string), c.impact, c.target()))
        .collect()
}

#[test]
fn every_rule_gives_its_impact() {
    let mut failures = Vec::new();
    for (rule, old, new, expected) in CASES {
        // Resource rules compare two versions of one stack; a missing side is an empty
        // Resources map so the stack itself stays.
        let old_stack = stack(if *old == "-" { "{}" } else { old }, "test");
        let new_stack = stack(if *new == "-" { "{}" } else { new }, "test");
        let found = changes(old_stack, new_stack);
        let hit = found.iter().find(|(r, _, _)| r.as_deref() == Some(*rule));
        match hit {
            Some((_, impact, _)) if impact == expected => {}
            _ => failures.push(format!("{rule}: expected {expected:?}, got {found:?}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn stack_rules_cover_every_component() {
    let detector = "{D: {Type: AWS::GuardDuty::Detector}}";
    for (component, rule) in [
        ("guardduty", "stack.guardduty"),
        ("cloudtrail", "stack.cloudtrail"),
        ("config", "stack.config"),
        ("securityhub", "stack.securityhub"),
        ("alerts", "stack.alerts"),
        ("iam", "stack.iam"),
        ("patching", "stack.patching"),
        ("access-analyzer", "stack.access_analyzer"),
        ("waf", "stack.waf"),
        ("security-contact", "stack.security_contact"),
        ("inspector", "stack.inspector"),
        ("macie", "stack.macie"),
        ("detective", "stack.detective"),
        ("s3-block-public-access", "stack.s3_block_public_access"),
        ("ebs-encryption-by-default", "stack.ebs_encryption"),
        ("imdsv2-by-default", "stack.imdsv2_default"),
        (
            "snapshot-block-public-access",
            "stack.snapshot_public_access",
        ),
        ("ami-block-public-access", "stack.ami_public_access"),
        ("ssm-documents-public-sharing", "stack.ssm_document_sharing"),
        ("default-host-management", "stack.default_host_management"),
        ("shield-advanced", "stack.shield_advanced"),
        ("macie-jobs", "stack.macie_jobs"),
        ("organization-delegations", "stack.organization_delegations"),
        (
            "organization-administrators",
            "stack.organization_administrators",
        ),
        ("organization-guardduty", "stack.organization_auto_enable"),
        ("organization-inspector", "stack.organization_auto_enable"),
        ("something-else", "stack.other"),
    ] {
        let removed = changes(stack(detector, component), None);
        assert_eq!(
            removed,
            vec![(Some(rule.to_string()), W, String::new())],
            "{component}"
        );
        let added = changes(None, stack(detector, component));
        assert_eq!(added[0].1, S, "{component}");
    }
    // The Security Hub controls' pseudo-stack goes with Security Hub, which is reported.
    let removed = changes(
        stack(
            "{C: {Type: AWS::SecurityHub::StandardsControlAssociation}}",
            "securityhub-controls",
        ),
        None,
    );
    assert_eq!(removed[0].0.as_deref(), Some("stack.securityhub_controls"));
    assert_eq!(removed[0].1, N);
}

#[test]
fn tags_and_template_sections_are_neutral() {
    let mut old = stack("{D: {Type: AWS::GuardDuty::Detector}}", "guardduty").unwrap();
    let mut new = old.clone();
    old.tags = Some([("owner".to_string(), "a".to_string())].into());
    new.tags = Some([("owner".to_string(), "b".to_string())].into());
    std::sync::Arc::make_mut(&mut new.template).value["Description"] = "another description".into();
    let found = changes(Some(old), Some(new));
    let rules: BTreeSet<_> = found
        .iter()
        .map(|(r, i, _)| (r.clone().unwrap(), *i))
        .collect();
    assert_eq!(
        rules,
        BTreeSet::from([
            ("stack.tags".to_string(), N),
            ("template.sections".to_string(), N)
        ])
    );
}

#[test]
fn every_rule_has_a_case() {
    let covered: BTreeSet<&str> = CASES
        .iter()
        .map(|c| c.0)
        .chain([
            "stack.guardduty",
            "stack.cloudtrail",
            "stack.config",
            "stack.securityhub",
            "stack.alerts",
            "stack.iam",
            "stack.patching",
            "stack.access_analyzer",
            "stack.waf",
            "stack.security_contact",
            "stack.inspector",
            "stack.macie",
            "stack.detective",
            "stack.s3_block_public_access",
            "stack.ebs_encryption",
            "stack.imdsv2_default",
            "stack.snapshot_public_access",
            "stack.ami_public_access",
            "stack.ssm_document_sharing",
            "stack.default_host_management",
            "stack.shield_advanced",
            "stack.macie_jobs",
            "stack.organization_delegations",
            "stack.organization_administrators",
            "stack.organization_auto_enable",
            "stack.securityhub_controls",
            "stack.other",
            "stack.tags",
            "template.sections",
        ])
        .collect();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(missing.is_empty(), "rules without a test case: {missing:?}");
    let ids: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), RULES.len(), "rule ids must be unique");
}

#[test]
fn a_change_no_rule_covers_is_neutral_and_says_so() {
    let found = changes(
        stack(
            "{X: {Type: AWS::Custom::Thing, Properties: {A: 1}}}",
            "test",
        ),
        stack(
            "{X: {Type: AWS::Custom::Thing, Properties: {A: 2}}}",
            "test",
        ),
    );
    assert_eq!(found, vec![(None, N, "X.Properties.A".to_string())]);
}
