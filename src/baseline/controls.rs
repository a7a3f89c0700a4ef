//! Security Hub controls the baseline disables: the ones a baseline names, and, outside the
//! home region, the controls for global resources.
//!
//! Pure: a table and a shape check.

/// Controls that check global resources (IAM, the account itself), which AWS recommends
/// disabling in every region but the one that records global resources (AWS Security Hub
/// User Guide, "Suggested controls to disable": controls that use global resources). The
/// baseline records them in the home region, so elsewhere these only repeat its findings.
/// Controls for global resources that are available in one region only (CloudFront,
/// GlobalAccelerator.1, the global WAF Classic ones) are left on, as the guide advises.
pub const GLOBAL_RESOURCE_CONTROLS: &[&str] = &[
    "Account.1",
    "Account.2",
    "IAM.1",
    "IAM.2",
    "IAM.3",
    "IAM.4",
    "IAM.5",
    "IAM.6",
    "IAM.7",
    "IAM.8",
    "IAM.9",
    "IAM.10",
    "IAM.11",
    "IAM.12",
    "IAM.13",
    "IAM.14",
    "IAM.15",
    "IAM.16",
    "IAM.17",
    "IAM.18",
    "IAM.19",
    "IAM.21",
    "IAM.22",
    "IAM.24",
    "IAM.25",
    "IAM.26",
    "IAM.27",
    "IAM.28",
    "KMS.1",
    "KMS.2",
];

/// `IAM.6`, `CloudTrail.1`, `EC2.19`: a service prefix, a dot, a number.
pub fn is_control_id(s: &str) -> bool {
    let Some((service, number)) = s.split_once('.') else {
        return false;
    };
    service.len() <= 32
        && service.starts_with(|c: char| c.is_ascii_alphabetic())
        && service.bytes().all(|b| b.is_ascii_alphanumeric())
        && !number.is_empty()
        && number.len() <= 4
        && number.bytes().all(|b| b.is_ascii_digit())
}
