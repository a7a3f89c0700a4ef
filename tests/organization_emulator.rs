//! An organization against the emulator, which implements AWS Organizations (the
//! organization, accounts, trusted access, delegated administrators), the delegated
//! administrator calls of GuardDuty, Macie and Inspector, and AssumeRole into the other
//! accounts. The organization and its accounts are created through the Organizations API as
//! a user would have them; what the tool did is read back with each service's own API from
//! the management account, as AWS shows it there.

mod support;

use std::fs;

use support::moto::Moto;
use support::{stderr, stdout};

/// moto's default account (123456789012) creates the organization and two accounts; prints
/// their ids: security, log archive.
const SEED: &str = r#"
org = client('organizations')
org.create_organization(FeatureSet='ALL')
ids = []
for name in ['security', 'log-archive']:
    made = org.create_account(Email=f'{name}@example.com', AccountName=name)
    ids.append(made['CreateAccountStatus']['AccountId'])
print(' '.join(ids))
"#;

/// `as_account(account, service)`: a boto3 client in another account, through AssumeRole.
const AS_ACCOUNT: &str = r#"
def as_account(account, service, region='us-east-1'):
    c = client('sts').assume_role(RoleArn=f'arn:aws:iam::{account}:role/test-reader',
                                  RoleSessionName='test')['Credentials']
    return boto3.client(service, endpoint_url=E, region_name=region,
                        aws_access_key_id=c['AccessKeyId'],
                        aws_secret_access_key=c['SecretAccessKey'],
                        aws_session_token=c['SessionToken'])
"#;

fn baseline(security: &str, log_archive: &str) -> String {
    let role =
        |a: &str| format!("{{id: \"{a}\", role_arn: \"arn:aws:iam::{a}:role/baseline-deployer\"}}");
    // Config stays off: moto's Organizations does not recognize config.amazonaws.com as a
    // delegated-administrator principal (AWS does); tests/organization_mocks.rs covers it.
    format!(
        "version: 1\nname: org\nhome_region: us-east-1\nregions: [us-east-1]\n\
         alerts: {{email: [security@example.com]}}\n\
         config: {{enabled: false}}\n\
         macie: {{enabled: true}}\n\
         inspector: {{enabled: true}}\n\
         accounts:\n  - \"123456789012\"\n  - {}\n  - {}\n\
         organization:\n  management_account: \"123456789012\"\n  security_account: \"{security}\"\n  log_archive_account: \"{log_archive}\"\n",
        role(security),
        role(log_archive)
    )
}

#[test]
fn the_management_account_delegates_each_service_to_the_security_account() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let seeded = moto.python(SEED);
    let ids: Vec<&str> = seeded.split_whitespace().collect();
    let (security, log_archive) = (ids[0], ids[1]);
    fs::write(
        dir.path().join("baseline.yaml"),
        baseline(security, log_archive),
    )
    .unwrap();

    let plan = moto.run(dir.path(), &["plan"]);
    let text = stdout(&plan);
    assert_eq!(plan.status.code(), Some(2), "{text}{}", stderr(&plan));
    // The four roles, in the order they are set up.
    let order = format!(
        "Organization, set up in this order:\n  1. management   123456789012\n  \
         2. log archive  {log_archive}\n  3. security     {security}\n  4. members      (none listed)\n"
    );
    assert!(text.starts_with(&order), "{text}");
    // Only the management account delegates; the change is shown as strengthening.
    assert!(
        text.contains("~ 123456789012/global/organization-delegations  update"),
        "{text}"
    );
    assert!(
        text.contains("~ 123456789012/us-east-1/organization-administrators  update"),
        "{text}"
    );
    assert!(
        !text.contains(&format!("{security}/global/organization-delegations")),
        "{text}"
    );
    assert!(
        text.contains("strengthening: the security account administers"),
        "{text}"
    );
    // The security account's organization configurations, read once it administers.
    assert!(
        text.contains(&format!(
            "~ {security}/us-east-1/organization-securityhub  set (there is none)"
        )),
        "{text}"
    );
    assert!(
        text.contains("read once the security account is the service's delegated administrator"),
        "{text}"
    );

    // The security account's guardduty stack creates its detector in AWS, before the
    // organization configuration is set on it; the emulator's CloudFormation creates none,
    // so it is made here (after the plan: the emulator deletes an imported detector with
    // the empty stack a plan's import change set leaves, which AWS does not).
    moto.python(&format!(
        "{AS_ACCOUNT}\nas_account('{security}', 'guardduty').create_detector(Enable=True)\n"
    ));
    let deploy = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        deploy.status.code(),
        Some(0),
        "{}{}",
        stdout(&deploy),
        stderr(&deploy)
    );
    // Role by role: the management account's delegations are made before the security
    // account's stacks start (its organization analyzer and Config aggregator need them).
    let log = format!("{}{}", stdout(&deploy), stderr(&deploy));
    let delegated = log
        .find("123456789012/global/organization-delegations: ")
        .expect("the delegations are made");
    let security_started = log
        .find(&format!(
            "{security}/us-east-1/org-alerts  CREATE_IN_PROGRESS"
        ))
        .expect("the security account's stacks are deployed");
    assert!(delegated < security_started, "{log}");

    // What the management account's services say now.
    let check = moto.python(
        r#"
org = client('organizations')
admins = org.list_delegated_administrators()['DelegatedAdministrators']
print('organizations', sorted((a['Id'], s['ServicePrincipal']) for a in admins
      for s in org.list_delegated_services_for_account(AccountId=a['Id'])['DelegatedServices']))
print('trusted', sorted(p['ServicePrincipal'] for p in
      org.list_aws_service_access_for_organization()['EnabledServicePrincipals']))
print('guardduty', [a['AdminAccountId'] for a in
      client('guardduty').list_organization_admin_accounts()['AdminAccounts']])
print('macie', [a['accountId'] for a in
      client('macie2').list_organization_admin_accounts()['adminAccounts']])
print('inspector', [a['accountId'] for a in
      client('inspector2').list_delegated_admin_accounts()['delegatedAdminAccounts']])
"#,
    );
    assert!(
        check.contains(&format!(
            "organizations [('{security}', 'access-analyzer.amazonaws.com')]"
        )),
        "{check}"
    );
    assert!(
        check.contains("trusted ['access-analyzer.amazonaws.com']"),
        "{check}"
    );
    assert!(
        check.contains(&format!("guardduty ['{security}']")),
        "{check}"
    );
    assert!(check.contains(&format!("macie ['{security}']")), "{check}");
    assert!(
        check.contains(&format!("inspector ['{security}']")),
        "{check}"
    );
    // The security account switches the services on in every member by itself.
    let auto = moto.python(&format!(
        r#"{AS_ACCOUNT}
hub = as_account('{security}', 'securityhub').describe_organization_configuration()
print('securityhub', hub['AutoEnable'], hub['AutoEnableStandards'])
print('inspector', as_account('{security}', 'inspector2').describe_organization_configuration()['autoEnable'])
"#
    ));
    assert!(auto.contains("securityhub True DEFAULT"), "{auto}");
    // The organization analyzer lives in the security account's stack only.
    let analyzers = moto.python(&format!(
        r#"{AS_ACCOUNT}
for account in ['{security}', '123456789012']:
    body = as_account(account, 'cloudformation').get_template(StackName='org-access-analyzer')['TemplateBody']
    print(account, 'Type: ORGANIZATION' in body)
"#
    ));
    assert!(
        analyzers.contains(&format!("{security} True")),
        "{analyzers}"
    );
    assert!(analyzers.contains("123456789012 False"), "{analyzers}");
    assert!(
        auto.contains("inspector {'ec2': True, 'ecr': True, 'lambda': True"),
        "{auto}"
    );

    // Someone removes Inspector's delegated administrator: drift reports it as weakening,
    // and --reapply names the security account again.
    moto.python(&format!(
        "client('inspector2').disable_delegated_admin_account(delegatedAdminAccountId='{security}')\n"
    ));
    let drift = moto.run(dir.path(), &["drift", "--scope", "settings"]);
    let text = stdout(&drift);
    // 3, not 2: the emulator lacks the API of some settings, which are listed as not checked.
    assert_eq!(drift.status.code(), Some(3), "{text}{}", stderr(&drift));
    assert!(text.contains("NOT CHECKED"), "{text}");
    assert!(
        text.contains("~ organization-administrators  1 stack: 1 drifted"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "WEAKENS     ServiceAdministrators.Properties.Inspector: removed (was {security})"
        )),
        "{text}"
    );
    let reapply = moto.run(
        dir.path(),
        &["drift", "--scope", "settings", "--reapply", "--yes"],
    );
    assert_eq!(
        reapply.status.code(),
        Some(3),
        "{}{}",
        stdout(&reapply),
        stderr(&reapply)
    );
    let back = moto.python(
        "print([a['accountId'] for a in client('inspector2').list_delegated_admin_accounts()['delegatedAdminAccounts'] if a['status'] == 'ENABLED'])\n",
    );
    assert!(back.contains(&format!("['{security}']")), "{back}");

    // A second plan finds the delegations made. (Security Hub's ListOrganizationAdminAccounts
    // is missing from the emulator, so its administrator reads as none and is asked again.)
    let again = moto.run(dir.path(), &["plan"]);
    let text = stdout(&again);
    assert!(
        text.contains("= 123456789012/global/organization-delegations  unchanged"),
        "{text}"
    );
    let admins = text
        .lines()
        .skip_while(|l| !l.contains("/us-east-1/organization-administrators"))
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    for service in ["GuardDuty", "Macie", "Inspector"] {
        assert!(!admins.contains(service), "{service} set again:\n{admins}");
    }
}

#[test]
fn an_unreachable_organization_account_stops_the_run_before_any_change() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    // The security account is listed without a way to reach it.
    let text = "version: 1\nname: org\nhome_region: us-east-1\nregions: [us-east-1]\n\
        alerts: {email: [security@example.com]}\n\
        accounts: [\"123456789012\", \"222222222222\", {id: \"333333333333\", role_arn: \"arn:aws:iam::333333333333:role/x\"}]\n\
        organization: {management_account: \"123456789012\", security_account: \"222222222222\", log_archive_account: \"333333333333\"}\n";
    fs::write(dir.path().join("baseline.yaml"), text).unwrap();
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains(
            "cannot reach the organization's 222222222222 (security account); nothing was changed"
        ),
        "{}",
        stderr(&out)
    );
}
