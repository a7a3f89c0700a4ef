//! `alerts test` through a fake of its narrow interface, for what the emulator cannot show:
//! GuardDuty sample findings (moto has no CreateSampleFindings), a publish AWS refuses, a
//! missing topic among present ones. The emulator test (tests/alerts_emulator.rs) covers the
//! real clients.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use cfn_baseline::aws::{AlertsApi, ApiError, ApiResult, SampleFindings, TopicState};
use cfn_baseline::baseline::Baseline;
use cfn_baseline::commands::{self, alert_topics, AlertTarget, ExitStatus};
use cfn_baseline::output::{Captured, Printer, Verbosity};
use serde_json::Value as Json;
use support::*;

#[derive(Default)]
struct Sns {
    /// topic ARN -> (confirmed, pending)
    topics: BTreeMap<String, (u32, u32)>,
    refuse: BTreeSet<String>,
    detector: Option<String>,
    published: Mutex<Vec<(String, String, String)>>,
    samples: Mutex<Vec<Vec<String>>>,
}

impl AlertsApi for Sns {
    async fn topic(&self, _: &str, arn: &str) -> ApiResult<Option<TopicState>> {
        Ok(self.topics.get(arn).map(|&(c, p)| TopicState {
            subscriptions_confirmed: c,
            subscriptions_pending: p,
        }))
    }

    async fn publish(&self, _: &str, arn: &str, subject: &str, message: &str) -> ApiResult<String> {
        if self.refuse.contains(arn) {
            return Err(ApiError::Api {
                code: "AuthorizationError".into(),
                message: "not authorized to perform SNS:Publish".into(),
            });
        }
        let mut p = self.published.lock().unwrap();
        p.push((arn.into(), subject.into(), message.into()));
        Ok(format!("m-{}", p.len()))
    }

    async fn create_sample_findings(&self, _: &str, types: &[String]) -> ApiResult<SampleFindings> {
        self.samples.lock().unwrap().push(types.to_vec());
        Ok(match &self.detector {
            Some(id) => SampleFindings::Created {
                detector_id: id.clone(),
            },
            None => SampleFindings::NoDetector,
        })
    }
}

const ACCOUNT: &str = "111122223333";
const EMAIL: &str = "arn:aws:sns:us-east-1:111122223333:acme-alerts";
const CHAT: &str = "arn:aws:sns:us-east-1:111122223333:acme-alerts-chat";

fn acme(extra: &str) -> Baseline {
    load_text(
        "acme.yaml",
        &format!(
            "version: 1\nname: acme\nhome_region: us-east-1\nalerts:\n  email: [security@example.com]\n  \
             slack: {{workspace_id: T0123ABCD, channel_id: C0123ABCD}}\n{extra}"
        ),
    )
}

fn targets(baseline: &Baseline, sns: Arc<Sns>) -> Vec<AlertTarget<Sns>> {
    render(baseline)
        .iter()
        .filter(|s| s.spec.stack_name == "acme-alerts")
        .map(|s| AlertTarget {
            account_id: ACCOUNT.into(),
            region: s.spec.region.clone(),
            api: sns.clone(),
            topics: alert_topics(&s.template.value),
            slack_channel: Some("C0123ABCD".into()),
        })
        .collect()
}

async fn run(baseline: &Baseline, sns: Arc<Sns>, samples: bool) -> (ExitStatus, String, String) {
    let (out, err) = (Captured::default(), Captured::default());
    let mut printer = Printer::to_writers(out.clone(), err.clone(), Verbosity::Normal);
    let status =
        commands::send_test_alerts(&mut printer, baseline, &targets(baseline, sns), samples)
            .await
            .unwrap();
    (status, out.text(), err.text())
}

#[tokio::test]
async fn both_topics_get_their_format_and_the_output_says_what_subscribers_see() {
    let sns = Arc::new(Sns {
        topics: [(EMAIL.to_string(), (1, 1)), (CHAT.to_string(), (1, 0))].into(),
        ..Sns::default()
    });
    let (status, out, err) = run(&acme(""), sns.clone(), false).await;
    assert_eq!(status, ExitStatus::Success, "{out}\n{err}");
    let published = sns.published.lock().unwrap().clone();
    assert_eq!(published.len(), 2);
    let (arn, subject, email) = &published[0];
    assert_eq!(arn, EMAIL);
    assert_eq!(subject, "[acme] cfn-baseline test alert for acme");
    assert!(
        email
            .lines()
            .all(|l| serde_json::from_str::<String>(l).is_ok()),
        "{email}"
    );
    let (arn, _, chat) = &published[1];
    assert_eq!(arn, CHAT);
    let chat: Json = serde_json::from_str(chat).unwrap();
    assert_eq!(chat["source"], "custom");
    assert!(
        out.contains(
            "email  acme-alerts  sent (message m-1); 1 confirmed subscriber(s), 1 pending"
        ),
        "{out}"
    );
    assert!(out.contains("chat   acme-alerts-chat  sent (message m-2); AWS Chatbot posts it to Slack channel C0123ABCD"), "{out}");
    assert!(out.contains("What subscribers should see"), "{out}");
    assert!(
        out.contains("\"Account: 111122223333, region: us-east-1\""),
        "{out}"
    );
    assert!(err.contains("1 email subscription(s) are pending"), "{err}");
}

#[tokio::test]
async fn a_missing_topic_or_a_refused_publish_exits_1_and_the_rest_is_still_sent() {
    let sns = Arc::new(Sns {
        topics: [(CHAT.to_string(), (1, 0))].into(),
        ..Sns::default()
    });
    let (status, out, err) = run(&acme(""), sns.clone(), false).await;
    assert_eq!(status, ExitStatus::Error);
    assert!(
        out.contains(
            "acme-alerts  MISSING: the topic does not exist here; deploy the baseline first"
        ),
        "{out}"
    );
    assert_eq!(
        sns.published.lock().unwrap().len(),
        1,
        "the chat topic is still tested"
    );
    assert!(err.contains("1 topic(s) or request(s) failed"), "{err}");

    let sns = Arc::new(Sns {
        topics: [(EMAIL.to_string(), (1, 0)), (CHAT.to_string(), (1, 0))].into(),
        refuse: [CHAT.to_string()].into(),
        ..Sns::default()
    });
    let (status, out, _) = run(&acme(""), sns, false).await;
    assert_eq!(status, ExitStatus::Error);
    assert!(
        out.contains("acme-alerts-chat  FAILED to publish: AuthorizationError: not authorized"),
        "{out}"
    );
}

#[tokio::test]
async fn an_email_topic_nobody_confirmed_is_called_out() {
    let sns = Arc::new(Sns {
        topics: [(EMAIL.to_string(), (0, 0)), (CHAT.to_string(), (1, 0))].into(),
        ..Sns::default()
    });
    let (status, out, err) = run(&acme(""), sns, false).await;
    // Sent, yet nobody reads it: exit 2, with the topic named.
    assert_eq!(status, ExitStatus::Differences);
    assert!(
        out.contains("0 confirmed subscriber(s); NOBODY receives it"),
        "{out}"
    );
    assert!(
        err.contains(
            "1 email topic(s) have no confirmed subscriber, so nobody receives their alerts: "
        ) && err.contains("list addresses under alerts.email"),
        "{err}"
    );
}

#[tokio::test]
async fn sample_findings_skip_suppressed_types_and_say_when_there_is_no_detector() {
    let topics: BTreeMap<String, (u32, u32)> =
        [(EMAIL.to_string(), (1, 0)), (CHAT.to_string(), (1, 0))].into();
    let sns = Arc::new(Sns {
        topics: topics.clone(),
        detector: Some("d-1".into()),
        ..Sns::default()
    });
    let baseline = acme("  suppress: [\"Backdoor:EC2/C&CActivity.B!DNS\"]\n");
    let (status, out, _) = run(&baseline, sns.clone(), true).await;
    assert_eq!(status, ExitStatus::Success, "{out}");
    assert_eq!(
        *sns.samples.lock().unwrap(),
        vec![vec!["CryptoCurrency:EC2/BitcoinTool.B!DNS".to_string()]]
    );
    assert!(
        out.contains(
            "guardduty  1 sample finding(s) created in detector d-1: they alert through the rules"
        ),
        "{out}"
    );

    let critical = acme("  guardduty_min_severity: critical\n");
    let sns = Arc::new(Sns {
        topics: topics.clone(),
        detector: Some("d-1".into()),
        ..Sns::default()
    });
    let (_, out, _) = run(&critical, sns, true).await;
    assert!(
        out.contains("below alerts.guardduty_min_severity, so they will not alert"),
        "{out}"
    );

    let sns = Arc::new(Sns {
        topics,
        ..Sns::default()
    });
    let (status, out, _) = run(&acme(""), sns, true).await;
    assert_eq!(status, ExitStatus::Success);
    assert!(
        out.contains("guardduty  no detector in this region"),
        "{out}"
    );
}
