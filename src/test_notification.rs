//! The messages `alerts test` publishes: to the email topic, text in the form of a real
//! finding's email (one quoted line each, as the rules' input transformers write it); to the
//! chat topic, AWS Chatbot's custom notification (`version: "1.0"`, `source: "custom"`),
//! which Chatbot posts as it is.
//!
//! Pure: no AWS, no printing.

use serde_json::{json, Value as Json};

/// Which of a region's alert topics a message is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TopicKind {
    /// Email subscribers: text.
    Email,
    /// AWS Chatbot: AWS events and custom notifications.
    Chat,
}

impl TopicKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TopicKind::Email => "email",
            TopicKind::Chat => "chat",
        }
    }
}

/// One test notification, in the form each topic's subscribers get.
#[derive(Clone, Debug, PartialEq)]
pub struct TestNotification {
    /// The email subject (SNS uses it for email subscribers only).
    pub subject: String,
    /// The email body: quoted lines, as a real finding's email.
    pub email: String,
    /// The chat message: Chatbot's custom notification JSON.
    pub chat: Json,
}

/// What the test says, for the baseline `name` in one account and region; `id` tells
/// runs apart (a timestamp).
pub fn test_notification(name: &str, account: &str, region: &str, id: &str) -> TestNotification {
    let title = format!("cfn-baseline test alert for {name}");
    let lines = [
        format!("{title}: nothing is wrong"),
        format!("Account: {account}, region: {region}"),
        "A real alert names the finding, its severity, the resource and a console link.".into(),
        format!("Open: https://console.aws.amazon.com/sns/v3/home?region={region}#/topics"),
    ];
    let email = lines
        .iter()
        .map(|l| Json::String(l.clone()).to_string())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    let chat = json!({
        "version": "1.0",
        "source": "custom",
        "id": format!("cfn-baseline-test-{id}"),
        "content": {
            "textType": "client-markdown",
            "title": format!(":white_check_mark: {title}"),
            "description": format!(
                "Nothing is wrong: `cfn-baseline alerts test` checks that alerts from account \
                 {account}, region {region} reach this channel. Real alerts are the GuardDuty, \
                 Security Hub, AWS Config and CloudWatch alarm notifications themselves."
            ),
            "nextSteps": [
                "Nothing to do. If a teammate expected this message and did not see it, check the channel's AWS Chatbot configuration."
            ],
            "keywords": ["cfn-baseline", "test", account, region]
        },
        "metadata": {
            "summary": format!("{title} ({account}, {region})"),
            "enableCustomActions": false
        }
    });
    TestNotification {
        subject: format!("[{name}] {title}"),
        email,
        chat,
    }
}

/// The SNS topic ARN of `topic_name` in an account and region.
pub fn topic_arn(region: &str, account: &str, topic_name: &str) -> String {
    let partition = crate::baseline::regions::partition(region);
    format!("arn:{partition}:sns:{region}:{account}:{topic_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_quoted_lines_and_chat_is_a_custom_notification() {
        let n = test_notification("acme", "111122223333", "eu-west-1", "20261201T000000Z");
        for line in n.email.lines() {
            let text: String = serde_json::from_str(line).unwrap();
            assert!(!text.is_empty());
        }
        assert!(n.email.contains("111122223333") && n.email.contains("eu-west-1"));
        assert_eq!(n.chat["version"], "1.0");
        assert_eq!(n.chat["source"], "custom");
        assert!(n.chat["content"]["description"]
            .as_str()
            .unwrap()
            .contains("eu-west-1"));
        assert_eq!(
            topic_arn("cn-north-1", "1", "t"),
            "arn:aws-cn:sns:cn-north-1:1:t"
        );
    }
}
