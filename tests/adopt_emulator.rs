//! Accounts that already have the services, against the emulator. Its CloudFormation creates
//! no detector, hub, recorder or service-linked role, so it would never refuse a second one;
//! AWS does. The existing state is therefore seeded through the services' own APIs (which the
//! emulator implements and, for Config recorders and service-linked roles, enforces), and what
//! the tool asked CloudFormation to do is read from the emulator's request recorder, since the
//! outcome of an import is invisible there.

mod support;

use support::moto::Moto;
use support::{stderr, stdout};

/// Runs a Python snippet with boto3 against the emulator.
fn python(moto: &Moto, code: &str) -> String {
    moto.python(code)
}

/// What most real accounts have (moto's default account is 123456789012): a detector with two
/// protection plans off, Security Hub with its default standards, a recorder named `default`
/// and the Config service-linked role in us-east-1, and Control Tower's recorder in eu-west-1.
/// Prints the detector id.
const SEED: &str = r#"
gd = client('guardduty')
d = gd.create_detector(Enable=True, FindingPublishingFrequency='SIX_HOURS', Features=[
    {'Name': 'S3_DATA_EVENTS', 'Status': 'DISABLED'},
    {'Name': 'RDS_LOGIN_EVENTS', 'Status': 'DISABLED'}])
client('securityhub').enable_security_hub(EnableDefaultStandards=True)
client('iam').create_service_linked_role(AWSServiceName='config.amazonaws.com')
client('config').put_configuration_recorder(ConfigurationRecorder={'name': 'default',
    'roleARN': 'arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
    'recordingGroup': {'allSupported': True}})
client('config', 'eu-west-1').put_configuration_recorder(ConfigurationRecorder={
    'name': 'aws-controltower-BaselineConfigRecorder',
    'roleARN': 'arn:aws:iam::123456789012:role/aws-controltower-ConfigRecorderRole',
    'recordingGroup': {'allSupported': True}})
print(d['DetectorId'])
"#;

const BASELINE: &str = "version: 1\nname: baseline\nhome_region: us-east-1\n\
    regions: [us-east-1, eu-west-1]\nalerts:\n  email: [security@example.com]\n";

/// One region with Macie on.
const MACIE_BASELINE: &str = "version: 1\nname: baseline\nhome_region: us-east-1\n\
    regions: [us-east-1]\nalerts:\n  email: [security@example.com]\nmacie:\n  enabled: true\n";

/// The CreateChangeSet requests recorded, decoded.
fn change_sets(moto: &Moto) -> Vec<String> {
    moto.recording()
        .iter()
        .map(support::moto::form)
        .filter(|f| f.contains("Action=CreateChangeSet"))
        .collect()
}

#[test]
fn plan_names_the_existing_detector_hub_and_leftover_bucket_in_import_change_sets() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start_in(dir.path());
    let detector = python(&moto, SEED).trim().to_string();
    // The archive bucket an earlier failed create left behind (Retain, before this tool
    // used RetainExceptOnCreate).
    python(
        &moto,
        "client('s3').create_bucket(Bucket='baseline-logs-123456789012-us-east-1')",
    );
    std::fs::write(dir.path().join("baseline.yaml"), BASELINE).unwrap();
    moto.start_recording();
    let plan = moto.run(dir.path(), &["plan"]);
    let out = stdout(&plan);
    assert_eq!(plan.status.code(), Some(2), "{out}{}", stderr(&plan));
    for expected in [
        format!("    · adopt detector {detector}"),
        "    · adopt hub arn:aws:securityhub:us-east-1:123456789012:hub/default".to_string(),
        "    · adopt AWS::S3::Bucket `baseline-logs-123456789012-us-east-1`".into(),
        "    · AWSServiceRoleForConfig exists: not created".into(),
        "    · take over recorder `default` by its name".into(),
        "    · Control Tower owns the recorder here (aws-controltower-BaselineConfigRecorder)"
            .into(),
        "Plan: 10 to create, 3 to adopt,".into(),
    ] {
        assert!(out.contains(&expected), "{expected:?} in:\n{out}");
    }
    let s3 = out
        .lines()
        .find(|l| l.contains("S3_DATA_EVENTS"))
        .unwrap_or_default();
    assert!(
        s3.contains("\"DISABLED\" → \"ENABLED\" (strengthening"),
        "{out}"
    );

    let creates = change_sets(&moto);
    let imports: Vec<&String> = creates
        .iter()
        .filter(|f| f.contains("ChangeSetType=IMPORT"))
        .collect();
    assert_eq!(imports.len(), 3, "{imports:#?}");
    let import_of = |stack: &str| {
        imports
            .iter()
            .find(|f| f.contains(&format!("StackName={stack}&")))
            .unwrap_or_else(|| panic!("no import for {stack}: {imports:#?}"))
    };
    assert!(import_of("baseline-guardduty").contains(&format!(".value={detector}")));
    assert!(import_of("baseline-securityhub")
        .contains(".value=arn:aws:securityhub:us-east-1:123456789012:hub/default"));
    assert!(
        import_of("baseline-cloudtrail").contains(".value=baseline-logs-123456789012-us-east-1")
    );
    // Plan leaves nothing: every change set it made is deleted.
    let deleted = moto
        .recording()
        .iter()
        .map(support::moto::form)
        .filter(|f| f.contains("Action=DeleteChangeSet"))
        .count();
    assert_eq!(deleted, creates.len());
}

#[test]
fn deploying_into_an_account_that_has_the_services_adopts_them_and_converges() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start_in(dir.path());
    let detector = python(&moto, SEED).trim().to_string();
    std::fs::write(dir.path().join("baseline.yaml"), BASELINE).unwrap();
    moto.start_recording();
    let deploy = moto.run(dir.path(), &["deploy", "--yes"]);
    let out = stdout(&deploy);
    assert_eq!(deploy.status.code(), Some(0), "{out}{}", stderr(&deploy));
    for stack in [
        "us-east-1/baseline-guardduty",
        "us-east-1/baseline-securityhub",
    ] {
        let row = out
            .lines()
            .find(|l| l.starts_with(&format!("current/{stack} ")))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(row.contains(" adopted "), "{row}");
    }
    let creates = change_sets(&moto);
    let with = |stack: &str, text: &str| {
        creates
            .iter()
            .any(|f| f.contains(&format!("StackName={stack}&")) && f.contains(text))
    };
    // The import, then the update that brings the detector to the baseline.
    assert!(creates
        .iter()
        .any(|f| f.contains("ChangeSetType=IMPORT") && f.contains(&format!(".value={detector}"))));
    assert!(with("baseline-guardduty", "ChangeSetType=UPDATE"));
    // No second service-linked role: the trail stack does not create one, and the tool
    // never calls IAM to.
    assert!(with("baseline-cloudtrail", "ChangeSetType=CREATE"));
    assert!(!with("baseline-cloudtrail", "AWS::IAM::ServiceLinkedRole"));
    let calls: Vec<String> = moto.recording().iter().map(support::moto::form).collect();
    assert!(!calls
        .iter()
        .any(|f| f.contains("Action=CreateServiceLinkedRole")));
    // The recorders: `default` in us-east-1 kept its name (no second one), Control Tower's in
    // eu-west-1 is as it was.
    let recorders = python(
        &moto,
        "for r in ['us-east-1', 'eu-west-1']:\n    \
             print(r, [(x['name'], x['roleARN']) for x in \
             client('config', r).describe_configuration_recorders()['ConfigurationRecorders']])",
    );
    assert!(
        recorders.contains("us-east-1 [('default', ")
            && recorders.contains(
                "eu-west-1 [('aws-controltower-BaselineConfigRecorder', 'arn:aws:iam::123456789012:role/aws-controltower-ConfigRecorderRole')]"
            ),
        "{recorders}"
    );
    let configs: Vec<&String> = creates
        .iter()
        .filter(|f| f.contains("StackName=baseline-config&"))
        .collect();
    assert_eq!(configs.len(), 2, "one per region");
    assert_eq!(
        configs
            .iter()
            .filter(|f| f.contains("AWS::Config::ConfigurationRecorder"))
            .count(),
        1,
        "the Control Tower region's stack has no recorder: {configs:#?}"
    );

    // The live diff compares with what deploy deployed there: nothing differs.
    let diff = moto.run(dir.path(), &["diff"]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "{}{}",
        stdout(&diff),
        stderr(&diff)
    );

    let again = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    assert!(
        stderr(&again).contains("everything is up to date"),
        "{}",
        stderr(&again)
    );
}

/// Which regions an account has enabled comes from EC2 DescribeRegions, which the emulator
/// answers as AWS does: every region of the partition with its opt-in status, the opt-in
/// regions (Hong Kong, Bahrain, ...) `not-opted-in` in a new account. A listed region that is
/// not enabled stops the run before anything is asked of CloudFormation.
#[test]
fn a_listed_region_the_account_has_not_enabled_stops_the_run_before_any_change() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start_in(dir.path());
    std::fs::write(
        dir.path().join("baseline.yaml"),
        BASELINE.replace("[us-east-1, eu-west-1]", "[us-east-1, ap-east-1]"),
    )
    .unwrap();
    moto.start_recording();
    let plan = moto.run(dir.path(), &["deploy", "--yes"]);
    let err = stderr(&plan);
    assert_eq!(plan.status.code(), Some(1), "{}{err}", stdout(&plan));
    assert!(
        err.contains(
            "account current: ap-east-1 not enabled (named in `regions`); nothing was changed"
        ),
        "{err}"
    );
    assert!(
        change_sets(&moto).is_empty(),
        "nothing was asked of CloudFormation"
    );
}

/// `regions: all` targets the regions the account has enabled, and lists the rest as skipped.
#[test]
fn regions_all_targets_the_enabled_regions_and_lists_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start_in(dir.path());
    std::fs::write(
        dir.path().join("baseline.yaml"),
        BASELINE.replace("[us-east-1, eu-west-1]", "all"),
    )
    .unwrap();
    let enabled = python(
        &moto,
        "print(sorted(r['RegionName'] for r in client('ec2').describe_regions(AllRegions=True)['Regions'] \
         if r['OptInStatus'] != 'not-opted-in' and not r['RegionName'].startswith(('cn-', 'us-gov-'))))",
    );
    let plan = moto.run(dir.path(), &["plan", "--compact"]);
    let (out, err) = (stdout(&plan), stderr(&plan));
    assert_eq!(plan.status.code(), Some(2), "{out}{err}");
    let line = err
        .lines()
        .find(|l| l.contains("regions: all →"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("not enabled there, skipped: ") && line.contains("ap-east-1"),
        "{line}"
    );
    let regions: Vec<String> = enabled
        .trim()
        .trim_matches(['[', ']'])
        .split(", ")
        .map(|r| r.trim_matches('\'').to_string())
        .collect();
    assert!(regions.len() > 10, "{regions:?}");
    assert!(
        line.contains(&format!("→ {} enabled region(s)", regions.len())),
        "{line} vs {regions:?}"
    );
    for region in &regions {
        assert!(
            out.contains(&format!("/{region}/baseline-guardduty")),
            "{region} planned:\n{out}"
        );
        assert!(
            !line.contains(&format!(" {region},")),
            "{region} is enabled: {line}"
        );
    }
    assert!(!out.contains("/ap-east-1/"), "{out}");
}

/// Macie already on (the emulator starts every account with it enabled, as an account where
/// someone turned it on by hand), an alert rule of the name the baseline gives its GuardDuty
/// rule and a KMS alias of the name it gives its alert key, made by someone before. AWS would refuse to create either a second time;
/// the emulator's CloudFormation would not, so the IMPORT change sets are read from its
/// request recorder. The session's settings are read (scripts/emulator.py gives
/// GetMacieSession's time stamps their zone, as AWS's have); the settings compared are
/// proven through canned responses in src/aws/discover.rs and the decisions in
/// src/adopt.rs.
#[test]
fn plan_adopts_a_macie_that_is_on_and_an_alert_rule_of_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start_in(dir.path());
    let seeded = python(
        &moto,
        "print(client('events').put_rule(Name='baseline-guardduty-findings', \
         EventPattern='{\"source\": [\"aws.guardduty\"]}')['RuleArn'])\n\
         key = client('kms').create_key()['KeyMetadata']['KeyId']\n\
         client('kms').create_alias(AliasName='alias/baseline-alerts', TargetKeyId=key)\n\
         print(key)",
    );
    let (rule, key) = seeded.trim().split_once('\n').unwrap();
    assert!(
        rule.starts_with("arn:aws:events:us-east-1:123456789012:rule/"),
        "{rule}"
    );
    std::fs::write(dir.path().join("baseline.yaml"), MACIE_BASELINE).unwrap();
    moto.start_recording();
    let plan = moto.run(dir.path(), &["plan"]);
    let out = stdout(&plan);
    assert_eq!(plan.status.code(), Some(2), "{out}{}", stderr(&plan));
    for expected in [
        "    · adopt the Macie session (ENABLED)",
        "    · adopt AWS::Events::Rule `baseline-guardduty-findings`",
        &format!("    · adopt AWS::KMS::Alias `alias/baseline-alerts`; it points to key {key}, which is left as it is"),
    ] {
        assert!(out.contains(expected), "{expected:?} in:\n{out}");
    }
    let imports: Vec<String> = change_sets(&moto)
        .into_iter()
        .filter(|f| f.contains("ChangeSetType=IMPORT"))
        .collect();
    assert_eq!(imports.len(), 2, "{imports:#?}");
    let import_of = |stack: &str| {
        imports
            .iter()
            .find(|f| f.contains(&format!("StackName={stack}&")))
            .unwrap_or_else(|| panic!("no import for {stack}: {imports:#?}"))
            .clone()
    };
    let macie = import_of("baseline-macie");
    assert!(
        macie.contains("ResourceType=AWS::Macie::Session") && macie.contains(".value=123456789012"),
        "{macie}"
    );
    let alerts = import_of("baseline-alerts");
    assert!(
        alerts.contains("ResourceType=AWS::Events::Rule")
            && alerts.contains(&format!(".value={rule}"))
            && alerts.contains("ResourceType=AWS::KMS::Alias")
            && alerts.contains(".value=alias/baseline-alerts")
            && alerts.contains(&format!("\"TargetKeyId\": \"{key}\"")),
        "{alerts}"
    );
}

/// Deploy, not only plan: the Macie the emulator starts with is imported into a new stack,
/// the update follows, and a second deploy is up to date.
#[test]
fn deploying_where_macie_is_on_adopts_it_and_converges() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start_in(dir.path());
    std::fs::write(dir.path().join("baseline.yaml"), MACIE_BASELINE).unwrap();
    moto.start_recording();
    let deploy = moto.run(dir.path(), &["deploy", "--yes"]);
    let out = stdout(&deploy);
    assert_eq!(deploy.status.code(), Some(0), "{out}{}", stderr(&deploy));
    let row = out
        .lines()
        .find(|l| l.starts_with("current/us-east-1/baseline-macie "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains(" adopted "), "{row}");
    let macie: Vec<String> = change_sets(&moto)
        .into_iter()
        .filter(|f| f.contains("StackName=baseline-macie&"))
        .collect();
    assert!(
        macie[0].contains("ChangeSetType=IMPORT") && macie[1].contains("ChangeSetType=UPDATE"),
        "the import, then the update: {macie:#?}"
    );
    let again = moto.run(dir.path(), &["deploy", "--yes"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("everything is up to date"),
        "{}",
        stderr(&again)
    );
}
