//! What already exists in an account and region, and what to do with it before a stack is
//! deployed: adopt it (an IMPORT change set for importable types; the Config recorder taken
//! over by its name), skip it, or stop. Pure: it works on what discovery found and on the
//! rendered template, and never reaches AWS or prints.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value as Json};

use crate::aws::{
    Found, ImportTarget, Lookup, StackState, DETECTIVE_GRAPH, MACIE_SESSION, SECURITY_HUB_STANDARD,
};
use crate::baseline::Existing;
use crate::diff::{self, Change, StackInput};
use crate::plan::Component;
use crate::template::Template;

/// Control Tower's recorder and delivery channel: never touched.
pub const CONTROL_TOWER_RECORDER: &str = "aws-controltower-BaselineConfigRecorder";

/// Named resource types looked up by name, with the property that names them and the one an
/// import identifies them by; whether an import can bring them under a stack.
const NAMED: [(&str, &str, &str, bool); 7] = [
    ("AWS::S3::Bucket", "BucketName", "BucketName", true),
    ("AWS::Logs::LogGroup", "LogGroupName", "LogGroupName", true),
    ("AWS::SNS::Topic", "TopicName", "TopicArn", true),
    ("AWS::CloudTrail::Trail", "TrailName", "TrailName", true),
    ("AWS::KMS::Alias", "AliasName", "AliasName", true),
    ("AWS::Events::Rule", "Name", "Arn", true),
    (
        "AWS::Chatbot::SlackChannelConfiguration",
        "ConfigurationName",
        "Arn",
        true,
    ),
];

/// Where a stack is, for resolving the names it renders with `Fn::Sub`.
#[derive(Clone, Debug)]
pub struct Place<'a> {
    pub account_id: &'a str,
    pub region: &'a str,
    pub partition: &'a str,
}

/// The named resources a rendered template creates, with their names resolved, and the
/// region's singletons it creates that discovery asks for by type (Macie's session,
/// Detective's graph).
pub fn lookups(template: &Json, place: &Place) -> Vec<(String, Lookup)> {
    let mut out = Vec::new();
    for (logical_id, resource) in resources(template) {
        let ty = resource["Type"].as_str().unwrap_or_default();
        if ty == MACIE_SESSION || ty == DETECTIVE_GRAPH || ty == SECURITY_HUB_STANDARD {
            out.push((logical_id.clone(), Lookup::singleton(ty)));
        } else if let Some((_, prop, _, _)) = NAMED.iter().find(|(t, ..)| *t == ty) {
            if let Some(name) = resolve(&resource["Properties"][prop], place) {
                out.push((
                    logical_id.clone(),
                    Lookup {
                        resource_type: ty.to_string(),
                        name,
                    },
                ));
            }
        }
    }
    out
}

/// A literal, or an `Fn::Sub` over the pseudo parameters only.
fn resolve(value: &Json, place: &Place) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Object(m) if m.len() == 1 => {
            let text = m.get("Fn::Sub")?.as_str()?;
            let out = text
                .replace("${AWS::AccountId}", place.account_id)
                .replace("${AWS::Region}", place.region)
                .replace("${AWS::Partition}", place.partition);
            (!out.contains("${")).then_some(out)
        }
        _ => None,
    }
}

fn resources(template: &Json) -> Vec<(&String, &Json)> {
    template["Resources"]
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

/// One resource of a deployed stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackResource {
    pub logical_id: String,
    pub resource_type: String,
    /// Gone with a failed first create, or retained by it and now outside the stack.
    pub deleted: bool,
}

/// The resources a deployed stack holds, read from its deployed template and its status
/// (ListStackResources is not asked: an endpoint may answer it without logical ids, as the
/// emulator does for the types it does not model). A stack whose first create failed holds
/// nothing; what it retained now exists outside it. A new stack's empty shell holds nothing.
pub fn held(state: &StackState, deployed: Option<&Template>) -> Vec<StackResource> {
    let deleted = state.status.is_failed_create() || state.status.is_deleted();
    deployed
        .map(|t| resources(&t.value))
        .unwrap_or_default()
        .into_iter()
        .map(|(id, r)| StackResource {
            logical_id: id.clone(),
            resource_type: r["Type"].as_str().unwrap_or_default().to_string(),
            deleted,
        })
        .collect()
}

/// What discovery found for one stack.
#[derive(Clone, Debug, Default)]
pub struct Facts<'a> {
    pub found: Option<&'a Found>,
    /// The stack's resources when it exists (`None`: it does not).
    pub stack: Option<&'a [StackResource]>,
    /// Whether AWSServiceRoleForConfig exists in the account.
    pub config_role_exists: bool,
    /// `config.create_service_linked_role`, when the baseline still sets it.
    pub config_role_override: Option<bool>,
    /// The stack's deployed template, when it is deployed.
    pub deployed: Option<&'a Json>,
}

impl Facts<'_> {
    /// The stack holds this resource (not deleted, not retained after a delete).
    fn owns(&self, logical_id: &str) -> bool {
        self.stack
            .is_some_and(|rs| rs.iter().any(|r| r.logical_id == logical_id && !r.deleted))
    }

    /// The stack exists with live resources (an import then keeps them as they are).
    fn live(&self) -> bool {
        self.stack.is_some_and(|rs| rs.iter().any(|r| !r.deleted))
    }
}

/// What to do for one stack, decided from the facts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Adoption {
    /// The template to deploy when it differs from the render (JSON text); `None`: as rendered.
    pub body: Option<String>,
    /// Existing resources to bring under the stack first, and the template that does it.
    pub imports: Vec<ImportTarget>,
    pub import_body: Option<String>,
    /// Settings of the adopted resources that the update then changes, with their impact.
    pub settings: Vec<Change>,
    /// What was found and what is done with it, for the plan.
    pub notes: Vec<String>,
    /// Nothing is left to deploy in this stack (everything in it was skipped).
    pub empty: bool,
    /// Why the run must stop before any change (`existing: fail`, or what cannot be adopted).
    pub refusal: Option<String>,
}

/// Decides, for one rendered stack of `component`, what to do with what exists.
pub fn decide(
    component: Component,
    template: &Json,
    policy: Existing,
    place: &Place,
    facts: &Facts,
) -> Adoption {
    let mut out = Adoption::default();
    let mut value = template.clone();
    let mut changed = false;
    let mut refusals = Vec::new();
    let found = facts.found.cloned().unwrap_or_default();
    let region = place.region;

    // The Config service-linked role is in the home region's trail stack, or its config
    // stack in an organization account without one.
    let slr = "ConfigServiceLinkedRole";
    if value["Resources"].get(slr).is_some()
        && facts.config_role_override.is_none()
        && facts.config_role_exists
        && !facts.owns(slr)
    {
        out.notes
            .push("AWSServiceRoleForConfig exists: not created".into());
        changed |= remove(&mut value, slr);
    }
    match component {
        Component::Guardduty => {
            // A detector an administrator manages is left to it even when this stack holds it
            // (an organization took the account over): the stack is then not touched.
            let ours = facts.owns("Detector");
            if let Some(d) = found
                .detector
                .as_ref()
                .filter(|d| !ours || d.administrator.is_some())
            {
                match (&d.administrator, policy) {
                    (Some(admin), _) => {
                        out.notes.push(format!(
                            "detector {} is managed by administrator account {admin}: left to it, not changed",
                            d.id
                        ));
                        changed |= remove(&mut value, "Detector");
                    }
                    (None, Existing::Adopt) => {
                        out.notes.push(format!("adopt detector {}", d.id));
                        out.imports.push(target(
                            "Detector",
                            "AWS::GuardDuty::Detector",
                            "Id",
                            &d.id,
                        ));
                        out.settings = detector_settings(d, &value);
                    }
                    (None, Existing::Skip) => {
                        out.notes.push(format!(
                            "detector {} exists: skipped (existing: skip)",
                            d.id
                        ));
                        changed |= remove(&mut value, "Detector");
                    }
                    (None, Existing::Fail) => refusals.push(format!(
                        "a GuardDuty detector ({}) already exists in {region}",
                        d.id
                    )),
                }
            }
        }
        Component::Securityhub => {
            // A standard the region does not offer would fail to be created: left out there,
            // with a note. (Known only where Security Hub answers DescribeStandards.)
            if let Some(offered) = &found.standards_offered {
                for (logical_id, arn) in standards(&value, place) {
                    if !offered.contains(&arn) && !facts.owns(&logical_id) {
                        out.notes.push(format!(
                            "standard {arn} is not offered in {region} (DescribeStandards): left out here"
                        ));
                        changed |= remove(&mut value, &logical_id);
                    }
                }
            }
            let ours = facts.owns("Hub");
            match found.hub.as_ref() {
                // The stack holds the hub: standards enabled outside it since (in the console,
                // by another tool) are adopted as the hub's would be.
                Some(h) if ours && h.administrator.is_none() => {
                    changed |= existing_standards(
                        &mut out,
                        &mut refusals,
                        &mut value,
                        h,
                        policy,
                        place,
                        facts,
                    );
                }
                Some(h) if !ours || h.administrator.is_some() => match (&h.administrator, policy) {
                    (Some(admin), _) => {
                        out.notes.push(format!(
                            "Security Hub is managed by administrator account {admin}: the hub is left to it"
                        ));
                        changed |= remove(&mut value, "Hub");
                    }
                    (None, Existing::Adopt) => {
                        out.notes.push(format!("adopt hub {}", h.arn));
                        out.imports
                            .push(target("Hub", "AWS::SecurityHub::Hub", "ARN", &h.arn));
                        changed |= existing_standards(
                            &mut out,
                            &mut refusals,
                            &mut value,
                            h,
                            policy,
                            place,
                            facts,
                        );
                    }
                    (None, Existing::Skip) => {
                        out.notes.push(
                            "the hub exists: left alone, standards deploy (existing: skip)".into(),
                        );
                        changed |= remove(&mut value, "Hub");
                        changed |= existing_standards(
                            &mut out,
                            &mut refusals,
                            &mut value,
                            h,
                            policy,
                            place,
                            facts,
                        );
                    }
                    (None, Existing::Fail) => {
                        refusals.push(format!("Security Hub is already enabled in {region}"))
                    }
                },
                _ => {}
            }
        }
        Component::Config => {
            let ours = facts.owns("ConfigRecorder");
            if let Some(ct) = found
                .recorders
                .iter()
                .find(|r| r.name == CONTROL_TOWER_RECORDER)
            {
                out.notes.push(format!(
                    "Control Tower owns the recorder here ({}): recorder and delivery channel skipped, the rules deploy",
                    ct.name
                ));
                changed |= remove(&mut value, "ConfigRecorder");
                changed |= remove(&mut value, "ConfigDeliveryChannel");
            } else if let Some(r) = found.recorders.first().filter(|_| ours) {
                // Taken over by an earlier run: it keeps the names it has (a new name would
                // replace the recorder, and a region holds one).
                changed |= set_name(&mut value, "ConfigRecorder", &r.name);
                if let Some(channel) = found.delivery_channels.first() {
                    changed |= set_name(&mut value, "ConfigDeliveryChannel", channel);
                }
            } else if let Some(r) = found.recorders.first() {
                match policy {
                    Existing::Adopt => {
                        out.notes.push(format!(
                            "take over recorder `{}` by its name (recorders cannot be imported; PutConfigurationRecorder updates it in place)",
                            r.name
                        ));
                        changed |= set_name(&mut value, "ConfigRecorder", &r.name);
                        if let Some(channel) = found.delivery_channels.first() {
                            out.notes.push(format!(
                                "take over delivery channel `{channel}` by its name"
                            ));
                            changed |= set_name(&mut value, "ConfigDeliveryChannel", channel);
                        }
                    }
                    Existing::Skip => {
                        out.notes.push(format!(
                            "recorder `{}` exists: recorder and delivery channel skipped, the rules deploy (existing: skip)",
                            r.name
                        ));
                        changed |= remove(&mut value, "ConfigRecorder");
                        changed |= remove(&mut value, "ConfigDeliveryChannel");
                    }
                    Existing::Fail => refusals.push(format!(
                        "a Config recorder (`{}`) already exists in {region}",
                        r.name
                    )),
                }
            }
        }
        Component::AccessAnalyzer => {
            // One analyzer of each type per account and region: an existing one is imported
            // under its own name (the name cannot change without replacing it), and keeps
            // that name on later runs.
            for (logical_id, kind) in [
                ("Analyzer", "ACCOUNT"),
                ("UnusedAccessAnalyzer", "ACCOUNT_UNUSED_ACCESS"),
            ] {
                if value["Resources"].get(logical_id).is_none() {
                    continue;
                }
                let Some(a) = found.analyzers.iter().find(|a| a.kind == kind) else {
                    continue;
                };
                if facts.owns(logical_id) {
                    changed |= set_property(&mut value, logical_id, "AnalyzerName", &a.name);
                    continue;
                }
                match policy {
                    Existing::Adopt => {
                        out.notes.push(format!("adopt analyzer `{}` ({kind})", a.name));
                        changed |= set_property(&mut value, logical_id, "AnalyzerName", &a.name);
                        out.imports.push(target(
                            logical_id,
                            "AWS::AccessAnalyzer::Analyzer",
                            "Arn",
                            &a.arn,
                        ));
                    }
                    Existing::Skip => {
                        out.notes.push(format!(
                            "analyzer `{}` ({kind}) exists: left alone (existing: skip)",
                            a.name
                        ));
                        changed |= remove(&mut value, logical_id);
                    }
                    Existing::Fail => refusals.push(format!(
                        "an IAM Access Analyzer analyzer of type {kind} (`{}`) already exists in {region}",
                        a.name
                    )),
                }
            }
        }
        // Nothing singular to adopt: associations are named freely.
        Component::Cloudtrail => {
            // Another organization trail (Control Tower's, say) already records this
            // account: the baseline's trail is a second copy of its management events,
            // which CloudTrail charges for.
            let ours = value["Resources"]["Trail"]["Properties"]["TrailName"]
                .as_str()
                .map(|name| format!(":trail/{name}"));
            for arn in &found.organization_trails {
                if ours.as_ref().is_some_and(|o| arn.ends_with(o.as_str())) {
                    continue;
                }
                out.notes.push(format!(
                    "organization trail {arn} already records this account's management events: this trail is a second copy, \
                     which CloudTrail charges for (turn `cloudtrail` off here to rely on that one, after checking its bucket, \
                     key and log validation)"
                ));
            }
        }
        Component::Alerts | Component::Patching | Component::Waf => {}
        Component::Macie => {
            let ours = facts.owns("Session");
            if let Some(m) = found
                .macie
                .as_ref()
                .filter(|m| !ours || m.administrator.is_some())
            {
                match (&m.administrator, policy) {
                    (Some(admin), _) => {
                        out.notes.push(format!(
                            "Macie is managed by administrator account {admin}: the session is left to it"
                        ));
                        changed |= remove(&mut value, "Session");
                    }
                    (None, Existing::Adopt) => {
                        out.notes.push(format!(
                            "adopt the Macie session ({})",
                            m.status
                                .as_deref()
                                .unwrap_or("its settings could not be read")
                        ));
                        out.imports.push(target(
                            "Session",
                            MACIE_SESSION,
                            "AwsAccountId",
                            place.account_id,
                        ));
                        out.settings = macie_settings(m, &value);
                    }
                    (None, Existing::Skip) => {
                        out.notes
                            .push("Macie is on here: left alone (existing: skip)".into());
                        changed |= remove(&mut value, "Session");
                    }
                    (None, Existing::Fail) => {
                        refusals.push(format!("Macie is already enabled in {region}"))
                    }
                }
            }
        }
        Component::Detective => {
            if let Some(arn) = found.graph.as_ref().filter(|_| !facts.owns("Graph")) {
                match policy {
                    Existing::Adopt => {
                        out.notes.push(format!("adopt behavior graph {arn}"));
                        out.imports
                            .push(target("Graph", DETECTIVE_GRAPH, "Arn", arn));
                    }
                    Existing::Skip => {
                        out.notes.push(format!(
                            "behavior graph {arn} exists: left alone (existing: skip)"
                        ));
                        changed |= remove(&mut value, "Graph");
                    }
                    Existing::Fail => refusals.push(format!(
                        "a Detective behavior graph ({arn}) already exists in {region}"
                    )),
                }
            }
        }
    }

    // Named resources the stack would create that exist outside it: leftovers of a failed
    // create or of a deleted stack, or someone else's.
    let mut import_values = Vec::new();
    for (logical_id, lookup) in lookups(&value, place) {
        let Some(id) = found.named.get(&lookup) else {
            continue;
        };
        if facts.owns(&logical_id) {
            continue;
        }
        let importable = NAMED
            .iter()
            .find(|(t, ..)| *t == lookup.resource_type)
            .is_some_and(|n| n.3);
        let what = format!("{} `{}`", lookup.resource_type, lookup.name);
        match policy {
            Existing::Fail => refusals.push(format!("{what} already exists in {region}")),
            _ if !importable => refusals.push(format!(
                "{what} already exists in {region} and cannot be adopted automatically; delete or rename it"
            )),
            Existing::Skip => refusals.push(format!(
                "{what} already exists in {region}; `existing: skip` cannot leave out a resource the rest of the stack uses (use adopt)"
            )),
            // An alias is imported pointing where it points (its key stays outside the
            // stack, untouched); the update then points it at the baseline's key.
            Existing::Adopt
                if lookup.resource_type == "AWS::KMS::Alias"
                    && !found.alias_targets.contains_key(&lookup.name) =>
            {
                refusals.push(format!(
                    "{what} already exists in {region} and points to no key that can be read; delete it or point it at a key"
                ))
            }
            Existing::Adopt => {
                if let Some(key) = found.alias_targets.get(&lookup.name) {
                    out.notes.push(format!(
                        "adopt {what}; it points to key {key}, which is left as it is, and the update points it at the baseline's key"
                    ));
                    import_values.push((logical_id.clone(), "TargetKeyId", json!(key)));
                } else {
                    out.notes.push(format!("adopt {what}"));
                }
                let key = NAMED
                    .iter()
                    .find(|(t, ..)| *t == lookup.resource_type)
                    .map(|n| n.2)
                    .unwrap_or_default();
                out.imports.push(target(&logical_id, &lookup.resource_type, key, id));
            }
        }
    }

    if !refusals.is_empty() {
        out.refusal = Some(refusals.join("; "));
        return out;
    }
    out.imports.sort();
    if !out.imports.is_empty() {
        // Into a deployed stack, the import keeps what the stack holds as it is deployed.
        let base = facts.deployed.filter(|_| facts.live());
        out.import_body = Some(import_template(
            &value,
            &out.imports,
            place,
            base,
            &import_values,
        ));
    }
    out.empty = resources(&value).is_empty();
    if changed {
        out.body = Some(serde_json::to_string_pretty(&value).expect("JSON"));
    }
    out
}

fn target(logical_id: &str, resource_type: &str, key: &str, id: &str) -> ImportTarget {
    ImportTarget {
        logical_id: logical_id.to_string(),
        resource_type: resource_type.to_string(),
        identifier_key: key.to_string(),
        identifier: id.to_string(),
    }
}

/// The standards the template enables that are enabled already outside the stack: imported
/// (adopt), left out of the template (skip) or refused (fail). Whether the template changed.
fn existing_standards(
    out: &mut Adoption,
    refusals: &mut Vec<String>,
    value: &mut Json,
    hub: &crate::aws::FoundHub,
    policy: Existing,
    place: &Place,
    facts: &Facts,
) -> bool {
    let wanted: Vec<(String, String)> = standards(value, place)
        .into_iter()
        .filter(|(logical_id, _)| !facts.owns(logical_id))
        .collect();
    if wanted.is_empty() {
        return false;
    }
    let Some(enabled) = &hub.standards else {
        out.notes.push(
            "the enabled standards could not be read (GetEnabledStandards); one already enabled would fail to be created".into(),
        );
        return false;
    };
    let mut changed = false;
    for (logical_id, arn) in wanted {
        let Some((_, subscription)) = enabled.iter().find(|(a, _)| *a == arn) else {
            continue;
        };
        match policy {
            Existing::Adopt => {
                out.notes.push(format!("adopt standard {arn}"));
                out.imports.push(target(
                    &logical_id,
                    "AWS::SecurityHub::Standard",
                    "StandardsSubscriptionArn",
                    subscription,
                ));
            }
            Existing::Skip => {
                out.notes.push(format!(
                    "standard {arn} is enabled already: left alone (existing: skip)"
                ));
                changed |= remove(value, &logical_id);
            }
            Existing::Fail => refusals.push(format!(
                "standard {arn} is already enabled in {}",
                place.region
            )),
        }
    }
    changed
}

/// Removes a resource and every `DependsOn` on it. `true` when it was there.
fn remove(template: &mut Json, logical_id: &str) -> bool {
    let Some(resources) = template["Resources"].as_object_mut() else {
        return false;
    };
    if resources.remove(logical_id).is_none() {
        return false;
    }
    for resource in resources.values_mut() {
        let Some(r) = resource.as_object_mut() else {
            continue;
        };
        let keep = match r.get("DependsOn") {
            Some(Json::String(s)) if s == logical_id => Some(None),
            Some(Json::Array(list)) => Some(Some(
                list.iter()
                    .filter(|d| d.as_str() != Some(logical_id))
                    .cloned()
                    .collect::<Vec<_>>(),
            )),
            _ => None,
        };
        match keep {
            Some(None) => {
                r.remove("DependsOn");
            }
            Some(Some(list)) if list.is_empty() => {
                r.remove("DependsOn");
            }
            Some(Some(list)) => {
                r.insert("DependsOn".into(), Json::Array(list));
            }
            None => {}
        }
    }
    true
}

/// Sets a resource's `Name` property. `true` when that changed it.
fn set_name(template: &mut Json, logical_id: &str, name: &str) -> bool {
    set_property(template, logical_id, "Name", name)
}

/// Sets a resource's string property; whether that changed it.
fn set_property(template: &mut Json, logical_id: &str, key: &str, value: &str) -> bool {
    let Some(props) = template["Resources"][logical_id]["Properties"].as_object_mut() else {
        return false;
    };
    if props.get(key).and_then(Json::as_str) == Some(value) {
        return false;
    }
    props.insert(key.into(), json!(value));
    true
}

/// The Security Hub standards the template enables: logical id and ARN.
fn standards(template: &Json, place: &Place) -> Vec<(String, String)> {
    resources(template)
        .into_iter()
        .filter(|(_, r)| r["Type"] == "AWS::SecurityHub::Standard")
        .filter_map(|(id, r)| {
            resolve(&r["Properties"]["StandardsArn"], place).map(|arn| (id.clone(), arn))
        })
        .collect()
}

/// The template of an IMPORT change set. An import may not create or change anything else, so
/// for a new stack it holds only the resources to import, and for a deployed stack (`base`)
/// its deployed template as it is plus the resources to import. Each imported resource has
/// its deletion policy and only the properties that do not refer to resources outside the
/// stack and the import, except a `Ref` to a named resource, which becomes its name (a
/// trail's bucket). The update that follows sets the rest.
pub fn import_template(
    template: &Json,
    imports: &[ImportTarget],
    place: &Place,
    base: Option<&Json>,
    values: &[(String, &str, Json)],
) -> String {
    let held: BTreeSet<String> = base
        .map(|b| resources(b).into_iter().map(|(k, _)| k.clone()).collect())
        .unwrap_or_default();
    let ids: BTreeSet<&str> = imports.iter().map(|i| i.logical_id.as_str()).collect();
    let there = |id: &str| ids.contains(id) || held.contains(id);
    // Named resources outside the stack and the import: a Ref to one is its name.
    let names: BTreeMap<String, String> = lookups(template, place)
        .into_iter()
        .filter(|(id, _)| !there(id))
        .filter(|(_, l)| {
            l.resource_type == "AWS::S3::Bucket" || l.resource_type == "AWS::Logs::LogGroup"
        })
        .map(|(id, l)| (id, l.name))
        .collect();
    let all: BTreeSet<String> = resources(template)
        .into_iter()
        .map(|(k, _)| k.clone())
        .collect();
    let outside: BTreeSet<&str> = all
        .iter()
        .map(String::as_str)
        .filter(|id| !there(id))
        .collect();
    let mut out = serde_json::Map::new();
    for (id, resource) in resources(template) {
        if !ids.contains(id.as_str()) {
            continue;
        }
        let mut r = serde_json::Map::new();
        r.insert("Type".into(), resource["Type"].clone());
        r.insert(
            "DeletionPolicy".into(),
            resource
                .get("DeletionPolicy")
                .cloned()
                .unwrap_or_else(|| json!("Retain")),
        );
        if let Some(props) = resource["Properties"].as_object() {
            let mut kept: serde_json::Map<String, Json> = props
                .iter()
                .map(|(k, v)| (k.clone(), named_refs(v, &names)))
                .filter(|(_, v)| !refers_to(v, &outside))
                .collect();
            // Values as they are, for properties the import must have (an alias's key).
            for (_, key, value) in values.iter().filter(|(lid, ..)| lid == id) {
                kept.insert(key.to_string(), value.clone());
            }
            r.insert("Properties".into(), Json::Object(kept));
        }
        out.insert(id.clone(), Json::Object(r));
    }
    let doc = match base.and_then(Json::as_object) {
        Some(deployed) => {
            let mut doc = deployed.clone();
            let held = doc
                .entry("Resources")
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("a template's Resources is a map");
            held.extend(out);
            doc
        }
        None => {
            let mut doc = serde_json::Map::new();
            if let Some(v) = template.get("AWSTemplateFormatVersion") {
                doc.insert("AWSTemplateFormatVersion".into(), v.clone());
            }
            doc.insert(
                "Description".into(),
                json!("cfn-baseline: bring existing resources under this stack"),
            );
            doc.insert("Resources".into(), Json::Object(out));
            doc
        }
    };
    serde_json::to_string_pretty(&Json::Object(doc)).expect("JSON")
}

/// A `Ref` to a named resource in `names` replaced by that name (for a bucket or a log
/// group, its `Ref` is its name).
fn named_refs(value: &Json, names: &BTreeMap<String, String>) -> Json {
    match value {
        Json::Object(m) if m.len() == 1 => match m.get("Ref").and_then(Json::as_str) {
            Some(id) if names.contains_key(id) => json!(names[id]),
            _ => Json::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), named_refs(v, names)))
                    .collect(),
            ),
        },
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), named_refs(v, names)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.iter().map(|v| named_refs(v, names)).collect()),
        other => other.clone(),
    }
}

/// Whether a value refers (Ref, GetAtt, or `${Id}` in a Sub) to one of `ids`.
fn refers_to(value: &Json, ids: &BTreeSet<&str>) -> bool {
    match value {
        Json::Object(m) => {
            if let Some(Json::String(r)) = m.get("Ref") {
                if ids.contains(r.as_str()) {
                    return true;
                }
            }
            if let Some(att) = m.get("Fn::GetAtt") {
                let target = match att {
                    Json::Array(a) => a.first().and_then(Json::as_str),
                    Json::String(s) => s.split('.').next(),
                    _ => None,
                };
                if target.is_some_and(|t| ids.contains(t)) {
                    return true;
                }
            }
            if let Some(sub) = m.get("Fn::Sub") {
                let text = match sub {
                    Json::String(s) => Some(s.as_str()),
                    Json::Array(a) => a.first().and_then(Json::as_str),
                    _ => None,
                };
                if text.is_some_and(|t| {
                    ids.iter().any(|id| {
                        t.contains(&format!("${{{id}}}")) || t.contains(&format!("${{{id}."))
                    })
                }) {
                    return true;
                }
            }
            m.values().any(|v| refers_to(v, ids))
        }
        Json::Array(a) => a.iter().any(|v| refers_to(v, ids)),
        _ => false,
    }
}

/// The existing Macie session's settings against the render's, classified by the diff rules
/// (a paused Macie the baseline turns on is strengthening).
fn macie_settings(m: &crate::aws::FoundMacie, template: &Json) -> Vec<Change> {
    let Some(rendered) = template["Resources"].get("Session") else {
        return Vec::new();
    };
    // Only what was read is compared.
    let mut live = json!({});
    let mut wanted = json!({});
    for (key, value) in [
        ("Status", &m.status),
        ("FindingPublishingFrequency", &m.finding_frequency),
    ] {
        if let (Some(v), Some(w)) = (value, rendered["Properties"].get(key)) {
            live[key] = json!(v);
            wanted[key] = w.clone();
        }
    }
    compare_one("Session", MACIE_SESSION, live, wanted)
}

/// One resource's properties, as they are and as the baseline wants them, through the diff
/// rules.
fn compare_one(logical_id: &str, resource_type: &str, live: Json, wanted: Json) -> Vec<Change> {
    let side = |props: Json| StackInput {
        account: "live".into(),
        region: String::new(),
        stack_name: "existing".into(),
        template: Template::shared(
            json!({"Resources": {logical_id: {"Type": resource_type, "Properties": props}}}),
        ),
        tags: None,
    };
    diff::compare(&[side(live)], &[side(wanted)], "existing", "baseline")
        .stacks
        .into_iter()
        .flat_map(|s| s.changes)
        .collect()
}

/// The existing detector's settings against the render's, classified by the diff rules
/// (a protection plan that is off and the baseline turns on is strengthening).
fn detector_settings(d: &crate::aws::FoundDetector, template: &Json) -> Vec<Change> {
    let Some(rendered) = template["Resources"].get("Detector") else {
        return Vec::new();
    };
    let features: Vec<Json> = d
        .features
        .iter()
        .map(|(name, status, additional)| {
            let mut f = json!({"Name": name, "Status": status});
            if !additional.is_empty() {
                f["AdditionalConfiguration"] = Json::Array(
                    additional
                        .iter()
                        .map(|(n, s)| json!({"Name": n, "Status": s}))
                        .collect(),
                );
            }
            f
        })
        .collect();
    let mut live_props = json!({"Enable": true, "Features": features});
    if let Some(f) = &d.finding_frequency {
        live_props["FindingPublishingFrequency"] = json!(f);
    }
    // The properties only: what the detector reports.
    let mut wanted = json!({"Type": rendered["Type"], "Properties": rendered["Properties"]});
    if let Some(props) = wanted["Properties"].as_object_mut() {
        props.remove("Tags");
        // Only the plans the detector reports are compared (an endpoint may know fewer).
        if let Some(Json::Array(list)) = props.get_mut("Features") {
            let known: BTreeSet<&str> = d.features.iter().map(|(n, ..)| n.as_str()).collect();
            if !known.is_empty() {
                list.retain(|f| f["Name"].as_str().is_some_and(|n| known.contains(n)));
            }
        }
    }
    compare_one(
        "Detector",
        "AWS::GuardDuty::Detector",
        live_props,
        wanted["Properties"].take(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{FoundDetector, FoundHub, FoundRecorder};

    /// A stack that holds `logical_id` (of `resource_type`).
    fn holding(logical_id: &str, resource_type: &str) -> [StackResource; 1] {
        [StackResource {
            logical_id: logical_id.into(),
            resource_type: resource_type.into(),
            deleted: false,
        }]
    }

    /// Facts of what discovery found, for a stack that does not exist.
    fn only(found: &Found) -> Facts<'_> {
        Facts {
            found: Some(found),
            ..Facts::default()
        }
    }

    const PLACE: Place = Place {
        account_id: "111111111111",
        region: "eu-west-1",
        partition: "aws",
    };

    fn detector_template() -> Json {
        json!({"Resources": {"Detector": {"Type": "AWS::GuardDuty::Detector", "Properties": {
            "Enable": true, "FindingPublishingFrequency": "FIFTEEN_MINUTES",
            "Features": [{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
                         {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"}]}}}})
    }

    fn found_detector(admin: Option<&str>) -> Found {
        Found {
            detector: Some(FoundDetector {
                id: "d-123".into(),
                finding_frequency: Some("SIX_HOURS".into()),
                features: vec![
                    ("S3_DATA_EVENTS".into(), "DISABLED".into(), vec![]),
                    ("EKS_AUDIT_LOGS".into(), "ENABLED".into(), vec![]),
                ],
                administrator: admin.map(str::to_string),
            }),
            ..Found::default()
        }
    }

    #[test]
    fn an_existing_detector_is_imported_and_its_missing_protection_shows_as_strengthened() {
        let found = found_detector(None);
        let facts = only(&found);
        let a = decide(
            Component::Guardduty,
            &detector_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(a.refusal, None);
        assert_eq!(
            a.imports,
            vec![target(
                "Detector",
                "AWS::GuardDuty::Detector",
                "Id",
                "d-123"
            )]
        );
        let import: Json = serde_json::from_str(a.import_body.as_deref().unwrap()).unwrap();
        assert_eq!(import["Resources"]["Detector"]["DeletionPolicy"], "Retain");
        assert!(a.body.is_none(), "deployed as rendered");
        let s3 = a
            .settings
            .iter()
            .find(|c| c.path.contains("S3_DATA_EVENTS"))
            .unwrap_or_else(|| panic!("{:#?}", a.settings));
        assert_eq!(s3.impact, crate::diff::Impact::Strengthening, "{s3:?}");
        assert!(a
            .settings
            .iter()
            .all(|c| !c.path.contains("EKS_AUDIT_LOGS")));
    }

    #[test]
    fn a_member_detector_is_left_to_its_administrator_and_skip_and_fail_do_what_they_say() {
        let found = found_detector(Some("999999999999"));
        let facts = only(&found);
        let a = decide(
            Component::Guardduty,
            &detector_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert!(a.imports.is_empty() && a.empty, "{a:?}");
        assert!(a.notes[0].contains("managed by administrator account 999999999999"));

        let found = found_detector(None);
        let facts = only(&found);
        let skip = decide(
            Component::Guardduty,
            &detector_template(),
            Existing::Skip,
            &PLACE,
            &facts,
        );
        assert!(skip.imports.is_empty() && skip.empty && skip.refusal.is_none());
        let fail = decide(
            Component::Guardduty,
            &detector_template(),
            Existing::Fail,
            &PLACE,
            &facts,
        );
        assert_eq!(
            fail.refusal.as_deref(),
            Some("a GuardDuty detector (d-123) already exists in eu-west-1")
        );
    }

    #[test]
    fn a_detector_the_stack_holds_that_an_administrator_took_over_is_not_touched() {
        let found = found_detector(Some("999999999999"));
        let owned = holding("Detector", "AWS::GuardDuty::Detector");
        let facts = Facts {
            found: Some(&found),
            stack: Some(&owned),
            ..Facts::default()
        };
        let a = decide(
            Component::Guardduty,
            &detector_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert!(a.empty && a.imports.is_empty(), "{a:?}");
    }

    #[test]
    fn a_detector_the_stack_owns_is_left_as_it_is() {
        let found = found_detector(None);
        let owned = holding("Detector", "AWS::GuardDuty::Detector");
        let facts = Facts {
            found: Some(&found),
            stack: Some(&owned),
            ..Facts::default()
        };
        assert_eq!(
            decide(
                Component::Guardduty,
                &detector_template(),
                Existing::Fail,
                &PLACE,
                &facts
            ),
            Adoption::default()
        );
    }

    fn config_template() -> Json {
        json!({"Resources": {
            "ConfigRecorder": {"Type": "AWS::Config::ConfigurationRecorder", "Properties": {"Name": "default"}},
            "ConfigDeliveryChannel": {"Type": "AWS::Config::DeliveryChannel", "DependsOn": "ConfigRecorder", "Properties": {"Name": "default"}},
            "RuleA": {"Type": "AWS::Config::ConfigRule", "DependsOn": "ConfigRecorder", "Properties": {}}}})
    }

    #[test]
    fn a_recorder_is_taken_over_by_name_and_control_towers_is_never_touched() {
        let found = Found {
            recorders: vec![FoundRecorder {
                name: "my-recorder".into(),
                role_arn: None,
            }],
            delivery_channels: vec!["my-channel".into()],
            ..Found::default()
        };
        let facts = only(&found);
        let a = decide(
            Component::Config,
            &config_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        let body: Json = serde_json::from_str(a.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body["Resources"]["ConfigRecorder"]["Properties"]["Name"],
            "my-recorder"
        );
        assert_eq!(
            body["Resources"]["ConfigDeliveryChannel"]["Properties"]["Name"],
            "my-channel"
        );
        assert!(a.imports.is_empty());

        // The next run, the stack holding it: the names stay, with nothing to say.
        let owned = holding("ConfigRecorder", "AWS::Config::ConfigurationRecorder");
        let facts = Facts {
            found: Some(&found),
            stack: Some(&owned),
            ..Facts::default()
        };
        let again = decide(
            Component::Config,
            &config_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(again.body, a.body);
        assert!(again.notes.is_empty(), "{:?}", again.notes);

        let ct = Found {
            recorders: vec![FoundRecorder {
                name: CONTROL_TOWER_RECORDER.into(),
                role_arn: None,
            }],
            ..Found::default()
        };
        let facts = only(&ct);
        let a = decide(
            Component::Config,
            &config_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        let body: Json = serde_json::from_str(a.body.as_deref().unwrap()).unwrap();
        let resources = body["Resources"].as_object().unwrap();
        assert_eq!(resources.keys().collect::<Vec<_>>(), vec!["RuleA"]);
        assert!(resources["RuleA"].get("DependsOn").is_none());
        assert!(a.notes[0].contains("Control Tower"));
    }

    #[test]
    fn leftover_buckets_are_imported_with_only_the_properties_an_import_can_hold() {
        let template = json!({"Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Logs": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "RetainExceptOnCreate",
                     "Properties": {"BucketName": {"Fn::Sub": "logs-${AWS::AccountId}-${AWS::Region}"}}},
            "Archive": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "RetainExceptOnCreate",
                        "Properties": {"BucketName": {"Fn::Sub": "archive-${AWS::AccountId}-${AWS::Region}"},
                                       "Encryption": {"Fn::GetAtt": ["Key", "Arn"]},
                                       "Logging": {"Ref": "Logs"}}}}});
        let lookup = Lookup {
            resource_type: "AWS::S3::Bucket".into(),
            name: "archive-111111111111-eu-west-1".into(),
        };
        let found = Found {
            named: [(lookup, "archive-111111111111-eu-west-1".to_string())].into(),
            ..Found::default()
        };
        let facts = only(&found);
        let a = decide(
            Component::Cloudtrail,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(
            a.imports,
            vec![target(
                "Archive",
                "AWS::S3::Bucket",
                "BucketName",
                "archive-111111111111-eu-west-1"
            )]
        );
        let import: Json = serde_json::from_str(a.import_body.as_deref().unwrap()).unwrap();
        assert_eq!(
            import["Resources"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            vec!["Archive"]
        );
        let props = &import["Resources"]["Archive"]["Properties"];
        // The key is outside the import and unnamed: dropped. The log bucket is named: its
        // name stands for the Ref.
        assert!(props.get("Encryption").is_none(), "{props}");
        assert_eq!(props["Logging"], "logs-111111111111-eu-west-1");
        assert_eq!(
            import["Resources"]["Archive"]["DeletionPolicy"],
            "RetainExceptOnCreate"
        );

        // Into a deployed stack that holds the key and the log bucket: the import keeps the
        // deployed template as it is (an import may change nothing else) and adds the bucket,
        // whose references to what the stack holds stay references.
        let deployed = json!({"Description": "as deployed", "Resources": {
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"Description": "old"}},
            "Logs": template["Resources"]["Logs"].clone()},
            "Outputs": {"KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}}});
        let live = [
            holding("Key", "AWS::KMS::Key")[0].clone(),
            holding("Logs", "AWS::S3::Bucket")[0].clone(),
        ];
        let facts = Facts {
            found: Some(&found),
            stack: Some(&live),
            deployed: Some(&deployed),
            ..Facts::default()
        };
        let a = decide(
            Component::Cloudtrail,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(a.refusal, None);
        assert_eq!(a.imports.len(), 1, "{:?}", a.imports);
        let import: Json = serde_json::from_str(a.import_body.as_deref().unwrap()).unwrap();
        assert_eq!(import["Description"], "as deployed");
        assert_eq!(import["Outputs"], deployed["Outputs"]);
        assert_eq!(import["Resources"]["Key"], deployed["Resources"]["Key"]);
        assert_eq!(import["Resources"]["Logs"], deployed["Resources"]["Logs"]);
        let props = &import["Resources"]["Archive"]["Properties"];
        assert_eq!(props["Encryption"], json!({"Fn::GetAtt": ["Key", "Arn"]}));
        assert_eq!(props["Logging"], json!({"Ref": "Logs"}));
    }

    #[test]
    fn an_alias_outside_the_stacks_is_imported_where_it_points_and_its_key_left_alone() {
        let template = json!({"Resources": {
            "LogsKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": true}},
            "LogsKeyAlias": {"Type": "AWS::KMS::Alias", "Properties": {
                "AliasName": "alias/baseline-logs", "TargetKeyId": {"Ref": "LogsKey"}}}}});
        let lookup = Lookup {
            resource_type: "AWS::KMS::Alias".into(),
            name: "alias/baseline-logs".into(),
        };
        let mut found = Found {
            named: [(lookup, "alias/baseline-logs".to_string())].into(),
            ..Found::default()
        };
        // Where it points cannot be read: nothing to import it with.
        let facts = only(&found);
        let a = decide(
            Component::Cloudtrail,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert!(a.refusal.unwrap().contains("points to no key"));

        found
            .alias_targets
            .insert("alias/baseline-logs".into(), "1234abcd-old".into());
        let facts = only(&found);
        let a = decide(
            Component::Cloudtrail,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(a.refusal, None);
        assert_eq!(
            a.imports,
            vec![target(
                "LogsKeyAlias",
                "AWS::KMS::Alias",
                "AliasName",
                "alias/baseline-logs"
            )]
        );
        let import: Json = serde_json::from_str(a.import_body.as_deref().unwrap()).unwrap();
        assert_eq!(
            import["Resources"]["LogsKeyAlias"]["Properties"],
            json!({"AliasName": "alias/baseline-logs", "TargetKeyId": "1234abcd-old"})
        );
        assert!(
            import["Resources"].get("LogsKey").is_none(),
            "the old key is not imported"
        );
        assert!(
            a.notes[0].contains("points to key 1234abcd-old"),
            "{:?}",
            a.notes
        );
        // The render is deployed as it is: the update points the alias at the new key.
        assert!(a.body.is_none());
    }

    fn macie_template() -> Json {
        json!({"Resources": {"Session": {"Type": "AWS::Macie::Session", "Properties": {
            "Status": "ENABLED", "FindingPublishingFrequency": "FIFTEEN_MINUTES",
            "AutomatedDiscoveryStatus": "DISABLED"}}}})
    }

    #[test]
    fn a_macie_that_is_on_is_imported_by_account_left_to_its_administrator_or_refused() {
        let on = |administrator: Option<&str>| Found {
            macie: Some(crate::aws::FoundMacie {
                status: Some("PAUSED".into()),
                finding_frequency: Some("SIX_HOURS".into()),
                administrator: administrator.map(str::to_string),
            }),
            ..Found::default()
        };
        let found = on(None);
        let facts = only(&found);
        let with = |policy| decide(Component::Macie, &macie_template(), policy, &PLACE, &facts);
        let adopt = with(Existing::Adopt);
        assert_eq!(
            adopt.imports,
            vec![target(
                "Session",
                MACIE_SESSION,
                "AwsAccountId",
                "111111111111"
            )]
        );
        assert_eq!(
            adopt.notes,
            vec!["adopt the Macie session (PAUSED)".to_string()]
        );
        // Paused, then on again: strengthening, by the diff rules.
        let status = adopt
            .settings
            .iter()
            .find(|c| c.path.contains("Status"))
            .unwrap_or_else(|| panic!("{:#?}", adopt.settings));
        assert_eq!(
            status.impact,
            crate::diff::Impact::Strengthening,
            "{status:?}"
        );
        assert!(adopt
            .settings
            .iter()
            .any(|c| c.path.contains("FindingPublishingFrequency")));
        assert!(with(Existing::Skip).empty);
        assert_eq!(
            with(Existing::Fail).refusal.as_deref(),
            Some("Macie is already enabled in eu-west-1")
        );

        let member = on(Some("999999999999"));
        let facts = only(&member);
        let a = decide(
            Component::Macie,
            &macie_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert!(a.empty && a.imports.is_empty(), "{a:?}");
        assert!(a.notes[0].contains("managed by administrator account 999999999999"));
    }

    #[test]
    fn an_existing_behavior_graph_is_imported_by_its_arn_unless_the_stack_holds_it() {
        let template = json!({"Resources": {"Graph": {"Type": "AWS::Detective::Graph",
            "Properties": {"AutoEnableMembers": false}}}});
        let arn = "arn:aws:detective:eu-west-1:111111111111:graph:0123abcd";
        let found = Found {
            graph: Some(arn.into()),
            ..Found::default()
        };
        let facts = only(&found);
        let a = decide(
            Component::Detective,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(
            a.imports,
            vec![target("Graph", DETECTIVE_GRAPH, "Arn", arn)]
        );
        let owned = holding("Graph", DETECTIVE_GRAPH);
        let facts = Facts {
            found: Some(&found),
            stack: Some(&owned),
            ..Facts::default()
        };
        assert_eq!(
            decide(
                Component::Detective,
                &template,
                Existing::Fail,
                &PLACE,
                &facts
            ),
            Adoption::default()
        );
    }

    #[test]
    fn singletons_are_asked_for_by_type_and_named_rules_by_name() {
        let template = json!({"Resources": {
            "Session": {"Type": "AWS::Macie::Session", "Properties": {}},
            "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Name": "baseline-guardduty-findings"}},
            "Slack": {"Type": "AWS::Chatbot::SlackChannelConfiguration",
                      "Properties": {"ConfigurationName": "security-alerts"}}}});
        let found = lookups(&template, &PLACE);
        assert_eq!(
            found,
            vec![
                ("Session".into(), Lookup::singleton(MACIE_SESSION)),
                (
                    "Rule".into(),
                    Lookup {
                        resource_type: "AWS::Events::Rule".into(),
                        name: "baseline-guardduty-findings".into()
                    }
                ),
                (
                    "Slack".into(),
                    Lookup {
                        resource_type: "AWS::Chatbot::SlackChannelConfiguration".into(),
                        name: "security-alerts".into()
                    }
                ),
            ]
        );
    }

    fn hub_template() -> Json {
        json!({"Resources": {
            "Hub": {"Type": "AWS::SecurityHub::Hub", "Properties": {}},
            "Fsbp": {"Type": "AWS::SecurityHub::Standard", "DependsOn": "Hub", "Properties": {
                "StandardsArn": {"Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/aws-foundational-security-best-practices/v/1.0.0"}}},
            "Cis": {"Type": "AWS::SecurityHub::Standard", "DependsOn": "Hub", "Properties": {
                "StandardsArn": {"Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/cis-aws-foundations-benchmark/v/3.0.0"}}}}})
    }

    #[test]
    fn a_standard_the_region_does_not_offer_is_left_out_there_with_a_note() {
        let fsbp =
            "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0";
        let found = Found {
            standards_offered: Some(vec![fsbp.into()]),
            ..Found::default()
        };
        let facts = only(&found);
        let a = decide(
            Component::Securityhub,
            &hub_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        let body: Json = serde_json::from_str(a.body.as_deref().unwrap()).unwrap();
        assert!(body["Resources"].get("Cis").is_none() && body["Resources"].get("Fsbp").is_some());
        assert_eq!(
            a.notes,
            vec!["standard arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0 is not offered in eu-west-1 (DescribeStandards): left out here".to_string()]
        );
        // Not known (the call refused): the render stands.
        let unknown = Found::default();
        let facts = only(&unknown);
        let a = decide(
            Component::Securityhub,
            &hub_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert!(a.body.is_none() && a.notes.is_empty(), "{a:?}");
    }

    #[test]
    fn a_standard_enabled_outside_the_stack_that_holds_the_hub_is_adopted_skipped_or_refused() {
        // The stack holds the hub and FSBP; someone enabled CIS 3.0 in the console since,
        // and the baseline now asks for it.
        let cis = "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0";
        let subscription =
            "arn:aws:securityhub:eu-west-1:111111111111:subscription/cis-aws-foundations-benchmark/v/3.0.0";
        let found = Found {
            hub: Some(FoundHub {
                arn: "arn:aws:securityhub:eu-west-1:111111111111:hub/default".into(),
                standards: Some(vec![(cis.into(), subscription.into())]),
                administrator: None,
            }),
            ..Found::default()
        };
        let template = hub_template();
        let mut deployed = template.clone();
        deployed["Resources"].as_object_mut().unwrap().remove("Cis");
        let live = [
            holding("Hub", "AWS::SecurityHub::Hub")[0].clone(),
            holding("Fsbp", "AWS::SecurityHub::Standard")[0].clone(),
        ];
        let facts = Facts {
            found: Some(&found),
            stack: Some(&live),
            deployed: Some(&deployed),
            ..Facts::default()
        };
        let decide_with =
            |policy| decide(Component::Securityhub, &template, policy, &PLACE, &facts);

        let adopt = decide_with(Existing::Adopt);
        assert_eq!(
            adopt.imports,
            vec![target(
                "Cis",
                "AWS::SecurityHub::Standard",
                "StandardsSubscriptionArn",
                subscription
            )]
        );
        assert_eq!(adopt.notes, vec![format!("adopt standard {cis}")]);
        let import: Json = serde_json::from_str(adopt.import_body.as_deref().unwrap()).unwrap();
        assert_eq!(
            import["Resources"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            vec!["Hub", "Fsbp", "Cis"]
        );

        let skip = decide_with(Existing::Skip);
        assert!(
            skip.imports.is_empty() && skip.refusal.is_none(),
            "{skip:?}"
        );
        let body: Json = serde_json::from_str(skip.body.as_deref().unwrap()).unwrap();
        assert!(body["Resources"].get("Cis").is_none());

        let fail = decide_with(Existing::Fail);
        assert_eq!(
            fail.refusal,
            Some(format!("standard {cis} is already enabled in eu-west-1"))
        );
    }

    #[test]
    fn a_trail_is_imported_naming_its_bucket_when_the_bucket_stays_outside_the_import() {
        let template = json!({"Resources": {
            "Archive": {"Type": "AWS::S3::Bucket", "Properties": {
                "BucketName": {"Fn::Sub": "archive-${AWS::AccountId}-${AWS::Region}"}}},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
                "TrailName": "acme-trail", "IsLogging": true,
                "S3BucketName": {"Ref": "Archive"}, "KMSKeyId": {"Ref": "Key"}}}}});
        let lookup = Lookup {
            resource_type: "AWS::CloudTrail::Trail".into(),
            name: "acme-trail".into(),
        };
        let found = Found {
            named: [(lookup, "acme-trail".to_string())].into(),
            ..Found::default()
        };
        let facts = only(&found);
        let a = decide(
            Component::Cloudtrail,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(a.refusal, None);
        let import: Json = serde_json::from_str(a.import_body.as_deref().unwrap()).unwrap();
        let props = &import["Resources"]["Trail"]["Properties"];
        assert_eq!(props["S3BucketName"], "archive-111111111111-eu-west-1");
        assert_eq!(props["IsLogging"], true);
        assert!(props.get("KMSKeyId").is_none());
    }

    #[test]
    fn another_organization_trail_is_named_as_a_second_charged_copy() {
        let template = json!({"Resources": {
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
                "TrailName": "acme-trail", "IsLogging": true}}}});
        let control_tower =
            "arn:aws:cloudtrail:eu-west-1:999999999999:trail/aws-controltower-BaselineCloudTrail";
        let found = Found {
            organization_trails: vec![
                control_tower.to_string(),
                // The baseline's own organization trail is not another copy.
                "arn:aws:cloudtrail:eu-west-1:111111111111:trail/acme-trail".to_string(),
            ],
            ..Found::default()
        };
        let facts = only(&found);
        let a = decide(
            Component::Cloudtrail,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(a.notes.len(), 1, "{:?}", a.notes);
        assert!(
            a.notes[0].starts_with(&format!(
                "organization trail {control_tower} already records this account's management events: this trail is a second copy, which CloudTrail charges for"
            )),
            "{:?}",
            a.notes
        );
        assert_eq!(a.refusal, None);
    }

    #[test]
    fn an_existing_hub_is_imported_with_the_standards_already_enabled() {
        let template = json!({"Resources": {
            "Hub": {"Type": "AWS::SecurityHub::Hub", "Properties": {}},
            "StandardFsbp": {"Type": "AWS::SecurityHub::Standard", "DependsOn": "Hub", "Properties": {
                "StandardsArn": {"Fn::Sub": "arn:${AWS::Partition}:securityhub:${AWS::Region}::standards/fsbp/v/1.0.0"}}}}});
        let found = Found {
            hub: Some(FoundHub {
                arn: "arn:aws:securityhub:eu-west-1:111111111111:hub/default".into(),
                standards: Some(vec![(
                    "arn:aws:securityhub:eu-west-1::standards/fsbp/v/1.0.0".into(),
                    "arn:aws:securityhub:eu-west-1:111111111111:subscription/fsbp/v/1.0.0".into(),
                )]),
                administrator: None,
            }),
            ..Found::default()
        };
        let facts = only(&found);
        let a = decide(
            Component::Securityhub,
            &template,
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        let ids: Vec<&str> = a.imports.iter().map(|i| i.logical_id.as_str()).collect();
        assert_eq!(ids, vec!["Hub", "StandardFsbp"]);
    }

    fn analyzer_template() -> Json {
        json!({"Resources": {"Analyzer": {"Type": "AWS::AccessAnalyzer::Analyzer",
            "DeletionPolicy": "RetainExceptOnCreate",
            "Properties": {"AnalyzerName": "acme-account", "Type": "ACCOUNT"}}}})
    }

    fn found_analyzer() -> Found {
        Found {
            analyzers: vec![
                crate::aws::FoundAnalyzer {
                    name: "ConsoleAnalyzer-1f2e".into(),
                    arn: "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/ConsoleAnalyzer-1f2e".into(),
                    kind: "ACCOUNT".into(),
                },
                crate::aws::FoundAnalyzer {
                    name: "org".into(),
                    arn: "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/org".into(),
                    kind: "ORGANIZATION".into(),
                },
            ],
            ..Found::default()
        }
    }

    #[test]
    fn an_existing_account_analyzer_is_imported_under_its_own_name_and_keeps_it() {
        let found = found_analyzer();
        let facts = only(&found);
        let a = decide(
            Component::AccessAnalyzer,
            &analyzer_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert_eq!(a.refusal, None);
        assert_eq!(
            a.imports,
            vec![target(
                "Analyzer",
                "AWS::AccessAnalyzer::Analyzer",
                "Arn",
                "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/ConsoleAnalyzer-1f2e"
            )]
        );
        let body: Json = serde_json::from_str(a.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body["Resources"]["Analyzer"]["Properties"]["AnalyzerName"],
            "ConsoleAnalyzer-1f2e"
        );
        assert!(
            a.notes
                .iter()
                .any(|n| n == "adopt analyzer `ConsoleAnalyzer-1f2e` (ACCOUNT)"),
            "{:?}",
            a.notes
        );

        // Once the stack holds it: no import, the name stays.
        let held = [StackResource {
            logical_id: "Analyzer".into(),
            resource_type: "AWS::AccessAnalyzer::Analyzer".into(),
            deleted: false,
        }];
        let facts = Facts {
            found: Some(&found),
            stack: Some(&held),
            ..Facts::default()
        };
        let again = decide(
            Component::AccessAnalyzer,
            &analyzer_template(),
            Existing::Adopt,
            &PLACE,
            &facts,
        );
        assert!(again.imports.is_empty() && again.refusal.is_none());
        assert!(again
            .body
            .as_deref()
            .unwrap()
            .contains("ConsoleAnalyzer-1f2e"));

        // skip leaves it out; fail stops.
        let facts = only(&found);
        let skip = decide(
            Component::AccessAnalyzer,
            &analyzer_template(),
            Existing::Skip,
            &PLACE,
            &facts,
        );
        assert!(skip.empty && skip.imports.is_empty());
        let fail = decide(
            Component::AccessAnalyzer,
            &analyzer_template(),
            Existing::Fail,
            &PLACE,
            &facts,
        );
        assert!(fail
            .refusal
            .unwrap()
            .contains("type ACCOUNT (`ConsoleAnalyzer-1f2e`) already exists in eu-west-1"));
        // An organization analyzer is not the account's.
        let org_only = Found {
            analyzers: vec![found.analyzers[1].clone()],
            ..Found::default()
        };
        let facts = only(&org_only);
        let none = decide(
            Component::AccessAnalyzer,
            &analyzer_template(),
            Existing::Fail,
            &PLACE,
            &facts,
        );
        assert!(none.refusal.is_none() && none.imports.is_empty() && none.body.is_none());
    }
}
