//! Least privilege, read from the templates: every policy document a rendered template
//! grants (role policies, trust policies, key, bucket and topic policies, and any other
//! document with a `Statement`) and every log group, checked against four rules. What a rule
//! allows beyond its letter is listed in the tables below, each row with its reason and the
//! AWS page it rests on; docs/security.md lists the same exceptions for users.

use serde_json::Value as Json;

/// Actions that AWS documents as having no resource-level permissions, so an identity
/// policy can grant them only on `"*"` (the Service Authorization Reference's "Actions"
/// table for each service: no resource type in the action's row).
pub const NO_RESOURCE_LEVEL: &[(&str, &str)] = &[(
    "ec2:DescribeSecurityGroups",
    "Service Authorization Reference, Amazon EC2: Describe* actions have no resource types",
)];

/// Trust policies for a service principal that carry no `aws:SourceAccount` or
/// `aws:SourceArn` condition: (logical id, service, why).
pub const TRUST_WITHOUT_SOURCE: &[(&str, &str, &str)] = &[
    (
        "TrailToLogsRole",
        "cloudtrail.amazonaws.com",
        "AWS CloudTrail, \"Sending events to CloudWatch Logs\": the role's trust is documented \
         without a condition and CloudTrail is not documented to send source keys when it \
         assumes it; the role may only write streams of the trail's one log group",
    ),
    (
        "MalwareProtectionRole",
        "malware-protection-plan.guardduty.amazonaws.com",
        "Amazon GuardDuty, \"Create or update IAM role policy\" (Malware Protection for S3): the \
         trust is documented without a condition; the role reaches only the listed buckets and \
         GuardDuty's managed rule",
    ),
    (
        "DefaultHostManagementRole",
        "ssm.amazonaws.com",
        "AWS Systems Manager, \"Default Host Management Configuration\": the trust is documented \
         without a condition; the role carries only AmazonSSMManagedEC2InstanceDefaultPolicy",
    ),
    (
        "ChatbotRole",
        "chatbot.amazonaws.com",
        "AWS Chatbot, \"Understanding AWS Chatbot permissions\": the channel role's trust is \
         documented without a condition; the role grants nothing",
    ),
];

/// Log groups encrypted only with CloudWatch Logs' own key: (logical id, why). None now.
pub const LOG_GROUPS_WITHOUT_KEY: &[(&str, &str)] = &[];

/// The condition keys that tie a service principal's use of a key to this account's own
/// resources.
const KEY_SCOPES: &[&str] = &[
    "kms:encryptioncontext:",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
];

/// One broken rule: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub resource: String,
    pub what: String,
}

/// What was checked, for the test to show it is not empty.
#[derive(Debug, Default)]
pub struct Checked {
    pub documents: usize,
    pub statements: usize,
    pub log_groups: usize,
}

fn list(v: Option<&Json>) -> Vec<&Json> {
    match v {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

fn strings(v: Option<&Json>) -> Vec<String> {
    list(v)
        .into_iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// The condition keys of a statement, lower case (IAM compares them so).
fn condition_keys(statement: &Json) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(Json::Object(ops)) = statement.get("Condition") {
        for block in ops.values() {
            if let Json::Object(k) = block {
                keys.extend(k.keys().map(|k| k.to_ascii_lowercase()));
            }
        }
    }
    keys
}

/// The service principals of a statement; a `Fn::Sub` service name counts as its text.
fn services(statement: &Json) -> Vec<String> {
    let service = statement.get("Principal").and_then(|p| p.get("Service"));
    list(service)
        .into_iter()
        .filter_map(|s| match s {
            Json::String(s) => Some(s.clone()),
            Json::Object(o) => o
                .get("Fn::Sub")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            _ => None,
        })
        .collect()
}

/// The log group ARNs a statement's `kms:EncryptionContext:aws:logs:arn` conditions name
/// (a `Fn::Sub` counts as its text).
fn logs_contexts(statement: &Json) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Json::Object(ops)) = statement.get("Condition") {
        for block in ops.values() {
            let Json::Object(keys) = block else { continue };
            for (k, v) in keys {
                if !k.eq_ignore_ascii_case("kms:EncryptionContext:aws:logs:arn") {
                    continue;
                }
                for value in list(Some(v)) {
                    match value {
                        Json::String(s) => out.push(s.clone()),
                        Json::Object(o) => out.extend(
                            o.get("Fn::Sub")
                                .and_then(|s| s.as_str())
                                .map(str::to_string),
                        ),
                        _ => {}
                    }
                }
            }
        }
    }
    out
}

/// Every policy document under `value`: (the property path to it, the document).
fn documents<'a>(path: &str, value: &'a Json, out: &mut Vec<(String, &'a Json)>) {
    match value {
        Json::Object(map) if map.contains_key("Statement") => out.push((path.to_string(), value)),
        Json::Object(map) => {
            for (k, v) in map {
                documents(&format!("{path}.{k}"), v, out);
            }
        }
        Json::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                documents(&format!("{path}[{i}]"), v, out);
            }
        }
        _ => {}
    }
}

/// Checks one template (the long-form JSON of a render); `name` labels its findings.
pub fn check(name: &str, template: &Json, checked: &mut Checked) -> Vec<Finding> {
    let mut findings = Vec::new();
    let empty = serde_json::Map::new();
    let resources = template["Resources"].as_object().unwrap_or(&empty);
    for (id, resource) in resources {
        let ty = resource["Type"].as_str().unwrap_or_default();
        let at = format!("{name}: {id} ({ty})");
        let mut found = Vec::new();
        documents("", &resource["Properties"], &mut found);
        for (path, doc) in found {
            checked.documents += 1;
            let trust = path.ends_with("AssumeRolePolicyDocument");
            let key_policy = ty == "AWS::KMS::Key";
            for statement in list(doc.get("Statement")) {
                checked.statements += 1;
                if statement.get("Effect").and_then(|e| e.as_str()) != Some("Allow") {
                    continue;
                }
                let conditions = condition_keys(statement);
                let sid = statement
                    .get("Sid")
                    .and_then(|s| s.as_str())
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default();
                if trust {
                    for service in services(statement) {
                        let scoped = conditions
                            .iter()
                            .any(|k| k == "aws:sourceaccount" || k == "aws:sourcearn");
                        let excused = TRUST_WITHOUT_SOURCE
                            .iter()
                            .any(|(rid, svc, _)| *rid == id && *svc == service);
                        if !scoped && !excused {
                            findings.push(Finding {
                                resource: at.clone(),
                                what: format!(
                                    "trust{sid}: {service} may assume the role without an \
                                     aws:SourceAccount or aws:SourceArn condition"
                                ),
                            });
                        }
                    }
                    continue;
                }
                if key_policy {
                    // A key policy's `"*"` is the key itself; what matters is who, and how.
                    for group in logs_contexts(statement) {
                        if group.ends_with("log-group:*") {
                            findings.push(Finding {
                                resource: at.clone(),
                                what: format!(
                                    "key statement{sid}: any log group of the account and \
                                     region may use the key ({group}), not the one it is for"
                                ),
                            });
                        }
                    }
                    for service in services(statement) {
                        if !conditions
                            .iter()
                            .any(|k| KEY_SCOPES.iter().any(|s| k.starts_with(s)))
                        {
                            findings.push(Finding {
                                resource: at.clone(),
                                what: format!(
                                    "key statement{sid}: {service} may use the key without an \
                                     encryption context, source account or source ARN condition"
                                ),
                            });
                        }
                    }
                    continue;
                }
                let everything = list(statement.get("Resource"))
                    .iter()
                    .any(|r| r.as_str() == Some("*"));
                if everything {
                    for action in strings(statement.get("Action")) {
                        if !NO_RESOURCE_LEVEL.iter().any(|(a, _)| *a == action) {
                            findings.push(Finding {
                                resource: at.clone(),
                                what: format!(
                                    "statement{sid}{path}: {action} on Resource \"*\", though \
                                     the action is not listed as lacking resource-level \
                                     permissions"
                                ),
                            });
                        }
                    }
                }
            }
        }
        if ty == "AWS::Logs::LogGroup" {
            checked.log_groups += 1;
            let keyed = resource["Properties"].get("KmsKeyId").is_some();
            if !keyed && !LOG_GROUPS_WITHOUT_KEY.iter().any(|(rid, _)| *rid == id) {
                findings.push(Finding {
                    resource: at.clone(),
                    what: "log group without a customer managed key (KmsKeyId)".into(),
                });
            }
        }
    }
    findings
}
