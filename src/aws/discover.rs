//! Discovery with the services' own SDK clients: what an account and region already has
//! (GuardDuty, Security Hub, Config, CloudTrail, and the named resources a render creates).

use std::collections::BTreeMap;

use super::sdk::{api_error, SdkStacks};
use super::*;

/// A call the endpoint does not implement (or this caller may not make) tells nothing:
/// `None`, said as not known rather than as absent.
fn unknown<T>(result: ApiResult<T>) -> ApiResult<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(ApiError::Unsupported(_)) => Ok(None),
        Err(ApiError::Api { code, .. }) if code.contains("AccessDenied") => Ok(None),
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
        let administrator = unknown(
            gd.get_administrator_account()
                .detector_id(&id)
                .send()
                .await
                .map_err(|e| api_error("GetAdministratorAccount", e)),
        )?
        .and_then(|a| {
            a.administrator()
                .and_then(|a| a.account_id())
                .map(str::to_string)
        });
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
        let administrator = unknown(
            sh.get_administrator_account()
                .send()
                .await
                .map_err(|e| api_error("GetAdministratorAccount", e)),
        )?
        .and_then(|a| {
            a.administrator()
                .and_then(|a| a.account_id())
                .map(str::to_string)
        });
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
            "AWS::KMS::Alias" => {
                let kms = regional!(self, aws_sdk_kms, region);
                let mut pages = kms.list_aliases().into_paginator().send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| api_error("ListAliases", e))?;
                    if page.aliases().iter().any(|a| a.alias_name() == Some(name)) {
                        return Ok(Some(name.to_string()));
                    }
                }
                Ok(None)
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
                let mut named = BTreeMap::new();
                for lookup in lookups {
                    if let Some(id) = self.named(region, lookup).await? {
                        named.insert(lookup.clone(), id);
                    }
                }
                Ok(Found {
                    detector: detector?,
                    analyzers: analyzers?,
                    hub: hub?,
                    recorders,
                    delivery_channels,
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
