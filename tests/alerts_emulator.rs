//! `alerts test` through the real SNS client against the emulator: deploy, subscribe an SQS
//! queue to each alert topic, run `alerts test`, read what each queue received. The queues
//! stand in for the email subscribers and AWS Chatbot, which the emulator does not deliver
//! to; what SNS hands a subscriber (the message and subject) is what they would get. (Rule
//! delivery is covered by tests/alerts.rs: the emulator's EventBridge cannot apply input
//! transformers.)

mod support;

use serde_json::Value as Json;
use support::moto::Moto;
use support::{chatbot_schema_verdicts, stderr, stdout};

const BASELINE: &str = "version: 1\nname: acme\nhome_region: us-east-1\nalerts:\n  \
    email: [security@example.com]\n  slack: {workspace_id: T0123ABCD, channel_id: C0123ABCD}\n";

/// Subscribes a new queue to each topic; later prints what each queue holds.
const SUBSCRIBE: &str = r#"
sqs, sns = client('sqs'), client('sns')
for name in ['acme-alerts', 'acme-alerts-chat']:
    url = sqs.create_queue(QueueName=name + '-inbox')['QueueUrl']
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
    sns.subscribe(TopicArn='arn:aws:sns:us-east-1:123456789012:' + name, Protocol='sqs', Endpoint=arn)
"#;

const RECEIVE: &str = r#"
sqs = client('sqs')
out = {}
for name in ['acme-alerts', 'acme-alerts-chat']:
    url = sqs.get_queue_url(QueueName=name + '-inbox')['QueueUrl']
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get('Messages', [])
    out[name] = [json.loads(m['Body']) for m in got]
print(json.dumps(out))
"#;

fn inbox(moto: &Moto) -> Json {
    serde_json::from_str(&moto.python(RECEIVE)).unwrap()
}

#[test]
fn alerts_test_publishes_text_to_email_and_a_custom_notification_to_chat() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start();
    std::fs::write(dir.path().join("baseline.yaml"), BASELINE).unwrap();
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert!(out.status.success(), "deploy: {}", stderr(&out));
    moto.python(SUBSCRIBE);

    // Without a terminal and without --yes nothing is sent.
    let out = moto.run(dir.path(), &["alerts", "test"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    let got = inbox(&moto);
    assert_eq!(got["acme-alerts"].as_array().unwrap().len(), 0);

    let out = moto.run(dir.path(), &["alerts", "test", "--yes"]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}\n{err}");
    assert!(text.contains("123456789012 us-east-1"), "{text}");
    assert!(
        text.contains("email  acme-alerts  sent (message "),
        "{text}"
    );
    assert!(
        text.contains("chat   acme-alerts-chat  sent (message "),
        "{text}"
    );

    let got = inbox(&moto);
    let email = got["acme-alerts"].as_array().unwrap();
    assert_eq!(email.len(), 1, "{got}");
    assert_eq!(
        email[0]["Subject"],
        "[acme] cfn-baseline test alert for acme"
    );
    let body = email[0]["Message"].as_str().unwrap();
    let lines: Vec<String> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a quoted line: {l}")))
        .collect();
    assert!(
        lines[1].contains("Account: 123456789012, region: us-east-1"),
        "{lines:?}"
    );
    let chat = got["acme-alerts-chat"].as_array().unwrap();
    assert_eq!(chat.len(), 1, "{got}");
    let message: Json = serde_json::from_str(chat[0]["Message"].as_str().unwrap()).unwrap();
    assert_eq!(chatbot_schema_verdicts(&[message]), ["ok"]);
}

#[test]
fn a_topic_that_is_gone_fails_the_test_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let moto = Moto::start();
    std::fs::write(dir.path().join("baseline.yaml"), BASELINE).unwrap();
    let out = moto.run(dir.path(), &["deploy", "--yes"]);
    assert!(out.status.success(), "deploy: {}", stderr(&out));
    moto.python("client('sns').delete_topic(TopicArn='arn:aws:sns:us-east-1:123456789012:acme-alerts-chat')");
    let out = moto.run(dir.path(), &["alerts", "test", "--yes"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    assert!(text.contains("email  acme-alerts  sent"), "{text}");
    assert!(
        text.contains(
            "acme-alerts-chat  MISSING: the topic does not exist here; deploy the baseline first"
        ),
        "{text}"
    );

    // A region the baseline does not cover has nothing to test.
    let out = moto.run(
        dir.path(),
        &["--region", "eu-west-1", "alerts", "test", "--yes"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no alert topic to test in eu-west-1"),
        "{}",
        stderr(&out)
    );
}
