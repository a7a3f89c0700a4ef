//! Arbitrary text in every free-text field either renders to YAML that parses back to the
//! same value, or is rejected by validation. No user string can change a template's shape.

mod support;

use cfn_baseline::baseline::{self, Source};
use cfn_baseline::render::{render_all, Renderer};
use proptest::prelude::*;
use serde_json::{json, Value};

const NASTY: &[&str] = &[
    "\"",
    "'",
    ":",
    ": ",
    " #",
    "\n",
    "\r\n",
    "\t",
    "{{",
    "}}",
    "{{{x}}}",
    "!Ref X",
    "!!str",
    "yes",
    "no",
    "null",
    "~",
    "true",
    "0x1F",
    "1e3",
    "${AWS::Region}",
    "${!x}",
    "- ",
    "? ",
    "&a",
    "*a",
    "|",
    ">",
    "---",
    "...",
    "%",
    "@",
    "`",
    "\\",
    "\\n",
    "é",
    "✓",
    "😀",
    "\u{2028}",
    "\u{85}",
    "\u{7f}",
    "\u{feff}",
    "\u{0}",
    " ",
    "a",
    "Z",
    "0",
    "-",
    ".",
    "/",
    "=",
    "+",
    "_",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(NASTY), 0..8).prop_map(|parts| parts.concat()),
    ]
}

/// Builds a baseline with `value` in the field under test, as YAML produced by a real YAML
/// printer (so the file itself is well-formed whatever the value).
fn baseline_with(field: &str, value: &str) -> String {
    let mut doc = json!({
        "version": 1,
        "name": "acme",
        "home_region": "us-east-1",
        "alerts": {"email": ["sec@example.com"]},
        "tags": {"team": "security"},
    });
    match field {
        "tag_value" => doc["tags"]["team"] = json!(value),
        "tag_key" => doc["tags"] = json!({ value: "x" }),
        "reason" => {
            doc["securityhub"] = json!({"disabled_controls": [
                {"control": "IAM.6", "reason": value}
            ]})
        }
        "email" => doc["alerts"]["email"] = json!([value]),
        "slack_channel" => {
            doc["alerts"]["slack"] = json!({"workspace_id": "T0123", "channel_id": value})
        }
        "name" => doc["name"] = json!(value),
        _ => unreachable!(),
    }
    cfn_baseline::yaml::to_string(&doc)
}

/// Every place the value must appear in the rendered templates, as parsed back.
fn found_values(field: &str, templates: &[Value]) -> Vec<Value> {
    let mut found = Vec::new();
    for t in templates {
        let Some(resources) = t["Resources"].as_object() else {
            continue;
        };
        for resource in resources.values() {
            let props = &resource["Properties"];
            match field {
                "tag_value" | "tag_key" => {
                    if let Some(tags) = props["Tags"].as_array() {
                        for tag in tags {
                            found.push(if field == "tag_value" {
                                tag["Value"].clone()
                            } else {
                                tag["Key"].clone()
                            });
                        }
                    } else if let Some(map) = props["Tags"].as_object() {
                        for (k, v) in map {
                            found.push(if field == "tag_value" {
                                v.clone()
                            } else {
                                json!(k)
                            });
                        }
                    }
                }
                // Reasons are a setting outside the templates (checked in `check`).
                "reason" => {}
                "email" => {
                    if resource["Type"] == "AWS::SNS::Subscription" {
                        found.push(props["Endpoint"].clone());
                    }
                }
                "slack_channel" => {
                    if resource["Type"] == "AWS::Chatbot::SlackChannelConfiguration" {
                        found.push(props["SlackChannelId"].clone());
                    }
                }
                "name" => {
                    if resource["Type"] == "AWS::SNS::Topic" {
                        found.push(json!(props["TopicName"]
                            .as_str()
                            .map(|n| n.trim_end_matches("-alerts"))));
                    }
                }
                _ => unreachable!(),
            }
        }
    }
    found
}

fn check(field: &str, value: &str) -> Result<(), TestCaseError> {
    let text = baseline_with(field, value);
    let Ok((baseline, _)) = baseline::load(Source {
        name: "prop.yaml".into(),
        text,
    }) else {
        return Ok(()); // rejected by validation: allowed
    };
    let renderer = Renderer::new(None).unwrap();
    let stacks = render_all(&baseline, &renderer).map_err(|e| {
        TestCaseError::fail(format!(
            "{field}={value:?} validated but did not render: {e:#}"
        ))
    })?;
    let templates: Vec<Value> = stacks.iter().map(|s| s.template.value.clone()).collect();
    let found = if field == "reason" {
        // A disabled control's reason goes to Security Hub through the API, marked with the
        // control it belongs to; it must come back as written.
        let written = cfn_baseline::settings::ControlSettings::written_reason("IAM.6", value);
        let read = cfn_baseline::settings::ControlSettings::read_reason(&written);
        prop_assert_eq!(read, Some(("IAM.6", value)));
        cfn_baseline::settings::wanted_control_stacks(&baseline)
            .iter()
            .map(|s| s.template.value["Resources"]["IAM.6"]["Properties"]["UpdatedReason"].clone())
            .collect()
    } else {
        found_values(field, &templates)
    };
    prop_assert!(
        !found.is_empty(),
        "{field}={value:?}: the value reached no template"
    );
    for v in found {
        prop_assert_eq!(
            v,
            json!(value),
            "{}={:?} changed on the way through the template",
            field,
            value
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn tag_values(value in text()) { check("tag_value", &value)?; }

    #[test]
    fn tag_keys(value in text()) { check("tag_key", &value)?; }

    #[test]
    fn disabled_control_reasons(value in text()) { check("reason", &value)?; }

    #[test]
    fn email_addresses(value in text()) { check("email", &value)?; }

    #[test]
    fn slack_channel_ids(value in text()) { check("slack_channel", &value)?; }

    #[test]
    fn baseline_names(value in text()) { check("name", &value)?; }
}

#[test]
fn the_property_reaches_templates_for_accepted_values() {
    // Guards the properties above against vacuity: accepted nasty values do get through.
    for (field, value) in [
        (
            "reason",
            "a \"quoted\" {{x}} !Ref y: ${AWS::Region}\nsecond line \u{2028} ✓",
        ),
        ("tag_value", "a: b = c/d @e"),
        ("email", "o'brien+x@example.com"),
    ] {
        let text = baseline_with(field, value);
        let ok = baseline::load(Source {
            name: "p.yaml".into(),
            text,
        })
        .is_ok();
        if field == "email" {
            assert!(!ok, "an apostrophe in an email address is rejected");
            continue;
        }
        assert!(ok, "{field} {value:?} should validate");
        check(field, value).unwrap();
    }
}
