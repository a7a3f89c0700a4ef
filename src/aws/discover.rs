//! Discovery with the services' own SDK clients: what an account and region already has
//! (GuardDuty, Security Hub, Config, CloudTrail, and the named resources a render creates).

use std::collections::BTreeMap;

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

use super::sdk::{api_error, SdkStacks};
use super::*;

/// A call the endpoint does not implement tells nothing: `None`, said as not known rather
/// than as absent. A call this caller may not make is an error, naming the call: read as
/// "nothing there", it would plan a create that collides with what exists, or take over
/// what an administrator manages.
pub(super) fn unknown<T>(result: ApiResult<T>) -> ApiResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(ApiError::Unsupported(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The region's GuardDuty detector id (a region holds one), if there is one.
pub(super) async fn detector_id(gd: &aws_sdk_guardduty::Client) -> ApiResult<Option<String>> {
    let ids = gd
        .list_detectors()
        .send()
        .await
        .map_err(|e| api_error("ListDetectors", e))?;
    Ok(ids.detector_ids().first().cloned())
}

/// The administrator account a GetAdministratorAccount answer names (GuardDuty, Security
/// Hub and Macie each have one); `None` also when the endpoint cannot say.
async fn administrator<O, E>(
    answer: impl std::future::Future<Output = Result<O, SdkError<E, HttpResponse>>>,
    account: impl FnOnce(&O) -> Option<&str>,
) -> ApiResult<Option<String>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let answer = unknown(
        answer
            .await
            .map_err(|e| api_error("GetAdministratorAccount", e)),
    )?;
    Ok(answer.as_ref().and_then(account).map(str::to_string))
}

impl SdkStacks {
    async fn detector(&self, region: &str) -> ApiResult<Option<FoundDetector>> {
        let gd = regional!(self, aws_sdk_guardduty, region);
        let Some(id) = detector_id(&gd).await? else {
            return Ok(None);
        };
        let got = gd
            .get_detector()
            .detector_id(&id)
            .send()
            .await
            .map_err(|e| api_error("GetDetector", e))?;
        let features = got
            .features()
            .iter()
            .map(|f| {
                (
                    f.name().map(|n| n.as_str().to_string()).unwrap_or_default(),
                    f.status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                    f.additional_configuration()
                        .iter()
                        .map(|a| {
                            (
                                a.name().map(|n| n.as_str().to_string()).unwrap_or_default(),
                                a.status()
                                    .map(|s| s.as_str().to_string())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        let administrator = administrator(
            gd.get_administrator_account().detector_id(&id).send(),
            |a| a.administrator().and_then(|a| a.account_id()),
        )
        .await?;
        Ok(Some(FoundDetector {
            id,
            finding_frequency: got
                .finding_publishing_frequency()
                .map(|f| f.as_str().to_string()),
            features,
            administrator,
        }))
    }

    async fn hub(&self, region: &str) -> ApiResult<Option<FoundHub>> {
        let sh = regional!(self, aws_sdk_securityhub, region);
        let described = match sh.describe_hub().send().await {
            Ok(out) => out,
            // Security Hub says "not subscribed" with InvalidAccessException.
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.is_invalid_access_exception() || s.is_resource_not_found_exception()
                }) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(api_error("DescribeHub", e)),
        };
        let Some(arn) = described.hub_arn().map(str::to_string) else {
            return Ok(None);
        };
        let standards = unknown(
            sh.get_enabled_standards()
                .send()
                .await
                .map_err(|e| api_error("GetEnabledStandards", e)),
        )?
        .map(|out| {
            out.standards_subscriptions()
                .iter()
                .map(|s| {
                    (
                        s.standards_arn().unwrap_or_default().to_string(),
                        s.standards_subscription_arn()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect()
        });
        let administrator = administrator(sh.get_administrator_account().send(), |a| {
            a.administrator().and_then(|a| a.account_id())
        })
        .await?;
        Ok(Some(FoundHub {
            arn,
            standards,
            administrator,
        }))
    }

    async fn recorders(&self, region: &str) -> ApiResult<(Vec<FoundRecorder>, Vec<String>)> {
        let cfg = regional!(self, aws_sdk_config, region);
        let recorders = cfg
            .describe_configuration_recorders()
            .send()
            .await
            .map_err(|e| api_error("DescribeConfigurationRecorders", e))?
            .configuration_recorders()
            .iter()
            .map(|r| FoundRecorder {
                name: r.name().unwrap_or_default().to_string(),
                role_arn: r.role_arn().map(str::to_string),
            })
            .collect();
        let channels = cfg
            .describe_delivery_channels()
            .send()
            .await
            .map_err(|e| api_error("DescribeDeliveryChannels", e))?
            .delivery_channels()
            .iter()
            .filter_map(|c| c.name().map(str::to_string))
            .collect();
        Ok((recorders, channels))
    }

    /// Macie in a region, when it is on. Macie that is off answers GetMacieSession with
    /// AccessDenied ("Macie is not enabled"), as a caller without the permission would be: both
    /// read as off, and a session that exists after all makes the create fail with its reason.
    async fn macie_session(&self, region: &str) -> ApiResult<Option<FoundMacie>> {
        let macie = self.macie(region);
        let got = match macie.get_macie_session().send().await {
            Ok(out) => Some(out),
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.is_access_denied_exception() || s.is_resource_not_found_exception()
                }) =>
            {
                return Ok(None)
            }
            // Anything else, an answer the SDK cannot read included, is not known: never
            // "exists" or "off".
            Err(e) => return Ok(unknown(Err(api_error("GetMacieSession", e)))?.flatten()),
        };
        let administrator = administrator(macie.get_administrator_account().send(), |a| {
            a.administrator().and_then(|a| a.account_id())
        })
        .await?;
        Ok(Some(FoundMacie {
            status: got
                .as_ref()
                .and_then(|g| g.status())
                .map(|s| s.as_str().to_string()),
            finding_frequency: got
                .as_ref()
                .and_then(|g| g.finding_publishing_frequency())
                .map(|f| f.as_str().to_string()),
            administrator,
        }))
    }

    /// The Security Hub standards a region offers (DescribeStandards); `None` when it cannot
    /// say (an account without Security Hub may be refused the call).
    async fn standards_offered(&self, region: &str) -> ApiResult<Option<Vec<String>>> {
        let sh = self.securityhub(region);
        let mut pages = sh.describe_standards().into_paginator().send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_invalid_access_exception()) =>
                {
                    return Ok(None)
                }
                Err(e) => {
                    // Not known when the endpoint lacks the call or refuses it.
                    unknown::<()>(Err(api_error("DescribeStandards", e)))?;
                    return Ok(None);
                }
            };
            out.extend(
                page.standards()
                    .iter()
                    .filter_map(|s| s.standards_arn().map(str::to_string)),
            );
        }
        Ok(Some(out))
    }

    /// The behavior graph this account administers in a region (ListGraphs lists only those).
    async fn graph(&self, region: &str) -> ApiResult<Option<String>> {
        let detective = self.detective(region);
        let out = unknown(
            detective
                .list_graphs()
                .send()
                .await
                .map_err(|e| api_error("ListGraphs", e)),
        )?;
        Ok(out.and_then(|o| {
            o.graph_list()
                .iter()
                .find_map(|g| g.arn().map(str::to_string))
        }))
    }

    /// The Slack channel configuration of that name (names are the account's, in every
    /// region), by its ARN. Chatbot's API answers in four regions; it is asked in one.
    async fn chat_configuration(&self, region: &str, name: &str) -> ApiResult<Option<String>> {
        const CHATBOT_API_REGIONS: [&str; 4] =
            ["us-east-2", "us-west-2", "eu-west-1", "ap-southeast-1"];
        if crate::baseline::regions::partition(region) != "aws" {
            return Ok(None);
        }
        let at = if CHATBOT_API_REGIONS.contains(&region) {
            region
        } else {
            CHATBOT_API_REGIONS[0]
        };
        let chatbot = self.chatbot(at);
        let mut pages = chatbot
            .describe_slack_channel_configurations()
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let Some(page) =
                unknown(page.map_err(|e| api_error("DescribeSlackChannelConfigurations", e)))?
            else {
                return Ok(None);
            };
            if let Some(c) = page
                .slack_channel_configurations()
                .iter()
                .find(|c| c.configuration_name() == Some(name))
            {
                return Ok(Some(c.chat_configuration_arn().to_string()));
            }
        }
        Ok(None)
    }

    /// A KMS alias of that name, when it exists, with the key it points to (`None` when it
    /// points to none that can be read). One listing answers both.
    async fn alias(&self, region: &str, name: &str) -> ApiResult<Option<Option<String>>> {
        let kms = regional!(self, aws_sdk_kms, region);
        let mut pages = kms.list_aliases().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| api_error("ListAliases", e))?;
            if let Some(a) = page.aliases().iter().find(|a| a.alias_name() == Some(name)) {
                return Ok(Some(a.target_key_id().map(str::to_string)));
            }
        }
        Ok(None)
    }

    /// The identifier an import names the resource by, when it exists.
    async fn named(&self, region: &str, lookup: &Lookup) -> ApiResult<Option<String>> {
        let name = lookup.name.as_str();
        match lookup.resource_type.as_str() {
            "AWS::S3::Bucket" => {
                let s3 = regional!(self, aws_sdk_s3, region);
                match s3.head_bucket().bucket(name).send().await {
                    Ok(_) => Ok(Some(name.to_string())),
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
                    Err(e) => match api_error("HeadBucket", e) {
                        ApiError::NotFound(_) => Ok(None),
                        e => Err(e),
                    },
                }
            }
            "AWS::Logs::LogGroup" => {
                let logs = regional!(self, aws_sdk_cloudwatchlogs, region);
                let out = logs
                    .describe_log_groups()
                    .log_group_name_prefix(name)
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeLogGroups", e))?;
                Ok(out
                    .log_groups()
                    .iter()
                    .any(|g| g.log_group_name() == Some(name))
                    .then(|| name.to_string()))
            }
            "AWS::SNS::Topic" => {
                let sns = regional!(self, aws_sdk_sns, region);
                let mut pages = sns.list_topics().into_paginator().send();
                let suffix = format!(":{name}");
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("ListTopics", e))?;
                    if let Some(arn) = page
                        .topics()
                        .iter()
                        .filter_map(|t| t.topic_arn())
                        .find(|arn| arn.ends_with(&suffix))
                    {
                        return Ok(Some(arn.to_string()));
                    }
                }
                Ok(None)
            }
            "AWS::KMS::Alias" => Ok(self.alias(region, name).await?.map(|_| name.to_string())),
            "AWS::Events::Rule" => {
                let events = regional!(self, aws_sdk_eventbridge, region);
                match events.describe_rule().name(name).send().await {
                    Ok(out) => Ok(out.arn().map(str::to_string)),
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_resource_not_found_exception()) =>
                    {
                        Ok(None)
                    }
                    Err(e) => match api_error("DescribeRule", e) {
                        ApiError::NotFound(_) => Ok(None),
                        e => Err(e),
                    },
                }
            }
            "AWS::Chatbot::SlackChannelConfiguration" => {
                self.chat_configuration(region, name).await
            }
            "AWS::CloudTrail::Trail" => {
                let ct = regional!(self, aws_sdk_cloudtrail, region);
                let out = ct
                    .describe_trails()
                    .include_shadow_trails(false)
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeTrails", e))?;
                Ok(out
                    .trail_list()
                    .iter()
                    .any(|t| t.name() == Some(name))
                    .then(|| name.to_string()))
            }
            _ => Ok(None),
        }
    }
}

impl SdkStacks {
    /// The organization trails that record the account in a region (shadow trails included:
    /// an organization trail of the management account shows in every member), by ARN.
    async fn organization_trails(&self, region: &str) -> ApiResult<Vec<String>> {
        let ct = regional!(self, aws_sdk_cloudtrail, region);
        let out = ct
            .describe_trails()
            .include_shadow_trails(true)
            .send()
            .await
            .map_err(|e| api_error("DescribeTrails", e))?;
        let mut arns: Vec<String> = out
            .trail_list()
            .iter()
            .filter(|t| t.is_organization_trail() == Some(true))
            .filter_map(|t| t.trail_arn().map(str::to_string))
            .collect();
        arns.sort();
        arns.dedup();
        Ok(arns)
    }

    /// The account's analyzers; none when the endpoint cannot say (the emulator).
    async fn analyzers(&self, region: &str) -> ApiResult<Vec<FoundAnalyzer>> {
        let aa = regional!(self, aws_sdk_accessanalyzer, region);
        let mut pages = aa.list_analyzers().into_paginator().send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = match unknown(page.map_err(|e| api_error("ListAnalyzers", e)))? {
                Some(p) => p,
                None => return Ok(Vec::new()),
            };
            out.extend(page.analyzers().iter().map(|a| FoundAnalyzer {
                name: a.name().to_string(),
                arn: a.arn().to_string(),
                kind: a.r#type().as_str().to_string(),
            }));
        }
        Ok(out)
    }
}

impl DiscoveryApi for SdkStacks {
    async fn discover(&self, region: &str, lookups: &[Lookup]) -> ApiResult<Found> {
        self.reach
            .call("Discover", || async move {
                let (detector, hub, recorders, analyzers) = tokio::join!(
                    self.detector(region),
                    self.hub(region),
                    self.recorders(region),
                    self.analyzers(region)
                );
                let (recorders, delivery_channels) = recorders?;
                // Macie and Detective are asked only where the render turns them on.
                let wants = |ty: &str| lookups.iter().any(|l| l.resource_type == ty);
                let macie = if wants(MACIE_SESSION) {
                    self.macie_session(region).await?
                } else {
                    None
                };
                let graph = if wants(DETECTIVE_GRAPH) {
                    self.graph(region).await?
                } else {
                    None
                };
                let organization_trails = if wants("AWS::CloudTrail::Trail") {
                    self.organization_trails(region).await?
                } else {
                    Vec::new()
                };
                let standards_offered = if wants(SECURITY_HUB_STANDARD) {
                    self.standards_offered(region).await?
                } else {
                    None
                };
                let mut named = BTreeMap::new();
                let mut alias_targets = BTreeMap::new();
                for lookup in lookups.iter().filter(|l| l.is_named()) {
                    // An alias is read once for whether it exists and where it points.
                    if lookup.resource_type == "AWS::KMS::Alias" {
                        if let Some(target) = self.alias(region, &lookup.name).await? {
                            if let Some(key) = target {
                                alias_targets.insert(lookup.name.clone(), key);
                            }
                            named.insert(lookup.clone(), lookup.name.clone());
                        }
                    } else if let Some(id) = self.named(region, lookup).await? {
                        named.insert(lookup.clone(), id);
                    }
                }
                Ok(Found {
                    detector: detector?,
                    analyzers: analyzers?,
                    hub: hub?,
                    recorders,
                    delivery_channels,
                    macie,
                    graph,
                    organization_trails,
                    standards_offered,
                    alias_targets,
                    named,
                })
            })
            .await
    }

    async fn enabled_regions(&self) -> ApiResult<Vec<String>> {
        // EC2 DescribeRegions with AllRegions answers every region with its opt-in status:
        // `opt-in-not-required` (enabled by default) and `opted-in` are enabled,
        // `not-opted-in` is not. It needs ec2:DescribeRegions, which read-only roles have.
        self.reach
            .call("DescribeRegions", || async move {
                let ec2 = match &self.fixed_ec2 {
                    Some(c) => c.clone(),
                    None => aws_sdk_ec2::Client::new(&self.config),
                };
                let out = ec2
                    .describe_regions()
                    .all_regions(true)
                    .send()
                    .await
                    .map_err(|e| api_error("DescribeRegions", e))?;
                // Only this partition's regions (an endpoint serving several answers them all).
                let home = self
                    .config
                    .region()
                    .map(|r| r.to_string())
                    .unwrap_or_default();
                let partition = crate::baseline::regions::partition(&home);
                let mut regions: Vec<String> = out
                    .regions()
                    .iter()
                    .filter(|r| {
                        r.region_name()
                            .is_some_and(|n| crate::baseline::regions::partition(n) == partition)
                    })
                    .filter(|r| {
                        matches!(r.opt_in_status(), Some("opt-in-not-required" | "opted-in"))
                    })
                    .filter_map(|r| r.region_name().map(str::to_string))
                    .collect();
                regions.sort();
                regions.dedup();
                Ok(regions)
            })
            .await
    }

    async fn service_linked_role_exists(&self, service: &str) -> ApiResult<bool> {
        // Service-linked roles live under a path named for their service, whatever the role
        // is called.
        let path = format!("/aws-service-role/{service}/");
        self.reach
            .call("ListRoles", || {
                let path = path.clone();
                async move {
                    let out = self
                        .iam()
                        .list_roles()
                        .path_prefix(&path)
                        .send()
                        .await
                        .map_err(|e| api_error("ListRoles", e))?;
                    Ok(!out.roles().is_empty())
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    //! The lookups the emulator cannot answer (it has neither Detective nor Chatbot, and
    //! answers GetMacieSession for a Macie that is off with ResourceNotFound where AWS says
    //! AccessDenied), through canned responses over the real clients.

    use aws_sdk_chatbot::operation::describe_slack_channel_configurations::DescribeSlackChannelConfigurationsOutput;
    use aws_sdk_chatbot::types::SlackChannelConfiguration;
    use aws_sdk_detective::operation::list_graphs::ListGraphsOutput;
    use aws_sdk_detective::types::Graph;
    use aws_sdk_macie2::operation::get_macie_session::GetMacieSessionError;
    use aws_sdk_macie2::types::error::AccessDeniedException;
    use aws_smithy_mocks::{mock, mock_client, RuleMode};

    use super::*;

    fn stacks() -> SdkStacks {
        SdkStacks::with_client(aws_sdk_cloudformation::Client::from_conf(
            aws_sdk_cloudformation::Config::builder()
                .behavior_version(aws_sdk_cloudformation::config::BehaviorVersion::latest())
                .region(aws_sdk_cloudformation::config::Region::new("eu-west-1"))
                .build(),
        ))
    }

    fn slack(name: &str) -> SlackChannelConfiguration {
        SlackChannelConfiguration::builder()
            .configuration_name(name)
            .chat_configuration_arn(format!(
                "arn:aws:chatbot::111122223333:chat-configuration/slack-channel/{name}"
            ))
            .slack_team_name("team")
            .slack_team_id("T0123")
            .slack_channel_id("C0123")
            .slack_channel_name("security")
            .iam_role_arn("arn:aws:iam::111122223333:role/chatbot")
            .set_sns_topic_arns(Some(vec![]))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn the_graph_this_account_administers_is_found_by_its_arn() {
        let arn = "arn:aws:detective:eu-west-1:111122223333:graph:0123abcd";
        let one = mock!(aws_sdk_detective::Client::list_graphs).then_output(move || {
            ListGraphsOutput::builder()
                .graph_list(Graph::builder().arn(arn).build())
                .build()
        });
        let api =
            stacks().with_detective(mock_client!(aws_sdk_detective, RuleMode::MatchAny, [&one]));
        assert_eq!(api.graph("eu-west-1").await.unwrap().as_deref(), Some(arn));

        let none = mock!(aws_sdk_detective::Client::list_graphs)
            .then_output(|| ListGraphsOutput::builder().build());
        let api =
            stacks().with_detective(mock_client!(aws_sdk_detective, RuleMode::MatchAny, [&none]));
        assert_eq!(api.graph("eu-west-1").await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_graph_this_caller_may_not_list_is_an_error_not_absent() {
        use aws_sdk_detective::operation::list_graphs::ListGraphsError;
        let denied = mock!(aws_sdk_detective::Client::list_graphs).then_error(|| {
            ListGraphsError::AccessDeniedException(
                aws_sdk_detective::types::error::AccessDeniedException::builder()
                    .message("User is not authorized to perform: detective:ListGraphs")
                    .meta(
                        aws_sdk_detective::error::ErrorMetadata::builder()
                            .code("AccessDeniedException")
                            .message("User is not authorized to perform: detective:ListGraphs")
                            .build(),
                    )
                    .build(),
            )
        });
        let api = stacks().with_detective(mock_client!(
            aws_sdk_detective,
            RuleMode::MatchAny,
            [&denied]
        ));
        let err = api
            .graph("eu-west-1")
            .await
            .expect_err("not read as no graph");
        let text = err.to_string();
        assert!(
            text.contains("AccessDenied") && text.contains("detective:ListGraphs"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_slack_channel_configuration_is_found_by_name_on_a_later_page() {
        let first = mock!(aws_sdk_chatbot::Client::describe_slack_channel_configurations)
            .match_requests(|r| r.next_token().is_none())
            .then_output(|| {
                DescribeSlackChannelConfigurationsOutput::builder()
                    .slack_channel_configurations(slack("someone-elses"))
                    .next_token("page-2")
                    .build()
            });
        let second = mock!(aws_sdk_chatbot::Client::describe_slack_channel_configurations)
            .match_requests(|r| r.next_token() == Some("page-2"))
            .then_output(|| {
                DescribeSlackChannelConfigurationsOutput::builder()
                    .slack_channel_configurations(slack("security-alerts"))
                    .build()
            });
        let api = stacks().with_chatbot(mock_client!(
            aws_sdk_chatbot,
            RuleMode::MatchAny,
            [&first, &second]
        ));
        assert_eq!(
            api.chat_configuration("eu-central-1", "security-alerts")
                .await
                .unwrap()
                .as_deref(),
            Some("arn:aws:chatbot::111122223333:chat-configuration/slack-channel/security-alerts")
        );
        assert_eq!(
            api.chat_configuration("eu-central-1", "missing")
                .await
                .unwrap(),
            None
        );
        // Outside the commercial partition Chatbot is not asked.
        assert_eq!(
            api.chat_configuration("cn-north-1", "security-alerts")
                .await
                .unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_paused_member_macie_is_read_with_its_settings_and_administrator() {
        use aws_sdk_macie2::operation::get_administrator_account::GetAdministratorAccountOutput;
        use aws_sdk_macie2::operation::get_macie_session::GetMacieSessionOutput;
        use aws_sdk_macie2::types::{FindingPublishingFrequency, Invitation, MacieStatus};
        let session = mock!(aws_sdk_macie2::Client::get_macie_session).then_output(|| {
            GetMacieSessionOutput::builder()
                .status(MacieStatus::Paused)
                .finding_publishing_frequency(FindingPublishingFrequency::SixHours)
                .build()
        });
        let admin = mock!(aws_sdk_macie2::Client::get_administrator_account).then_output(|| {
            GetAdministratorAccountOutput::builder()
                .administrator(Invitation::builder().account_id("999999999999").build())
                .build()
        });
        let api = stacks().with_macie(mock_client!(
            aws_sdk_macie2,
            RuleMode::MatchAny,
            [&session, &admin]
        ));
        assert_eq!(
            api.macie_session("eu-west-1").await.unwrap(),
            Some(FoundMacie {
                status: Some("PAUSED".into()),
                finding_frequency: Some("SIX_HOURS".into()),
                administrator: Some("999999999999".into()),
            })
        );
    }

    #[tokio::test]
    async fn the_standards_a_region_offers_are_read_and_a_refusal_says_nothing() {
        use aws_sdk_securityhub::operation::describe_standards::{
            DescribeStandardsError, DescribeStandardsOutput,
        };
        use aws_sdk_securityhub::types::error::InvalidAccessException;
        use aws_sdk_securityhub::types::Standard;
        let fsbp = "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0";
        let offered =
            mock!(aws_sdk_securityhub::Client::describe_standards).then_output(move || {
                DescribeStandardsOutput::builder()
                    .standards(Standard::builder().standards_arn(fsbp).build())
                    .build()
            });
        let api = stacks().with_securityhub(mock_client!(
            aws_sdk_securityhub,
            RuleMode::MatchAny,
            [&offered]
        ));
        assert_eq!(
            api.standards_offered("eu-west-1").await.unwrap(),
            Some(vec![fsbp.to_string()])
        );
        let refused = mock!(aws_sdk_securityhub::Client::describe_standards).then_error(|| {
            DescribeStandardsError::InvalidAccessException(
                InvalidAccessException::builder()
                    .message("Account is not subscribed to AWS Security Hub")
                    .build(),
            )
        });
        let api = stacks().with_securityhub(mock_client!(
            aws_sdk_securityhub,
            RuleMode::MatchAny,
            [&refused]
        ));
        assert_eq!(api.standards_offered("eu-west-1").await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_macie_that_is_off_answers_access_denied_and_reads_as_off() {
        let off = mock!(aws_sdk_macie2::Client::get_macie_session).then_error(|| {
            GetMacieSessionError::AccessDeniedException(
                AccessDeniedException::builder()
                    .message("Macie is not enabled.")
                    .build(),
            )
        });
        let api = stacks().with_macie(mock_client!(aws_sdk_macie2, RuleMode::MatchAny, [&off]));
        assert_eq!(api.macie_session("eu-west-1").await.unwrap(), None);
    }
}
