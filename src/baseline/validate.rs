//! Semantic rules: what the types cannot say. Every rule pushes a diagnostic with the path
//! of the setting it is about; positions are filled in by the loader.

use std::collections::BTreeSet;

use super::defaults::LOG_RETENTION_DAYS;
use super::diagnostic::did_you_mean;
use super::regions;
use super::types::*;
use super::{components_for, override_matches, Diagnostic};
use crate::yaml::Seg;

/// The longest baseline name: bucket names `<name>-access-logs-<account>-<region>` must fit
/// in 63 characters.
pub const MAX_NAME_LEN: usize = 20;

fn p(segs: &[&str]) -> Vec<Seg> {
    segs.iter().map(|s| Seg::from(*s)).collect()
}

fn at(mut path: Vec<Seg>, seg: impl Into<Seg>) -> Vec<Seg> {
    path.push(seg.into());
    path
}

pub fn check(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    check_header(file, diags);
    if let Some(contact) = &file.security_contact {
        check_security_contact(contact, diags);
    }
    check_shield(file, diags);
    check_malware_regions(file, diags);
    check_regions(file, diags);
    check_accounts(file, diags);
    if let Some(org) = &file.organization {
        check_organization(file, org, diags);
    }
    check_tags(file, diags);
    check_overrides(file, diags);
    check_targets(file, diags);
    check_deployment(file, diags);
}

/// `ou-` + 4-32 lowercase letters or digits + `-` + 8-32 of them; or the root `r-...`.
/// An organization id: `o-` and 10 to 32 lowercase letters or digits.
fn valid_organization_id(id: &str) -> bool {
    id.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

fn valid_ou(id: &str) -> bool {
    let alnum = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if let Some(rest) = id.strip_prefix("ou-") {
        return match rest.split_once('-') {
            Some((root, ou)) => alnum(root, 4, 32) && alnum(ou, 8, 32),
            None => false,
        };
    }
    id.strip_prefix("r-").is_some_and(|root| alnum(root, 4, 32))
}

fn check_deployment(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    let d = &file.deployment;
    let base = p(&["deployment"]);
    for (key, value) in [
        ("max_concurrent_percentage", d.max_concurrent_percentage),
        (
            "failure_tolerance_percentage",
            d.failure_tolerance_percentage,
        ),
    ] {
        if value > 100 {
            diags.push(
                Diagnostic::error(
                    at(base.clone(), key),
                    format!("{value} is not a percentage"),
                )
                .hint("use 0-100"),
            );
        }
    }
    if d.max_concurrent_percentage == 0 {
        diags.push(
            Diagnostic::error(
                at(base.clone(), "max_concurrent_percentage"),
                "0% would deploy to no account",
            )
            .hint("use 1-100 (100 deploys to every account at once)"),
        );
    }
    for (i, ou) in d.organizational_units.iter().enumerate() {
        if !valid_ou(ou) {
            diags.push(
                Diagnostic::error(
                    at(at(base.clone(), "organizational_units"), i),
                    format!("{ou:?} is not an organizational unit id"),
                )
                .hint("OU ids look like ou-ab12-cd34ef56 (the root is r-ab12)"),
            );
        }
    }
    for (i, id) in d.accounts.iter().enumerate() {
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            diags.push(
                Diagnostic::error(
                    at(at(base.clone(), "accounts"), i),
                    format!("account id {id:?} is not 12 digits"),
                )
                .hint("write AWS account ids as quoted 12-digit strings"),
            );
        }
    }
    if d.mode != DeploymentMode::Stacksets {
        return;
    }
    match d.permission_model {
        PermissionModel::ServiceManaged => {
            if d.organizational_units.is_empty() {
                diags.push(
                    Diagnostic::error(at(base.clone(), "organizational_units"), "service-managed stack sets need target organizational units")
                        .hint("list them, e.g. `organizational_units: [ou-ab12-cd34ef56]`, or use `permission_model: self_managed` with accounts"),
                );
            }
            if !d.accounts.is_empty() {
                diags.push(
                    Diagnostic::error(
                        at(base.clone(), "accounts"),
                        "service-managed stack sets target organizational units, not accounts",
                    )
                    .hint("remove `deployment.accounts`, or use `permission_model: self_managed`"),
                );
            }
        }
        PermissionModel::SelfManaged => {
            if d.accounts.is_empty() && file.accounts.is_empty() {
                diags.push(
                    Diagnostic::error(
                        at(base.clone(), "accounts"),
                        "self-managed stack sets need target accounts",
                    )
                    .hint("list them under `deployment.accounts` (or the top-level `accounts`)"),
                );
            }
            if !d.organizational_units.is_empty() {
                diags.push(
                    Diagnostic::error(
                        at(base.clone(), "organizational_units"),
                        "self-managed stack sets target accounts, not organizational units",
                    )
                    .hint("use `permission_model: service_managed` to target organizational units"),
                );
            }
            // With an organization the stack sets carry the members only.
            if let Some(org) = &file.organization {
                let targets: Vec<&str> = if d.accounts.is_empty() {
                    file.accounts.iter().map(|a| a.id.as_str()).collect()
                } else {
                    d.accounts.iter().map(String::as_str).collect()
                };
                if targets
                    .iter()
                    .all(|a| org.role_of(a) != AccountRole::Member)
                {
                    diags.push(
                        Diagnostic::error(
                            at(base.clone(), "accounts"),
                            "the stack sets have no member account to target: the organization's management, log archive and security accounts are deployed as stacks",
                        )
                        .hint("list the member accounts under `deployment.accounts`"),
                    );
                }
            }
            if d.call_as == CallAs::DelegatedAdmin {
                diags.push(
                    Diagnostic::error(
                        at(base.clone(), "call_as"),
                        "`delegated_admin` applies to service-managed stack sets only",
                    )
                    .hint("use `call_as: self`"),
                );
            }
        }
    }
    // One template serves every account of a stack set: settings cannot differ per account.
    // An organization's management, log archive and security accounts are deployed as
    // stacks, so an override may match them.
    let role_account = |a: &str| {
        file.organization
            .as_ref()
            .is_some_and(|o| o.role_of(a) != AccountRole::Member)
    };
    for (i, o) in file.overrides.iter().enumerate() {
        if o.matcher
            .account
            .as_deref()
            .is_some_and(|a| !role_account(a))
        {
            diags.push(
                Diagnostic::error(
                    at(at(p(&["overrides"]), i), "match"),
                    "stack sets deploy one template to every account, so an override cannot match an account",
                )
                .hint("match regions only (or, with `organization`, its management, log archive or security account, which are deployed as stacks), or deploy those accounts from a separate baseline"),
            );
        }
    }
}

fn check_header(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    match file.version {
        None => diags.push(
            Diagnostic::error(vec![], "missing required key `version`")
                .hint("add `version: 1` at the top of the file"),
        ),
        Some(1) => {}
        Some(v) => diags.push(
            Diagnostic::error(p(&["version"]), format!("unsupported version {v}"))
                .hint("this cfn-baseline reads version 1"),
        ),
    }
    match &file.name {
        None => diags.push(
            Diagnostic::error(vec![], "missing required key `name`").hint(
                "add `name: <prefix>`; stacks are named <name>-alerts, <name>-cloudtrail, ...",
            ),
        ),
        Some(name) => {
            if !valid_name(name) {
                diags.push(
                    Diagnostic::error(p(&["name"]), format!("invalid name {name:?}")).hint(format!(
                        "use 1-{MAX_NAME_LEN} lowercase letters, digits and single hyphens, starting with a letter \
                         (it prefixes stack and bucket names)"
                    )),
                );
            }
        }
    }
}

fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && bytes[0].is_ascii_lowercase()
        && !name.ends_with('-')
        && !name.contains("--")
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

fn region_diag(path: Vec<Seg>, region: &str) -> Diagnostic {
    Diagnostic::error(path, format!("unknown region {region:?}")).hint(
        match did_you_mean(region, regions::KNOWN_REGIONS) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "use a region code such as us-east-1 or eu-west-1".to_string(),
        },
    )
}

fn check_regions(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    let home = match &file.home_region {
        None => {
            diags.push(
                Diagnostic::error(vec![], "missing required key `home_region`").hint(
                    "add `home_region: <region>`: it holds the trail, the log archive and the CIS alarms",
                ),
            );
            None
        }
        Some(home) if !regions::is_known(home) => {
            diags.push(region_diag(p(&["home_region"]), home));
            None
        }
        Some(home) => Some(home.as_str()),
    };
    if file.deployment.mode == DeploymentMode::Stacksets {
        // Settings outside CloudFormation are applied per account by `deploy` in stack mode;
        // with an organization, to its management, log archive and security accounts
        // (deployed as stacks), not to the stack sets' members.
        let org = file.organization.as_ref();
        let in_mode = if org.is_some() {
            "in the stack sets' member accounts"
        } else {
            "in stack-set mode"
        };
        if file.security_contact.is_some() {
            diags.push(
                Diagnostic::warning(
                    p(&["security_contact"]),
                    format!("the security contact is not set {in_mode} (it has no CloudFormation type)"),
                )
                .hint("set it per account with `deployment.mode: stacks`, or through AWS Organizations"),
            );
        }
        if file.patching.default_host_management {
            diags.push(
                Diagnostic::warning(
                    p(&["patching", "default_host_management"]),
                    format!("Default Host Management Configuration is not switched on {in_mode} (an SSM service setting, no CloudFormation type); the stack sets create its role only"),
                )
                .hint("use `deployment.mode: stacks`"),
            );
        }
        let a = &file.account_settings;
        if a.ebs_encryption_by_default
            || a.s3_block_public_access
            || a.imdsv2_by_default
            || a.ssm_documents_public_sharing_blocked
            || a.ami_public_sharing_blocked
            || a.snapshot_public_sharing_blocked
        {
            diags.push(
                Diagnostic::warning(
                    p(&["account_settings"]),
                    format!("the account settings (EBS encryption by default, the S3 account public access block, ...) are not applied {in_mode} (they have no CloudFormation type)"),
                )
                .hint("apply them per account with `deployment.mode: stacks`, or set them to false here to silence this"),
            );
        }
        // With auto-enable the security account switches the members' Inspector on.
        if file.inspector.enabled && !org.is_some_and(|o| o.auto_enable) {
            diags.push(
                Diagnostic::warning(
                    p(&["inspector"]),
                    format!("Inspector is not switched on {in_mode} (it has no CloudFormation type)"),
                )
                .hint("use `deployment.mode: stacks`, or Inspector's delegated administrator and auto-enable"),
            );
        }
        if !file.macie.jobs.is_empty() {
            diags.push(
                Diagnostic::warning(
                    p(&["macie", "jobs"]),
                    format!("Macie discovery jobs are not created {in_mode} (they have no CloudFormation type)"),
                )
                .hint("use `deployment.mode: stacks`"),
            );
        }
    }
    if file.regions.is_all() && file.deployment.mode == DeploymentMode::Stacksets {
        diags.push(
            Diagnostic::error(
                p(&["regions"]),
                "`regions: all` needs each account's enabled regions, which stack-set mode does not look up",
            )
            .hint("list the regions, e.g. `regions: [us-east-1, eu-west-1]`"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, region) in file.regions.listed().iter().enumerate() {
        let path = at(p(&["regions"]), i);
        if file.alerts.slack.is_some()
            && regions::is_known(region)
            && !regions::offers(region, regions::Capability::Chatbot)
        {
            diags.push(
                Diagnostic::warning(
                    path.clone(),
                    format!("AWS Chatbot does not run in {region}: Slack gets no alerts from there, only the email subscribers do"),
                )
                .hint("add an email subscriber (`alerts.email`), or leave the region out"),
            );
        }
        // Switched on there by the top level or by a region's override.
        let (macie, detective, inspector) = match components_for(file, None, region) {
            Ok(c) => (c.macie.enabled, c.detective.enabled, c.inspector.enabled),
            Err(_) => (
                file.macie.enabled,
                file.detective.enabled,
                file.inspector.enabled,
            ),
        };
        if inspector
            && regions::is_known(region)
            && !regions::offers(region, regions::Capability::Inspector)
        {
            diags.push(
                Diagnostic::warning(
                    path.clone(),
                    format!(
                        "Amazon Inspector is not offered in {region}: scanning is left out there"
                    ),
                )
                .hint("leave the region out, or scan its workloads another way"),
            );
        }
        for (on, capability, what) in [
            (
                macie,
                regions::Capability::Macie,
                "Macie (AWS::Macie::Session)",
            ),
            (
                detective,
                regions::Capability::Detective,
                "Detective (AWS::Detective::Graph)",
            ),
        ] {
            if on && regions::is_known(region) && !regions::offers(region, capability) {
                diags.push(
                    Diagnostic::warning(
                        path.clone(),
                        format!(
                            "CloudFormation in {region} cannot create {what}: it is left out there"
                        ),
                    )
                    .hint("switch it on there by hand, or leave the region out"),
                );
            }
        }
        if !regions::is_known(region) {
            diags.push(region_diag(path, region));
        } else if !seen.insert(region.as_str()) {
            diags.push(
                Diagnostic::error(path, format!("region {region} is listed twice"))
                    .hint("list each region once"),
            );
        }
    }
    if let Some(home) = home {
        let listed = file.regions.listed();
        if !listed.is_empty() && !listed.iter().any(|r| r == home) {
            diags.push(
                Diagnostic::error(
                    p(&["home_region"]),
                    format!("home_region {home} is not in `regions`"),
                )
                .hint(format!(
                    "add {home} to `regions`, or leave `regions` out to deploy only there"
                )),
            );
        }
    }
}

fn check_accounts(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for (i, account) in file.accounts.iter().enumerate() {
        let path = at(p(&["accounts"]), i);
        let id = &account.id;
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            diags.push(
                Diagnostic::error(path.clone(), format!("account id {id:?} is not 12 digits"))
                    .hint(
                        "write AWS account ids as quoted 12-digit strings, e.g. \"012345678901\"",
                    ),
            );
        } else if !seen.insert(id.as_str()) {
            diags.push(
                Diagnostic::error(path.clone(), format!("account {id} is listed twice"))
                    .hint("list each account once"),
            );
        }
        if account.role_arn.is_some() && account.profile.is_some() {
            diags.push(
                Diagnostic::error(path.clone(), "give either `role_arn` or `profile`, not both")
                    .hint("role_arn is assumed from the default credentials; profile names a configured profile"),
            );
        }
        if let Some(arn) = &account.role_arn {
            if !valid_role_arn(arn) {
                diags.push(
                    Diagnostic::error(
                        at(path.clone(), "role_arn"),
                        format!("{arn:?} is not an IAM role ARN"),
                    )
                    .hint("expected arn:aws:iam::<12 digits>:role/<name>"),
                );
            }
        }
        if let Some(profile) = &account.profile {
            if profile.trim().is_empty() || profile.chars().any(char::is_whitespace) {
                diags.push(
                    Diagnostic::error(
                        at(path, "profile"),
                        format!("invalid profile name {profile:?}"),
                    )
                    .hint("use the name of a profile in ~/.aws/config"),
                );
            }
        }
    }
}

/// Three distinct 12-digit ids, each a target account (the tool deploys into all three).
fn check_organization(file: &BaselineFile, org: &Organization, diags: &mut Vec<Diagnostic>) {
    let roles = [
        ("management_account", &org.management_account),
        ("security_account", &org.security_account),
        ("log_archive_account", &org.log_archive_account),
    ];
    let listed: BTreeSet<&str> = file.accounts.iter().map(|a| a.id.as_str()).collect();
    for (i, (key, id)) in roles.iter().enumerate() {
        let path = p(&["organization", key]);
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            diags.push(
                Diagnostic::error(path, format!("account id {id:?} is not 12 digits")).hint(
                    "write AWS account ids as quoted 12-digit strings, e.g. \"012345678901\"",
                ),
            );
            continue;
        }
        if let Some((other, _)) = roles[..i].iter().find(|(_, o)| o == id) {
            diags.push(
                Diagnostic::error(
                    path,
                    format!("account {id} is already the organization's {}", other.replace('_', " ")),
                )
                .hint("the management, security and log archive accounts are three different accounts, as AWS's Security Reference Architecture has them"),
            );
            continue;
        }
        if !listed.contains(id.as_str()) {
            diags.push(
                Diagnostic::error(
                    path,
                    format!("account {id} is not listed in `accounts`"),
                )
                .hint(format!(
                    "add it to `accounts` (with the `role_arn` that reaches it): the {} is set up by this baseline too",
                    key.replace('_', " ")
                )),
            );
        }
    }
    for (i, ou) in org.organizational_units.iter().enumerate() {
        if !valid_ou(ou) {
            diags.push(
                Diagnostic::error(
                    at(p(&["organization", "organizational_units"]), i),
                    format!("{ou:?} is not an organizational unit id"),
                )
                .hint("OU ids look like ou-ab12-cd34ef56 (the root is r-ab12); leave the list out to associate Security Hub's policy with the organization's root"),
            );
        }
    }
    match &org.id {
        Some(id) if !valid_organization_id(id) => diags.push(
            Diagnostic::error(
                p(&["organization", "id"]),
                format!("{id:?} is not an organization id"),
            )
            .hint("organization ids look like o-a1b2c3d4e5 (`aws organizations describe-organization --query Organization.Id`)"),
        ),
        None if file.deployment.mode == DeploymentMode::Stacksets => diags.push(
            Diagnostic::error(
                p(&["organization"]),
                "stack-set mode needs the organization's id: the log archive bucket accepts AWS Config deliveries from the stack sets' accounts by organization",
            )
            .hint("add `id: o-...` under `organization` (`aws organizations describe-organization --query Organization.Id`)"),
        ),
        _ => {}
    }
    let home = file.home_region.as_deref().unwrap_or_default();
    let security = super::components_for(file, Some(&org.security_account), home);
    // Security Hub central configuration (Baseline::securityhub_central): one policy for
    // every account and region.
    if super::securityhub_central(file) {
        for (i, o) in file.overrides.iter().enumerate() {
            if o.securityhub.is_some() {
                diags.push(
                    Diagnostic::warning(
                        at(at(p(&["overrides"]), i), "securityhub"),
                        "not applied: under Security Hub central configuration one configuration policy sets Security Hub, its standards and disabled controls in every account and region",
                    )
                    .hint("move the setting to the top-level `securityhub`, or set `organization.auto_enable: false` to keep each account's own configuration"),
                );
            }
        }
    } else if !org.organizational_units.is_empty() {
        diags.push(
            Diagnostic::warning(
                p(&["organization", "organizational_units"]),
                "not used: only Security Hub central configuration (stack mode, `auto_enable`, Security Hub on in the security account and more than one region) associates a policy with organizational units",
            )
            .hint("remove the list, or meet those conditions"),
        );
    }
    // GuardDuty's organization configuration (Baseline::guardduty_by_organization) runs
    // members' detectors: an override of theirs applies only to its S3 malware protection.
    if org.auto_enable {
        for (i, o) in file.overrides.iter().enumerate() {
            let members = o
                .matcher
                .account
                .as_deref()
                .is_none_or(|a| org.role_of(a).is_administered());
            let detector_keys = o
                .guardduty
                .as_ref()
                .and_then(|v| crate::yaml::to_canonical_json(v).ok())
                .and_then(|v| v.as_object().cloned())
                .is_some_and(|m| m.keys().any(|k| k != "s3_malware_protection"));
            if members && detector_keys {
                diags.push(
                    Diagnostic::warning(
                        at(at(p(&["overrides"]), i), "guardduty"),
                        "not applied to members: the security account's GuardDuty organization configuration enables their detectors with the baseline's protection plans (only `s3_malware_protection` is a member's own)",
                    )
                    .hint("set protection plans in the top-level `guardduty`, or match the security or management account only"),
                );
            }
        }
    }
    // In stack mode the organization's one set of alert topics is fed by Security Hub in
    // the security account's home region: without it no finding would alert.
    if file.deployment.mode == DeploymentMode::Stacks {
        if security.is_ok_and(|c| !c.securityhub.enabled) {
            diags.push(
                Diagnostic::error(
                    p(&["organization", "security_account"]),
                    format!(
                        "Security Hub is off in the security account's home region ({home}), where the organization's findings alert"
                    ),
                )
                .hint("enable `securityhub` there: every account's findings, GuardDuty's included, reach the organization's alert topics through it"),
            );
        }
        // GuardDuty's findings reach those topics through Security Hub, whose findings
        // carry no GuardDuty finding type to match.
        for (i, entry) in file.alerts.suppress.iter().enumerate() {
            if let Ok(super::alerts::Suppression::FindingType(_)) =
                super::alerts::Suppression::classify(entry)
            {
                diags.push(
                    Diagnostic::warning(
                        at(p(&["alerts", "suppress"]), i),
                        format!(
                            "{entry} is not applied in an organization: its GuardDuty findings alert through Security Hub in the security account, by severity only"
                        ),
                    )
                    .hint("suppress the finding type with a GuardDuty suppression rule in the security account (it applies to every member), or raise `alerts.guardduty_min_severity`"),
                );
            }
        }
    }
}

fn valid_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > 5
        && !arn.chars().any(char::is_whitespace)
}

/// CloudFormation's tag rules: keys 1-128 and values 0-256 characters of letters, numbers,
/// spaces and `_ . : / = + - @`; keys may not start with `aws:`.
fn valid_tag_text(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c))
}

fn check_tags(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    if file.tags.len() > 40 {
        diags.push(
            Diagnostic::error(
                p(&["tags"]),
                format!("{} tags; at most 40 are allowed", file.tags.len()),
            )
            .hint("AWS allows 50 tags per resource; cfn-baseline keeps room for its own"),
        );
    }
    for (key, value) in &file.tags {
        let path = at(p(&["tags"]), key.as_str());
        let key_len = key.chars().count();
        if key_len == 0 || key_len > 128 || !valid_tag_text(key) {
            diags.push(
                Diagnostic::error(path.clone(), format!("invalid tag key {key:?}"))
                    .at_key()
                    .hint("tag keys have 1-128 letters, numbers, spaces or _ . : / = + - @"),
            );
        } else if key.to_lowercase().starts_with("aws:") {
            diags.push(
                Diagnostic::error(
                    path.clone(),
                    format!("tag key {key:?} uses the reserved prefix `aws:`"),
                )
                .at_key()
                .hint("choose a key without the aws: prefix"),
            );
        }
        if value.chars().count() > 256 || !valid_tag_text(value) {
            diags.push(
                Diagnostic::error(path, format!("invalid tag value {value:?}"))
                    .hint("tag values have 0-256 letters, numbers, spaces or _ . : / = + - @"),
            );
        }
    }
}

fn check_overrides(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    let accounts: Vec<&str> = file.accounts.iter().map(|a| a.id.as_str()).collect();
    // With `regions: all`, an override may name any region.
    let regions: Vec<&str> = match &file.regions {
        Regions::All => regions::KNOWN_REGIONS.to_vec(),
        Regions::List(list) if list.is_empty() => {
            file.home_region.iter().map(String::as_str).collect()
        }
        Regions::List(list) => list.iter().map(String::as_str).collect(),
    };
    for (i, o) in file.overrides.iter().enumerate() {
        let path = vec![Seg::from("overrides"), Seg::Index(i), Seg::from("match")];
        if o.matcher.account.is_none() && o.matcher.region.is_none() {
            diags.push(
                Diagnostic::error(
                    path.clone(),
                    "an override must match an account, a region or both",
                )
                .hint("e.g. `match: {region: us-east-1}`"),
            );
        }
        if let Some(account) = &o.matcher.account {
            if !accounts.contains(&account.as_str()) {
                diags.push(
                    Diagnostic::error(
                        at(path.clone(), "account"),
                        format!("account {account:?} is not one of `accounts`"),
                    )
                    .hint(if accounts.is_empty() {
                        "list the account under `accounts` to override its settings".to_string()
                    } else {
                        format!("targets are: {}", accounts.join(", "))
                    }),
                );
            }
        }
        if let Some(region) = &o.matcher.region {
            if !regions.contains(&region.as_str()) {
                diags.push(
                    Diagnostic::error(
                        at(path.clone(), "region"),
                        format!("region {region:?} is not a target region"),
                    )
                    .hint(
                        match did_you_mean(region, regions.iter().copied()) {
                            Some(best) => format!("did you mean `{best}`?"),
                            None => format!("target regions are: {}", regions.join(", ")),
                        },
                    ),
                );
            } else if o.cloudtrail.is_some() && file.home_region.as_deref() != Some(region.as_str())
            {
                diags.push(
                    Diagnostic::warning(
                        vec![
                            Seg::from("overrides"),
                            Seg::Index(i),
                            Seg::from("cloudtrail"),
                        ],
                        format!("cloudtrail settings have no effect in {region}"),
                    )
                    .hint("the multi-region trail lives in the home region only"),
                );
            }
        }
    }
}

/// Checks the settings in force for every target: the base settings under their own paths,
/// then whatever an override changes, reported under that override.
fn check_targets(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    let Some(home) = file.home_region.as_deref() else {
        return;
    };
    let accounts = target_accounts(file);
    let regions = target_regions(file, home);
    let base = match components_for(
        &BaselineFile {
            overrides: vec![],
            ..file.clone()
        },
        None,
        home,
    ) {
        Ok(c) => c,
        Err(_) => return,
    };
    let mut base_diags = Vec::new();
    check_components(&base, true, home, &mut base_diags);
    check_home_only(file, &base, &mut base_diags);
    let base_messages: BTreeSet<String> = base_diags.iter().map(|d| d.message.clone()).collect();
    diags.extend(base_diags);

    let mut reported = BTreeSet::new();
    for account in &accounts {
        for region in &regions {
            let Some(last) = file
                .overrides
                .iter()
                .rposition(|o| override_matches(o, *account, region))
            else {
                continue;
            };
            let components = match components_for(file, *account, region) {
                Ok(c) => c,
                Err(message) => {
                    diags.push(Diagnostic::error(
                        vec![Seg::from("overrides"), Seg::Index(last)],
                        format!(
                            "the merged settings for {} / {region} are invalid: {message}",
                            account.unwrap_or("the caller's account")
                        ),
                    ));
                    continue;
                }
            };
            let mut target_diags = Vec::new();
            check_components(&components, *region == home, region, &mut target_diags);
            for mut diag in target_diags {
                if base_messages.contains(&diag.message) || !reported.insert(diag.message.clone()) {
                    continue;
                }
                let mut path = vec![Seg::from("overrides"), Seg::Index(last)];
                path.extend(diag.path);
                diag.path = path;
                diags.push(diag);
            }
        }
    }
}

/// Rules that need the whole file (home region, accounts).
fn check_home_only(file: &BaselineFile, home_components: &Components, diags: &mut Vec<Diagnostic>) {
    let Some(home) = file.home_region.as_deref() else {
        return;
    };
    if home_components.config.enabled && !regions::records_global_iam(home) {
        diags.push(
            Diagnostic::error(
                p(&["home_region"]),
                format!("AWS Config cannot record global IAM resources in {home}"),
            )
            .hint("regions added after February 2022 cannot record IAM users, roles, groups and policies; \
                   choose an older home region (e.g. us-east-1, eu-west-1, ap-northeast-1)"),
        );
    }
    if home_components.config.enabled && !home_components.cloudtrail.enabled {
        diags.push(
            Diagnostic::error(
                p(&["config", "enabled"]),
                "AWS Config needs the log archive that the cloudtrail stack creates",
            )
            .hint("set `cloudtrail.enabled: true`, or `config.enabled: false`"),
        );
    }
}

/// Rules over one target's settings. Paths are relative to the file's top level.
fn check_components(c: &Components, is_home: bool, region: &str, diags: &mut Vec<Diagnostic>) {
    check_alerts(c, diags);
    if is_home {
        check_cloudtrail(&c.cloudtrail, diags);
        check_password_policy(&c.iam.password_policy, diags);
    }
    check_config(&c.config, diags);
    check_guardduty(&c.guardduty, diags);
    check_macie_jobs(&c.macie, diags);
    let malware = &c.guardduty.s3_malware_protection;
    if !malware.is_empty() && !c.guardduty.enabled {
        diags.push(
            Diagnostic::warning(
                p(&["guardduty", "s3_malware_protection"]),
                "GuardDuty is off (`guardduty.enabled: false`), so the listed buckets get no Malware Protection plan",
            )
            .hint("switch GuardDuty on, or empty the list"),
        );
    }
    // Malware found in an upload alerts as GuardDuty's finding Object:S3/MaliciousFile,
    // of severity 8 (high).
    if !malware.is_empty()
        && c.guardduty.enabled
        && c.alerts.guardduty_min_severity.threshold() > 8.0
    {
        diags.push(
            Diagnostic::warning(
                p(&["alerts", "guardduty_min_severity"]),
                "malware found in a protected bucket (GuardDuty finding Object:S3/MaliciousFile, severity 8) is below this threshold and will not alert",
            )
            .hint("set `guardduty_min_severity: high` or lower"),
        );
    }
    check_securityhub(&c.securityhub, region, diags);
    let age = c.access_analyzer.unused_access_age_days;
    if !(1..=365).contains(&age) {
        diags.push(
            Diagnostic::error(
                p(&["access_analyzer", "unused_access_age_days"]),
                format!("{age} is outside 1-365"),
            )
            .hint("IAM Access Analyzer accepts 1 to 365 days; 90 is the default"),
        );
    }
    if c.inspector.enabled {
        let scan = &c.inspector.scan;
        if scan.is_empty() {
            diags.push(
                Diagnostic::error(p(&["inspector", "scan"]), "Inspector is on with nothing to scan")
                    .hint("list what to scan: ec2, ecr, lambda, lambda_code; or set `inspector.enabled: false`"),
            );
        }
        if scan.contains(&InspectorScan::LambdaCode) && !scan.contains(&InspectorScan::Lambda) {
            diags.push(
                Diagnostic::error(
                    p(&["inspector", "scan"]),
                    "lambda_code scanning needs lambda scanning too",
                )
                .hint("add `lambda` to `inspector.scan`"),
            );
        }
    }
    if c.waf.enabled {
        check_retention(
            &["waf", "log_retention_days"],
            c.waf.log_retention_days,
            diags,
        );
    }
    if c.network.enabled && !c.config.enabled {
        diags.push(
            Diagnostic::warning(
                p(&["network"]),
                format!("the network guardrails are AWS Config rules, and Config is off in {region}: they are not deployed there"),
            )
            .hint("turn `config` on, or set `network.enabled: false` to say so"),
        );
    }
    check_patch_install(&c.patching.install, diags);
    if c.patching.scan && !c.config.enabled {
        diags.push(
            Diagnostic::warning(
                p(&["patching", "scan"]),
                format!("Config is off in {region}: the patch scan runs, but no Config rule reports its results"),
            )
            .hint("turn `config` on to see patch compliance with the other checks"),
        );
    }
}

/// Target accounts (`None`: the caller's) as validation checks them.
fn target_accounts(file: &BaselineFile) -> Vec<Option<&str>> {
    if file.accounts.is_empty() {
        vec![None]
    } else {
        file.accounts.iter().map(|a| Some(a.id.as_str())).collect()
    }
}

/// Target regions as validation checks them: with `regions: all`, every region an account
/// may have enabled.
fn target_regions<'a>(file: &'a BaselineFile, home: &'a str) -> Vec<&'a str> {
    match &file.regions {
        Regions::All => regions::KNOWN_REGIONS.to_vec(),
        Regions::List(list) if list.is_empty() => vec![home],
        Regions::List(list) => list.iter().map(String::as_str).collect(),
    }
}

/// Something that lives in one region (a Malware Protection bucket, a Macie job's buckets)
/// as a target lists it.
struct OneRegion {
    /// Tells it apart within one account.
    key: String,
    /// Where the file lists it, when at the top level.
    listed: Vec<Seg>,
    /// "bucket x would get a Malware Protection plan", ...
    what: String,
    /// "a bucket lives in one region", ...
    why: &'static str,
    /// The override's component settings for the hint.
    example: String,
}

/// Listed once per target, but created in every region it is merged into: the second
/// region would fail (a Malware Protection plan, a Macie job over buckets elsewhere).
fn check_malware_regions(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    let Some(home) = file.home_region.as_deref() else {
        return;
    };
    let regions = target_regions(file, home);
    let listed_at = |section: &str, key: &str, i: Option<usize>| match i {
        Some(i) => at(p(&[section, key]), i),
        None => p(&[section, key]),
    };
    let mut reported = BTreeSet::new();
    for account in target_accounts(file) {
        let mut first: std::collections::BTreeMap<String, &str> = Default::default();
        for region in &regions {
            let Ok(c) = components_for(file, account, region) else {
                continue;
            };
            let jobs = c
                .macie
                .jobs
                .iter()
                .filter(|_| c.macie.enabled)
                .map(|job| OneRegion {
                    key: format!("job:{}", job.name),
                    listed: listed_at(
                        "macie",
                        "jobs",
                        file.macie.jobs.iter().position(|j| j.name == job.name),
                    ),
                    what: format!("Macie job {} would be created", job.name),
                    why: "its buckets live in one region",
                    example: "macie: {jobs: [...]}".to_string(),
                });
            let buckets = c
                .guardduty
                .s3_malware_protection
                .iter()
                .filter(|_| c.guardduty.enabled)
                .map(|b| OneRegion {
                    key: b.bucket.clone(),
                    listed: listed_at(
                        "guardduty",
                        "s3_malware_protection",
                        file.guardduty
                            .s3_malware_protection
                            .iter()
                            .position(|t| t.bucket == b.bucket),
                    ),
                    what: format!("bucket {} would get a Malware Protection plan", b.bucket),
                    why: "a bucket lives in one region",
                    example: format!(
                        "guardduty: {{s3_malware_protection: [{{bucket: {}}}]}}",
                        b.bucket
                    ),
                });
            for item in jobs.chain(buckets) {
                let Some(other) = first.get(&item.key).copied() else {
                    first.insert(item.key, region);
                    continue;
                };
                if other == *region || !reported.insert(item.key) {
                    continue;
                }
                diags.push(
                    Diagnostic::error(
                        item.listed,
                        format!("{} in both {other} and {region}, but {}", item.what, item.why),
                    )
                    .hint(format!(
                        "list it under an override for its region, e.g. `overrides: [{{match: {{region: {other}}}, {}}}]`",
                        item.example
                    )),
                );
            }
        }
    }
}

/// What Shield Advanced can protect: (service, resource type) of the ARN.
const SHIELD_RESOURCES: [(&str, &str); 5] = [
    ("elasticloadbalancing", "loadbalancer"),
    ("cloudfront", "distribution"),
    ("globalaccelerator", "accelerator"),
    ("route53", "hostedzone"),
    ("ec2", "eip-allocation"),
];

/// `shield`: proactive engagement needs someone to call; each protection is an ARN Shield
/// can protect, listed once, in an account the baseline reaches.
fn check_shield(file: &BaselineFile, diags: &mut Vec<Diagnostic>) {
    let s = &file.shield;
    if s.proactive_engagement && file.security_contact.is_none() {
        diags.push(
            Diagnostic::error(
                p(&["shield", "proactive_engagement"]),
                "proactive engagement needs someone for the Shield Response Team to call",
            )
            .hint("add `security_contact: {name, email, phone}`: it becomes Shield's emergency contact"),
        );
    }
    if file.deployment.mode == DeploymentMode::Stacksets
        && (s.proactive_engagement || !s.protections.is_empty())
    {
        diags.push(
            Diagnostic::warning(
                p(&["shield"]),
                "Shield Advanced's proactive engagement and protections are not set in stack-set mode (no CloudFormation type)",
            )
            .hint("use `deployment.mode: stacks`"),
        );
    }
    let accounts: Vec<&str> = file.accounts.iter().map(|a| a.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for (i, arn) in s.protections.iter().enumerate() {
        let path = at(p(&["shield", "protections"]), i);
        let Some(parsed) = ShieldArn::parse(arn) else {
            diags.push(
                Diagnostic::error(path, format!("{arn:?} is not an ARN"))
                    .hint("write the resource's full ARN, e.g. arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"),
            );
            continue;
        };
        if !SHIELD_RESOURCES.contains(&(parsed.service, parsed.resource_type)) {
            diags.push(
                Diagnostic::error(
                    path,
                    format!(
                        "Shield Advanced cannot protect this kind of resource ({} {})",
                        parsed.service, parsed.resource_type
                    ),
                )
                .hint("it protects load balancers, CloudFront distributions, Global Accelerator accelerators, Route 53 hosted zones and Elastic IP allocations"),
            );
            continue;
        }
        if !seen.insert(arn.as_str()) {
            diags.push(
                Diagnostic::error(path, format!("{arn} is listed twice"))
                    .hint("list each resource once"),
            );
            continue;
        }
        match parsed.account {
            None if accounts.len() > 1 => diags.push(
                Diagnostic::error(
                    path,
                    "this ARN names no account, and the baseline has several",
                )
                .hint("protect it in its own account with a baseline for that account, or leave it out"),
            ),
            Some(a) if !accounts.is_empty() && !accounts.contains(&a) => diags.push(
                Diagnostic::error(
                    path,
                    format!("account {a} is not one of the baseline's `accounts`"),
                )
                .hint("a resource is protected in the account that owns it: add the account, or leave the resource out"),
            ),
            _ => {}
        }
    }
}

/// The limits of the Account API's PutAlternateContact.
fn check_security_contact(c: &SecurityContact, diags: &mut Vec<Diagnostic>) {
    let at = |key: &str| p(&["security_contact", key]);
    let name_len = c.name.trim().chars().count();
    if !(1..=64).contains(&name_len) {
        diags.push(
            Diagnostic::error(at("name"), "a contact name is 1-64 characters")
                .hint("name a person or a team, e.g. `Security team`"),
        );
    }
    if !valid_email(&c.email) || c.email.len() > 254 {
        diags.push(
            Diagnostic::error(
                at("email"),
                format!("{:?} is not an email address", c.email),
            )
            .hint("use an address someone reads, e.g. security@your-company.example"),
        );
    }
    let phone_ok = !c.phone.trim().is_empty()
        && c.phone.len() <= 25
        && c.phone
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch));
    if !phone_ok {
        diags.push(
            Diagnostic::error(at("phone"), format!("{:?} is not a phone number", c.phone))
                .hint("digits, spaces, +, - and parentheses, up to 25 characters, e.g. \"+1 206 555 0100\""),
        );
    }
    let title_len = c.title.trim().chars().count();
    if !(1..=50).contains(&title_len) {
        diags.push(Diagnostic::error(
            at("title"),
            "a contact title is 1-50 characters",
        ));
    }
}

fn check_patch_install(i: &PatchInstall, diags: &mut Vec<Diagnostic>) {
    if !i.enabled {
        return;
    }
    let at = |key: &str| p(&["patching", "install", key]);
    let schedule = i.schedule.trim();
    if !((schedule.starts_with("cron(") || schedule.starts_with("rate("))
        && schedule.ends_with(')'))
    {
        diags.push(
            Diagnostic::error(
                at("schedule"),
                format!("`{}` is not a Systems Manager schedule", i.schedule),
            )
            .hint(
                "write a cron or rate expression, e.g. `cron(0 3 ? * SUN *)` for Sundays at 03:00",
            ),
        );
    }
    if !(2..=24).contains(&i.duration_hours) {
        diags.push(
            Diagnostic::error(
                at("duration_hours"),
                format!("{} hours is outside 2-24", i.duration_hours),
            )
            .hint("a maintenance window lasts 1-24 hours and stops starting nodes an hour before it closes; 3 is the default"),
        );
    }
    let tz_ok = !i.timezone.is_empty()
        && i.timezone
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "/_+-".contains(ch));
    if !tz_ok {
        diags.push(
            Diagnostic::error(
                at("timezone"),
                format!("`{}` is not a time zone name", i.timezone),
            )
            .hint("use an IANA name such as `Etc/UTC` or `Europe/Berlin`"),
        );
    }
    if i.tag.key.is_empty() || i.tag.key.len() > 128 || i.tag.key.starts_with("aws:") {
        diags.push(
            Diagnostic::error(
                p(&["patching", "install", "tag", "key"]),
                "a tag key is 1-128 characters and does not start with `aws:`",
            )
            .hint("the default is `Patch` with the value `install`"),
        );
    }
    if i.tag.value.len() > 256 {
        diags.push(Diagnostic::error(
            p(&["patching", "install", "tag", "value"]),
            "a tag value is at most 256 characters",
        ));
    }
}

fn check_alerts(c: &Components, diags: &mut Vec<Diagnostic>) {
    let alerts = &c.alerts;
    if alerts.email.is_empty() && alerts.slack.is_none() {
        diags.push(
            Diagnostic::warning(
                p(&["alerts"]),
                "no email or Slack subscriber: alerts will reach nobody",
            )
            .hint("add `alerts.email: [security@your-company.example]`"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, email) in alerts.email.iter().enumerate() {
        let path = at(p(&["alerts", "email"]), i);
        if !valid_email(email) {
            diags.push(
                Diagnostic::error(path, format!("{email:?} is not an email address"))
                    .hint("expected name@domain.tld, without spaces, quotes or angle brackets"),
            );
        } else if !seen.insert(email.to_lowercase()) {
            diags.push(
                Diagnostic::error(path, format!("{email} is listed twice"))
                    .hint("list each address once"),
            );
        }
    }
    if let Some(slack) = &alerts.slack {
        let ws = &slack.workspace_id;
        if ws.is_empty()
            || ws.len() > 255
            || !ws
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            diags.push(
                Diagnostic::error(p(&["alerts", "slack", "workspace_id"]), format!("{ws:?} is not a Slack workspace id"))
                    .hint("workspace ids are uppercase letters and digits, e.g. T0123ABCD (Slack: workspace settings)"),
            );
        }
        let ch = &slack.channel_id;
        if ch.is_empty() || ch.len() > 255 || !ch.bytes().all(|b| b.is_ascii_alphanumeric()) {
            diags.push(
                Diagnostic::error(
                    p(&["alerts", "slack", "channel_id"]),
                    format!("{ch:?} is not a Slack channel id"),
                )
                .hint(
                    "channel ids are letters and digits, e.g. C0123ABCD (Slack: channel details)",
                ),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (i, severity) in alerts.securityhub_severities.iter().enumerate() {
        if !seen.insert(*severity) {
            diags.push(
                Diagnostic::error(
                    at(p(&["alerts", "securityhub_severities"]), i),
                    format!("{severity:?} is listed twice"),
                )
                .hint("list each severity once"),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for (i, entry) in alerts.suppress.iter().enumerate() {
        let path = at(p(&["alerts", "suppress"]), i);
        match super::alerts::Suppression::classify(entry) {
            Err(e) => diags.push(Diagnostic::error(path, e.message).hint(e.hint)),
            Ok(_) if !seen.insert(entry.as_str()) => diags.push(
                Diagnostic::error(path, format!("{entry} is listed twice"))
                    .hint("list each suppression once"),
            ),
            Ok(super::alerts::Suppression::FindingType(_)) if !c.guardduty.enabled => diags.push(
                Diagnostic::warning(
                    path,
                    format!(
                        "{entry} suppresses a GuardDuty finding type, but GuardDuty is off here"
                    ),
                )
                .hint("it takes effect where GuardDuty is enabled"),
            ),
            Ok(_) => {}
        }
    }
    if c.securityhub.enabled && alerts.securityhub_severities.is_empty() {
        diags.push(
            Diagnostic::warning(
                p(&["alerts", "securityhub_severities"]),
                "no Security Hub severity is alerted on",
            )
            .hint("the default is [CRITICAL, HIGH]"),
        );
    }
}

fn valid_email(email: &str) -> bool {
    if email.len() > 254
        || email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>(),;:\\[]`".contains(c))
    {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
}

/// A CloudWatch Logs retention period: one of the values the service accepts.
fn check_retention(path: &[&str], days: u32, diags: &mut Vec<Diagnostic>) {
    if LOG_RETENTION_DAYS.contains(&days) {
        return;
    }
    let nearest = LOG_RETENTION_DAYS
        .iter()
        .min_by_key(|d| d.abs_diff(days))
        .copied()
        .unwrap_or(365);
    diags.push(
        Diagnostic::error(
            p(path),
            format!("CloudWatch Logs does not accept a retention of {days} days"),
        )
        .hint(format!(
            "the nearest allowed value is {nearest}; allowed: {}",
            LOG_RETENTION_DAYS.map(|d| d.to_string()).join(", ")
        )),
    );
}

fn check_cloudtrail(t: &CloudTrail, diags: &mut Vec<Diagnostic>) {
    check_retention(
        &["cloudtrail", "log_retention_days"],
        t.log_retention_days,
        diags,
    );
    if t.archive_days < 365 {
        diags.push(
            Diagnostic::error(
                p(&["cloudtrail", "archive_days"]),
                format!(
                    "archive_days {} keeps trail logs for less than a year",
                    t.archive_days
                ),
            )
            .hint("use at least 365; the default 2557 keeps seven years of evidence"),
        );
    }
}

fn check_config(config: &Config, diags: &mut Vec<Diagnostic>) {
    if config.create_service_linked_role.is_some() {
        diags.push(
            Diagnostic::warning(
                p(&["config", "create_service_linked_role"]),
                "deprecated: plan and deploy find out whether AWSServiceRoleForConfig exists and create it only where it does not",
            )
            .hint("remove the key; set, it overrides what is discovered"),
        );
    }
    if let ConfigRules::List(ids) = &config.rules {
        let mut seen = BTreeSet::new();
        for (i, id) in ids.iter().enumerate() {
            let path = at(p(&["config", "rules"]), i);
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                diags.push(
                    Diagnostic::error(path, format!("{id:?} is not a managed rule identifier"))
                        .hint("managed rule ids are upper case with underscores, e.g. S3_BUCKET_SSL_REQUESTS_ONLY"),
                );
            } else if !seen.insert(id.as_str()) {
                diags.push(
                    Diagnostic::error(path, format!("rule {id} is listed twice"))
                        .hint("list each rule once"),
                );
            }
        }
    }
}

/// An S3 bucket name as S3 allows it for new buckets: 3-63 lowercase letters, digits, dots
/// and hyphens, starting and ending with a letter or digit, no `..`, not an IP address.
fn valid_bucket_name(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(name.chars().next())
        && edge(name.chars().last())
        && !name.contains("..")
        && name.parse::<std::net::Ipv4Addr>().is_err()
}

/// Macie jobs: named once each, over valid buckets, on a schedule Macie takes.
fn check_macie_jobs(m: &Macie, diags: &mut Vec<Diagnostic>) {
    if !m.jobs.is_empty() && !m.enabled {
        diags.push(
            Diagnostic::warning(
                p(&["macie", "jobs"]),
                "Macie is off (`macie.enabled: false`), so its jobs are not created",
            )
            .hint("switch Macie on, or empty the list"),
        );
    }
    let mut names = BTreeSet::new();
    for (i, job) in m.jobs.iter().enumerate() {
        let path = at(p(&["macie", "jobs"]), i);
        let name_ok = (1..=64).contains(&job.name.len())
            && job
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "name"),
                    format!("{:?} is not a job name", job.name),
                )
                .hint("1-64 letters, digits, `-` and `_`, e.g. `uploads-weekly`"),
            );
        } else if !names.insert(job.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "name"),
                    format!("job {} is listed twice", job.name),
                )
                .hint("give each job its own name"),
            );
        }
        if job.buckets.is_empty() {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "buckets"),
                    "a job needs at least one bucket",
                )
                .hint("list the buckets to inspect, e.g. `buckets: [acme-uploads]`"),
            );
        }
        let mut seen = BTreeSet::new();
        for (j, bucket) in job.buckets.iter().enumerate() {
            let at_bucket = at(at(path.clone(), "buckets"), j);
            if !valid_bucket_name(bucket) {
                diags.push(
                    Diagnostic::error(at_bucket, format!("{bucket:?} is not an S3 bucket name"))
                        .hint("the bucket's name only, e.g. `acme-uploads`"),
                );
            } else if !seen.insert(bucket.as_str()) {
                diags.push(Diagnostic::error(
                    at_bucket,
                    format!("bucket {bucket} is listed twice in this job"),
                ));
            }
        }
        if let JobSchedule::Monthly(day) = job.schedule {
            if !(1..=31).contains(&day) {
                diags.push(
                    Diagnostic::error(
                        at(path.clone(), "schedule"),
                        format!("day {day} of the month is outside 1-31"),
                    )
                    .hint("Macie runs a monthly job on the last day of shorter months"),
                );
            }
        }
        if let ManagedIdentifiers::Include(ids) = &job.managed_identifiers {
            let bad = ids.iter().find(|id| {
                id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            });
            if ids.is_empty() || bad.is_some() {
                diags.push(
                    Diagnostic::error(
                        at(path.clone(), "managed_identifiers"),
                        match bad {
                            Some(id) => format!("{id:?} is not a managed data identifier id"),
                            None => "`include` lists no identifier".to_string(),
                        },
                    )
                    .hint("Macie's ids are upper case, e.g. CREDIT_CARD_NUMBER, AWS_CREDENTIALS; or use `recommended`"),
                );
            }
        }
    }
}

/// Malware Protection for S3 takes up to 5 object prefixes per bucket.
const MAX_MALWARE_PREFIXES: usize = 5;

fn check_guardduty(g: &GuardDuty, diags: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for (i, b) in g.s3_malware_protection.iter().enumerate() {
        let path = at(p(&["guardduty", "s3_malware_protection"]), i);
        if !valid_bucket_name(&b.bucket) {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "bucket"),
                    format!("{:?} is not an S3 bucket name", b.bucket),
                )
                .hint("3-63 lowercase letters, digits, dots and hyphens, e.g. `acme-uploads`; the name only, not an ARN or s3:// URL"),
            );
        } else if !seen.insert(b.bucket.as_str()) {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "bucket"),
                    format!("bucket {} is listed twice", b.bucket),
                )
                .hint("one plan per bucket: merge the entries' prefixes"),
            );
        }
        if b.prefixes.len() > MAX_MALWARE_PREFIXES {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "prefixes"),
                    format!(
                        "{} prefixes, and Malware Protection for S3 takes at most {MAX_MALWARE_PREFIXES}",
                        b.prefixes.len()
                    ),
                )
                .hint("use shorter common prefixes, or leave `prefixes` out to scan the whole bucket"),
            );
        }
        for (j, prefix) in b.prefixes.iter().enumerate() {
            if prefix.is_empty() || prefix.len() > 1024 {
                diags.push(Diagnostic::error(
                    at(at(path.clone(), "prefixes"), j),
                    "a prefix is 1-1024 characters",
                ));
            }
        }
        if let Some(key) = &b.kms_key {
            let parts: Vec<&str> = key.splitn(6, ':').collect();
            let ok = parts.len() == 6
                && parts[0] == "arn"
                && parts[2] == "kms"
                && parts[5]
                    .strip_prefix("key/")
                    .is_some_and(|id| !id.is_empty());
            if !ok {
                diags.push(
                    Diagnostic::error(
                        at(path.clone(), "kms_key"),
                        format!("{key:?} is not a KMS key ARN"),
                    )
                    .hint("the key's ARN, e.g. arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab (an alias does not work in the role's policy)"),
                );
            }
        }
    }

    if g.features.runtime_monitoring && g.features.eks_runtime_monitoring {
        diags.push(
            Diagnostic::error(
                p(&["guardduty", "features", "eks_runtime_monitoring"]),
                "eks_runtime_monitoring and runtime_monitoring cannot both be on",
            )
            .hint(
                "GuardDuty rejects both features together; runtime_monitoring already covers EKS",
            ),
        );
    }
}

fn check_securityhub(s: &SecurityHub, region: &str, diags: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for (i, standard) in s.standards.iter().enumerate() {
        if !seen.insert(*standard) {
            diags.push(
                Diagnostic::error(
                    at(p(&["securityhub", "standards"]), i),
                    format!("{standard} is listed twice"),
                )
                .hint("list each standard once"),
            );
        }
    }
    if s.enabled && s.standards.is_empty() {
        diags.push(
            Diagnostic::warning(p(&["securityhub", "standards"]), format!("Security Hub in {region} has no standard enabled"))
                .hint("the default is [aws-foundational-security-best-practices, cis-aws-foundations-benchmark-v5]"),
        );
    }
    let mut seen = BTreeSet::new();
    for (i, control) in s.disabled_controls.iter().enumerate() {
        let path = at(p(&["securityhub", "disabled_controls"]), i);
        if let Some(standard) = control.standard {
            diags.push(
                Diagnostic::warning(
                    at(path.clone(), "standard"),
                    format!("`standard: {standard}` is no longer needed: {} is disabled in every enabled standard that has it", control.control),
                )
                .hint("remove the `standard` key"),
            );
        }
        let id = &control.control;
        if !super::controls::is_control_id(id) {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "control"),
                    format!("{id:?} is not a Security Hub control id"),
                )
                .hint(if id.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
                    "use the control id Security Hub shows for it (e.g. IAM.9 rather than CIS 1.14): one id covers every standard"
                } else {
                    "control ids look like IAM.6 or S3.1"
                }),
            );
        } else if !seen.insert(id.as_str()) {
            diags.push(
                Diagnostic::error(
                    at(path.clone(), "control"),
                    format!("{id} is disabled twice"),
                )
                .hint("list each control once"),
            );
        }
        let reason_len = control.reason.chars().count();
        if control.reason.trim().is_empty() || reason_len > 900 {
            diags.push(
                Diagnostic::error(
                    at(path, "reason"),
                    "a disabled control needs a reason of 1-900 characters",
                )
                .hint("say why the control does not apply; reviewers and auditors read it"),
            );
        }
    }
}

fn check_password_policy(pp: &PasswordPolicy, diags: &mut Vec<Diagnostic>) {
    let path = |k: &str| p(&["iam", "password_policy", k]);
    if !(6..=128).contains(&pp.min_length) {
        diags.push(
            Diagnostic::error(
                path("min_length"),
                format!("min_length {} is outside 6-128", pp.min_length),
            )
            .hint("IAM accepts 6 to 128; CIS asks for at least 14"),
        );
    } else if pp.min_length < 14 {
        diags.push(
            Diagnostic::warning(
                path("min_length"),
                format!(
                    "min_length {} is below the CIS minimum of 14",
                    pp.min_length
                ),
            )
            .hint("use 14 or more"),
        );
    }
    if !(1..=24).contains(&pp.reuse_prevention) {
        diags.push(
            Diagnostic::error(
                path("reuse_prevention"),
                format!("reuse_prevention {} is outside 1-24", pp.reuse_prevention),
            )
            .hint("IAM remembers 1 to 24 previous passwords; CIS asks for 24"),
        );
    } else if pp.reuse_prevention < 24 {
        diags.push(
            Diagnostic::warning(
                path("reuse_prevention"),
                format!(
                    "reuse_prevention {} is below the CIS value of 24",
                    pp.reuse_prevention
                ),
            )
            .hint("use 24"),
        );
    }
    if let Some(days) = pp.max_age_days {
        if !(1..=1095).contains(&days) {
            diags.push(
                Diagnostic::error(
                    path("max_age_days"),
                    format!("max_age_days {days} is outside 1-1095"),
                )
                .hint("leave it out for passwords that do not expire (CIS v1.4 and later)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_bucket_names() {
        assert!(valid_name("acme"));
        assert!(valid_name("a1-b2"));
        assert!(!valid_name("Acme"));
        assert!(!valid_name("1acme"));
        assert!(!valid_name("acme-"));
        assert!(!valid_name("ac--me"));
        assert!(!valid_name(&"a".repeat(MAX_NAME_LEN + 1)));
    }

    #[test]
    fn emails_and_role_arns() {
        assert!(valid_email("sec@example.com"));
        assert!(valid_email("sec+alerts@sub.example.co.uk"));
        assert!(!valid_email("sec@example"));
        assert!(!valid_email("\"sec\"@example.com"));
        assert!(!valid_email("sec @example.com"));
        assert!(valid_role_arn("arn:aws:iam::111111111111:role/Deploy"));
        assert!(!valid_role_arn("arn:aws:iam::1111:role/Deploy"));
        assert!(!valid_role_arn("arn:aws:iam::111111111111:user/Deploy"));
    }
}
