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
    use aws_sdk_detective::operation::create_members::CreateMembersOutput;
    use aws_sdk_detective::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput;
    use aws_sdk_detective::operation::list_graphs::ListGraphsOutput;
    use aws_sdk_detective::operation::list_members::ListMembersOutput;
    use aws_sdk_detective::operation::update_organization_configuration::UpdateOrganizationConfigurationOutput;
    use aws_sdk_detective::types::{Graph, MemberDetail, MemberStatus};
    use aws_sdk_organizations::operation::describe_account::DescribeAccountOutput;

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
    // One member enabled; another only invited, which does not count.
    let members = mock!(aws_sdk_detective::Client::list_members)
        .match_requests(|r| r.graph_arn() == Some(GRAPH))
        .then_output(|| {
            ListMembersOutput::builder()
                .member_details(
                    MemberDetail::builder()
                        .account_id("444444444444")
                        .status(MemberStatus::Enabled)
                        .build(),
                )
                .member_details(
                    MemberDetail::builder()
                        .account_id("555555555555")
                        .status(MemberStatus::Invited)
                        .build(),
                )
                .build()
        });
    let updated = mock!(aws_sdk_detective::Client::update_organization_configuration)
        .match_requests(|r| r.graph_arn() == Some(GRAPH) && r.auto_enable() == Some(true))
        .then_output(|| UpdateOrganizationConfigurationOutput::builder().build());
    // The missing member, with the email address AWS Organizations gives for it.
    let created = mock!(aws_sdk_detective::Client::create_members)
        .match_requests(|r| {
            r.graph_arn() == Some(GRAPH)
                && r.accounts().len() == 1
                && r.accounts()[0].account_id() == "333333333333"
                && r.accounts()[0].email_address() == "log-archive@example.com"
        })
        .then_output(|| CreateMembersOutput::builder().build());
    let email = mock!(aws_sdk_organizations::Client::describe_account)
        .match_requests(|r| r.account_id() == Some("333333333333"))
        .then_output(|| {
            DescribeAccountOutput::builder()
                .account(
                    aws_sdk_organizations::types::Account::builder()
                        .id("333333333333")
                        .email("log-archive@example.com")
                        .build(),
                )
                .build()
        });
    let client = mock_client!(
        aws_sdk_detective,
        RuleMode::MatchAny,
        &[&graphs, &described, &members, &updated, &created]
    );
    let api = organizations(&[&email]).with_detective(client);
    let live = api
        .read_setting(Setting::OrgDetective, SECURITY, "eu-west-1")
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(json!({"AutoEnable": false, "Members": ["444444444444"]}))
    );
    api.apply_setting(
        Setting::OrgDetective,
        SECURITY,
        "eu-west-1",
        &json!({"AutoEnable": true, "Members": ["333333333333", "444444444444"]}),
    )
    .await
    .unwrap();
    assert_eq!(updated.num_calls(), 1);
    assert_eq!(
        email.num_calls(),
        1,
        "only the missing member's email is read"
    );
    assert_eq!(created.num_calls(), 1);
}

/// Macie's existing members, which the emulator cannot make (it has no CreateMember): an
/// organization account missing from the security account's members is added with the
/// email address AWS Organizations gives for it, which enables Macie there; a paused
/// member does not count as one.
#[tokio::test]
async fn macie_makes_the_missing_members_with_their_organization_email() {
    use aws_sdk_macie2::operation::create_member::CreateMemberOutput;
    use aws_sdk_macie2::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput;
    use aws_sdk_macie2::operation::list_members::ListMembersOutput;
    use aws_sdk_macie2::operation::update_organization_configuration::UpdateOrganizationConfigurationOutput;
    use aws_sdk_macie2::types::{Member, RelationshipStatus};
    use aws_sdk_organizations::operation::describe_account::DescribeAccountOutput;

    let described =
        mock!(aws_sdk_macie2::Client::describe_organization_configuration).then_output(|| {
            DescribeOrganizationConfigurationOutput::builder()
                .auto_enable(true)
                .build()
        });
    let members = mock!(aws_sdk_macie2::Client::list_members).then_output(|| {
        ListMembersOutput::builder()
            .members(
                Member::builder()
                    .account_id("444444444444")
                    .relationship_status(RelationshipStatus::Paused)
                    .build(),
            )
            .build()
    });
    let updated = mock!(aws_sdk_macie2::Client::update_organization_configuration)
        .then_output(|| UpdateOrganizationConfigurationOutput::builder().build());
    let created = mock!(aws_sdk_macie2::Client::create_member)
        .match_requests(|r| {
            r.account().is_some_and(|a| {
                a.account_id() == Some("444444444444") && a.email() == Some("member@example.com")
            })
        })
        .then_output(|| CreateMemberOutput::builder().arn("arn:member").build());
    let email = mock!(aws_sdk_organizations::Client::describe_account)
        .match_requests(|r| r.account_id() == Some("444444444444"))
        .then_output(|| {
            DescribeAccountOutput::builder()
                .account(
                    aws_sdk_organizations::types::Account::builder()
                        .id("444444444444")
                        .email("member@example.com")
                        .build(),
                )
                .build()
        });
    let client = mock_client!(
        aws_sdk_macie2,
        RuleMode::MatchAny,
        &[&described, &members, &updated, &created]
    );
    let api = organizations(&[&email]).with_macie(client);
    let live = api
        .read_setting(Setting::OrgMacie, SECURITY, "us-east-1")
        .await
        .unwrap();
    assert_eq!(live, Some(json!({"AutoEnable": true, "Members": []})));
    api.apply_setting(
        Setting::OrgMacie,
        SECURITY,
        "us-east-1",
        &json!({"AutoEnable": true, "Members": ["444444444444"]}),
    )
    .await
    .unwrap();
    assert_eq!(created.num_calls(), 1);
}

fn securityhub_central(securityhub: &[&Rule], organizations_rules: &[&Rule]) -> SdkStacks {
    let client = mock_client!(aws_sdk_securityhub, RuleMode::MatchAny, securityhub);
    organizations(organizations_rules).with_securityhub(client)
}

/// Security Hub's organization configuration as DescribeOrganizationConfiguration gives it.
fn sh_organization(
    kind: aws_sdk_securityhub::types::OrganizationConfigurationConfigurationType,
) -> aws_sdk_securityhub::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput{
    use aws_sdk_securityhub::types::{
        AutoEnableStandards, OrganizationConfiguration, OrganizationConfigurationStatus,
    };
    let central =
        kind == aws_sdk_securityhub::types::OrganizationConfigurationConfigurationType::Central;
    aws_sdk_securityhub::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput::builder()
        .auto_enable(!central)
        .auto_enable_standards(if central { AutoEnableStandards::None } else { AutoEnableStandards::Default })
        .organization_configuration(
            OrganizationConfiguration::builder()
                .configuration_type(kind)
                .status(OrganizationConfigurationStatus::Enabled)
                .build(),
        )
        .build()
}

fn no_members() -> Rule {
    mock!(aws_sdk_securityhub::Client::list_members).then_output(|| {
        aws_sdk_securityhub::operation::list_members::ListMembersOutput::builder().build()
    })
}

const FSBP: &str =
    "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";
const CIS: &str = "arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/1.4.0";

/// Security Hub central configuration, which the emulator does not implement (Security Hub
/// API reference: ListConfigurationPolicies, GetConfigurationPolicy,
/// ListConfigurationPolicyAssociations). The baseline's policy (by its name) is read with
/// where it is applied; another tool's policy is not the baseline's, and the OU it is applied
/// to is read as governed by another configuration (deploy does not take it over).
#[tokio::test]
async fn securityhub_central_configuration_reads_the_baselines_policy_and_where_it_applies() {
    use aws_sdk_securityhub::operation::get_configuration_policy::GetConfigurationPolicyOutput;
    use aws_sdk_securityhub::operation::list_configuration_policies::ListConfigurationPoliciesOutput;
    use aws_sdk_securityhub::operation::list_configuration_policy_associations::ListConfigurationPolicyAssociationsOutput;
    use aws_sdk_securityhub::types::{
        AssociationType, ConfigurationPolicyAssociationSummary, ConfigurationPolicySummary,
        OrganizationConfigurationConfigurationType, Policy, SecurityControlsConfiguration,
        SecurityHubPolicy, TargetType,
    };
    let described = mock!(aws_sdk_securityhub::Client::describe_organization_configuration)
        .then_output(|| sh_organization(OrganizationConfigurationConfigurationType::Central));
    let policies =
        mock!(aws_sdk_securityhub::Client::list_configuration_policies).then_output(|| {
            ListConfigurationPoliciesOutput::builder()
                .configuration_policy_summaries(
                    ConfigurationPolicySummary::builder()
                        .id("p-other")
                        .name("landing-zone")
                        .build(),
                )
                .configuration_policy_summaries(
                    ConfigurationPolicySummary::builder()
                        .id("p-ours")
                        .name("cfn-baseline")
                        .build(),
                )
                .build()
        });
    let policy = mock!(aws_sdk_securityhub::Client::get_configuration_policy)
        .match_requests(|r| r.identifier() == Some("p-ours"))
        .then_output(|| {
            GetConfigurationPolicyOutput::builder()
                .id("p-ours")
                .name("cfn-baseline")
                .configuration_policy(Policy::SecurityHub(
                    SecurityHubPolicy::builder()
                        .service_enabled(true)
                        .enabled_standard_identifiers(FSBP)
                        .enabled_standard_identifiers(CIS)
                        .security_controls_configuration(
                            SecurityControlsConfiguration::builder()
                                .disabled_security_control_identifiers("S3.1")
                                .disabled_security_control_identifiers("IAM.6")
                                .build(),
                        )
                        .build(),
                ))
                .build()
        });
    let associations = mock!(aws_sdk_securityhub::Client::list_configuration_policy_associations)
        .match_requests(|r| {
            r.filters().is_some_and(|f| {
                f.configuration_policy_id().is_none()
                    && f.association_type() == Some(&AssociationType::Applied)
            })
        })
        .then_output(|| {
            ListConfigurationPolicyAssociationsOutput::builder()
                .configuration_policy_association_summaries(
                    ConfigurationPolicyAssociationSummary::builder()
                        .configuration_policy_id("p-ours")
                        .target_id("r-ab12")
                        .target_type(TargetType::Root)
                        .association_type(AssociationType::Applied)
                        .build(),
                )
                .configuration_policy_association_summaries(
                    ConfigurationPolicyAssociationSummary::builder()
                        .configuration_policy_id("p-other")
                        .target_id("ou-ab12-cd34ef56")
                        .target_type(TargetType::OrganizationalUnit)
                        .association_type(AssociationType::Applied)
                        .build(),
                )
                // An account applied to another policy is that account's business: the
                // baseline associates the root and OUs only.
                .configuration_policy_association_summaries(
                    ConfigurationPolicyAssociationSummary::builder()
                        .configuration_policy_id("p-other")
                        .target_id("444444444444")
                        .target_type(TargetType::Account)
                        .association_type(AssociationType::Applied)
                        .build(),
                )
                .build()
        });
    let members = no_members();
    let api = securityhub_central(
        &[&described, &policies, &policy, &associations, &members],
        &[],
    );
    let live = api
        .read_setting(Setting::OrgSecurityHub, SECURITY, "us-east-1")
        .await
        .unwrap();
    assert_eq!(
        live,
        Some(json!({
            "AutoEnable": false,
            "AutoEnableStandards": "NONE",
            "ConfigurationType": "CENTRAL",
            "ServiceEnabled": true,
            "EnabledStandards": [FSBP, CIS],
            "DisabledControls": ["IAM.6", "S3.1"],
            "Targets": ["ROOT"],
            "OtherPolicyTargets": ["ou-ab12-cd34ef56"],
            "Members": [],
        }))
    );
}

fn central_wanted(targets: &[&str]) -> serde_json::Value {
    json!({
        "ConfigurationType": "CENTRAL",
        "ServiceEnabled": true,
        "EnabledStandards": [FSBP, CIS],
        "DisabledControls": ["IAM.6"],
        "Targets": targets,
        "Members": ["333333333333"],
    })
}

/// From local configuration: the organization configuration turns CENTRAL (auto-enable off,
/// as the API requires), the policy is created with the baseline's standards and disabled
/// controls, associated with the root the Organizations API names, and the baseline's
/// accounts become members.
#[tokio::test]
async fn securityhub_central_configuration_is_switched_on_and_the_policy_applied_to_the_root() {
    use aws_sdk_organizations::operation::list_roots::ListRootsOutput;
    use aws_sdk_securityhub::operation::create_configuration_policy::CreateConfigurationPolicyOutput;
    use aws_sdk_securityhub::operation::create_members::CreateMembersOutput;
    use aws_sdk_securityhub::operation::list_configuration_policies::ListConfigurationPoliciesOutput;
    use aws_sdk_securityhub::operation::start_configuration_policy_association::StartConfigurationPolicyAssociationOutput;
    use aws_sdk_securityhub::operation::update_organization_configuration::UpdateOrganizationConfigurationOutput;
    use aws_sdk_securityhub::types::{
        AutoEnableStandards, ConfigurationPolicyAssociationStatus,
        OrganizationConfigurationConfigurationType, Policy, Target,
    };
    let described = mock!(aws_sdk_securityhub::Client::describe_organization_configuration)
        .sequence()
        .output(|| sh_organization(OrganizationConfigurationConfigurationType::Local))
        .output(|| sh_organization(OrganizationConfigurationConfigurationType::Central))
        .repeatedly()
        .build();
    let switched = mock!(aws_sdk_securityhub::Client::update_organization_configuration)
        .match_requests(|r| {
            r.auto_enable() == Some(false)
                && r.auto_enable_standards() == Some(&AutoEnableStandards::None)
                && r.organization_configuration()
                    .and_then(|c| c.configuration_type())
                    == Some(&OrganizationConfigurationConfigurationType::Central)
        })
        .then_output(|| UpdateOrganizationConfigurationOutput::builder().build());
    let none_yet = mock!(aws_sdk_securityhub::Client::list_configuration_policies)
        .then_output(|| ListConfigurationPoliciesOutput::builder().build());
    let created = mock!(aws_sdk_securityhub::Client::create_configuration_policy)
        .match_requests(|r| {
            let Some(Policy::SecurityHub(p)) = r.configuration_policy() else {
                return false;
            };
            r.name() == Some("cfn-baseline")
                && p.service_enabled() == Some(true)
                && p.enabled_standard_identifiers() == [FSBP, CIS]
                && p.security_controls_configuration()
                    .is_some_and(|c| c.disabled_security_control_identifiers() == ["IAM.6"])
        })
        .then_output(|| {
            CreateConfigurationPolicyOutput::builder()
                .id("p-new")
                .build()
        });
    let associated = mock!(aws_sdk_securityhub::Client::start_configuration_policy_association)
        .match_requests(|r| {
            r.configuration_policy_identifier() == Some("p-new")
                && r.target() == Some(&Target::RootId("r-ab12".to_string()))
        })
        .then_output(|| {
            StartConfigurationPolicyAssociationOutput::builder()
                .association_status(ConfigurationPolicyAssociationStatus::Pending)
                .build()
        });
    let members = no_members();
    let made_members = mock!(aws_sdk_securityhub::Client::create_members)
        .match_requests(|r| {
            r.account_details().len() == 1
                && r.account_details()[0].account_id() == Some("333333333333")
        })
        .then_output(|| CreateMembersOutput::builder().build());
    let roots = mock!(aws_sdk_organizations::Client::list_roots).then_output(|| {
        ListRootsOutput::builder()
            .roots(
                aws_sdk_organizations::types::Root::builder()
                    .id("r-ab12")
                    .build(),
            )
            .build()
    });
    let api = securityhub_central(
        &[
            &described,
            &switched,
            &none_yet,
            &created,
            &associated,
            &members,
            &made_members,
        ],
        &[&roots],
    );
    api.apply_setting(
        Setting::OrgSecurityHub,
        SECURITY,
        "us-east-1",
        &central_wanted(&["ROOT"]),
    )
    .await
    .unwrap();
    assert_eq!(
        switched.num_calls(),
        1,
        "switched to central configuration once"
    );
    assert_eq!(created.num_calls(), 1);
    assert_eq!(roots.num_calls(), 1);
    assert_eq!(associated.num_calls(), 1);
    assert_eq!(made_members.num_calls(), 1);
}

/// Already central: the baseline's policy is updated in place (not created twice) and
/// associated with the listed organizational units; the root is not looked up.
#[tokio::test]
async fn securityhub_central_configuration_updates_its_policy_for_the_listed_units() {
    use aws_sdk_securityhub::operation::list_configuration_policies::ListConfigurationPoliciesOutput;
    use aws_sdk_securityhub::operation::start_configuration_policy_association::StartConfigurationPolicyAssociationOutput;
    use aws_sdk_securityhub::operation::update_configuration_policy::UpdateConfigurationPolicyOutput;
    use aws_sdk_securityhub::types::{
        ConfigurationPolicySummary, OrganizationConfigurationConfigurationType, Target,
    };
    let described = mock!(aws_sdk_securityhub::Client::describe_organization_configuration)
        .then_output(|| sh_organization(OrganizationConfigurationConfigurationType::Central));
    let ours = mock!(aws_sdk_securityhub::Client::list_configuration_policies).then_output(|| {
        ListConfigurationPoliciesOutput::builder()
            .configuration_policy_summaries(
                ConfigurationPolicySummary::builder()
                    .id("p-ours")
                    .name("cfn-baseline")
                    .build(),
            )
            .build()
    });
    let updated = mock!(aws_sdk_securityhub::Client::update_configuration_policy)
        .match_requests(|r| r.identifier() == Some("p-ours"))
        .then_output(|| UpdateConfigurationPolicyOutput::builder().build());
    let associated = mock!(aws_sdk_securityhub::Client::start_configuration_policy_association)
        .match_requests(|r| {
            r.target()
                == Some(&Target::OrganizationalUnitId(
                    "ou-ab12-cd34ef56".to_string(),
                ))
        })
        .then_output(|| StartConfigurationPolicyAssociationOutput::builder().build());
    let members = mock!(aws_sdk_securityhub::Client::list_members).then_output(|| {
        aws_sdk_securityhub::operation::list_members::ListMembersOutput::builder()
            .members(
                aws_sdk_securityhub::types::Member::builder()
                    .account_id("333333333333")
                    .build(),
            )
            .build()
    });
    let api = securityhub_central(&[&described, &ours, &updated, &associated, &members], &[]);
    api.apply_setting(
        Setting::OrgSecurityHub,
        SECURITY,
        "us-east-1",
        &central_wanted(&["ou-ab12-cd34ef56"]),
    )
    .await
    .unwrap();
    assert_eq!(updated.num_calls(), 1);
    assert_eq!(associated.num_calls(), 1);
}

/// A switch to central configuration that Security Hub reports FAILED stops with its reason.
#[tokio::test]
async fn a_failed_switch_to_central_configuration_says_why() {
    use aws_sdk_securityhub::operation::update_organization_configuration::UpdateOrganizationConfigurationOutput;
    use aws_sdk_securityhub::types::{
        OrganizationConfiguration, OrganizationConfigurationConfigurationType,
        OrganizationConfigurationStatus,
    };
    let described = mock!(aws_sdk_securityhub::Client::describe_organization_configuration)
        .sequence()
        .output(|| sh_organization(OrganizationConfigurationConfigurationType::Local))
        .output(|| {
            aws_sdk_securityhub::operation::describe_organization_configuration::DescribeOrganizationConfigurationOutput::builder()
                .organization_configuration(
                    OrganizationConfiguration::builder()
                        .configuration_type(OrganizationConfigurationConfigurationType::Central)
                        .status(OrganizationConfigurationStatus::Failed)
                        .status_message("no finding aggregator in the home Region")
                        .build(),
                )
                .build()
        })
        .repeatedly()
        .build();
    let switched = mock!(aws_sdk_securityhub::Client::update_organization_configuration)
        .then_output(|| UpdateOrganizationConfigurationOutput::builder().build());
    let api = securityhub_central(&[&described, &switched], &[]);
    let err = api
        .apply_setting(
            Setting::OrgSecurityHub,
            SECURITY,
            "us-east-1",
            &central_wanted(&["ROOT"]),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "could not switch to central configuration: no finding aggregator in the home Region"
        ),
        "{err}"
    );
}

/// The accounts service-managed stack sets reach: those of the units and of the units under
/// them, every page, suspended accounts left out (AWS Organizations ListAccountsForParent
/// and ListOrganizationalUnitsForParent).
#[tokio::test]
async fn the_accounts_of_organizational_units_are_listed_with_the_units_under_them() {
    use aws_sdk_organizations::operation::list_accounts_for_parent::ListAccountsForParentOutput;
    use aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput;
    use aws_sdk_organizations::types::{Account, AccountState, OrganizationalUnit};
    let account = |id: &str, state: AccountState| Account::builder().id(id).state(state).build();
    // ou-top: one page with a token, then a second page; a child unit ou-child.
    let first = mock!(aws_sdk_organizations::Client::list_accounts_for_parent)
        .match_requests(|r| r.parent_id() == Some("ou-ab12-topunit1") && r.next_token().is_none())
        .then_output(move || {
            ListAccountsForParentOutput::builder()
                .accounts(account("444444444444", AccountState::Active))
                .next_token("page-2")
                .build()
        });
    let second = mock!(aws_sdk_organizations::Client::list_accounts_for_parent)
        .match_requests(|r| {
            r.parent_id() == Some("ou-ab12-topunit1") && r.next_token() == Some("page-2")
        })
        .then_output(move || {
            ListAccountsForParentOutput::builder()
                .accounts(account("555555555555", AccountState::Suspended))
                .accounts(account("666666666666", AccountState::Active))
                .build()
        });
    let child = mock!(aws_sdk_organizations::Client::list_accounts_for_parent)
        .match_requests(|r| r.parent_id() == Some("ou-ab12-childun1"))
        .then_output(move || {
            ListAccountsForParentOutput::builder()
                .accounts(account("777777777777", AccountState::Active))
                .build()
        });
    let units = mock!(aws_sdk_organizations::Client::list_organizational_units_for_parent)
        .match_requests(|r| r.parent_id() == Some("ou-ab12-topunit1"))
        .then_output(|| {
            ListOrganizationalUnitsForParentOutput::builder()
                .organizational_units(OrganizationalUnit::builder().id("ou-ab12-childun1").build())
                .build()
        });
    let leaf = mock!(aws_sdk_organizations::Client::list_organizational_units_for_parent)
        .match_requests(|r| r.parent_id() == Some("ou-ab12-childun1"))
        .then_output(|| ListOrganizationalUnitsForParentOutput::builder().build());
    let api = organizations(&[&first, &second, &child, &units, &leaf]);
    let accounts = api
        .unit_accounts(&["ou-ab12-topunit1".to_string()])
        .await
        .unwrap();
    assert_eq!(accounts, ["444444444444", "666666666666", "777777777777"]);
}

/// Inspector's organization configuration is written whole (every scan type), so the scan
/// types the baseline does not list are read first and kept. A read that fails is an error
/// and nothing is written: were it "nothing set", the write would switch those types off
/// in every new member. Shapes from the Inspector API reference
/// (DescribeOrganizationConfiguration, UpdateOrganizationConfiguration).
#[tokio::test]
async fn inspector_keeps_the_scan_types_it_does_not_manage_and_writes_nothing_it_could_not_read() {
    use aws_sdk_inspector2::operation::describe_organization_configuration::{
        DescribeOrganizationConfigurationError, DescribeOrganizationConfigurationOutput,
    };
    use aws_sdk_inspector2::operation::update_organization_configuration::UpdateOrganizationConfigurationOutput;
    use aws_sdk_inspector2::types::error::AccessDeniedException;
    use aws_sdk_inspector2::types::AutoEnable;
    use aws_sdk_inspector2::Client as Inspector;

    let cloudformation = || {
        aws_sdk_cloudformation::Client::from_conf(
            aws_sdk_cloudformation::Config::builder()
                .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
                .region(aws_sdk_cloudformation::config::Region::new("us-east-1"))
                .build(),
        )
    };
    // The baseline lists ecr only.
    let wanted = json!({"Ecr": true});

    // Live: EC2 and Lambda on. The update keeps them and adds ECR; Lambda code stays off.
    let read = mock!(Inspector::describe_organization_configuration).then_output(|| {
        DescribeOrganizationConfigurationOutput::builder()
            .auto_enable(
                AutoEnable::builder()
                    .ec2(true)
                    .ecr(false)
                    .lambda(true)
                    .lambda_code(false)
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let update = mock!(Inspector::update_organization_configuration)
        .match_requests(|r| {
            r.auto_enable().is_some_and(|a| {
                a.ec2() && a.ecr() && a.lambda() == Some(true) && a.lambda_code() == Some(false)
            })
        })
        .then_output(|| {
            UpdateOrganizationConfigurationOutput::builder()
                .auto_enable(AutoEnable::builder().ec2(true).ecr(true).build().unwrap())
                .build()
        });
    let api = SdkStacks::with_client(cloudformation()).with_inspector2(mock_client!(
        aws_sdk_inspector2,
        RuleMode::MatchAny,
        [&read, &update]
    ));
    api.apply_setting(Setting::OrgInspector, SECURITY, "us-east-1", &wanted)
        .await
        .unwrap();
    assert_eq!(update.num_calls(), 1, "the kept types were sent as read");

    // The read is refused: an error, and no write.
    let denied = mock!(Inspector::describe_organization_configuration).then_error(|| {
        DescribeOrganizationConfigurationError::AccessDeniedException(
            AccessDeniedException::builder()
                .message("not authorized to perform: inspector2:DescribeOrganizationConfiguration")
                .meta(
                    aws_sdk_inspector2::error::ErrorMetadata::builder()
                        .code("AccessDeniedException")
                        .message("not authorized to perform: inspector2:DescribeOrganizationConfiguration")
                        .build(),
                )
                .build()
                .unwrap(),
        )
    });
    let any_update = mock!(Inspector::update_organization_configuration).then_output(|| {
        UpdateOrganizationConfigurationOutput::builder()
            .auto_enable(AutoEnable::builder().ec2(false).ecr(false).build().unwrap())
            .build()
    });
    let api = SdkStacks::with_client(cloudformation()).with_inspector2(mock_client!(
        aws_sdk_inspector2,
        RuleMode::MatchAny,
        [&denied, &any_update]
    ));
    let err = api
        .apply_setting(Setting::OrgInspector, SECURITY, "us-east-1", &wanted)
        .await
        .expect_err("a refused read is an error");
    assert!(format!("{err:?}").contains("AccessDenied"), "{err:?}");
    assert_eq!(
        any_update.num_calls(),
        0,
        "nothing written from a failed read"
    );
}
