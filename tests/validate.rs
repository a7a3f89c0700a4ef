//! Bad baselines and the exact messages they get: every error at once, each located.

mod support;

use cfn_baseline::baseline::{self, Source};

/// Loads `text` as bad.yaml and returns every diagnostic, one per line.
fn diagnostics(text: &str) -> (bool, String) {
    match baseline::load(Source {
        name: "bad.yaml".into(),
        text: text.into(),
    }) {
        Ok((_, warnings)) => (
            true,
            warnings
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        Err(diags) => (
            false,
            diags
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    }
}

const HEAD: &str =
    "version: 1\nname: acme\nhome_region: us-east-1\nalerts: {email: [sec@example.com]}\n";

#[test]
fn table_of_bad_baselines() {
    // (what, baseline text, expected fragments of the report)
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "stack sets: OU ids, percentages, service-managed needs OUs and no accounts",
            format!("{HEAD}deployment:\n  mode: stacksets\n  organizational_units: [ou-12]\n  accounts: [\"111111111111\"]\n  max_concurrent_percentage: 150\n  failure_tolerance_percentage: 101\n"),
            vec![
                "bad.yaml:7:26: error: deployment.organizational_units[0]: \"ou-12\" is not an organizational unit id",
                "hint: OU ids look like ou-ab12-cd34ef56",
                "deployment.accounts: service-managed stack sets target organizational units, not accounts",
                "deployment.max_concurrent_percentage: 150 is not a percentage",
                "deployment.failure_tolerance_percentage: 101 is not a percentage",
            ],
        ),
        (
            "stack sets: self-managed needs accounts; no account overrides; delegated admin",
            format!("{HEAD}overrides:\n  - match: {{region: us-east-1, account: \"111111111111\"}}\n    guardduty: {{finding_frequency: ONE_HOUR}}\ndeployment:\n  mode: stacksets\n  permission_model: self_managed\n  call_as: delegated_admin\n"),
            vec![
                "deployment.accounts: self-managed stack sets need target accounts",
                "deployment.call_as: `delegated_admin` applies to service-managed stack sets only",
                "overrides[0].match: stack sets deploy one template to every account, so an override cannot match an account",
            ],
        ),
        (
            "stack sets with an organization: its id, members to target, overrides of members only",
            format!("{HEAD}accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\norganization: {{management_account: \"111111111111\", security_account: \"222222222222\", log_archive_account: \"333333333333\"}}\noverrides:\n  - match: {{account: \"222222222222\"}}\n    config: {{enabled: false}}\n  - match: {{account: \"444444444444\"}}\n    config: {{enabled: false}}\ndeployment:\n  mode: stacksets\n  permission_model: self_managed\n"),
            vec![
                "bad.yaml:6:15: error: organization: stack-set mode needs the organization's id",
                "hint: add `id: o-...` under `organization`",
                "error: deployment.accounts: the stack sets have no member account to target: the organization's management, log archive and security accounts are deployed as stacks",
                "bad.yaml:10:12: error: overrides[1].match: stack sets deploy one template to every account, so an override cannot match an account",
            ],
        ),
        (
            "an organization id of the wrong shape",
            format!("{HEAD}accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\norganization: {{id: o-12, management_account: \"111111111111\", security_account: \"222222222222\", log_archive_account: \"333333333333\"}}\n"),
            vec![
                "error: organization.id: \"o-12\" is not an organization id",
                "hint: organization ids look like o-a1b2c3d4e5",
            ],
        ),
        (
            "regions: `all` or a list; `all` needs a per-account lookup stack sets do not make",
            "version: 1\nname: acme\nhome_region: us-east-1\nregions: everywhere\n".to_string(),
            vec!["expected `all` or a list of regions, found \"everywhere\""],
        ),
        (
            "regions: all in stack-set mode",
            "version: 1\nname: acme\nhome_region: us-east-1\nregions: all\ndeployment: {mode: stacksets, organizational_units: [ou-ab12-cd34ef56]}\n".to_string(),
            vec![
                "regions: `regions: all` needs each account's enabled regions, which stack-set mode does not look up",
                "hint: list the regions, e.g. `regions: [us-east-1, eu-west-1]`",
            ],
        ),
        (
            "stack sets: service-managed without OUs",
            format!("{HEAD}deployment: {{mode: stacksets, permission_model: service_managed}}\n"),
            vec!["deployment.organizational_units: service-managed stack sets need target organizational units"],
        ),
        (
            "unknown top-level key with a suggestion",
            format!("{HEAD}guarduty: {{enabled: true}}\n"),
            vec!["bad.yaml:5:1: error: unknown key `guarduty`", "hint: did you mean `guardduty`?"],
        ),
        (
            "unknown nested key",
            format!("{HEAD}guardduty:\n  features:\n    s3_data_event: true\n"),
            vec!["bad.yaml:7:5: error: guardduty.features: unknown key `s3_data_event`", "did you mean `s3_data_events`?"],
        ),
        (
            "wrong type",
            format!("{HEAD}regions: us-east-1\n"),
            vec!["bad.yaml:5:10: error: regions: expected `all` or a list of regions, found \"us-east-1\""],
        ),
        (
            "a type error in words, not Rust's",
            format!("{HEAD}cloudtrail: {{log_retention_days: seven years, insights: 1}}\n"),
            vec![
                "bad.yaml:5:34: error: cloudtrail.log_retention_days: wrong type: expected a whole number (written bare, e.g. 365), found the text \"seven years\"",
                "bad.yaml:5:57: error: cloudtrail.insights: wrong type: expected true or false, found the number 1",
            ],
        ),
        (
            "account ids",
            format!("{HEAD}accounts: [\"12345\", 111111111111]\n"),
            vec!["account id 111111111111 must be a quoted string"],
        ),
        (
            // Any unquoted id, whatever its digits: a leading zero is a string to serde_yaml,
            // octal or decimal to other readers.
            "unquoted account ids, in every place an account id stands",
            format!("{HEAD}accounts:\n  - 012345670123\n  - {{id: 123456789012, profile: p}}\n  - '011111111111'\noverrides:\n  - match: {{account: 012345670123}}\n    guardduty: {{finding_frequency: ONE_HOUR}}\n"),
            vec![
                "bad.yaml:6:5: error: accounts[0]: account id 012345670123 must be a quoted string, e.g. \"012345670123\"",
                "bad.yaml:7:10: error: accounts[1].id: account id 123456789012 must be a quoted string, e.g. \"123456789012\"",
                "bad.yaml:10:22: error: overrides[0].match.account: account id 012345670123 must be a quoted string, e.g. \"012345670123\"",
            ],
        ),
        (
            "unquoted stack-set account id",
            format!("{HEAD}deployment:\n  mode: stacksets\n  accounts: [012345670123]\n"),
            vec!["bad.yaml:7:14: error: deployment.accounts[0]: account id 012345670123 must be a quoted string"],
        ),
        (
            "short account id",
            format!("{HEAD}accounts: [\"12345\"]\n"),
            vec!["bad.yaml:5:12: error: accounts[0]: account id \"12345\" is not 12 digits"],
        ),
        (
            "unknown region",
            format!("{HEAD}regions: [us-east-1, eu-wset-1]\n"),
            vec!["bad.yaml:5:22: error: regions[1]: unknown region \"eu-wset-1\"", "did you mean `eu-west-1`?"],
        ),
        (
            "home region not in regions",
            format!("{HEAD}regions: [eu-west-1]\n"),
            vec!["bad.yaml:3:14: error: home_region: home_region us-east-1 is not in `regions`"],
        ),
        (
            "bad email and Slack ids",
            "version: 1\nname: acme\nhome_region: us-east-1\nalerts:\n  email: [\"not an email\"]\n  slack: {workspace_id: t-lower, channel_id: \"C 1\"}\n".to_string(),
            vec![
                "bad.yaml:5:11: error: alerts.email[0]: \"not an email\" is not an email address",
                "bad.yaml:6:25: error: alerts.slack.workspace_id: \"t-lower\" is not a Slack workspace id",
                "bad.yaml:6:46: error: alerts.slack.channel_id",
            ],
        ),
        (
            "log retention outside the allowed set",
            format!("{HEAD}cloudtrail: {{log_retention_days: 366}}\n"),
            vec!["cloudtrail.log_retention_days: CloudWatch Logs does not accept a retention of 366 days", "nearest allowed value is 365"],
        ),
        (
            "WAF log retention outside the allowed set",
            format!("{HEAD}waf: {{enabled: true, log_retention_days: 100}}\n"),
            vec!["error: waf.log_retention_days: CloudWatch Logs does not accept a retention of 100 days", "nearest allowed value is 90"],
        ),
        (
            "a patch window that cannot work",
            format!("{HEAD}patching:\n  install: {{enabled: true, schedule: weekly, duration_hours: 1, timezone: Mars Time, tag: {{key: 'aws:x', value: v}}}}\n"),
            vec![
                "error: patching.install.schedule: `weekly` is not a Systems Manager schedule",
                "hint: write a cron or rate expression",
                "error: patching.install.duration_hours: 1 hours is outside 2-24",
                "error: patching.install.timezone: `Mars Time` is not a time zone name",
                "error: patching.install.tag.key: a tag key is 1-128 characters",
            ],
        ),
        (
            "Inspector with nothing to scan, or Lambda code without Lambda",
            format!("{HEAD}inspector: {{enabled: true, scan: []}}\noverrides:\n  - match: {{region: us-east-1}}\n    inspector: {{scan: [lambda_code]}}\n"),
            vec![
                "bad.yaml:5:34: error: inspector.scan: Inspector is on with nothing to scan",
                "bad.yaml:8:23: error: overrides[0].inspector.scan: lambda_code scanning needs lambda scanning too",
            ],
        ),
        (
            "account settings: a misspelt key in an override; with stack sets they are not applied; Macie and Detective where CloudFormation lacks them",
            format!("{HEAD}regions: [us-east-1, ap-southeast-3]\nmacie: {{enabled: true}}\noverrides:\n  - match: {{region: us-east-1}}\n    account_settings: {{ebs_encryption: false}}\n  - match: {{region: ap-southeast-3}}\n    detective: {{enabled: true}}\ndeployment:\n  mode: stacksets\n  organizational_units: [r-ab12]\n"),
            vec![
                "bad.yaml:9:24: error: overrides[0].account_settings: unknown key `ebs_encryption`",
                "ebs_encryption_by_default",
                "warning: account_settings: the account settings (EBS encryption by default, the S3 account public access block, ...) are not applied in stack-set mode",
                "warning: regions[1]: CloudFormation in ap-southeast-3 cannot create Macie (AWS::Macie::Session): it is left out there",
                "warning: regions[1]: CloudFormation in ap-southeast-3 cannot create Detective (AWS::Detective::Graph): it is left out there",
            ],
        ),
        (
            "a security contact AWS would refuse",
            format!("{HEAD}security_contact: {{name: '', email: nope, phone: call me}}\n"),
            vec![
                "error: security_contact.name: a contact name is 1-64 characters",
                "error: security_contact.email: \"nope\" is not an email address",
                "error: security_contact.phone: \"call me\" is not a phone number",
            ],
        ),
        (
            "Malware Protection buckets AWS would refuse",
            format!(
                "{HEAD}guardduty:\n  s3_malware_protection:\n    \
                 - {{bucket: s3://Uploads}}\n    \
                 - {{bucket: acme-uploads, prefixes: [a/, b/, c/, d/, e/, f/]}}\n    \
                 - {{bucket: acme-uploads, kms_key: alias/uploads}}\n"
            ),
            vec![
                "error: guardduty.s3_malware_protection[0].bucket: \"s3://Uploads\" is not an S3 bucket name",
                "error: guardduty.s3_malware_protection[1].prefixes: 6 prefixes, and Malware Protection for S3 takes at most 5",
                "error: guardduty.s3_malware_protection[2].bucket: bucket acme-uploads is listed twice",
                "error: guardduty.s3_malware_protection[2].kms_key: \"alias/uploads\" is not a KMS key ARN",
            ],
        ),
        (
            "a Malware Protection bucket in every region",
            "version: 1\nname: acme\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
             alerts: {email: [sec@example.com]}\n\
             guardduty: {s3_malware_protection: [{bucket: acme-uploads}]}\n"
                .to_string(),
            vec![
                "error: guardduty.s3_malware_protection[0]: bucket acme-uploads would get a Malware Protection plan in both us-east-1 and eu-west-1, but a bucket lives in one region",
                "hint: list it under an override for its region",
            ],
        ),
        (
            "Macie jobs AWS would refuse",
            format!(
                "{HEAD}macie:\n  enabled: true\n  jobs:\n    \
                 - {{name: 'weekly uploads', buckets: [acme-uploads], schedule: daily}}\n    \
                 - {{name: audit, buckets: [], schedule: {{monthly: 32}}}}\n    \
                 - {{name: audit, buckets: [Bad_Bucket], schedule: once, managed_identifiers: {{include: [credit card]}}}}\n"
            ),
            vec![
                "error: macie.jobs[0].name: \"weekly uploads\" is not a job name",
                "error: macie.jobs[1].buckets: a job needs at least one bucket",
                "error: macie.jobs[1].schedule: day 32 of the month is outside 1-31",
                "error: macie.jobs[2].name: job audit is listed twice",
                "error: macie.jobs[2].buckets[0]: \"Bad_Bucket\" is not an S3 bucket name",
                "error: macie.jobs[2].managed_identifiers: \"credit card\" is not a managed data identifier id",
            ],
        ),
        (
            "a Macie schedule that is not one",
            format!("{HEAD}macie:\n  enabled: true\n  jobs:\n    - {{name: a, buckets: [acme-x], schedule: weekly}}\n"),
            vec![
                "bad.yaml:8:46: error: macie.jobs[0].schedule: unknown schedule `weekly`: expected `once`, `daily`, `{weekly: monday}` or `{monthly: 1}`",
            ],
        ),
        (
            "a Macie job in every region",
            "version: 1\nname: acme\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\n\
             alerts: {email: [sec@example.com]}\n\
             macie: {enabled: true, jobs: [{name: uploads, buckets: [acme-uploads], schedule: {weekly: monday}}]}\n"
                .to_string(),
            vec![
                "error: macie.jobs[0]: Macie job uploads would be created in both us-east-1 and eu-west-1, but its buckets live in one region",
            ],
        ),
        (
            "Shield settings AWS would refuse",
            format!(
                "{HEAD}accounts: ['111111111111', '222222222222']\nshield:\n  proactive_engagement: true\n  protections:\n    \
                 - not-an-arn\n    \
                 - arn:aws:s3:::bucket/key\n    \
                 - arn:aws:cloudfront::333333333333:distribution/E1\n    \
                 - arn:aws:route53:::hostedzone/Z1\n    \
                 - arn:aws:cloudfront::111111111111:distribution/E2\n    \
                 - arn:aws:cloudfront::111111111111:distribution/E2\n"
            ),
            vec![
                "error: shield.proactive_engagement: proactive engagement needs someone for the Shield Response Team to call",
                "hint: add `security_contact: {name, email, phone}`",
                "error: shield.protections[0]: \"not-an-arn\" is not an ARN",
                "error: shield.protections[1]: Shield Advanced cannot protect this kind of resource (s3 bucket)",
                "error: shield.protections[2]: account 333333333333 is not one of the baseline's `accounts`",
                "error: shield.protections[3]: this ARN names no account, and the baseline has several",
                "error: shield.protections[5]: arn:aws:cloudfront::111111111111:distribution/E2 is listed twice",
            ],
        ),
        (
            "home region that cannot record global IAM types",
            "version: 1\nname: acme\nhome_region: il-central-1\nalerts: {email: [sec@example.com]}\n".to_string(),
            vec!["bad.yaml:3:14: error: home_region: AWS Config cannot record global IAM resources in il-central-1"],
        ),
        (
            "both runtime monitoring features",
            format!("{HEAD}guardduty: {{features: {{eks_runtime_monitoring: true}}}}\n"),
            vec!["guardduty.features.eks_runtime_monitoring: eks_runtime_monitoring and runtime_monitoring cannot both be on"],
        ),
        (
            "bad Config delivery frequency",
            format!("{HEAD}config: {{delivery_frequency: Daily}}\n"),
            vec!["config.delivery_frequency: unknown value `Daily`", "expected one of: One_Hour, Three_Hours, Six_Hours, Twelve_Hours, TwentyFour_Hours"],
        ),
        (
            "bad Config recording frequency",
            format!("{HEAD}config: {{recording_frequency: HOURLY}}\n"),
            vec!["config.recording_frequency: unknown value `HOURLY`", "expected one of: CONTINUOUS, DAILY"],
        ),
        (
            "override with a typo inside a component",
            format!("{HEAD}overrides:\n  - match: {{region: us-east-1}}\n    guardduty: {{featurs: {{}}}}\n"),
            vec!["bad.yaml:7:17: error: overrides[0].guardduty: unknown key `featurs`", "did you mean `features`?"],
        ),
        (
            "override matching nothing",
            format!("{HEAD}overrides:\n  - match: {{region: eu-west-1}}\n    guardduty: {{enabled: false}}\n"),
            vec!["overrides[0].match.region: region \"eu-west-1\" is not a target region"],
        ),
        (
            "override that breaks a rule only where it applies",
            format!("{HEAD}overrides:\n  - match: {{region: us-east-1}}\n    guardduty: {{features: {{eks_runtime_monitoring: true}}}}\n"),
            vec!["bad.yaml:7:52: error: overrides[0].guardduty.features.eks_runtime_monitoring: eks_runtime_monitoring and runtime_monitoring cannot both be on"],
        ),
        (
            "YAML syntax error",
            "version: 1\nname: [acme\nhome_region: us-east-1\n".to_string(),
            vec!["bad.yaml:3:", "error: invalid YAML"],
        ),
        ("empty file", String::new(), vec!["error: the baseline file is empty", "cfn-baseline init"]),
        (
            "missing required keys",
            "regions: [us-east-1]\n".to_string(),
            vec!["missing required key `version`", "missing required key `name`", "missing required key `home_region`"],
        ),
        (
            "a control named by a standard's own numbering",
            format!("{HEAD}securityhub:\n  disabled_controls:\n    - {{control: \"1.14\", reason: n/a}}\n"),
            vec!["securityhub.disabled_controls[0].control: \"1.14\" is not a Security Hub control id"],
        ),
        (
            "tags outside CloudFormation's character set",
            format!("{HEAD}tags: {{\"aws:owner\": x, team: \"a{{b}}\"}}\n"),
            vec!["bad.yaml:5:8: error: tags: tag key \"aws:owner\" uses the reserved prefix `aws:`", "tags.team: invalid tag value \"a{b}\""],
        ),
        (
            "name that cannot prefix bucket names",
            "version: 1\nname: Acme_Corp\nhome_region: us-east-1\n".to_string(),
            vec!["bad.yaml:2:7: error: name: invalid name \"Acme_Corp\""],
        ),
        (
            "unsupported version",
            "version: 2\nname: acme\nhome_region: us-east-1\n".to_string(),
            vec!["bad.yaml:1:10: error: version: unsupported version 2"],
        ),
        (
            "Config without the trail that holds its archive",
            format!("{HEAD}cloudtrail: {{enabled: false}}\n"),
            vec!["AWS Config needs the log archive that the cloudtrail stack creates"],
        ),
        (
            "organization: three distinct quoted ids, each a target account",
            format!("{HEAD}accounts: [\"111111111111\", \"222222222222\"]\norganization:\n  management_account: \"111111111111\"\n  security_account: \"111111111111\"\n  log_archive_account: 333333333333\n"),
            vec![
                "bad.yaml:9:24: error: organization.log_archive_account: account id 333333333333 must be a quoted string",
                "bad.yaml:8:21: error: organization.security_account: account 111111111111 is already the organization's management account",
                "organization.log_archive_account: account 333333333333 is not listed in `accounts`",
                "hint: add it to `accounts` (with the `role_arn` that reaches it): the log archive account is set up by this baseline too",
            ],
        ),
        (
            "organization: an id that is not 12 digits, a key that does not exist",
            format!("{HEAD}accounts: [\"111111111111\"]\norganization: {{management_account: \"111111111111\", security_account: \"12345\", log_archive_account: \"111111111112\", auto_enabled: true}}\n"),
            vec![
                "bad.yaml:6:70: error: organization.security_account: account id \"12345\" is not 12 digits",
                "organization: unknown key `auto_enabled`",
                "hint: did you mean `auto_enable`?",
            ],
        ),
        (
            "organization: Security Hub off where the organization's findings alert",
            format!("{HEAD}accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\norganization: {{management_account: \"111111111111\", security_account: \"222222222222\", log_archive_account: \"333333333333\"}}\noverrides:\n  - match: {{account: \"222222222222\"}}\n    securityhub: {{enabled: false}}\n"),
            vec![
                "error: organization.security_account: Security Hub is off in the security account's home region (us-east-1), where the organization's findings alert",
            ],
        ),
        (
            "organization: an organizational unit id of the wrong shape",
            format!("{HEAD}regions: [us-east-1, eu-west-1]\naccounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\norganization: {{management_account: \"111111111111\", security_account: \"222222222222\", log_archive_account: \"333333333333\", organizational_units: [engineering]}}\n"),
            vec![
                "bad.yaml:7:146: error: organization.organizational_units[0]: \"engineering\" is not an organizational unit id",
                "hint: OU ids look like ou-ab12-cd34ef56 (the root is r-ab12); leave the list out to associate Security Hub's policy with the organization's root",
            ],
        ),
        (
            "password policy outside IAM's range",
            format!("{HEAD}iam: {{password_policy: {{min_length: 4, reuse_prevention: 30}}}}\n"),
            vec!["min_length 4 is outside 6-128", "reuse_prevention 30 is outside 1-24"],
        ),
    ];
    let mut failures = Vec::new();
    for (what, text, expected) in &cases {
        let (ok, report) = diagnostics(text);
        if ok {
            failures.push(format!(
                "{what}: accepted, but should fail with {expected:?}\nreport:\n{report}"
            ));
            continue;
        }
        for fragment in expected {
            if !report.contains(fragment) {
                failures.push(format!("{what}: missing {fragment:?} in:\n{report}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_error_is_reported_at_once_in_file_order() {
    let text = "version: 1\nname: acme\nhome_region: us-east-7\nregions: [us-east-7, mars-1]\naccounts: [\"1\"]\nalerts:\n  email: [nope]\n  severity: high\ncloudtrail: {log_retention_days: 10}\n";
    let (ok, report) = diagnostics(text);
    assert!(!ok);
    let lines: Vec<&str> = report.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(lines.len(), 7, "{report}");
    let positions: Vec<(usize, usize)> = lines
        .iter()
        .map(|l| {
            let mut parts = l.split(':').skip(1);
            (
                parts.next().unwrap().parse().unwrap(),
                parts.next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted, "{report}");
}

#[test]
fn warnings_do_not_fail_validation() {
    let (ok, report) = diagnostics("version: 1\nname: acme\nhome_region: us-east-1\n");
    assert!(ok);
    assert!(
        report.contains("warning: alerts: no email or Slack subscriber"),
        "{report}"
    );
}

#[test]
fn shipped_baselines_validate() {
    for (name, path) in support::shipped_baselines() {
        let text = std::fs::read_to_string(&path).unwrap();
        let (ok, report) = diagnostics(&text);
        assert!(ok, "{name}: {report}");
    }
}

#[test]
fn a_disabled_controls_standard_is_accepted_with_a_warning() {
    let (ok, report) = diagnostics(
        "version: 1\nname: acme\nhome_region: us-east-1\nalerts:\n  email: [a@example.com]\n\
         securityhub:\n  disabled_controls:\n    - {standard: aws-foundational-security-best-practices, control: IAM.6, reason: r}\n",
    );
    assert!(ok, "{report}");
    assert!(
        report.contains("`standard: aws-foundational-security-best-practices` is no longer needed: IAM.6 is disabled in every enabled standard that has it"),
        "{report}"
    );
}

#[test]
fn malware_protection_that_would_do_nothing_or_never_alert_is_named() {
    let (ok, report) = diagnostics(
        "version: 1\nname: acme\nhome_region: us-east-1\nalerts: {email: [a@example.com], guardduty_min_severity: critical}\n\
         guardduty: {s3_malware_protection: [{bucket: acme-uploads}]}\n\
         overrides:\n  - match: {region: us-east-1}\n    guardduty: {enabled: false}\n",
    );
    assert!(ok, "{report}");
    assert!(
        report.contains("warning: overrides[0].guardduty.s3_malware_protection: GuardDuty is off"),
        "{report}"
    );
    let (ok, report) = diagnostics(
        "version: 1\nname: acme\nhome_region: us-east-1\nalerts: {email: [a@example.com], guardduty_min_severity: critical}\n\
         guardduty: {s3_malware_protection: [{bucket: acme-uploads}]}\n",
    );
    assert!(ok, "{report}");
    assert!(
        report.contains("warning: alerts.guardduty_min_severity: malware found in a protected bucket (GuardDuty finding Object:S3/MaliciousFile, severity 8) is below this threshold"),
        "{report}"
    );
}

#[test]
fn a_required_key_with_a_bad_value_is_reported_once_not_also_as_missing() {
    let (ok, report) = diagnostics(
        "version: 1\nname: acme\nhome_region: us-east-1\nalerts: {email: [a@example.com]}\n\
         macie:\n  enabled: true\n  jobs:\n    - {name: a, buckets: [acme-x], schedule: weekly}\n",
    );
    assert!(!ok);
    assert!(report.contains("unknown schedule `weekly`"), "{report}");
    assert!(!report.contains("missing required key"), "{report}");
}

#[test]
fn an_organizations_guardduty_finding_type_suppression_is_named_as_not_applied() {
    let text = "version: 1\nname: org\nhome_region: us-east-1\n\
        alerts: {email: [a@example.com], suppress: [Recon:EC2/PortProbeUnprotectedPort, EC2.19]}\n\
        accounts: [\"111111111111\", \"222222222222\", \"333333333333\"]\n\
        organization: {management_account: \"111111111111\", security_account: \"222222222222\", log_archive_account: \"333333333333\"}\n";
    let (ok, report) = diagnostics(text);
    assert!(ok, "{report}");
    assert!(
        report.contains("bad.yaml:4:45: warning: alerts.suppress[0]: Recon:EC2/PortProbeUnprotectedPort is not applied in an organization: its GuardDuty findings alert through Security Hub in the security account, by severity only"),
        "{report}"
    );
    // A control id still applies: Security Hub's findings carry it.
    assert!(!report.contains("suppress[1]"), "{report}");
}

#[test]
fn under_security_hub_central_configuration_per_account_settings_are_named_as_not_applied() {
    let org = "accounts: [\"111111111111\", \"222222222222\", \"333333333333\", \"444444444444\"]\n\
        organization: {management_account: \"111111111111\", security_account: \"222222222222\", log_archive_account: \"333333333333\"}\n\
        overrides:\n  - match: {account: \"444444444444\"}\n    securityhub: {standards: [nist-800-53-v5]}\n\
          \x20 - match: {account: \"444444444444\"}\n    guardduty: {features: {runtime_monitoring: false}}\n\
          \x20 - match: {account: \"444444444444\", region: us-east-1}\n    guardduty: {s3_malware_protection: [{bucket: uploads-444}]}\n\
          \x20 - match: {account: \"111111111111\"}\n    guardduty: {features: {runtime_monitoring: false}}\n";
    let text = format!(
        "version: 1\nname: org\nhome_region: us-east-1\nregions: [us-east-1, eu-west-1]\nalerts: {{email: [a@example.com]}}\n{org}"
    );
    let (ok, report) = diagnostics(&text);
    assert!(ok, "{report}");
    assert!(
        report.contains("warning: overrides[0].securityhub: not applied: under Security Hub central configuration one configuration policy sets Security Hub, its standards and disabled controls in every account and region"),
        "{report}"
    );
    // A member's protection plans are the organization configuration's; its malware
    // protection and the management account's detector are their own.
    assert!(
        report.contains("warning: overrides[1].guardduty: not applied to members: the security account's GuardDuty organization configuration enables their detectors"),
        "{report}"
    );
    assert!(!report.contains("overrides[2]"), "{report}");
    assert!(!report.contains("overrides[3]"), "{report}");
    // In one region the organization keeps local configuration: the override applies, and
    // organizational units have nothing to be used for.
    let text = format!(
        "version: 1\nname: org\nhome_region: us-east-1\nalerts: {{email: [a@example.com]}}\n{}",
        org.replace(
            "log_archive_account: \"333333333333\"}",
            "log_archive_account: \"333333333333\", organizational_units: [ou-ab12-cd34ef56]}"
        )
    );
    let (ok, report) = diagnostics(&text);
    assert!(ok, "{report}");
    assert!(!report.contains("overrides[0]"), "{report}");
    assert!(
        report.contains("overrides[1].guardduty: not applied to members"),
        "{report}"
    );
    assert!(
        report.contains("warning: organization.organizational_units: not used: only Security Hub central configuration"),
        "{report}"
    );
}
