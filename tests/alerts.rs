//! Alerts that arrive: every rendered EventBridge rule evaluated against AWS-shaped sample
//! events (tests/alert_events, written from the event formats in the GuardDuty, Security Hub,
//! Config and CloudWatch documentation), with the expected deliveries asserted row by row;
//! every email input transformer applied and its text checked; the chat path checked to carry
//! the events untouched.
//!
//! These stand in for what the emulator cannot show: moto's EventBridge cannot apply input
//! transformers and does not match nested patterns against arrays of objects, so no emulator
//! run proves which topic a finding reaches or what a person reads.

mod support;

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};
use support::event_pattern::matches;
use support::input_transformer::{apply, lookup, quoted_lines_as_text};
use support::*;

// ---------------------------------------------------------------------------------------
// The matcher, proven first on the EventBridge User Guide's own examples.

#[test]
fn matcher_follows_the_eventbridge_documentation() {
    // (pattern, event, matches?) from "Content filtering in Amazon EventBridge event
    // patterns", "Comparison operators" and "Arrays in event patterns".
    let ec2 = json!({
        "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
        "account": "111122223333", "time": "2017-10-02T18:43:48Z", "region": "us-west-1",
        "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
        "detail": {"instance-id": "i-1234567890abcdef0", "state": "pending",
                   "c-count": 5, "d-count": 7, "x-limit": 301.8,
                   "sourceIPAddress": "10.0.0.255", "responseElements": null, "eventVersion": "",
                   "service": "EventBridge", "FileName": "image.png"}
    });
    let cases: Vec<(Json, bool)> = vec![
        (json!({"source": ["aws.ec2"]}), true),
        (json!({"source": ["aws.s3"]}), false),
        (
            json!({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}),
            true,
        ),
        // A field the event lacks matches nothing.
        (json!({"detail": {"no-such-field": ["pending"]}}), false),
        (json!({"time": [{"prefix": "2017-10-02"}]}), true),
        (json!({"time": [{"prefix": "2017-10-03"}]}), false),
        (
            json!({"detail": {"service": [{"prefix": {"equals-ignore-case": "EVENTB"}}]}}),
            true,
        ),
        (json!({"detail": {"FileName": [{"suffix": ".png"}]}}), true),
        (json!({"detail": {"FileName": [{"suffix": ".jpg"}]}}), false),
        (
            json!({"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".PNG"}}]}}),
            true,
        ),
        (
            json!({"detail": {"state": [{"anything-but": "initializing"}]}}),
            true,
        ),
        (
            json!({"detail": {"state": [{"anything-but": "pending"}]}}),
            false,
        ),
        (
            json!({"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}),
            true,
        ),
        (
            json!({"detail": {"state": [{"anything-but": ["pending", "overloaded"]}]}}),
            false,
        ),
        (
            json!({"detail": {"x-limit": [{"anything-but": 123}]}}),
            true,
        ),
        (
            json!({"detail": {"x-limit": [{"anything-but": [100, 200, 301.8]}]}}),
            false,
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}),
            true,
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"prefix": "pend"}}]}}),
            false,
        ),
        (
            json!({"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}}),
            true,
        ),
        (
            json!({"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}}),
            false,
        ),
        // anything-but needs the field.
        (
            json!({"detail": {"absent": [{"anything-but": "x"}]}}),
            false,
        ),
        (
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}],
                           "d-count": [{"numeric": ["<", 10]}],
                           "x-limit": [{"numeric": ["=", 3.018e2]}]}}),
            true,
        ),
        (
            json!({"detail": {"c-count": [{"numeric": [">", 5, "<=", 10]}]}}),
            false,
        ),
        (
            json!({"detail": {"c-count": [{"numeric": [">=", 5]}]}}),
            true,
        ),
        (json!({"detail": {"state": [{"numeric": [">", 0]}]}}), false),
        (
            json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}),
            true,
        ),
        (
            json!({"detail": {"sourceIPAddress": [{"cidr": "10.0.1.0/24"}]}}),
            false,
        ),
        (json!({"detail": {"state": [{"exists": true}]}}), true),
        (json!({"detail": {"state": [{"exists": false}]}}), false),
        (
            json!({"detail": {"no-such-field": [{"exists": false}]}}),
            true,
        ),
        (
            json!({"detail": {"no-such-field": [{"exists": true}]}}),
            false,
        ),
        (
            json!({"detail": {"no-such-object": {"field": [{"exists": false}]}}}),
            true,
        ),
        (
            json!({"detail": {"no-such-object": {"field": [{"exists": true}]}}}),
            false,
        ),
        (
            json!({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}),
            true,
        ),
        (
            json!({"resources": [{"wildcard": "arn:aws:ec2:us-west-1:*:instance/*"}]}),
            true,
        ),
        (
            json!({"resources": [{"wildcard": "arn:aws:ec2:us-east-1:*:instance/*"}]}),
            false,
        ),
        (json!({"detail": {"responseElements": [null]}}), true),
        (json!({"detail": {"eventVersion": [""]}}), true),
        (json!({"detail": {"eventVersion": [null]}}), false),
        (
            json!({"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]},
                                   {"d-count": [{"numeric": ["<", 10]}]}]}}),
            true,
        ),
        (
            json!({"detail": {"$or": [{"c-count": [{"numeric": [">", 10]}]},
                                   {"state": ["running"]}]}}),
            false,
        ),
        // Arrays: the event's array matches when any element is listed.
        (
            json!({"resources": ["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
                              "arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}),
            true,
        ),
        (
            json!({"resources": ["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}),
            false,
        ),
    ];
    for (pattern, want) in &cases {
        assert_eq!(matches(pattern, &ec2), *want, "pattern {pattern}");
    }

    // Arrays of objects (Security Hub's `findings`), from the Security Hub guide's rule
    // for findings of one product: each field is matched against every element.
    let finding =
        |product: &str, label: &str| json!({"ProductName": product, "Severity": {"Label": label}});
    let event = |findings: Vec<Json>| {
        json!({
            "source": "aws.securityhub", "detail-type": "Security Hub Findings - Imported",
            "detail": {"findings": findings}
        })
    };
    let by_product = json!({"source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Imported"],
        "detail": {"findings": {"ProductName": ["GuardDuty"]}}});
    assert!(matches(
        &by_product,
        &event(vec![finding("GuardDuty", "HIGH")])
    ));
    assert!(!matches(
        &by_product,
        &event(vec![finding("Inspector", "HIGH")])
    ));
    assert!(matches(
        &by_product,
        &event(vec![
            finding("Inspector", "LOW"),
            finding("GuardDuty", "LOW")
        ])
    ));
    let nested = json!({"detail": {"findings": {"ProductName": ["Inspector"], "Severity": {"Label": ["HIGH"]}}}});
    assert!(matches(&nested, &event(vec![finding("Inspector", "HIGH")])));
    assert!(!matches(&nested, &event(vec![finding("Inspector", "LOW")])));
    // EventBridge does not hold the fields to one element.
    assert!(matches(
        &nested,
        &event(vec![finding("Inspector", "LOW"), finding("Macie", "HIGH")])
    ));
    assert!(!matches(&nested, &event(vec![])));
}

#[test]
fn transformer_follows_the_eventbridge_documentation() {
    // The API reference's example: a text template, and a JSON template with variables in
    // and out of quotes.
    let event =
        json!({"detail": {"instance": "i-0123", "status": "running", "n": 3, "tags": ["a"]}});
    let text = json!({"InputPathsMap": {"instance": "$.detail.instance", "status": "$.detail.status"},
                      "InputTemplate": "<instance> is in state <status>"});
    assert_eq!(apply(&text, &event).unwrap(), "i-0123 is in state running");
    let quoted = json!({"InputPathsMap": {"instance": "$.detail.instance", "status": "$.detail.status"},
                        "InputTemplate": "<instance> is in state \"<status>\""});
    assert_eq!(
        apply(&quoted, &event).unwrap(),
        "i-0123 is in state \"running\""
    );
    let object = json!({"InputPathsMap": {"instance": "$.detail.instance", "n": "$.detail.n", "tags": "$.detail.tags"},
                        "InputTemplate": "{\"myInstance\": <tags>, \"n\": <n>, \"text\": \"<instance> has <n>\"}"});
    let out: Json = serde_json::from_str(&apply(&object, &event).unwrap()).unwrap();
    assert_eq!(
        out,
        json!({"myInstance": ["a"], "n": 3, "text": "i-0123 has 3"})
    );
    // A value with quotes inside a quoted string stays valid JSON.
    let tricky = json!({"detail": {"instance": "say \"hi\"\n", "status": "x"}});
    let line = apply(
        &json!({"InputPathsMap": {"i": "$.detail.instance"}, "InputTemplate": "\"<i>\""}),
        &tricky,
    )
    .unwrap();
    assert_eq!(
        serde_json::from_str::<String>(&line).unwrap(),
        "say \"hi\"\n"
    );
    assert!(apply(
        &json!({"InputPathsMap": {"i": "$.detail.nope"}, "InputTemplate": "<i>"}),
        &event
    )
    .is_err());
    assert_eq!(
        lookup(&json!({"a": [{"b": 1}]}), "$.a[0].b"),
        Some(&json!(1))
    );
}

// ---------------------------------------------------------------------------------------
// The rendered rules against the sample events.

const ACCOUNT: &str = "111122223333";

fn sample_events() -> BTreeMap<String, Json> {
    let dir = repo_root().join("tests/alert_events");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json")
            && !path.to_string_lossy().ends_with(".schema.json")
        {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            out.insert(name, serde_json::from_str(&text).unwrap());
        }
    }
    assert!(
        out.len() >= 19,
        "sample events missing from {}",
        dir.display()
    );
    out
}

fn baseline(extra_alerts: &str) -> String {
    format!(
        "version: 1\nname: acme\nhome_region: us-east-1\nalerts:\n  email: [security@example.com]\n  \
         slack: {{workspace_id: T0123ABCD, channel_id: C0123ABCD}}\n{extra_alerts}"
    )
}

/// The stack template of one component in us-east-1.
fn stack(text: &str, component: &str) -> Json {
    let b = load_text("alerts-test.yaml", text);
    let stacks = render(&b);
    let s = stacks
        .iter()
        .find(|s| s.spec.region == "us-east-1" && s.spec.stack_name == format!("acme-{component}"))
        .unwrap_or_else(|| panic!("no acme-{component} stack"));
    s.template.value.clone()
}

fn resources_of_type<'a>(template: &'a Json, kind: &str) -> Vec<(&'a String, &'a Json)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

/// Which topic a target publishes to: the logical id it refers to.
fn topic_of(target: &Json) -> &str {
    match target["Arn"]["Ref"].as_str() {
        Some("AlertsTopic") => "email",
        Some("AlertsChatTopic") => "chat",
        other => panic!("target {target} publishes to {other:?}, not an alert topic"),
    }
}

/// event -> (email deliveries, chat deliveries, rules that matched).
fn deliveries(
    template: &Json,
    events: &BTreeMap<String, Json>,
) -> BTreeMap<String, (usize, usize, Vec<String>)> {
    let rules = resources_of_type(template, "AWS::Events::Rule");
    assert!(!rules.is_empty());
    events
        .iter()
        .map(|(name, event)| {
            let (mut email, mut chat, mut hit) = (0, 0, Vec::new());
            for (id, rule) in &rules {
                if matches(&rule["Properties"]["EventPattern"], event) {
                    hit.push(id.to_string());
                    for target in rule["Properties"]["Targets"].as_array().unwrap() {
                        match topic_of(target) {
                            "email" => email += 1,
                            _ => chat += 1,
                        }
                    }
                }
            }
            (name.clone(), (email, chat, hit))
        })
        .collect()
}

/// (event, email deliveries, chat deliveries, the rule that takes it).
const DEFAULT_TABLE: &[(&str, usize, usize, &str)] = &[
    ("guardduty-severity-2", 0, 0, ""),
    ("guardduty-severity-5", 1, 1, "GuardDutyFindingsRule"),
    (
        "guardduty-severity-5-port-probe",
        1,
        1,
        "GuardDutyFindingsRule",
    ),
    ("guardduty-severity-8", 1, 1, "GuardDutyFindingsRule"),
    // Malware in an upload alerts once, as GuardDuty's finding (which Chatbot formats); the
    // scan-result events that come with every scan alert nowhere.
    ("guardduty-s3-malicious-file", 1, 1, "GuardDutyFindingsRule"),
    ("guardduty-malware-scan-threats-found", 0, 0, ""),
    ("guardduty-malware-scan-no-threats", 0, 0, ""),
    (
        "securityhub-control-failed-new-active-critical",
        1,
        1,
        "SecurityHubControlFindingsRule",
    ),
    (
        "securityhub-control-failed-new-active-high-ec2-19",
        1,
        1,
        "SecurityHubControlFindingsRule",
    ),
    ("securityhub-control-passed", 0, 0, ""),
    ("securityhub-control-failed-notified", 0, 0, ""),
    ("securityhub-control-failed-archived", 0, 0, ""),
    ("securityhub-control-failed-medium", 0, 0, ""),
    (
        "securityhub-inspector-high",
        1,
        1,
        "SecurityHubFindingsRule",
    ),
    ("securityhub-macie-high", 1, 1, "SecurityHubFindingsRule"),
    (
        "securityhub-access-analyzer-critical",
        1,
        1,
        "SecurityHubFindingsRule",
    ),
    // GuardDuty's findings alert through GuardDuty's rule; Config's through Config's.
    ("securityhub-guardduty-high", 0, 0, ""),
    ("securityhub-config-rule-failed-high", 0, 0, ""),
    (
        "config-baseline-rule-noncompliant",
        1,
        1,
        "ConfigComplianceRule",
    ),
    ("config-baseline-rule-compliant", 0, 0, ""),
    ("config-foreign-rule-noncompliant", 0, 0, ""),
    // Alarms notify both topics through their own actions (see alarms_notify_both_topics).
    ("cloudwatch-alarm-state-change", 0, 0, ""),
];

fn assert_table(template: &Json, table: &[(&str, usize, usize, &str)]) {
    let events = sample_events();
    let got = deliveries(template, &events);
    let listed: Vec<&str> = table.iter().map(|row| row.0).collect();
    for name in events.keys() {
        assert!(
            listed.contains(&name.as_str()),
            "sample event {name} has no row in the table"
        );
    }
    let mut wrong = Vec::new();
    for (name, email, chat, rule) in table {
        let (e, c, hit) = &got[*name];
        let want_rules: Vec<String> = if rule.is_empty() {
            vec![]
        } else {
            vec![rule.to_string()]
        };
        if (e, c, hit) != (email, chat, &want_rules) {
            wrong.push(format!(
                "{name}: got email {e}, chat {c} via {hit:?}; want email {email}, chat {chat} via {want_rules:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "deliveries differ from the table:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_finding_alerts_once_on_each_topic_the_table_says() {
    assert_table(&stack(&baseline(""), "alerts"), DEFAULT_TABLE);
}

#[test]
fn suppressions_silence_only_what_they_name() {
    let text = baseline("  suppress: [\"Recon:EC2/PortProbeUnprotectedPort\", EC2.19, Macie]\n");
    let silenced = [
        "guardduty-severity-5-port-probe",
        "securityhub-control-failed-new-active-high-ec2-19",
        "securityhub-macie-high",
    ];
    let table: Vec<(&str, usize, usize, &str)> = DEFAULT_TABLE
        .iter()
        .map(|&(name, e, c, rule)| {
            if silenced.contains(&name) {
                (name, 0, 0, "")
            } else {
                (name, e, c, rule)
            }
        })
        .collect();
    assert_table(&stack(&text, "alerts"), &table);
}

#[test]
fn without_slack_only_the_email_topic_is_fed() {
    let text = "version: 1\nname: acme\nhome_region: us-east-1\nalerts:\n  email: [security@example.com]\n";
    let template = stack(text, "alerts");
    assert!(template["Resources"].get("AlertsChatTopic").is_none());
    let table: Vec<(&str, usize, usize, &str)> = DEFAULT_TABLE
        .iter()
        .map(|&(name, e, _, rule)| (name, e, 0, rule))
        .collect();
    assert_table(&template, &table);
    for (id, alarm) in resources_of_type(&stack(text, "cloudtrail"), "AWS::CloudWatch::Alarm") {
        assert_eq!(
            alarm["Properties"]["AlarmActions"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "{id}"
        );
    }
}

#[test]
fn email_targets_turn_each_finding_into_text_a_person_reads() {
    let template = stack(&baseline(""), "alerts");
    let events = sample_events();
    let mut checked = 0;
    for (id, rule) in resources_of_type(&template, "AWS::Events::Rule") {
        for (name, event) in &events {
            if !matches(&rule["Properties"]["EventPattern"], event) {
                continue;
            }
            let target = rule["Properties"]["Targets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| topic_of(t) == "email")
                .unwrap_or_else(|| panic!("{id} has no email target"));
            let out = apply(&target["InputTransformer"], event)
                .unwrap_or_else(|e| panic!("{id} on {name}: {e}"));
            let text =
                quoted_lines_as_text(&out).unwrap_or_else(|e| panic!("{id} on {name}: {e}\n{out}"));
            // What every alert says: where, and a console link.
            let mut want = vec![
                ACCOUNT.to_string(),
                "region: us-east-1".into(),
                "https://console.aws.amazon.com/".into(),
            ];
            let finding = &event["detail"]["findings"][0];
            match event["source"].as_str().unwrap() {
                "aws.guardduty" => want.extend([
                    format!("severity {}", event["detail"]["severity"]),
                    event["detail"]["type"].as_str().unwrap().to_string(),
                    event["detail"]["title"].as_str().unwrap().to_string(),
                    format!(
                        "Resource: {}",
                        event["detail"]["resource"]["resourceType"]
                            .as_str()
                            .unwrap()
                    ),
                    format!("search=id%3D{}", event["detail"]["id"].as_str().unwrap()),
                ]),
                "aws.securityhub" if finding.get("Compliance").is_some() => want.extend([
                    format!(
                        "control {} FAILED",
                        finding["Compliance"]["SecurityControlId"].as_str().unwrap()
                    ),
                    format!(
                        "severity {}",
                        finding["Severity"]["Label"].as_str().unwrap()
                    ),
                    finding["Resources"][0]["Id"].as_str().unwrap().to_string(),
                ]),
                "aws.securityhub" => want.extend([
                    format!(
                        "{} finding, severity {}",
                        finding["ProductName"].as_str().unwrap(),
                        finding["Severity"]["Label"].as_str().unwrap()
                    ),
                    finding["Types"][0].as_str().unwrap().to_string(),
                    finding["Resources"][0]["Id"].as_str().unwrap().to_string(),
                ]),
                "aws.config" => want.extend([
                    format!(
                        "rule {}: NON_COMPLIANT",
                        event["detail"]["configRuleName"].as_str().unwrap()
                    ),
                    "Resource: AWS::S3::Bucket shared-bucket".into(),
                ]),
                other => panic!("{other} reached {id}"),
            }
            for w in &want {
                assert!(
                    text.contains(w.as_str()),
                    "{id} on {name}: {w:?} missing from\n{text}"
                );
            }
            assert!(
                !text.contains('<') && !text.contains('{'),
                "{id} on {name}: not plain text:\n{text}"
            );
            assert!(
                text.lines().count() <= 8,
                "{id} on {name}: too long for a glance:\n{text}"
            );
            if std::env::var_os("SHOW_ALERT_TEXT").is_some() {
                eprintln!("== {id} on {name}\n{text}\n");
            }
            checked += 1;
        }
    }
    let alerting = DEFAULT_TABLE.iter().filter(|row| row.1 > 0).count();
    assert_eq!(
        checked, alerting,
        "each alerting sample event is checked once"
    );
}

/// Event types AWS Chatbot formats itself when they arrive on a topic it reads (Amazon Q
/// Developer in chat applications guide, "Monitoring AWS services": GuardDuty, Security Hub,
/// AWS Config and CloudWatch alarms are among the supported services).
const CHATBOT_FORMATS: &[(&str, &str)] = &[
    ("aws.guardduty", "GuardDuty Finding"),
    ("aws.securityhub", "Security Hub Findings - Imported"),
    ("aws.config", "Config Rules Compliance Change"),
];

#[test]
fn chat_targets_carry_the_events_untouched_in_types_chatbot_formats() {
    let template = stack(&baseline(""), "alerts");
    for (id, rule) in resources_of_type(&template, "AWS::Events::Rule") {
        let chat: Vec<&Json> = rule["Properties"]["Targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| topic_of(t) == "chat")
            .collect();
        assert_eq!(chat.len(), 1, "{id}");
        for key in ["InputTransformer", "Input", "InputPath"] {
            assert!(
                chat[0].get(key).is_none(),
                "{id}: the chat target changes the event ({key})"
            );
        }
        let pattern = &rule["Properties"]["EventPattern"];
        for source in pattern["source"].as_array().unwrap() {
            for kind in pattern["detail-type"].as_array().unwrap() {
                let pair = (source.as_str().unwrap(), kind.as_str().unwrap());
                assert!(
                    CHATBOT_FORMATS.contains(&pair),
                    "{id}: Chatbot does not format {pair:?}"
                );
            }
        }
    }
    // Chatbot reads the chat topic, and only it.
    let channel = &template["Resources"]["SlackChannel"]["Properties"];
    assert_eq!(channel["SnsTopicArns"], json!([{"Ref": "AlertsChatTopic"}]));
}

#[test]
fn alarms_notify_both_topics() {
    let template = stack(&baseline(""), "cloudtrail");
    let alarms = resources_of_type(&template, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 10);
    for (id, alarm) in alarms {
        let actions: Vec<String> = alarm["Properties"]["AlarmActions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["Fn::Sub"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(actions.len(), 2, "{id}");
        assert!(actions[0].ends_with(":acme-alerts"), "{id}: {actions:?}");
        assert!(
            actions[1].ends_with(":acme-alerts-chat"),
            "{id}: {actions:?}"
        );
    }
}

#[test]
fn the_alert_key_serves_only_this_accounts_rules_and_alarms() {
    let template = stack(&baseline(""), "alerts");
    let statements = template["Resources"]["AlertsKey"]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    let services: Vec<&Json> = statements
        .iter()
        .filter(|s| s["Principal"].get("Service").is_some())
        .collect();
    assert!(!services.is_empty());
    for s in services {
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:SourceAccount"],
            json!({"Ref": "AWS::AccountId"}),
            "{s}"
        );
    }
}

#[test]
fn the_test_notification_is_a_chatbot_custom_notification() {
    let n = cfn_baseline::test_notification::test_notification(
        "acme",
        ACCOUNT,
        "us-east-1",
        "1764624000",
    );
    let mut no_description = n.chat.clone();
    no_description["content"]
        .as_object_mut()
        .unwrap()
        .remove("description");
    let verdicts = chatbot_schema_verdicts(&[
        n.chat.clone(),
        // What the rules sent before: a bare string, which Chatbot drops.
        json!("GuardDuty Recon:EC2/PortProbeUnprotectedPort (severity 5) in 111122223333/us-east-1: probe"),
        no_description,
        json!({"version": "1.0", "source": "aws.guardduty", "content": {"description": "x"}}),
    ]);
    assert_eq!(verdicts[0], "ok", "the test notification: {}", verdicts[0]);
    for (i, v) in verdicts.iter().enumerate().skip(1) {
        assert_ne!(v, "ok", "document {i} should not pass");
    }
}

/// CloudFormation's pseudo parameters in a rendered pattern, resolved as they would be in
/// `account` and `region`.
fn resolved(pattern: &Json, account: &str, region: &str) -> Json {
    match pattern {
        Json::Object(map) if map.len() == 1 && map.contains_key("Ref") => {
            match map["Ref"].as_str() {
                Some("AWS::AccountId") => json!(account),
                Some("AWS::Region") => json!(region),
                other => panic!("unexpected Ref {other:?}"),
            }
        }
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolved(v, account, region)))
                .collect(),
        ),
        Json::Array(items) => {
            Json::Array(items.iter().map(|v| resolved(v, account, region)).collect())
        }
        other => other.clone(),
    }
}

/// A sample event as the `receiver` account's EventBridge gets it in `region`: the finding
/// is `owner`'s, from `origin` (a member's findings reach its administrator; the home
/// region's aggregator repeats the other regions').
fn as_received(event: &Json, receiver: &str, region: &str, owner: &str, origin: &str) -> Json {
    let mut e = event.clone();
    e["account"] = json!(receiver);
    e["region"] = json!(region);
    if e["source"] == "aws.guardduty" {
        e["detail"]["accountId"] = json!(owner);
        e["detail"]["region"] = json!(origin);
    } else {
        e["detail"]["findings"][0]["AwsAccountId"] = json!(owner);
        e["detail"]["findings"][0]["Region"] = json!(origin);
    }
    e
}

/// In an organization every finding alerts once, through the organization's one set of
/// alert topics: the security account's, in the home region. There Security Hub gathers the
/// findings of every account (it is their administrator) and every region (its finding
/// aggregator), GuardDuty's and Config's included; no other account or region has an
/// alerts stack. Stands in for AWS delivering each finding to the administrator's
/// aggregation region as a "Security Hub Findings - Imported" event, which the emulator's
/// EventBridge cannot produce.
#[test]
fn in_an_organization_each_finding_alerts_once() {
    const SECURITY: &str = "222222222222";
    const MEMBER: &str = "444444444444";
    const MANAGEMENT: &str = "111111111111";
    let b = load_file(&repo_root().join("examples/organization.yaml"));
    let stacks = render(&b);
    let alerts: Vec<_> = stacks
        .iter()
        .filter(|s| s.spec.stack_name == "org-alerts")
        .map(|s| {
            (
                s.spec.account.clone().unwrap_or_default(),
                s.spec.region.clone(),
            )
        })
        .collect();
    assert_eq!(alerts, [(SECURITY.to_string(), "us-east-1".to_string())]);
    let security = &stacks
        .iter()
        .find(|s| s.spec.stack_name == "org-alerts")
        .unwrap()
        .template
        .value;
    let mut events = sample_events();
    // Security Hub's Config findings are titled with the rule's name: the baseline's (this
    // baseline is `org`), and one of another tool's (Control Tower's), which does not alert,
    // as outside an organization.
    let config = events["securityhub-config-rule-failed-high"].clone();
    for (name, title) in [
        (
            "securityhub-config-rule-failed-high",
            "org-s3-bucket-public-read-prohibited",
        ),
        (
            "securityhub-config-foreign-rule-failed",
            "AWSControlTower_AWS-GR_RESTRICTED_SSH",
        ),
    ] {
        let mut e = config.clone();
        e["detail"]["findings"][0]["Title"] = json!(title);
        events.insert(name.to_string(), e);
    }
    let count = |event: &Json| {
        resources_of_type(security, "AWS::Events::Rule")
            .iter()
            .filter(|(_, rule)| {
                matches(
                    &resolved(&rule["Properties"]["EventPattern"], SECURITY, "us-east-1"),
                    event,
                )
            })
            .count()
    };
    // (event, alerts): Security Hub findings of any account and region, GuardDuty's and
    // Config's included, each once; GuardDuty's and Config's own events, which reach the
    // security account only for its own account and region, none (they come through
    // Security Hub).
    let table = [
        ("securityhub-control-failed-new-active-critical", 1),
        ("securityhub-inspector-high", 1),
        ("securityhub-guardduty-high", 1),
        // The baseline's Config rule, through Config's own rule over Security Hub.
        ("securityhub-config-rule-failed-high", 1),
        ("securityhub-config-foreign-rule-failed", 0),
        ("securityhub-control-passed", 0),
        ("securityhub-control-failed-archived", 0),
        ("guardduty-severity-8", 0),
        ("config-baseline-rule-noncompliant", 0),
    ];
    for (name, want) in table {
        let event = &events[name];
        for (owner, origin) in [
            (SECURITY, "us-east-1"),
            (MEMBER, "us-east-1"),
            (MEMBER, "eu-west-1"),
            (MANAGEMENT, "eu-west-1"),
        ] {
            if event["source"] == "aws.securityhub" || (owner == SECURITY && origin == "us-east-1")
            {
                let received = if event["source"] == "aws.config" {
                    let mut e = event.clone();
                    e["account"] = json!(SECURITY);
                    e["region"] = json!("us-east-1");
                    e
                } else {
                    as_received(event, SECURITY, "us-east-1", owner, origin)
                };
                assert_eq!(count(&received), want, "{name} of {owner} in {origin}");
            }
        }
    }
    // What email readers get from the rules over Security Hub's findings.
    let email_of = |rule: &str, event: &str| {
        let (_, r) = resources_of_type(security, "AWS::Events::Rule")
            .into_iter()
            .find(|(id, _)| id.as_str() == rule)
            .unwrap();
        let received = as_received(&events[event], SECURITY, "us-east-1", MEMBER, "eu-west-1");
        let transformer = &r["Properties"]["Targets"][0]["InputTransformer"];
        quoted_lines_as_text(&apply(transformer, &received).unwrap()).unwrap()
    };
    let text = email_of(
        "ConfigComplianceRule",
        "securityhub-config-rule-failed-high",
    );
    assert!(
        text.starts_with("AWS Config rule org-s3-bucket-public-read-prohibited: NON_COMPLIANT\nAccount: 444444444444, region: eu-west-1"),
        "{text}"
    );
    let text = email_of("GuardDutyFindingsRule", "securityhub-guardduty-high");
    assert!(
        text.starts_with("GuardDuty finding, severity HIGH: EC2 instance i-99999999 is querying a domain name that is associated with Bitcoin-related activity\nType: TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B!DNS\nAccount: 444444444444, region: eu-west-1"),
        "{text}"
    );

    // The management account's CIS alarms on the organization trail notify these topics.
    let trail = &stacks
        .iter()
        .find(|s| {
            s.spec.stack_name == "org-cloudtrail" && s.spec.account.as_deref() == Some(MANAGEMENT)
        })
        .unwrap()
        .template
        .value;
    for (_, alarm) in resources_of_type(trail, "AWS::CloudWatch::Alarm") {
        assert_eq!(
            alarm["Properties"]["AlarmActions"],
            json!([{"Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:222222222222:org-alerts"}])
        );
    }
    let policy = resources_of_type(security, "AWS::SNS::TopicPolicy");
    let statements = policy[0].1["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert!(
        statements.iter().any(|s| s["Sid"] == "AllowOrganizationTrailAlarms"
            && s["Condition"]["ArnLike"]["aws:SourceArn"]
                == json!({"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:111111111111:alarm:*"})),
        "{statements:?}"
    );
}
