//! An organization's delegations through the real Organizations client with canned
//! responses, for what the emulator cannot answer: moto's Organizations does not recognize
//! `config.amazonaws.com` as a delegated-administrator service principal (AWS does: it is
//! the principal a Config aggregator in a delegated administrator account needs), and an
//! account in no organization. Shapes from the Organizations API reference
//! (ListAWSServiceAccessForOrganization, ListDelegatedAdministrators,
//! ListDelegatedServicesForAccount, EnableAWSServiceAccess, RegisterDelegatedAdministrator,
//! AWSOrganizationsNotInUseException).

use aws_sdk_organizations::error::ErrorMetadata;
use aws_sdk_organizations::operation::enable_aws_service_access::EnableAwsServiceAccessOutput;
use aws_sdk_organizations::operation::list_aws_service_access_for_organization::{
    ListAWSServiceAccessForOrganizationError, ListAwsServiceAccessForOrganizationOutput,
};
use aws_sdk_organizations::operation::list_delegated_administrators::ListDelegatedAdministratorsOutput;
use aws_sdk_organizations::operation::list_delegated_services_for_account::ListDelegatedServicesForAccountOutput;
use aws_sdk_organizations::operation::register_delegated_administrator::RegisterDelegatedAdministratorOutput;
use aws_sdk_organizations::types::error::AwsOrganizationsNotInUseException;
use aws_sdk_organizations::types::{
    DelegatedAdministrator, DelegatedService, EnabledServicePrincipal,
};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use cfn_baseline::aws::{SdkStacks, SettingsApi};
use cfn_baseline::settings::Setting;
use serde_json::json;

const MANAGEMENT: &str = "111111111111";
const SECURITY: &str = "222222222222";

fn organizations(rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, rules);
    let cloudformation = aws_sdk_cloudformation::Client::from_conf(
        aws_sdk_cloudformation::Config::builder()
            .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
            .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
            .build(),
    );
    SdkStacks::with_client(cloudformation).with_organizations(client)
}

/// Trusted access for GuardDuty only (its own admin call gave it), and Access Analyzer
/// already delegated to the security account.
fn today() -> [Rule; 3] {
    [
        mock!(aws_sdk_organizations::Client::list_aws_service_access_for_organization).then_output(
            || {
                ListAwsServiceAccessForOrganizationOutput::builder()
                    .enabled_service_principals(
                        EnabledServicePrincipal::builder()
                            .service_principal("guardduty.amazonaws.com")
                            .build(),
                    )
                    .build()
            },
        ),
        mock!(aws_sdk_organizations::Client::list_delegated_administrators).then_output(|| {
            ListDelegatedAdministratorsOutput::builder()
                .delegated_administrators(DelegatedAdministrator::builder().id(SECURITY).build())
                .build()
        }),
        mock!(aws_sdk_organizations::Client::list_delegated_services_for_account)
            .match_requests(|r| r.account_id() == Some(SECURITY))
            .then_output(|| {
                ListDelegatedServicesForAccountOutput::builder()
                    .delegated_services(
                        DelegatedService::builder()
                            .service_principal("access-analyzer.amazonaws.com")
                            .build(),
                    )
                    .build()
            }),
    ]
}

#[tokio::test]
async fn delegations_are_read_and_only_the_missing_ones_are_made() {
    let [access, admins, services] = today();
    let api = organizations(&[&access, &admins, &services]);
    let live = api
        .read_setting(Setting::OrgDelegations, MANAGEMENT, "global")
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(json!({
            "TrustedAccess": ["guardduty.amazonaws.com"],
            "DelegatedAdministrators": [format!("access-analyzer.amazonaws.com={SECURITY}")],
        }))
    );

    let enable_config = mock!(aws_sdk_organizations::Client::enable_aws_service_access)
        .match_requests(|r| r.service_principal() == Some("config.amazonaws.com"))
        .then_output(|| EnableAwsServiceAccessOutput::builder().build());
    let enable_analyzer = mock!(aws_sdk_organizations::Client::enable_aws_service_access)
        .match_requests(|r| r.service_principal() == Some("access-analyzer.amazonaws.com"))
        .then_output(|| EnableAwsServiceAccessOutput::builder().build());
    let register_config = mock!(aws_sdk_organizations::Client::register_delegated_administrator)
        .match_requests(|r| {
            r.service_principal() == Some("config.amazonaws.com")
                && r.account_id() == Some(SECURITY)
        })
        .then_output(|| RegisterDelegatedAdministratorOutput::builder().build());
    let register_other = mock!(aws_sdk_organizations::Client::register_delegated_administrator)
        .then_output(|| RegisterDelegatedAdministratorOutput::builder().build());
    let [access, admins, services] = today();
    let api = organizations(&[
        &access,
        &admins,
        &services,
        &enable_config,
        &enable_analyzer,
        &register_config,
        &register_other,
    ]);
    let wanted = json!({
        "TrustedAccess": ["access-analyzer.amazonaws.com", "config.amazonaws.com"],
        "DelegatedAdministrators": [
            format!("access-analyzer.amazonaws.com={SECURITY}"),
            format!("config.amazonaws.com={SECURITY}"),
        ],
    });
    api.apply_setting(Setting::OrgDelegations, MANAGEMENT, "global", &wanted)
        .await
        .unwrap();
    // Both principals get trusted access; only Config is registered (Access Analyzer was).
    assert_eq!(enable_config.num_calls(), 1);
    assert_eq!(enable_analyzer.num_calls(), 1);
    assert_eq!(register_config.num_calls(), 1);
    assert_eq!(register_other.num_calls(), 0, "nothing registered twice");
}

#[tokio::test]
async fn an_account_in_no_organization_is_said_in_words() {
    let none = mock!(aws_sdk_organizations::Client::list_aws_service_access_for_organization)
        .then_error(|| {
            ListAWSServiceAccessForOrganizationError::AwsOrganizationsNotInUseException(
                AwsOrganizationsNotInUseException::builder()
                    .message("Your account is not a member of an organization.")
                    .meta(
                        ErrorMetadata::builder()
                            .code("AWSOrganizationsNotInUseException")
                            .message("Your account is not a member of an organization.")
                            .build(),
                    )
                    .build(),
            )
        });
    let api = organizations(&[&none]);
    let err = api
        .read_setting(Setting::OrgDelegations, MANAGEMENT, "global")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the account is not in an AWS organization: create the organization"),
        "{err}"
    );
}

fn guardduty(rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_guardduty, RuleMode::MatchAny, rules);
    organizations(&[]).with_guardduty(client)
}

/// GuardDuty's organization configuration, which the emulator does not implement (GuardDuty
/// API reference: DescribeOrganizationConfiguration, UpdateOrganizationConfiguration, on the
/// delegated administrator's detector): new members only, S3 protection off for them.
#[tokio::test]
async fn guardduty_auto_enables_every_member_with_the_baselines_plans() {
    use aws_sdk_guardduty::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput;
    use aws_sdk_guardduty::operation::list_detectors::ListDetectorsOutput;
    use aws_sdk_guardduty::operation::update_organization_configuration::UpdateOrganizationConfigurationOutput;
    use aws_sdk_guardduty::types::{
        AutoEnableMembers, OrgFeature, OrgFeatureAdditionalConfiguration, OrgFeatureStatus,
        OrganizationAdditionalConfigurationResult, OrganizationFeatureConfigurationResult,
    };

    let detectors = mock!(aws_sdk_guardduty::Client::list_detectors)
        .then_output(|| ListDetectorsOutput::builder().detector_ids("d-1").build());
    let described = mock!(aws_sdk_guardduty::Client::describe_organization_configuration)
        .match_requests(|r| r.detector_id() == Some("d-1"))
        .then_output(|| {
            DescribeOrganizationConfigurationOutput::builder()
                .auto_enable_organization_members(AutoEnableMembers::New)
                .features(
                    OrganizationFeatureConfigurationResult::builder()
                        .name(OrgFeature::S3DataEvents)
                        .auto_enable(OrgFeatureStatus::None)
                        .build(),
                )
                .features(
                    OrganizationFeatureConfigurationResult::builder()
                        .name(OrgFeature::RuntimeMonitoring)
                        .auto_enable(OrgFeatureStatus::All)
                        .additional_configuration(
                            OrganizationAdditionalConfigurationResult::builder()
                                .name(OrgFeatureAdditionalConfiguration::Ec2AgentManagement)
                                .auto_enable(OrgFeatureStatus::New)
                                .build(),
                        )
                        .build(),
                )
                .member_account_limit_reached(false)
                .build()
        });
    let api = guardduty(&[&detectors, &described]);
    let live = api
        .read_setting(Setting::OrgGuardDuty, SECURITY, "eu-west-1")
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(json!({
            "AutoEnableOrganizationMembers": "NEW",
            "S3_DATA_EVENTS": "NONE",
            "RUNTIME_MONITORING": "ALL",
            "RUNTIME_MONITORING:EC2_AGENT_MANAGEMENT": "NEW",
        }))
    );

    let updated = mock!(aws_sdk_guardduty::Client::update_organization_configuration)
        .match_requests(|r| {
            let features = r.features();
            let runtime = features
                .iter()
                .find(|f| f.name() == Some(&OrgFeature::RuntimeMonitoring));
            r.detector_id() == Some("d-1")
                && r.auto_enable_organization_members() == Some(&AutoEnableMembers::All)
                && features.len() == 2
                && features
                    .iter()
                    .all(|f| f.auto_enable() == Some(&OrgFeatureStatus::All))
                && runtime.is_some_and(|f| {
                    f.additional_configuration().len() == 1
                        && f.additional_configuration()[0].name()
                            == Some(&OrgFeatureAdditionalConfiguration::Ec2AgentManagement)
                })
        })
        .then_output(|| UpdateOrganizationConfigurationOutput::builder().build());
    let api = guardduty(&[&detectors, &updated]);
    let wanted = json!({
        "AutoEnableOrganizationMembers": "ALL",
        "S3_DATA_EVENTS": "ALL",
        "RUNTIME_MONITORING": "ALL",
        "RUNTIME_MONITORING:EC2_AGENT_MANAGEMENT": "ALL",
    });
    api.apply_setting(Setting::OrgGuardDuty, SECURITY, "eu-west-1", &wanted)
        .await
        .unwrap();
    assert_eq!(
        updated.num_calls(),
        1,
        "one update with every plan, for all members"
    );
}

/// Before the security account is GuardDuty's delegated administrator, GuardDuty refuses to
/// describe the organization configuration: nothing is set yet, which plan shows with a note.
#[tokio::test]
async fn before_the_delegation_guardduty_reads_as_not_set() {
    use aws_sdk_guardduty::operation::describe_organization_configuration::DescribeOrganizationConfigurationError;
    use aws_sdk_guardduty::operation::list_detectors::ListDetectorsOutput;
    use aws_sdk_guardduty::types::error::BadRequestException;

    let detectors = mock!(aws_sdk_guardduty::Client::list_detectors)
        .then_output(|| ListDetectorsOutput::builder().detector_ids("d-1").build());
    let refused = mock!(aws_sdk_guardduty::Client::describe_organization_configuration)
        .then_error(|| {
            DescribeOrganizationConfigurationError::BadRequestException(
                BadRequestException::builder()
                    .message("The request is rejected because the current account is not the GuardDuty administrator.")
                    .meta(
                        aws_sdk_guardduty::error::ErrorMetadata::builder()
                            .code("BadRequestException")
                            .build(),
                    )
                    .build(),
            )
        });
    let api = guardduty(&[&detectors, &refused]);
    let live = api
        .read_setting(Setting::OrgGuardDuty, SECURITY, "eu-west-1")
        .await
        .unwrap();
    assert_eq!(live, None);
}

/// Detective's organization configuration, which the emulator does not implement (Detective
/// API reference: ListGraphs, DescribeOrganizationConfiguration and
/// UpdateOrganizationConfiguration on the administrator's graph).
#[tokio::test]
async fn detective_new_members_join_the_graph_by_themselves() {
    use aws_sdk_detective::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput;
    use aws_sdk_detective::operation::list_graphs::ListGraphsOutput;
    use aws_sdk_detective::operation::update_organization_configuration::UpdateOrganizationConfigurationOutput;
    use aws_sdk_detective::types::Graph;

    const GRAPH: &str = "arn:aws:detective:eu-west-1:222222222222:graph:abc";
    let graphs = mock!(aws_sdk_detective::Client::list_graphs).then_output(|| {
        ListGraphsOutput::builder()
            .graph_list(Graph::builder().arn(GRAPH).build())
            .build()
    });
    let described = mock!(aws_sdk_detective::Client::describe_organization_configuration)
        .match_requests(|r| r.graph_arn() == Some(GRAPH))
        .then_output(|| {
            DescribeOrganizationConfigurationOutput::builder()
                .auto_enable(false)
                .build()
        });
    let updated = mock!(aws_sdk_detective::Client::update_organization_configuration)
        .match_requests(|r| r.graph_arn() == Some(GRAPH) && r.auto_enable() == Some(true))
        .then_output(|| UpdateOrganizationConfigurationOutput::builder().build());
    let client = mock_client!(
        aws_sdk_detective,
        RuleMode::MatchAny,
        &[&graphs, &described, &updated]
    );
    let api = organizations(&[]).with_detective(client);
    let live = api
        .read_setting(Setting::OrgDetective, SECURITY, "eu-west-1")
        .await
        .unwrap();
    assert_eq!(live, Some(json!({"AutoEnable": false})));
    api.apply_setting(
        Setting::OrgDetective,
        SECURITY,
        "eu-west-1",
        &json!({"AutoEnable": true}),
    )
    .await
    .unwrap();
    assert_eq!(updated.num_calls(), 1);
}
