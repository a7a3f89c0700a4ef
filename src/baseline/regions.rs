//! Region facts the baseline is checked against.

/// Commercial regions (as in cfn-lint 1.51's per-region schema lists).
pub const KNOWN_REGIONS: [&str; 34] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The 17 regions enabled by default in every account (no opt-in needed).
pub const DEFAULT_ENABLED_REGIONS: [&str; 17] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "sa-east-1",
];

/// Regions where AWS Config arrived after February 2022: they cannot record the global
/// IAM resource types, so they cannot be the home region of a baseline that records them.
pub const NO_GLOBAL_IAM_RECORDING: [&str; 12] = [
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "mx-central-1",
];

/// The partition a region is in: `aws`, `aws-cn` or `aws-us-gov`.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

pub fn is_known(region: &str) -> bool {
    KNOWN_REGIONS.contains(&region)
}

pub fn records_global_iam(region: &str) -> bool {
    !NO_GLOBAL_IAM_RECORDING.contains(&region)
}

/// What the baseline renders that some regions do not offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// GuardDuty Runtime Monitoring (the `RUNTIME_MONITORING` plan).
    GuardDutyRuntimeMonitoring,
    /// Runtime Monitoring's automated agent for EKS (and the older `EKS_RUNTIME_MONITORING`).
    GuardDutyEksAgent,
    /// Runtime Monitoring's automated agent for ECS on Fargate.
    GuardDutyEcsFargateAgent,
    /// Runtime Monitoring's automated agent for EC2.
    GuardDutyEc2Agent,
    /// AWS Chatbot (Amazon Q Developer in chat applications): the Slack configuration.
    Chatbot,
    /// Amazon Macie through CloudFormation (`AWS::Macie::Session`).
    Macie,
    /// Amazon Detective through CloudFormation (`AWS::Detective::Graph`).
    Detective,
    /// Amazon Inspector (v2), switched on through its API.
    Inspector,
}

/// One row of the table: a capability, the known regions that lack it, and the source.
pub struct Lacking {
    pub capability: Capability,
    pub regions: &'static [&'static str],
    pub source: &'static str,
}

/// The one table of what regions lack. A render never asks a region for what is listed
/// here. The sources are the AWS Config managed rules that check each plan: their pages
/// list the regions where the plan exists (China and GovCloud, outside the known regions,
/// are left out here).
pub const LACKING: [Lacking; 8] = [
    Lacking {
        capability: Capability::GuardDutyRuntimeMonitoring,
        regions: &["ca-west-1"],
        source: "AWS Config Developer Guide, managed rule guardduty-runtime-monitoring-enabled: \
                 all supported regions except China, GovCloud and Canada West (Calgary)",
    },
    Lacking {
        capability: Capability::GuardDutyEksAgent,
        regions: &[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-west-1",
            "mx-central-1",
        ],
        source:
            "AWS Config Developer Guide, managed rule guardduty-eks-protection-runtime-enabled: \
                 all supported regions except New Zealand, China, Thailand, Malaysia, GovCloud, \
                 Mexico (Central), Taipei and Canada West (Calgary)",
    },
    Lacking {
        capability: Capability::GuardDutyEcsFargateAgent,
        regions: &["ap-southeast-5", "ca-west-1", "mx-central-1"],
        source:
            "AWS Config Developer Guide, managed rule guardduty-ecs-protection-runtime-enabled: \
                 all supported regions except China, Malaysia, GovCloud, Mexico (Central) and \
                 Canada West (Calgary)",
    },
    Lacking {
        capability: Capability::GuardDutyEc2Agent,
        regions: &[
            "ap-east-2",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-west-1",
            "me-south-1",
            "mx-central-1",
        ],
        source:
            "AWS Config Developer Guide, managed rule guardduty-ec2-protection-runtime-enabled: \
                 all supported regions except Middle East (Bahrain), New Zealand, China, Thailand, \
                 Malaysia, GovCloud, Mexico (Central), Taipei and Canada West (Calgary)",
    },
    Lacking {
        capability: Capability::Chatbot,
        regions: &["ap-east-2", "ap-southeast-6"],
        source: "Amazon Q Developer User Guide, Supported Regions (integrated chat applications): \
                 the 17 default regions and the opt-in regions Cape Town, Hong Kong, Hyderabad, \
                 Jakarta, Malaysia, Melbourne, Thailand, Calgary, Milan, Spain, Zurich, Mexico, \
                 Bahrain, UAE and Tel Aviv",
    },
    Lacking {
        capability: Capability::Macie,
        regions: &[
            "ap-east-2",
            "ap-south-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-west-1",
            "eu-central-2",
            "eu-south-2",
            "me-central-1",
            "mx-central-1",
        ],
        source: "CloudFormation's resource types per region, as cfn-lint 1.51 lists them \
                 (data/schemas/providers/<region>.py): AWS::Macie::Session is absent there",
    },
    Lacking {
        capability: Capability::Detective,
        regions: &[
            "ap-east-2",
            "ap-northeast-3",
            "ap-south-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-west-1",
            "eu-central-2",
            "eu-south-2",
            "me-central-1",
            "mx-central-1",
        ],
        source: "CloudFormation's resource types per region, as cfn-lint 1.51 lists them \
                 (data/schemas/providers/<region>.py): AWS::Detective::Graph is absent there",
    },
    Lacking {
        capability: Capability::Inspector,
        regions: &["ap-east-2", "ap-southeast-6"],
        source: "CloudFormation's resource types per region, as cfn-lint 1.51 lists them \
                 (data/schemas/providers/<region>.py): no AWS::InspectorV2 type there (Filter, \
                 CisScanConfiguration), taken as Inspector not offered (the same method gives \
                 exactly the Macie row above)",
    },
];

/// Whether `region` offers `capability` (by [`LACKING`]).
pub fn offers(region: &str, capability: Capability) -> bool {
    !LACKING
        .iter()
        .any(|l| l.capability == capability && l.regions.contains(&region))
}
