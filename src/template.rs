//! A CloudFormation template as a value: YAML (with short-form tags) or JSON, parsed to one
//! canonical long form, plus the checks every rendered template must pass before it is
//! written or sent.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::yaml;

/// CloudFormation's limit for a template body passed inline.
pub const MAX_INLINE_BODY_BYTES: usize = 51_200;

/// EventBridge's default quota on the size of a rule's event pattern, in characters
/// ("Event pattern size", adjustable to 4,096 by a quota request, which the baseline cannot
/// assume).
pub const MAX_EVENT_PATTERN_CHARS: usize = 2_048;

#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// The template in canonical long form (`{"Ref": ...}`, `{"Fn::GetAtt": [r, a]}`).
    pub value: Json,
}

impl Template {
    /// A template value to share (between the stacks of a render, or the sides of a diff).
    pub fn shared(value: Json) -> std::sync::Arc<Template> {
        std::sync::Arc::new(Template { value })
    }

    /// Parses a template written in YAML or JSON.
    pub fn parse(text: &str) -> Result<Template, String> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('{') {
            if let Ok(mut value) = serde_json::from_str::<Json>(text) {
                canonicalize(&mut value);
                return Ok(Template { value });
            }
        }
        let value = yaml::parse(text).map_err(|e| match e.pos {
            Some(pos) => format!("{pos}: {}", e.message),
            None => e.message,
        })?;
        let mut value = yaml::to_canonical_json(&value)?;
        canonicalize(&mut value);
        Ok(Template { value })
    }

    pub fn resources(&self) -> Option<&serde_json::Map<String, Json>> {
        self.value.get("Resources")?.as_object()
    }
}

/// The one long form for what CloudFormation accepts in two: `{"Fn::GetAtt": "A.B"}`
/// becomes `{"Fn::GetAtt": ["A", "B"]}`.
fn canonicalize(value: &mut Json) {
    match value {
        Json::Object(map) => {
            if map.len() == 1 {
                if let Some(Json::String(s)) = map.get("Fn::GetAtt") {
                    if let Some((resource, attribute)) = s.split_once('.') {
                        let list = Json::Array(vec![resource.into(), attribute.into()]);
                        map.insert("Fn::GetAtt".to_string(), list);
                        return;
                    }
                }
            }
            map.values_mut().for_each(canonicalize);
        }
        Json::Array(items) => items.iter_mut().for_each(canonicalize),
        _ => {}
    }
}

const PSEUDO_PARAMETERS: [&str; 8] = [
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

impl Template {
    /// What makes the body large, as a sentence to append to the size error: the resource
    /// type whose resources take the most room, how many, their share, and what to change in
    /// the baseline.
    fn largest_part(&self) -> Option<String> {
        let resources = self.resources()?;
        let mut total = 0;
        let mut by_type: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for r in resources.values() {
            let ty = r.get("Type").and_then(Json::as_str).unwrap_or("?");
            let size = r.to_string().len();
            total += size;
            let e = by_type.entry(ty).or_default();
            e.0 += 1;
            e.1 += size;
        }
        let total = total.max(1);
        let (ty, (count, bytes)) = by_type.into_iter().max_by_key(|(_, (_, b))| *b)?;
        let what = match ty {
            "AWS::SNS::Subscription" => {
                "subscribe a shared address (a mailing list or group) instead of each person in alerts.email"
            }
            "AWS::Events::Rule" => "fewer alert rules: fewer suppressions or severities in alerts",
            "AWS::Logs::MetricFilter" | "AWS::CloudWatch::Alarm" => {
                "fewer CIS alarms (cloudtrail.cis_alarms)"
            }
            "AWS::Config::ConfigRule" => "fewer AWS Config rules (config.rules)",
            _ => "fewer of the entries the baseline lists for this component",
        };
        Some(format!(
            "; most of it is {count} {ty} resource(s) (about {}%)\n  hint: {what}",
            bytes * 100 / total
        ))
    }
}

/// Structural and service checks. Returns one line per problem; empty means the template
/// may be written and deployed.
pub fn check(template: &Template, body_len: usize) -> Vec<String> {
    let mut problems = Vec::new();
    if body_len > MAX_INLINE_BODY_BYTES {
        problems.push(format!(
            "the body is {body_len} bytes; CloudFormation accepts at most {MAX_INLINE_BODY_BYTES} inline{}",
            template.largest_part().unwrap_or_default()
        ));
    }
    let Some(root) = template.value.as_object() else {
        problems.push("the template is not a mapping".to_string());
        return problems;
    };
    let Some(resources) = template.resources() else {
        problems.push("the template has no Resources mapping".to_string());
        return problems;
    };
    if resources.is_empty() {
        problems.push("Resources is empty".to_string());
    }
    let mut names: BTreeSet<&str> = resources.keys().map(String::as_str).collect();
    if let Some(params) = root.get("Parameters").and_then(Json::as_object) {
        names.extend(params.keys().map(String::as_str));
    }
    for (id, resource) in resources {
        if id.is_empty() || id.len() > 255 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            problems.push(format!(
                "logical id {id:?} must be 1-255 letters and digits"
            ));
        }
        let Some(ty) = resource.get("Type").and_then(Json::as_str) else {
            problems.push(format!("{id}: no Type"));
            continue;
        };
        if !ty.contains("::") {
            problems.push(format!("{id}: Type {ty:?} is not a resource type"));
        }
        match resource.get("DependsOn") {
            None => {}
            Some(Json::String(dep)) => check_target(id, "DependsOn", dep, resources, &mut problems),
            Some(Json::Array(deps)) => {
                for dep in deps {
                    match dep.as_str() {
                        Some(dep) => check_target(id, "DependsOn", dep, resources, &mut problems),
                        None => problems.push(format!("{id}: DependsOn entries must be strings")),
                    }
                }
            }
            Some(_) => problems.push(format!("{id}: DependsOn must be a string or list")),
        }
        check_references(id, resource, &names, resources, &mut problems);
        let props = resource.get("Properties").unwrap_or(&Json::Null);
        check_service_rules(id, ty, props, &mut problems);
    }
    if let Some(outputs) = root.get("Outputs") {
        check_references("Outputs", outputs, &names, resources, &mut problems);
    }
    problems
}

fn check_target(
    id: &str,
    what: &str,
    target: &str,
    resources: &serde_json::Map<String, Json>,
    problems: &mut Vec<String>,
) {
    if !resources.contains_key(target) {
        problems.push(format!(
            "{id}: {what} names {target:?}, which is not a resource"
        ));
    }
}

/// Every `Ref`, `Fn::GetAtt` and `Fn::Sub` variable names something that exists.
fn check_references(
    id: &str,
    value: &Json,
    names: &BTreeSet<&str>,
    resources: &serde_json::Map<String, Json>,
    problems: &mut Vec<String>,
) {
    match value {
        Json::Object(map) => {
            if map.len() == 1 {
                if let Some(Json::String(target)) = map.get("Ref") {
                    if !names.contains(target.as_str())
                        && !PSEUDO_PARAMETERS.contains(&target.as_str())
                    {
                        problems.push(format!("{id}: Ref to unknown {target:?}"));
                    }
                }
                if let Some(Json::Array(parts)) = map.get("Fn::GetAtt") {
                    match parts.first().and_then(Json::as_str) {
                        Some(target) => check_target(id, "Fn::GetAtt", target, resources, problems),
                        None => problems.push(format!("{id}: malformed Fn::GetAtt")),
                    }
                }
                if let Some(sub) = map.get("Fn::Sub") {
                    let (text, vars) = match sub {
                        Json::String(s) => (Some(s.as_str()), None),
                        Json::Array(items) => (
                            items.first().and_then(Json::as_str),
                            items.get(1).and_then(Json::as_object),
                        ),
                        _ => (None, None),
                    };
                    if let Some(text) = text {
                        for var in sub_variables(text) {
                            let head = var.split('.').next().unwrap_or(&var);
                            let known = names.contains(head)
                                || PSEUDO_PARAMETERS.contains(&var.as_str())
                                || vars.is_some_and(|v| v.contains_key(&var));
                            if !known {
                                problems.push(format!(
                                    "{id}: Fn::Sub variable ${{{var}}} is not defined"
                                ));
                            }
                        }
                    }
                }
            }
            for v in map.values() {
                check_references(id, v, names, resources, problems);
            }
        }
        Json::Array(items) => {
            for v in items {
                check_references(id, v, names, resources, problems);
            }
        }
        _ => {}
    }
}

/// The `${...}` variables of a `Fn::Sub` string; `${!...}` is literal text.
fn sub_variables(text: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = &after[..end];
        if !var.starts_with('!') {
            vars.push(var.trim().to_string());
        }
        rest = &after[end + 1..];
    }
    vars
}

fn get<'a>(value: &'a Json, path: &[&str]) -> Option<&'a Json> {
    path.iter().try_fold(value, |v, k| v.get(*k))
}

/// Service rules cfn-lint does not catch (reference, section 9.2 "Gaps").
fn check_service_rules(id: &str, ty: &str, props: &Json, problems: &mut Vec<String>) {
    let str_in = |path: &[&str], allowed: &[&str], what: &str, problems: &mut Vec<String>| {
        if let Some(v) = get(props, path).and_then(Json::as_str) {
            if !allowed.contains(&v) {
                problems.push(format!(
                    "{id}: {what} {v:?} is not one of {}",
                    allowed.join(", ")
                ));
            }
        }
    };
    match ty {
        "AWS::CloudTrail::Trail" => {
            let basic = props.get("EventSelectors").is_some();
            let advanced = props.get("AdvancedEventSelectors").and_then(Json::as_array);
            if basic && advanced.is_some() {
                problems.push(format!(
                    "{id}: EventSelectors and AdvancedEventSelectors cannot be used together"
                ));
            }
            if let Some(selectors) = advanced {
                let has_management = selectors.iter().any(|s| {
                    s.get("FieldSelectors")
                        .and_then(Json::as_array)
                        .is_some_and(|fields| {
                            fields.iter().any(|f| {
                                f.get("Field").and_then(Json::as_str) == Some("eventCategory")
                                    && f.get("Equals").and_then(Json::as_array).is_some_and(|v| {
                                        v.iter().any(|x| x.as_str() == Some("Management"))
                                    })
                            })
                        })
                });
                if !has_management {
                    problems.push(format!(
                        "{id}: AdvancedEventSelectors without a Management selector stop management event logging"
                    ));
                }
            }
        }
        "AWS::GuardDuty::Detector" => {
            let names: Vec<&str> = props
                .get("Features")
                .and_then(Json::as_array)
                .map(|f| f.iter().filter_map(|x| x.get("Name")?.as_str()).collect())
                .unwrap_or_default();
            if names.contains(&"EKS_RUNTIME_MONITORING") && names.contains(&"RUNTIME_MONITORING") {
                problems.push(format!(
                    "{id}: EKS_RUNTIME_MONITORING and RUNTIME_MONITORING cannot both be listed"
                ));
            }
            if props.get("DataSources").is_some() && props.get("Features").is_some() {
                problems.push(format!(
                    "{id}: DataSources and Features cannot be used together"
                ));
            }
        }
        "AWS::Config::ConfigurationRecorder" => {
            str_in(
                &["RecordingMode", "RecordingFrequency"],
                &["CONTINUOUS", "DAILY"],
                "RecordingFrequency",
                problems,
            );
            str_in(
                &["RecordingGroup", "RecordingStrategy", "UseOnly"],
                &[
                    "ALL_SUPPORTED_RESOURCE_TYPES",
                    "INCLUSION_BY_RESOURCE_TYPES",
                    "EXCLUSION_BY_RESOURCE_TYPES",
                ],
                "UseOnly",
                problems,
            );
            if get(props, &["RecordingGroup", "AllSupported"]) == Some(&Json::Bool(true))
                && get(props, &["RecordingGroup", "ResourceTypes"]).is_some()
            {
                problems.push(format!(
                    "{id}: AllSupported and ResourceTypes cannot be used together"
                ));
            }
        }
        "AWS::Config::DeliveryChannel" => str_in(
            &["ConfigSnapshotDeliveryProperties", "DeliveryFrequency"],
            &[
                "One_Hour",
                "Three_Hours",
                "Six_Hours",
                "Twelve_Hours",
                "TwentyFour_Hours",
            ],
            "DeliveryFrequency",
            problems,
        ),
        "AWS::SNS::Topic"
            if props.get("KmsMasterKeyId").and_then(Json::as_str) == Some("alias/aws/sns") =>
        {
            problems.push(format!(
                "{id}: alias/aws/sns cannot be used by EventBridge or CloudWatch alarms; use a customer managed key"
            ));
        }
        "AWS::Events::Rule" => {
            if let Some(pattern) = props.get("EventPattern").filter(|p| p.is_object()) {
                let size = pattern.to_string().chars().count();
                if size > MAX_EVENT_PATTERN_CHARS {
                    problems.push(format!(
                        "{id}: the event pattern is {size} characters; EventBridge accepts at most \
                         {MAX_EVENT_PATTERN_CHARS} (its default quota)\n  \
                         hint: fewer entries in alerts.suppress (suppress GuardDuty finding types \
                         with a GuardDuty suppression rule instead), or fewer severities"
                    ));
                }
            }
        }
        "AWS::Logs::LogGroup" => {
            if let Some(Json::Object(key)) = props.get("KmsKeyId") {
                if key.contains_key("Ref") {
                    problems.push(format!(
                        "{id}: KmsKeyId needs a key ARN (Fn::GetAtt Key.Arn), not Ref (a key id)"
                    ));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        check(&Template::parse(text).unwrap(), text.len())
    }

    #[test]
    fn yaml_short_form_and_json_long_form_are_equal() {
        let yaml = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      KmsMasterKeyId: !GetAtt K.Arn\n      TopicName: !Sub '${AWS::StackName}-x'\n  K:\n    Type: AWS::KMS::Key\n";
        let json = r#"{"Resources": {"K": {"Type": "AWS::KMS::Key"}, "T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${AWS::StackName}-x"}, "KmsMasterKeyId": {"Fn::GetAtt": ["K", "Arn"]}}}}}"#;
        assert_eq!(
            Template::parse(yaml).unwrap(),
            Template::parse(json).unwrap()
        );
    }

    #[test]
    fn dangling_references_are_reported() {
        let p = problems(
            "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependsOn: Nope\n    Properties:\n      X: !Ref Missing\n      Y: !GetAtt Gone.Arn\n      Z: !Sub '${Absent}-${!Literal}-${AWS::Region}'\n",
        );
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn service_rules_cfn_lint_misses() {
        let p = problems(
            "Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      EventSelectors: []\n      AdvancedEventSelectors:\n        - FieldSelectors: [{Field: eventCategory, Equals: [Data]}]\n  D:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Features: [{Name: EKS_RUNTIME_MONITORING}, {Name: RUNTIME_MONITORING}]\n  C:\n    Type: AWS::Config::DeliveryChannel\n    Properties:\n      ConfigSnapshotDeliveryProperties: {DeliveryFrequency: Daily}\n",
        );
        assert_eq!(p.len(), 4, "{p:?}");
    }

    #[test]
    fn oversized_bodies_are_reported() {
        let text = format!(
            "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Metadata: {{x: \"{}\"}}\n",
            "a".repeat(MAX_INLINE_BODY_BYTES)
        );
        assert_eq!(problems(&text).len(), 1);
    }

    #[test]
    fn an_oversized_body_names_what_makes_it_large_and_what_to_change() {
        let mut text = String::from("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n");
        for i in 0..400 {
            text.push_str(&format!(
                "  Email{i}:\n    Type: AWS::SNS::Subscription\n    Properties:\n      \
                 Protocol: email\n      Endpoint: person{i}@example.com\n      TopicArn: \
                 {{Ref: Topic}}\n      Region: us-east-1\n      DeliveryPolicy: {{a: b}}\n"
            ));
        }
        assert!(text.len() > MAX_INLINE_BODY_BYTES);
        let p = problems(&text);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].contains("most of it is 400 AWS::SNS::Subscription resource(s) (about 99%)")
                && p[0].contains("hint: subscribe a shared address"),
            "{p:?}"
        );
    }
}
