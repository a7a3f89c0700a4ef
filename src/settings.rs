//! Account settings the baseline manages outside CloudFormation: today the IAM account
//! password policy. Each is compared through the same diff as the stacks, as a pseudo-stack
//! `<account>/global/iam-password-policy` holding one pseudo-resource of type
//! `AWS::IAM::AccountPasswordPolicy` whose properties carry IAM's own field names.
//!
//! Pure: no AWS, no printing. The aws module reads and writes [`AccountPasswordPolicy`].

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::baseline::Baseline;
use crate::diff::StackInput;
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
    let resources = match policy {
        Some(p) => {
            json!({PASSWORD_POLICY_ID: {"Type": PASSWORD_POLICY_TYPE, "Properties": p.to_json()}})
        }
        None => json!({}),
    };
    StackInput {
        account: account.to_string(),
        region: GLOBAL_REGION.to_string(),
        stack_name: PASSWORD_POLICY_STACK.to_string(),
        template: crate::template::Template::shared(json!({
            "Metadata": {"cfn-baseline": {"component": "iam"}},
            "Resources": resources,
        })),
        tags: None,
    }
}

/// The wanted policy of every target account of a baseline, as pseudo-stacks.
pub fn wanted_stacks(baseline: &Baseline) -> Vec<StackInput> {
    let accounts = baseline.account_ids();
    if accounts.is_empty() {
        let p = AccountPasswordPolicy::wanted(baseline, None);
        return vec![password_policy_stack(CALLER_ACCOUNT_LABEL, Some(&p))];
    }
    accounts
        .iter()
        .map(|a| {
            let p = AccountPasswordPolicy::wanted(baseline, Some(a));
            password_policy_stack(a, Some(&p))
        })
        .collect()
}

/// Settings as `render` records them in the manifest, per account label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountSettings {
    pub account: String,
    pub iam_password_policy: AccountPasswordPolicy,
}

pub fn account_settings(baseline: &Baseline) -> Vec<AccountSettings> {
    wanted_stacks(baseline)
        .into_iter()
        .map(|s| AccountSettings {
            iam_password_policy: serde_json::from_value(
                s.template.value["Resources"][PASSWORD_POLICY_ID]["Properties"].clone(),
            )
            .expect("round trip"),
            account: s.account,
        })
        .collect()
}
