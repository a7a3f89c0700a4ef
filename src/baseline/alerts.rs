//! What alerts and what does not: the Security Hub products that alert through their own
//! rule, the products a suppression may name, and how `alerts.suppress` entries are read.
//!
//! Pure: the render and validation both read these tables.

/// Security Hub products whose findings already alert through a rule of their own
/// (GuardDuty's findings rule, the Config compliance rule). The Security Hub rules leave
/// them out, so each finding alerts once.
pub const ALERTED_DIRECTLY: [&str; 2] = ["Config", "GuardDuty"];

/// `ProductName` of the AWS services that send findings to Security Hub (AWS Security Hub
/// User Guide, "AWS service integrations with Security Hub").
pub const SECURITY_HUB_PRODUCTS: [&str; 10] = [
    "Config",
    "Firewall Manager",
    "GuardDuty",
    "Health",
    "IAM Access Analyzer",
    "Inspector",
    "IoT Device Defender",
    "Macie",
    "Security Hub",
    "Systems Manager Patch Manager",
];

/// One `alerts.suppress` entry, by its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suppression<'a> {
    /// A GuardDuty finding type, `ThreatPurpose:ResourceType/ThreatFamilyName.Variant!Artifact`.
    FindingType(&'a str),
    /// A Security Hub control id such as `EC2.19`.
    Control(&'a str),
    /// A Security Hub product name such as `Inspector`.
    Product(&'a str),
}

/// Why an entry is not a suppression, and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotASuppression {
    pub message: String,
    pub hint: String,
}

impl<'a> Suppression<'a> {
    pub fn classify(entry: &'a str) -> Result<Suppression<'a>, NotASuppression> {
        if let Some(product) = SECURITY_HUB_PRODUCTS.iter().find(|p| **p == entry) {
            if ALERTED_DIRECTLY.contains(product) {
                return Err(NotASuppression {
                    message: format!("{entry} findings do not alert through Security Hub"),
                    hint: match entry {
                        "GuardDuty" => "raise `alerts.guardduty_min_severity`, or list the GuardDuty finding types to silence".into(),
                        _ => "set `alerts.config_noncompliant: false`, or change the Config rules".into(),
                    },
                });
            }
            return Ok(Suppression::Product(product));
        }
        if super::controls::is_control_id(entry) {
            return Ok(Suppression::Control(entry));
        }
        if is_finding_type(entry) {
            return Ok(Suppression::FindingType(entry));
        }
        let near = SECURITY_HUB_PRODUCTS
            .iter()
            .find(|p| p.eq_ignore_ascii_case(entry));
        Err(NotASuppression {
            message: format!(
                "{entry:?} is not a GuardDuty finding type, a Security Hub control id or a product name"
            ),
            hint: match near {
                Some(p) => format!("did you mean {p:?}? (product names are case-sensitive)"),
                None => format!(
                    "write a finding type like Recon:EC2/PortProbeUnprotectedPort, a control id like EC2.19, or one of: {}",
                    SECURITY_HUB_PRODUCTS
                        .iter()
                        .filter(|p| !ALERTED_DIRECTLY.contains(p))
                        .copied()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            },
        })
    }
}

/// `Recon:EC2/PortProbeUnprotectedPort`, `CryptoCurrency:EC2/BitcoinTool.B!DNS`.
fn is_finding_type(s: &str) -> bool {
    let Some((purpose, rest)) = s.split_once(':') else {
        return false;
    };
    let Some((resource, family)) = rest.split_once('/') else {
        return false;
    };
    s.len() <= 128
        && !purpose.is_empty()
        && purpose.bytes().all(|b| b.is_ascii_alphabetic())
        && !resource.is_empty()
        && resource.bytes().all(|b| b.is_ascii_alphanumeric())
        && !family.is_empty()
        && family
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._!&-".contains(&b))
}

/// The suppressions of a baseline, sorted and by kind, as the render writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suppressions {
    pub finding_types: Vec<String>,
    pub controls: Vec<String>,
    pub products: Vec<String>,
}

impl Suppressions {
    /// Entries that do not classify are left out (validation has refused them already).
    pub fn of(entries: &[String]) -> Suppressions {
        let mut out = Suppressions::default();
        for entry in entries {
            match Suppression::classify(entry) {
                Ok(Suppression::FindingType(t)) => out.finding_types.push(t.to_string()),
                Ok(Suppression::Control(c)) => out.controls.push(c.to_string()),
                Ok(Suppression::Product(p)) => out.products.push(p.to_string()),
                Err(_) => {}
            }
        }
        for list in [&mut out.finding_types, &mut out.controls, &mut out.products] {
            list.sort();
            list.dedup();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_classify_by_shape() {
        use Suppression::*;
        for (entry, want) in [
            (
                "Recon:EC2/PortProbeUnprotectedPort",
                FindingType("Recon:EC2/PortProbeUnprotectedPort"),
            ),
            (
                "CryptoCurrency:EC2/BitcoinTool.B!DNS",
                FindingType("CryptoCurrency:EC2/BitcoinTool.B!DNS"),
            ),
            (
                "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
                FindingType("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"),
            ),
            (
                "Backdoor:EC2/C&CActivity.B!DNS",
                FindingType("Backdoor:EC2/C&CActivity.B!DNS"),
            ),
            ("EC2.19", Control("EC2.19")),
            ("CloudTrail.1", Control("CloudTrail.1")),
            ("Inspector", Product("Inspector")),
            ("IAM Access Analyzer", Product("IAM Access Analyzer")),
        ] {
            assert_eq!(Suppression::classify(entry), Ok(want), "{entry}");
        }
        for bad in [
            "",
            "EC2",
            "EC2.",
            "EC2.x",
            "inspector",
            "Recon:EC2",
            "Recon EC2/Port",
            "GuardDuty",
            "Config",
            "1.14",
        ] {
            assert!(Suppression::classify(bad).is_err(), "{bad}");
        }
        let hint = Suppression::classify("inspector").unwrap_err().hint;
        assert!(hint.contains("\"Inspector\""), "{hint}");
    }

    #[test]
    fn suppressions_are_sorted_by_kind() {
        let s = Suppressions::of(&[
            "Macie".into(),
            "EC2.19".into(),
            "Recon:EC2/PortProbeUnprotectedPort".into(),
            "Inspector".into(),
            "EC2.19".into(),
        ]);
        assert_eq!(s.products, ["Inspector", "Macie"]);
        assert_eq!(s.controls, ["EC2.19"]);
        assert_eq!(s.finding_types, ["Recon:EC2/PortProbeUnprotectedPort"]);
    }
}
