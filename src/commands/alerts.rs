//! `alerts test`: publish one test notification to every alert topic of the targets, in the
//! form each topic's subscribers get (text for email, Chatbot's custom notification for
//! chat), say where it went and what a subscriber should see; with `--sample-findings`, also
//! ask GuardDuty for sample findings, which alert through the rules like real ones.

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{bail, Result};

use super::deploy::{connect_groups, resolve_regions};
use super::{load_baseline, resolve_source, ExitStatus, Fallback};
use crate::aws::{AlertsApi, SampleFindings};
use crate::baseline::alerts::Suppressions;
use crate::baseline::{Baseline, DeploymentMode};
use crate::cli::{AlertsTestArgs, GlobalArgs};
use crate::output::Printer;
use crate::plan::Component;
use crate::render::{render_all, Renderer};
use crate::test_notification::{test_notification, topic_arn, TestNotification, TopicKind};

/// GuardDuty sample findings asked for with `--sample-findings`: high severity (8), so they
/// pass every threshold but `critical`.
pub const SAMPLE_FINDING_TYPES: [&str; 2] = [
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "Backdoor:EC2/C&CActivity.B!DNS",
];
const SAMPLE_SEVERITY: f64 = 8.0;

/// One account and region's alert topics.
pub struct Target<A> {
    pub account_id: String,
    pub region: String,
    pub api: Arc<A>,
    /// (kind, topic name), email first.
    pub topics: Vec<(TopicKind, String)>,
    /// The Slack channel the chat topic feeds, when there is one.
    pub slack_channel: Option<String>,
}

pub fn alerts_test(
    global: &GlobalArgs,
    args: &AlertsTestArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let interactive = std::io::stdin().is_terminal();
    if !args.yes && !interactive {
        bail!(
            "alerts test publishes to every subscriber of the alert topics: stdin is not a terminal, \
             so pass --yes to send without asking (nothing was sent)"
        );
    }
    let source = resolve_source(args.baseline.as_deref(), Fallback::Refuse, printer)?;
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    // With an organization in stack-set mode the alert topics are the security account's,
    // deployed as stacks: the test reaches the role accounts.
    let baseline = baseline.role_part().unwrap_or(baseline);
    if baseline.file.deployment.mode == DeploymentMode::Stacksets
        && !baseline.members_in_stack_sets()
    {
        printer.warning(
            "stack-set mode: the test reaches the accounts your credentials (or the baseline's role_arn/profile) \
             reach; run it with each member account's credentials to test theirs",
        );
    }
    let renderer = Renderer::new(global.templates.as_deref())?;
    let stacks = render_all(&baseline, &renderer)?;
    let runtime = super::runtime()?;
    let result = runtime.block_on(async {
        let (mut groups, _reached) = connect_groups(global, &baseline, &stacks, printer).await?;
        resolve_regions(&mut groups, &baseline, &renderer, printer).await?;
        for wanted in &args.account {
            if !groups.iter().any(|g| &g.account_id == wanted || &g.label == wanted) {
                bail!("--account {wanted}: not an account this run reaches (the baseline's accounts, or your credentials' account); nothing was sent");
            }
        }
        let slack = baseline.file.alerts.slack.as_ref().map(|s| s.channel_id.clone());
        let mut targets = Vec::new();
        for g in &groups {
            if !args.account.is_empty()
                && !args.account.iter().any(|a| a == &g.account_id || a == &g.label)
            {
                continue;
            }
            for job in &g.jobs {
                if job.component != Component::Alerts
                    || global.region.as_ref().is_some_and(|r| r != &job.region)
                {
                    continue;
                }
                let topics = alert_topics(&job.template.value);
                let has_chat = topics.iter().any(|(k, _)| *k == TopicKind::Chat);
                targets.push(Target {
                    account_id: g.account_id.clone(),
                    region: job.region.clone(),
                    api: g.api.clone(),
                    topics,
                    slack_channel: slack.clone().filter(|_| has_chat),
                });
            }
        }
        if targets.is_empty() {
            bail!(
                "no alert topic to test{}: the baseline deploys its alerts stack to {}; nothing was sent",
                global.region.as_ref().map(|r| format!(" in {r}")).unwrap_or_default(),
                baseline.regions().join(", ")
            );
        }
        if !args.yes {
            let topics: usize = targets.iter().map(|t| t.topics.len()).sum();
            if !crate::fanout::asked(format!(
                "Publish a test notification to {topics} alert topic(s) in {} account/region pair(s)?",
                targets.len()
            ))
            .await
            {
                printer.status("nothing was sent");
                if crate::interrupt::happened() {
                    return Err(crate::interrupt::stopped("interrupted at the prompt; nothing was sent"));
                }
                return Ok(ExitStatus::Error);
            }
        }
        send(printer, &baseline, &targets, args.sample_findings).await
    });
    runtime.shutdown_background();
    result
}

/// The alert topics a rendered alerts template creates: (kind, topic name).
pub fn alert_topics(template: &serde_json::Value) -> Vec<(TopicKind, String)> {
    let mut out = Vec::new();
    for (id, kind) in [
        ("AlertsTopic", TopicKind::Email),
        ("AlertsChatTopic", TopicKind::Chat),
    ] {
        if let Some(name) = template
            .pointer(&format!("/Resources/{id}/Properties/TopicName"))
            .and_then(|v| v.as_str())
        {
            out.push((kind, name.to_string()));
        }
    }
    out
}

/// Publishes to each target's topics and reports. Generic over the narrow interface, so
/// fakes drive it in tests as the SDK does in use.
pub async fn send<A: AlertsApi>(
    printer: &mut Printer,
    baseline: &Baseline,
    targets: &[Target<A>],
    sample_findings: bool,
) -> Result<ExitStatus> {
    let name = baseline.name();
    let stamp = run_stamp();
    let mut failed = 0;
    let mut pending_total = 0;
    // Email topics published to that no confirmed address receives: `account/region topic`.
    let mut unheard = Vec::new();
    let mut lines = Vec::new();
    let mut example: Option<TestNotification> = None;
    printer.status(&format!(
        "Publishing a test notification to the alert topics of baseline {name} in {} account/region pair(s)",
        targets.len()
    ));
    for t in targets {
        lines.push(format!("{} {}", t.account_id, t.region));
        let n = test_notification(name, &t.account_id, &t.region, &stamp);
        for (kind, topic) in &t.topics {
            let arn = topic_arn(&t.region, &t.account_id, topic);
            let state = match t.api.topic(&t.region, &arn).await {
                Ok(Some(state)) => state,
                Ok(None) => {
                    failed += 1;
                    lines.push(format!(
                        "  {:<5}  {topic}  MISSING: the topic does not exist here; deploy the baseline first (`cfn-baseline deploy`)",
                        kind.as_str()
                    ));
                    continue;
                }
                Err(e) => {
                    failed += 1;
                    lines.push(format!(
                        "  {:<5}  {topic}  FAILED to read the topic: {e}",
                        kind.as_str()
                    ));
                    continue;
                }
            };
            let message = match kind {
                TopicKind::Email => n.email.clone(),
                TopicKind::Chat => n.chat.to_string(),
            };
            match t.api.publish(&t.region, &arn, &n.subject, &message).await {
                Ok(id) => {
                    pending_total += state.subscriptions_pending;
                    let who = match kind {
                        TopicKind::Email => format!(
                            "{} confirmed subscriber(s){}",
                            state.subscriptions_confirmed,
                            if state.subscriptions_pending > 0 {
                                format!(
                                    ", {} pending (they get nothing yet)",
                                    state.subscriptions_pending
                                )
                            } else {
                                String::new()
                            }
                        ),
                        TopicKind::Chat => match &t.slack_channel {
                            Some(c) => format!("AWS Chatbot posts it to Slack channel {c}"),
                            None => {
                                "AWS Chatbot posts it to the channel it is configured for".into()
                            }
                        },
                    };
                    let nobody = *kind == TopicKind::Email && state.subscriptions_confirmed == 0;
                    if nobody {
                        unheard.push(format!("{}/{} {topic}", t.account_id, t.region));
                    }
                    lines.push(format!(
                        "  {:<5}  {topic}  sent (message {id}); {who}{}",
                        kind.as_str(),
                        if nobody { "; NOBODY receives it" } else { "" }
                    ));
                }
                Err(e) => {
                    failed += 1;
                    lines.push(format!(
                        "  {:<5}  {topic}  FAILED to publish: {e}",
                        kind.as_str()
                    ));
                }
            }
        }
        if sample_findings {
            let suppressed = Suppressions::of(
                &baseline
                    .components_for(Some(&t.account_id), &t.region)
                    .alerts
                    .suppress,
            )
            .finding_types;
            let types: Vec<String> = SAMPLE_FINDING_TYPES
                .iter()
                .filter(|ty| !suppressed.iter().any(|s| s == *ty))
                .map(|s| s.to_string())
                .collect();
            match t.api.create_sample_findings(&t.region, &types).await {
                Ok(SampleFindings::Created { detector_id }) => {
                    let threshold = baseline
                        .components_for(Some(&t.account_id), &t.region)
                        .alerts
                        .guardduty_min_severity
                        .threshold();
                    lines.push(format!(
                        "  guardduty  {} sample finding(s) created in detector {detector_id}: {}",
                        types.len(),
                        if SAMPLE_SEVERITY >= threshold {
                            "they alert through the rules within about 5 minutes (titles start with [SAMPLE])"
                        } else {
                            "severity 8 is below alerts.guardduty_min_severity, so they will not alert"
                        }
                    ));
                }
                Ok(SampleFindings::NoDetector) => lines.push(
                    "  guardduty  no detector in this region: no sample findings (deploy the baseline, or enable guardduty)".into(),
                ),
                Err(e) => {
                    failed += 1;
                    lines.push(format!("  guardduty  FAILED to create sample findings: {e}"));
                }
            }
        }
        example.get_or_insert(n);
    }
    if let Some(n) = example {
        lines.push(String::new());
        lines.push(format!(
            "What subscribers should see (for {} {}):",
            targets[0].account_id, targets[0].region
        ));
        lines.push(format!("  email, subject {:?}:", n.subject));
        lines.extend(n.email.lines().map(|l| format!("    {l}")));
        if targets
            .iter()
            .any(|t| t.topics.iter().any(|(k, _)| *k == TopicKind::Chat))
        {
            lines.push(format!(
                "  Slack: {} — {}",
                n.chat["content"]["title"].as_str().unwrap_or_default(),
                n.chat["content"]["description"]
                    .as_str()
                    .unwrap_or_default()
            ));
        }
    }
    printer.result(&lines.join("\n"));
    if pending_total > 0 {
        printer.warning(&format!(
            "{pending_total} email subscription(s) are pending: each address must click the link in its \
             \"AWS Notification - Subscription Confirmation\" email before it receives alerts"
        ));
    }
    if failed > 0 {
        printer.error(&format!(
            "{failed} topic(s) or request(s) failed (see above)"
        ));
        return Ok(ExitStatus::Error);
    }
    if !unheard.is_empty() {
        printer.warning(&format!(
            "{} email topic(s) have no confirmed subscriber, so nobody receives their alerts: {}; \
             list addresses under alerts.email, deploy, and have each confirm its subscription",
            unheard.len(),
            unheard.join(", ")
        ));
        return Ok(ExitStatus::Differences);
    }
    printer.status("sent; if a subscriber does not see the message within a few minutes, check their spam folder and the subscription");
    Ok(ExitStatus::Success)
}

/// Seconds since the epoch: tells test runs apart.
fn run_stamp() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string()
}
