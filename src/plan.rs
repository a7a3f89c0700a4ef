//! From a baseline to the list of stacks to render and deploy: one per account, region and
//! component, with the order they must go in and the values their templates need.

use std::fmt;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

use crate::baseline::alerts::{Suppressions, ALERTED_DIRECTLY};
use crate::baseline::regions::{self, Capability};
use crate::baseline::{
    AccountRole, Baseline, Components, ConfigRules, DefaultSecurityGroup, PasswordPolicy,
    PatchReboot, S3DataEvents, WafAction, DEFAULT_CONFIG_RULES, HOME_ONLY_CONFIG_RULES,
    NETWORK_CONFIG_RULES, PATCHING_CONFIG_RULE, WAF_CONFIG_RULES,
};

/// The directory and manifest label for "the account of the caller's credentials".
pub const CALLER_ACCOUNT_LABEL: &str = "current";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    Alerts,
    Cloudtrail,
    Config,
    Guardduty,
    Securityhub,
    Patching,
    AccessAnalyzer,
    Waf,
    Macie,
    Detective,
}

impl Component {
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Alerts => "alerts",
            Component::Cloudtrail => "cloudtrail",
            Component::Config => "config",
            Component::Guardduty => "guardduty",
            Component::Securityhub => "securityhub",
            Component::Patching => "patching",
            Component::AccessAnalyzer => "access-analyzer",
            Component::Waf => "waf",
            Component::Macie => "macie",
            Component::Detective => "detective",
        }
    }

    /// Deployment wave: alerts first, then the trail and log archive, then the rest.
    pub fn order(self) -> u32 {
        match self {
            Component::Alerts => 0,
            Component::Cloudtrail => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stack to render and deploy.
#[derive(Clone, Debug, Serialize)]
pub struct StackSpec {
    /// None: the account of the caller's credentials.
    pub account: Option<String>,
    pub region: String,
    pub component: Component,
    pub stack_name: String,
    pub order: u32,
    /// Keys ([`StackSpec::key`]) of the stacks that must be deployed first.
    pub depends_on: Vec<String>,
    /// The values the component's template is rendered with; shared by the stacks that
    /// have the same (an estate's accounts, mostly).
    #[serde(skip)]
    pub context: Arc<Json>,
}

impl StackSpec {
    pub fn account_label(&self) -> &str {
        self.account.as_deref().unwrap_or(CALLER_ACCOUNT_LABEL)
    }

    /// Unique within a plan: `account/region/stack-name`.
    pub fn key(&self) -> String {
        format!(
            "{}/{}/{}",
            self.account_label(),
            self.region,
            self.stack_name
        )
    }

    /// Where the rendered template goes, relative to the output directory.
    pub fn relative_path(&self) -> String {
        format!(
            "{}/{}/{}.yaml",
            self.account_label(),
            self.region,
            self.stack_name
        )
    }
}

/// Every stack of the baseline, in deployment order (wave, then account, then region).
pub fn plan(baseline: &Baseline) -> Vec<StackSpec> {
    plan_in(baseline, &|_| baseline.regions())
}

/// [`plan`] with each account's regions given by `regions_of` (the account id, `None` for
/// the caller's): with `regions: all`, the regions enabled in that account.
pub fn plan_in(
    baseline: &Baseline,
    regions_of: &dyn Fn(Option<&str>) -> Vec<String>,
) -> Vec<StackSpec> {
    let accounts = baseline.rendered_accounts();
    let home = baseline.home_region().to_string();
    let central = baseline.securityhub_central().is_some();
    let mut specs = Vec::new();
    // Values depend on the region and the settings in force there, not on the account:
    // accounts with the same settings share them.
    let mut shared: HashMap<SharedKey, Arc<Json>> = HashMap::new();
    for account in &accounts {
        let regions = regions_of(account.as_deref());
        let per_region: Vec<(String, Components)> = regions
            .iter()
            .map(|r| (r.clone(), baseline.components_for(account.as_deref(), r)))
            .collect();
        let config_anywhere = per_region.iter().any(|(_, c)| c.config.enabled);
        let home_components = baseline.components_for(account.as_deref(), &home);
        // With an organization, each account's role decides its stacks.
        let role = baseline.stack_role(account.as_deref());
        // The organization trail is the management account's, its archive the log
        // archive account's; the others have none of their own.
        let trail_stack = home_components.cloudtrail.enabled
            && matches!(
                role,
                None | Some(AccountRole::Management | AccountRole::LogArchive)
            );
        // The organization's security account administers the others' services.
        let org_security = baseline
            .file
            .organization
            .as_ref()
            .is_some_and(|o| account.as_deref() == Some(o.security_account.as_str()));
        for (region, components) in &per_region {
            let is_home = *region == home;
            let others: Vec<String> = regions.iter().filter(|r| *r != region).cloned().collect();
            let ctx = Ctx {
                baseline,
                components,
                region,
                is_home,
                org_security,
                role,
                other_regions: &others,
            };
            let settings = serde_json::to_string(components).expect("settings serialize");
            let mut context = |component: Component, make: &dyn Fn() -> Json| {
                shared
                    .entry((
                        component,
                        region.clone(),
                        settings.clone(),
                        config_anywhere,
                        trail_stack,
                        org_security,
                        role,
                    ))
                    .or_insert_with(|| Arc::new(make()))
                    .clone()
            };
            // An organization has one set of alert topics: the security account's, in the
            // home region, fed by the findings Security Hub gathers there.
            let alerts_stack = match role {
                None => true,
                Some(role) => role == AccountRole::Security && is_home,
            };
            let alerts = alerts_stack.then(|| context(Component::Alerts, &|| ctx.alerts()));
            let cloudtrail = (is_home && trail_stack)
                .then(|| context(Component::Cloudtrail, &|| ctx.cloudtrail(config_anywhere)));
            let config = components
                .config
                .enabled
                .then(|| context(Component::Config, &|| ctx.config()));
            // What the security account enables in a member (its organization
            // configurations, for existing members too) is not the member's own stack.
            let administered = |by: fn(&Baseline, Option<&str>, &str) -> bool| {
                by(baseline, account.as_deref(), region)
            };
            let guardduty = (components.guardduty.enabled
                && !administered(Baseline::guardduty_by_organization))
            .then(|| context(Component::Guardduty, &|| ctx.guardduty()));
            // Under central configuration the security account's policy switches Security
            // Hub on in every other account: only the security account has a stack.
            let securityhub = (components.securityhub.enabled && (!central || org_security))
                .then(|| context(Component::Securityhub, &|| ctx.securityhub()));
            let patching = (components.patching.scan
                || components.patching.install.enabled
                || (is_home && components.patching.default_host_management))
                .then(|| context(Component::Patching, &|| ctx.patching()));
            let access_analyzer = components
                .access_analyzer
                .enabled
                .then(|| context(Component::AccessAnalyzer, &|| ctx.access_analyzer()));
            let waf = components
                .waf
                .enabled
                .then(|| context(Component::Waf, &|| ctx.waf()));
            // Only where CloudFormation has the type (regions::LACKING); a member's Macie and
            // Detective are the security account's to enable (it makes the account a member).
            let macie = (components.macie.enabled
                && regions::offers(region, Capability::Macie)
                && !administered(Baseline::macie_by_organization))
            .then(|| context(Component::Macie, &|| ctx.macie()));
            let detective = (components.detective.enabled
                && regions::offers(region, Capability::Detective)
                && !administered(Baseline::detective_by_organization))
            .then(|| context(Component::Detective, &|| ctx.detective()));
            // The log archive account's archive has no alerts stack to wait for: it goes
            // in the first wave, so that the management account's trail finds it.
            let archive_only = role == Some(AccountRole::LogArchive);
            // Each dependency with its region: the trail stack (and, without one, the home
            // region's config stack, which then holds the Config service-linked role) is
            // in the home region.
            let mut add =
                |component: Component, context: Arc<Json>, depends_on: Vec<(Component, &str)>| {
                    let spec = StackSpec {
                        account: account.clone(),
                        region: region.clone(),
                        component,
                        stack_name: stack_name(baseline.name(), component),
                        order: match component {
                            Component::Cloudtrail if archive_only => Component::Alerts.order(),
                            // Without a trail stack the home region's config stack creates the
                            // Config service-linked role: it goes before the other regions'.
                            Component::Config if is_home && !trail_stack => {
                                Component::Cloudtrail.order()
                            }
                            _ => component.order(),
                        },
                        depends_on: Vec::new(),
                        context,
                    };
                    let depends_on = depends_on
                        .into_iter()
                        .map(|(dep, dep_region)| {
                            format!(
                                "{}/{}/{}",
                                spec.account_label(),
                                dep_region,
                                stack_name(baseline.name(), dep)
                            )
                        })
                        .collect();
                    specs.push(StackSpec { depends_on, ..spec });
                };
            let on_alerts: Vec<(Component, &str)> = if alerts_stack {
                vec![(Component::Alerts, region.as_str())]
            } else {
                vec![]
            };
            if let Some(alerts) = alerts {
                add(Component::Alerts, alerts, vec![]);
            }
            if let Some(cloudtrail) = cloudtrail {
                add(Component::Cloudtrail, cloudtrail, on_alerts.clone());
            }
            if let Some(config) = config {
                let mut deps = on_alerts.clone();
                if trail_stack {
                    deps.push((Component::Cloudtrail, home.as_str()));
                } else if !is_home && home_components.config.enabled {
                    deps.push((Component::Config, home.as_str()));
                }
                add(Component::Config, config, deps);
            }
            if let Some(guardduty) = guardduty {
                add(Component::Guardduty, guardduty, on_alerts.clone());
            }
            if let Some(securityhub) = securityhub {
                add(Component::Securityhub, securityhub, on_alerts.clone());
            }
            if let Some(patching) = patching {
                add(Component::Patching, patching, vec![]);
            }
            if let Some(access_analyzer) = access_analyzer {
                add(Component::AccessAnalyzer, access_analyzer, vec![]);
            }
            if let Some(waf) = waf {
                add(Component::Waf, waf, vec![]);
            }
            if let Some(macie) = macie {
                add(Component::Macie, macie, vec![]);
            }
            if let Some(detective) = detective {
                add(Component::Detective, detective, vec![]);
            }
        }
    }
    // Stable: keeps account and region order inside each wave.
    specs.sort_by_key(|s| s.order);
    specs
}

/// What a stack's render values depend on: component, region, the settings in force there
/// (serialized), whether Config runs anywhere in the account, whether it has the trail
/// stack, whether it is the organization's security account, and its role in an
/// organization laid out by role.
type SharedKey = (
    Component,
    String,
    String,
    bool,
    bool,
    bool,
    Option<AccountRole>,
);

pub fn stack_name(baseline_name: &str, component: Component) -> String {
    format!("{baseline_name}-{component}")
}

/// The alert topic email subscribers read: EventBridge turns each finding into text.
pub fn email_topic_name(baseline_name: &str) -> String {
    format!("{baseline_name}-alerts")
}

/// The alert topic AWS Chatbot reads: the AWS events themselves, which Chatbot formats.
pub fn chat_topic_name(baseline_name: &str) -> String {
    format!("{baseline_name}-alerts-chat")
}

struct Ctx<'a> {
    baseline: &'a Baseline,
    components: &'a Components,
    region: &'a str,
    is_home: bool,
    /// This account is the organization's security account.
    org_security: bool,
    /// The account's role in an organization laid out by role (stack mode).
    role: Option<AccountRole>,
    /// The account's other regions (the finding aggregator links them).
    other_regions: &'a [String],
}

impl Ctx<'_> {
    fn common(&self, component: Component, description: &str) -> serde_json::Map<String, Json> {
        let name = self.baseline.name();
        let tags: Vec<Json> = self
            .baseline
            .file
            .tags
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        let mut map = serde_json::Map::new();
        map.insert("name".into(), json!(name));
        map.insert("component".into(), json!(component.as_str()));
        map.insert("stack_name".into(), json!(stack_name(name, component)));
        map.insert("region".into(), json!(self.region));
        map.insert("home_region".into(), json!(self.baseline.home_region()));
        map.insert("is_home".into(), json!(self.is_home));
        map.insert("tags".into(), Json::Array(tags));
        map.insert("tag_map".into(), json!(self.baseline.file.tags));
        map.insert(
            "description".into(),
            json!(format!("cfn-baseline {name}: {description}")),
        );
        map.insert(
            "generator".into(),
            json!(concat!("cfn-baseline ", env!("CARGO_PKG_VERSION"))),
        );
        map.insert("topic_name".into(), json!(email_topic_name(name)));
        // The chat topic exists where Slack is set and AWS Chatbot runs: it carries the
        // AWS events themselves, which Chatbot formats; the email topic carries text.
        let chat = self.components.alerts.slack.is_some()
            && regions::offers(self.region, Capability::Chatbot);
        map.insert(
            "chat_topic_name".into(),
            if chat {
                json!(chat_topic_name(name))
            } else {
                Json::Null
            },
        );
        map.insert(
            "archive_bucket_prefix".into(),
            json!(format!("{name}-logs")),
        );
        map.insert(
            "access_log_bucket_prefix".into(),
            json!(format!("{name}-access-logs")),
        );
        map
    }

    fn alerts(&self) -> Json {
        let c = self.components;
        let name = self.baseline.name();
        let mut map = self.common(
            Component::Alerts,
            "encrypted alert topic, subscribers and the EventBridge rules that feed it",
        );
        let emails: Vec<Json> = c
            .alerts
            .email
            .iter()
            .map(|address| {
                json!({
                    "logical_id": format!("EmailSubscription{}", &sha256_hex(address.to_lowercase().as_bytes())[..10]),
                    "address": address,
                })
            })
            .collect();
        // Only where Chatbot runs (regions::LACKING); elsewhere the topic has its email
        // subscribers only.
        let chatbot = regions::offers(self.region, Capability::Chatbot);
        let slack = c.alerts.slack.as_ref().filter(|_| chatbot).map(|s| {
            json!({
                "workspace_id": s.workspace_id,
                "channel_id": s.channel_id,
                "configuration_name": format!("{name}-alerts-{}", self.region),
            })
        });
        let suppress = Suppressions::of(&c.alerts.suppress);
        // An organization's one set of alert topics: every account's findings of every
        // region reach it through Security Hub (GuardDuty's and Config's included), and
        // the management account's CIS alarms publish to it.
        let central = self.role == Some(AccountRole::Security);
        let management = self
            .baseline
            .file
            .organization
            .as_ref()
            .map(|o| o.management_account.clone());
        let guardduty = c.guardduty.enabled.then(|| {
            json!({
                "through_securityhub": central,
                "labels": c.alerts.guardduty_min_severity.securityhub_labels(),
                "threshold": c.alerts.guardduty_min_severity.threshold() as u32,
                "description": format!(
                    "GuardDuty findings of severity {:?} or higher (score >= {})",
                    c.alerts.guardduty_min_severity,
                    c.alerts.guardduty_min_severity.threshold() as u32
                ),
                "rule_name": format!("{name}-guardduty-findings"),
                "suppressed_types": suppress.finding_types,
            })
        });
        let securityhub = (c.securityhub.enabled && !c.alerts.securityhub_severities.is_empty())
            .then(|| {
                let mut severities = c.alerts.securityhub_severities.clone();
                severities.sort();
                severities.reverse();
                // GuardDuty's and Config's findings alert through rules of their own (in an
                // organization, rules over Security Hub's findings).
                let mut excluded: Vec<&str> = ALERTED_DIRECTLY.to_vec();
                excluded.extend(suppress.products.iter().map(String::as_str));
                excluded.sort();
                excluded.dedup();
                json!({
                    "severities": severities,
                    "excluded_products": excluded,
                    "suppressed_controls": suppress.controls,
                    "control_rule_name": format!("{name}-securityhub-controls"),
                    "finding_rule_name": format!("{name}-securityhub-findings"),
                })
            });
        let config = (c.config.enabled && c.alerts.config_noncompliant).then(|| {
            json!({
                "rule_prefix": format!("{name}-"),
                "rule_name": format!("{name}-config-noncompliant"),
            })
        });
        map.insert(
            "alerts".into(),
            json!({
                "key_alias": format!("alias/{name}-alerts"),
                "emails": emails,
                "slack": slack,
                "guardduty": guardduty,
                "securityhub": securityhub,
                "config": config,
                // As administrator, an organization's security account receives every
                // member's findings; with stack sets each member alerts on its own, so this
                // account alerts on its own findings (every finding reaches people once).
                "own_findings_only": self.org_security && !central,
                "central": central.then(|| json!({"management_account": management})),
            }),
        );
        Json::Object(map)
    }

    fn cloudtrail(&self, config_anywhere: bool) -> Json {
        let c = self.components;
        let t = &c.cloudtrail;
        let name = self.baseline.name();
        let mut map = self.common(
            Component::Cloudtrail,
            match self.role {
                None => "multi-region trail, encrypted log archive and the CIS metric-filter alarms",
                Some(AccountRole::Management) => {
                    "the organization trail (every account, every region) and the CIS metric-filter alarms"
                }
                Some(_) => {
                    "the organization's encrypted log archive (its trail and every account's AWS Config deliveries)"
                }
            },
        );
        let alarms: Vec<Json> = if t.cis_alarms {
            CIS_ALARMS
                .iter()
                .map(|a| {
                    json!({
                        "id": a.id,
                        "cis": a.cis,
                        "title": a.title,
                        "description": format!("CIS {} {}", a.cis, a.title),
                        "metric": a.metric,
                        "pattern": a.pattern,
                        "filter_name": format!("{name}-cis-{}", a.slug),
                        "alarm_name": format!("{name}-cis-{}", a.slug),
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        let home_config = &c.config;
        // Alone, an account holds its trail and its archive. In an organization the
        // management account holds the organization trail and the log archive account the
        // archive, which takes the trail's logs and every account's Config deliveries.
        let trail = matches!(self.role, None | Some(AccountRole::Management));
        let archive = matches!(self.role, None | Some(AccountRole::LogArchive));
        let trail_name = format!("{name}-trail");
        let organization = self.role.and(self.baseline.file.organization.as_ref());
        let trail_account = organization.map_or("${AWS::AccountId}".to_string(), |o| {
            o.management_account.clone()
        });
        let (config_delivery, organization) = match organization {
            None => (config_anywhere, Json::Null),
            Some(org) => {
                let home = self.baseline.home_region();
                let la = &org.log_archive_account;
                // The accounts whose recorders deliver to the archive.
                let config_accounts: Vec<String> = self
                    .baseline
                    .account_ids()
                    .into_iter()
                    .filter(|a| {
                        self.baseline
                            .regions()
                            .iter()
                            .any(|r| self.baseline.components_for(Some(a), r).config.enabled)
                    })
                    .collect();
                // Stack sets' accounts are known only to AWS: the archive accepts every
                // account of the organization (validation asks for its id).
                let config_organization = self
                    .baseline
                    .members_in_stack_sets()
                    .then(|| org.id.clone())
                    .flatten()
                    .filter(|_| {
                        self.baseline
                            .regions()
                            .iter()
                            .any(|r| self.baseline.components_for(None, r).config.enabled)
                    });
                // The CIS alarms notify the security account's topics (its chat topic
                // where it has Slack).
                let security_home = self
                    .baseline
                    .components_for(Some(&org.security_account), home);
                let mut alarm_topics = vec![email_topic_name(name)];
                if security_home.alerts.slack.is_some()
                    && regions::offers(home, Capability::Chatbot)
                {
                    alarm_topics.push(chat_topic_name(name));
                }
                (
                    archive && (!config_accounts.is_empty() || config_organization.is_some()),
                    json!({
                        "management_account": org.management_account,
                        "log_archive_account": la,
                        "security_account": org.security_account,
                        "archive_bucket": format!("{name}-logs-{la}-{home}"),
                        "access_log_bucket": format!("{name}-access-logs-{la}-{home}"),
                        "config_accounts": config_accounts,
                        "config_organization": config_organization,
                        "alarm_topics": alarm_topics,
                    }),
                )
            }
        };
        map.insert(
            "cloudtrail".into(),
            json!({
                "trail": trail,
                "archive": archive,
                "organization": organization,
                "key_description": if trail {
                    "Encrypts the CloudWatch Logs copy of the organization trail"
                } else {
                    "Encrypts the organization trail's logs and the AWS Config deliveries of its accounts"
                },
                "trail_arn": format!(
                    "arn:${{AWS::Partition}}:cloudtrail:${{AWS::Region}}:{trail_account}:trail/{}",
                    crate::render::helpers::sub_escape(&trail_name)
                ),
                "trail_name": trail_name,
                "key_alias": format!("alias/{name}-logs"),
                "log_group": format!("/cfn-baseline/{name}/cloudtrail"),
                "log_retention_days": t.log_retention_days,
                "archive_days": t.archive_days,
                "transition_days": 90,
                "s3_data_events": t.data_events.s3 != S3DataEvents::None,
                "s3_write_only": t.data_events.s3 == S3DataEvents::Write,
                "lambda_data_events": t.data_events.lambda,
                "insights": t.insights,
                "alarms": if trail { alarms } else { Vec::new() },
                "config_delivery": config_delivery,
                "create_config_slr": config_anywhere && home_config.create_service_linked_role.unwrap_or(true),
            }),
        );
        Json::Object(map)
    }

    fn config(&self) -> Json {
        let c = self.components;
        let name = self.baseline.name();
        let mut map = self.common(
            Component::Config,
            "AWS Config recorder, delivery to the log archive and managed rules",
        );
        let mut ids: Vec<String> = match &c.config.rules {
            ConfigRules::Default => DEFAULT_CONFIG_RULES.iter().map(|s| s.to_string()).collect(),
            ConfigRules::List(ids) => ids.clone(),
        };
        // The network guardrails and patch compliance are Config rules too.
        let mut extra: Vec<&str> = Vec::new();
        if c.network.enabled {
            extra.extend(NETWORK_CONFIG_RULES);
        }
        if c.patching.scan || c.patching.install.enabled {
            extra.push(PATCHING_CONFIG_RULE);
        }
        if c.waf.enabled {
            extra.extend(WAF_CONFIG_RULES);
        }
        for id in extra {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
        let rule_name = |id: &str| format!("{name}-{}", id.to_lowercase().replace('_', "-"));
        // Remediation of the default security group: AWS's runbook removes its rules.
        let remediation = (c.network.enabled
            && c.network.default_security_group == DefaultSecurityGroup::Remediate)
            .then(|| {
                json!({
                    "rule_name": rule_name("VPC_DEFAULT_SECURITY_GROUP_CLOSED"),
                    "rule_logical_id": format!("Rule{}", camel_case("VPC_DEFAULT_SECURITY_GROUP_CLOSED")),
                })
            });
        let rules: Vec<Json> = ids
            .iter()
            .filter(|id| self.is_home || !HOME_ONLY_CONFIG_RULES.contains(&id.as_str()))
            .map(|id| {
                json!({
                    "logical_id": format!("Rule{}", camel_case(id)),
                    "rule_name": rule_name(id),
                    "identifier": id,
                    "parameters": rule_parameters(id, &c.iam.password_policy),
                })
            })
            .collect();
        map.insert(
            "config".into(),
            json!({
                "include_global": self.is_home,
                "delivery_frequency": c.config.delivery_frequency,
                "recording_frequency": c.config.recording_frequency,
                "rules": rules,
                "remediation": remediation,
                // In an organization, every account's recorders deliver to the log archive
                // account's bucket.
                "archive_bucket": self.role.and(self.baseline.file.organization.as_ref()).map(|o| {
                    format!("{name}-logs-{}-{}", o.log_archive_account, self.baseline.home_region())
                }),
                // Without a trail stack of its own, the account's home region creates the
                // AWS Config service-linked role here.
                "create_slr": self.is_home
                    && matches!(self.role, Some(AccountRole::Security | AccountRole::Member))
                    && c.config.create_service_linked_role.unwrap_or(true),
                // The organization's security account gathers every member's recorders in
                // the home region (it is Config's delegated administrator).
                "aggregator": (self.org_security && self.is_home).then(|| json!({
                    "name": format!("{name}-organization"),
                    "role_name": format!("{name}-config-aggregator"),
                })),
            }),
        );
        Json::Object(map)
    }

    fn access_analyzer(&self) -> Json {
        let a = &self.components.access_analyzer;
        let name = self.baseline.name();
        let mut map = self.common(
            Component::AccessAnalyzer,
            "IAM Access Analyzer: resources shared outside the account",
        );
        map.insert(
            "access_analyzer".into(),
            json!({
                "analyzer_name": format!("{name}-account"),
                // In the organization's security account (Access Analyzer's delegated
                // administrator): resources shared outside the organization, every member's.
                "organization_analyzer": self.org_security.then(|| format!("{name}-organization")),
                "unused": a.unused_access.then(|| json!({
                    "analyzer_name": format!("{name}-unused-access"),
                    "age_days": a.unused_access_age_days,
                })),
            }),
        );
        Json::Object(map)
    }

    fn macie(&self) -> Json {
        let m = &self.components.macie;
        let mut map = self.common(
            Component::Macie,
            "Amazon Macie: sensitive data in S3, findings to Security Hub",
        );
        map.insert(
            "macie".into(),
            json!({
                "finding_frequency": m.finding_frequency,
                "automated_discovery": if m.automated_discovery { "ENABLED" } else { "DISABLED" },
            }),
        );
        Json::Object(map)
    }

    fn detective(&self) -> Json {
        Json::Object(self.common(
            Component::Detective,
            "Amazon Detective: a behavior graph for investigating findings",
        ))
    }

    fn waf(&self) -> Json {
        let w = &self.components.waf;
        let name = self.baseline.name();
        let mut map = self.common(
            Component::Waf,
            "AWS WAF: a regional web ACL with AWS's managed rule groups, logged",
        );
        let group = |priority: u32, group: &str, metric: &str, action: WafAction| {
            json!({
                "priority": priority,
                "group": group,
                "metric": format!("{name}-{metric}"),
                "count": action == WafAction::Count,
            })
        };
        map.insert(
            "waf".into(),
            json!({
                "web_acl_name": format!("{name}-regional"),
                // WAF allows letters, digits and a few marks in descriptions (no quotes).
                "web_acl_description": format!("cfn-baseline {name}: AWS managed rule groups"),
                "metric": format!("{name}-regional"),
                // WAF accepts only log groups whose names start with aws-waf-logs-.
                "log_group": format!("aws-waf-logs-{name}"),
                "key_alias": format!("alias/{name}-waf-logs"),
                "log_retention_days": w.log_retention_days,
                "groups": [
                    group(10, "AWSManagedRulesAmazonIpReputationList", "ip-reputation", w.rules.ip_reputation),
                    group(20, "AWSManagedRulesCommonRuleSet", "common", w.rules.common),
                    group(30, "AWSManagedRulesKnownBadInputsRuleSet", "known-bad-inputs", w.rules.known_bad_inputs),
                ],
            }),
        );
        Json::Object(map)
    }

    fn patching(&self) -> Json {
        let name = self.baseline.name();
        let p = &self.components.patching;
        let description = match (p.scan, p.install.enabled) {
            (true, true) => "Patch Manager: a daily patch scan of every managed node, and patch installation in a maintenance window",
            (false, true) => "Patch Manager: patch installation in a maintenance window",
            _ => "Patch Manager: a daily patch scan of every managed node",
        };
        let mut map = self.common(Component::Patching, description);
        let i = &p.install;
        map.insert(
            "patching".into(),
            json!({
                "scan": p.scan.then(|| json!({
                    "association_name": format!("{name}-patch-scan"),
                    "schedule": "rate(1 day)",
                })),
                "install": i.enabled.then(|| json!({
                    "window_name": format!("{name}-patch-install"),
                    "schedule": i.schedule.trim(),
                    "timezone": i.timezone,
                    "duration_hours": i.duration_hours,
                    "tag_key": format!("tag:{}", i.tag.key),
                    "tag_value": i.tag.value,
                    "reboot": match i.reboot {
                        PatchReboot::IfNeeded => "RebootIfNeeded",
                        PatchReboot::Never => "NoReboot",
                    },
                })),
                // The role is global: created with the home region's stack only.
                "default_host_management": (self.is_home && p.default_host_management).then(|| json!({
                    "role_name": crate::settings::default_host_management_role(name),
                })),
            }),
        );
        Json::Object(map)
    }

    fn guardduty(&self) -> Json {
        let g = &self.components.guardduty;
        let f = &g.features;
        let mut map = self.common(
            Component::Guardduty,
            "GuardDuty detector with the chosen protection plans",
        );
        let status = |on: bool| if on { "ENABLED" } else { "DISABLED" };
        let features: Vec<Json> = guardduty_features(f, self.region)
            .into_iter()
            .map(|feature| {
                let mut out = json!({"name": feature.name, "status": status(feature.on)});
                if let Some(additional) = feature.additional {
                    out["additional"] = additional
                        .into_iter()
                        .map(|(name, on)| json!({"name": name, "status": status(on)}))
                        .collect();
                }
                out
            })
            .collect();
        map.insert(
            "guardduty".into(),
            json!({
                "finding_frequency": g.finding_frequency,
                "features": features,
                "malware_protection": malware_protection(&g.s3_malware_protection),
            }),
        );
        Json::Object(map)
    }

    fn securityhub(&self) -> Json {
        let s = &self.components.securityhub;
        let mut map = self.common(
            Component::Securityhub,
            "Security Hub CSPM with the chosen standards",
        );
        // Under central configuration the standards are the configuration policy's, in
        // this account too (a centrally managed account cannot change its own).
        let central = self.baseline.securityhub_central().is_some();
        let standards: Vec<Json> = s
            .standards
            .iter()
            .filter(|_| !central)
            .map(|std| {
                json!({
                    "id": std.id(),
                    "logical_id": std.logical_id(),
                    "arn_sub": std.arn_sub(),
                })
            })
            .collect();
        // In the organization's security account, the home region gathers the findings of the
        // other regions (every member's, as administrator).
        let aggregator = (self.org_security && self.is_home && !self.other_regions.is_empty())
            .then(|| {
                if self.baseline.file.regions.is_all() {
                    json!({"mode": "ALL_REGIONS"})
                } else {
                    json!({"mode": "SPECIFIED_REGIONS", "regions": self.other_regions})
                }
            });
        map.insert(
            "securityhub".into(),
            json!({"standards": standards, "finding_aggregator": aggregator, "central": central}),
        );
        Json::Object(map)
    }
}

fn camel_case(id: &str) -> String {
    id.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Parameters for managed rules that take them. Values are strings, as Config requires.
fn rule_parameters(id: &str, pp: &PasswordPolicy) -> Json {
    match id {
        "IAM_PASSWORD_POLICY" => {
            let mut params = json!({
                "MinimumPasswordLength": pp.min_length.to_string(),
                "PasswordReusePrevention": pp.reuse_prevention.to_string(),
                "RequireSymbols": pp.require_symbols.to_string(),
                "RequireNumbers": pp.require_numbers.to_string(),
                "RequireUppercaseCharacters": pp.require_uppercase.to_string(),
                "RequireLowercaseCharacters": pp.require_lowercase.to_string(),
            });
            if let Some(days) = pp.max_age_days {
                params["MaxPasswordAge"] = json!(days.to_string());
            }
            params
        }
        "ACCESS_KEYS_ROTATED" => json!({"maxAccessKeyAge": "90"}),
        "IAM_USER_UNUSED_CREDENTIALS_CHECK" => json!({"maxCredentialUsageAge": "45"}),
        // The rule's documented defaults, written out so a review sees which ports.
        "RESTRICTED_INCOMING_TRAFFIC" => json!({
            "blockedPort1": "20",
            "blockedPort2": "21",
            "blockedPort3": "3389",
            "blockedPort4": "3306",
            "blockedPort5": "4333",
        }),
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC" => json!({
            "BlockPublicAcls": "True",
            "BlockPublicPolicy": "True",
            "IgnorePublicAcls": "True",
            "RestrictPublicBuckets": "True",
        }),
        _ => Json::Null,
    }
}

/// Malware Protection for S3 in one region: a plan per bucket (logical id from the bucket
/// name, stable across renders) and what the one scan role is scoped to. Null when no
/// bucket is listed.
fn malware_protection(buckets: &[crate::baseline::MalwareProtectedBucket]) -> Json {
    if buckets.is_empty() {
        return Json::Null;
    }
    let mut kms_keys: Vec<&str> = buckets
        .iter()
        .filter_map(|b| b.kms_key.as_deref())
        .collect();
    kms_keys.sort_unstable();
    kms_keys.dedup();
    let plans: Vec<Json> = buckets
        .iter()
        .map(|b| {
            json!({
                "logical_id": format!("MalwareProtectionPlan{}", &sha256_hex(b.bucket.as_bytes())[..10]),
                "bucket": b.bucket,
                "prefixes": b.prefixes,
                "tagging": if b.tag_objects { "ENABLED" } else { "DISABLED" },
            })
        })
        .collect();
    json!({
        "plans": plans,
        "buckets": buckets.iter().map(|b| &b.bucket).collect::<Vec<_>>(),
        "tagged_buckets": buckets.iter().filter(|b| b.tag_objects).map(|b| &b.bucket).collect::<Vec<_>>(),
        "kms_keys": kms_keys,
    })
}

/// One GuardDuty protection plan as a region's detector takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardDutyFeature {
    pub name: &'static str,
    pub on: bool,
    /// The plan's agent settings (Runtime Monitoring's), when it has them.
    pub additional: Option<Vec<(&'static str, bool)>>,
}

/// The protection plans the baseline sets in a region, on or off, by GuardDuty's names. What
/// the region does not offer (one table, regions::LACKING) is left out.
pub fn guardduty_features(
    f: &crate::baseline::GuardDutyFeatures,
    region: &str,
) -> Vec<GuardDutyFeature> {
    let plain = |name, on| GuardDutyFeature {
        name,
        on,
        additional: None,
    };
    let mut features = vec![
        plain("S3_DATA_EVENTS", f.s3_data_events),
        plain("EKS_AUDIT_LOGS", f.eks_audit_logs),
        plain("EBS_MALWARE_PROTECTION", f.ebs_malware_protection),
        plain("RDS_LOGIN_EVENTS", f.rds_login_events),
        plain("LAMBDA_NETWORK_LOGS", f.lambda_network_logs),
    ];
    let offers = |c: Capability| regions::offers(region, c);
    // GuardDuty rejects EKS_RUNTIME_MONITORING and RUNTIME_MONITORING together; the newer
    // feature is listed unless the older one is asked for.
    if f.eks_runtime_monitoring && !f.runtime_monitoring {
        if offers(Capability::GuardDutyEksAgent) {
            features.push(GuardDutyFeature {
                name: "EKS_RUNTIME_MONITORING",
                on: true,
                additional: Some(vec![("EKS_ADDON_MANAGEMENT", f.runtime_agent_management)]),
            });
        }
    } else if offers(Capability::GuardDutyRuntimeMonitoring) {
        let agents = f.runtime_monitoring && f.runtime_agent_management;
        let additional = [
            (Capability::GuardDutyEksAgent, "EKS_ADDON_MANAGEMENT"),
            (
                Capability::GuardDutyEcsFargateAgent,
                "ECS_FARGATE_AGENT_MANAGEMENT",
            ),
            (Capability::GuardDutyEc2Agent, "EC2_AGENT_MANAGEMENT"),
        ]
        .into_iter()
        .filter(|(c, _)| offers(*c))
        .map(|(_, name)| (name, agents))
        .collect();
        features.push(GuardDutyFeature {
            name: "RUNTIME_MONITORING",
            on: f.runtime_monitoring,
            additional: Some(additional),
        });
    }
    features
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A CIS AWS Foundations Benchmark (v5.0.0 numbering) metric filter and its alarm.
pub struct CisAlarm {
    pub id: &'static str,
    pub slug: &'static str,
    pub cis: &'static str,
    pub title: &'static str,
    pub metric: &'static str,
    pub pattern: &'static str,
}

/// The fifteen CIS monitoring recommendations, patterns byte for byte as the benchmark
/// gives them (see shared/reference/cloudformation-baseline.md, section 6.6).
pub const CIS_ALARMS: [CisAlarm; 15] = [
    CisAlarm {
        id: "UnauthorizedApiCalls",
        slug: "unauthorized-api-calls",
        cis: "4.1",
        title: "unauthorized API calls",
        metric: "unauthorized_api_calls_metric",
        pattern: r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#,
    },
    CisAlarm {
        id: "ConsoleSigninWithoutMfa",
        slug: "console-signin-without-mfa",
        cis: "4.2",
        title: "console sign-in without MFA",
        metric: "no_mfa_console_signin_metric",
        pattern: r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    },
    CisAlarm {
        id: "RootUsage",
        slug: "root-usage",
        cis: "4.3",
        title: "root user activity",
        metric: "root_usage_metric",
        pattern: r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    },
    CisAlarm {
        id: "IamPolicyChanges",
        slug: "iam-policy-changes",
        cis: "4.4",
        title: "IAM policy changes",
        metric: "iam_changes_metric",
        pattern: r#"{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}"#,
    },
    CisAlarm {
        id: "CloudTrailChanges",
        slug: "cloudtrail-changes",
        cis: "4.5",
        title: "CloudTrail configuration changes",
        metric: "cloudtrail_cfg_changes_metric",
        pattern: r#"{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }"#,
    },
    CisAlarm {
        id: "ConsoleAuthFailures",
        slug: "console-auth-failures",
        cis: "4.6",
        title: "console authentication failures",
        metric: "console_signin_failure_metric",
        pattern: r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    },
    CisAlarm {
        id: "CmkDisableOrDelete",
        slug: "cmk-disable-or-deletion",
        cis: "4.7",
        title: "disabling or scheduled deletion of customer managed keys",
        metric: "disable_or_delete_cmk_changes_metric",
        pattern: r#"{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }"#,
    },
    CisAlarm {
        id: "S3BucketPolicyChanges",
        slug: "s3-bucket-policy-changes",
        cis: "4.8",
        title: "S3 bucket policy changes",
        metric: "s3_bucket_policy_changes_metric",
        pattern: r#"{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"#,
    },
    CisAlarm {
        id: "ConfigChanges",
        slug: "config-changes",
        cis: "4.9",
        title: "AWS Config configuration changes",
        metric: "aws_config_changes_metric",
        pattern: r#"{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }"#,
    },
    CisAlarm {
        id: "SecurityGroupChanges",
        slug: "security-group-changes",
        cis: "4.10",
        title: "security group changes",
        metric: "security_group_changes_metric",
        pattern: r#"{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }"#,
    },
    CisAlarm {
        id: "NaclChanges",
        slug: "nacl-changes",
        cis: "4.11",
        title: "network ACL changes",
        metric: "nacl_changes_metric",
        pattern: r#"{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }"#,
    },
    CisAlarm {
        id: "NetworkGatewayChanges",
        slug: "network-gateway-changes",
        cis: "4.12",
        title: "network gateway changes",
        metric: "network_gw_changes_metric",
        pattern: r#"{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }"#,
    },
    CisAlarm {
        id: "RouteTableChanges",
        slug: "route-table-changes",
        cis: "4.13",
        title: "route table changes",
        metric: "route_table_changes_metric",
        pattern: r#"{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }"#,
    },
    CisAlarm {
        id: "VpcChanges",
        slug: "vpc-changes",
        cis: "4.14",
        title: "VPC changes",
        metric: "vpc_changes_metric",
        pattern: r#"{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }"#,
    },
    CisAlarm {
        id: "OrganizationsChanges",
        slug: "organizations-changes",
        cis: "4.15",
        title: "AWS Organizations changes",
        metric: "organizations_changes_metric",
        pattern: r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_become_logical_ids() {
        assert_eq!(
            camel_case("MULTI_REGION_CLOUD_TRAIL_ENABLED"),
            "MultiRegionCloudTrailEnabled"
        );
        assert_eq!(camel_case("EC2_IMDSV2_CHECK"), "Ec2Imdsv2Check");
    }

    #[test]
    fn cis_patterns_fit_the_filter_limit() {
        for alarm in &CIS_ALARMS {
            assert!(alarm.pattern.len() <= 1024, "{}", alarm.id);
        }
    }
}

#[cfg(test)]
mod region_tests {
    use super::*;

    fn features_in(region: &str) -> Json {
        let text = format!(
            "version: 1\nname: acme\nhome_region: us-east-1\nregions: [us-east-1, {region}]\n"
        );
        let (baseline, _) = crate::baseline::load(crate::baseline::Source {
            name: "test".into(),
            text,
        })
        .expect("valid");
        let spec = plan(&baseline)
            .into_iter()
            .find(|s| s.region == region && s.component == Component::Guardduty)
            .unwrap();
        spec.context["guardduty"]["features"].clone()
    }

    #[test]
    fn a_region_is_never_asked_for_a_plan_the_table_says_it_lacks() {
        let names = |f: &Json| -> Vec<String> {
            f.as_array()
                .unwrap()
                .iter()
                .flat_map(|x| {
                    std::iter::once(x["name"].as_str().unwrap().to_string()).chain(
                        x["additional"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|a| a["name"].as_str().unwrap().to_string()),
                    )
                })
                .collect()
        };
        let everywhere = names(&features_in("eu-west-1"));
        assert!(everywhere.contains(&"RUNTIME_MONITORING".to_string()));
        assert!(everywhere.contains(&"EC2_AGENT_MANAGEMENT".to_string()));
        // Canada West lacks Runtime Monitoring altogether; Bahrain lacks only the EC2 agent.
        assert!(!names(&features_in("ca-west-1")).contains(&"RUNTIME_MONITORING".to_string()));
        let bahrain = names(&features_in("me-south-1"));
        assert!(bahrain.contains(&"RUNTIME_MONITORING".to_string()));
        assert!(!bahrain.contains(&"EC2_AGENT_MANAGEMENT".to_string()));
        assert!(bahrain.contains(&"ECS_FARGATE_AGENT_MANAGEMENT".to_string()));
    }

    #[test]
    fn slack_is_configured_only_where_chatbot_runs() {
        let text =
            "version: 1\nname: acme\nhome_region: us-east-1\nregions: [us-east-1, ap-east-2]\n\
                    alerts: {slack: {workspace_id: T0123ABCD, channel_id: C0123ABCD}}\n";
        let (baseline, _) = crate::baseline::load(crate::baseline::Source {
            name: "test".into(),
            text: text.into(),
        })
        .expect("valid");
        let slack = |region: &str| {
            plan(&baseline)
                .into_iter()
                .find(|s| s.region == region && s.component == Component::Alerts)
                .unwrap()
                .context["alerts"]["slack"]
                .clone()
        };
        assert!(slack("us-east-1").is_object());
        assert!(slack("ap-east-2").is_null());
    }
}
