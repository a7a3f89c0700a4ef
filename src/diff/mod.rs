//! Semantic diff of two sets of stacks, and the security impact of every change.
//!
//! Both sides are canonical long-form templates (see `template`), so formatting, key order,
//! short-form tags and scalar spelling (`true` vs `"true"`, `300` vs `"300"`) never show up
//! as differences. The diff walks down to property paths; lists of named things (statements
//! by `Sid`, GuardDuty features by `Name`, tags by `Key`, ...) are matched by name, lists of
//! plain values as sets. Each change is then classified by the rule table in `rules`.
//!
//! Pure: no AWS, no printing.

mod format;
mod group;
mod rules;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value as Json;

use crate::template::Template;

pub use format::{json, markdown, text};
pub use group::{scope_among, thousands, ChangeGroup, NotCheckedGroup};
pub use rules::{classify, Ctx, Expect, Rule, RULES};

/// One side's stack: where it is and its template in canonical form.
#[derive(Clone, Debug)]
pub struct StackInput {
    /// Account id, or `current` for the caller's account.
    pub account: String,
    pub region: String,
    pub stack_name: String,
    /// Shared: the stacks of a render that have the same template hold the same one, and
    /// each distinct pair of templates is compared once.
    pub template: Arc<Template>,
    /// Stack-level tags, when the side knows them (live stacks and renders of a baseline).
    pub tags: Option<BTreeMap<String, String>>,
}

impl StackInput {
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.account, self.region, self.stack_name)
    }

    /// The baseline component, from the template's `Metadata.cfn-baseline.component`.
    pub fn component(&self) -> Option<String> {
        self.template
            .value
            .pointer("/Metadata/cfn-baseline/component")
            .and_then(Json::as_str)
            .map(str::to_string)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Weakening,
    Strengthening,
    Neutral,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Weakening => "weakening",
            Impact::Strengthening => "strengthening",
            Impact::Neutral => "neutral",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Added,
    Removed,
    Modified,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Added => "added",
            Action::Removed => "removed",
            Action::Modified => "modified",
        }
    }
}

/// One segment of a property path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    /// A list element matched by an identifying field (`Statement[DenyInsecureTransport]`).
    Item {
        field: &'static str,
        id: String,
    },
    Index(usize),
}

/// Displays a path as `Properties.Features[S3_DATA_EVENTS].Status`.
pub fn display_path(path: &[PathSeg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            PathSeg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            PathSeg::Item { id, .. } => {
                out.push('[');
                out.push_str(id);
                out.push(']');
            }
            PathSeg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// One difference and its classification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The logical id, or None for the stack itself or a template section.
    pub resource: Option<String>,
    /// The resource type; `stack/<component>` for a whole stack, `template` for sections
    /// outside Resources, `stack-tags` for stack-level tags.
    pub resource_type: String,
    /// The property path inside the resource (or section); empty for the whole thing.
    pub path: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Json>,
    pub impact: Impact,
    /// The rule that classified the change (None: no rule covers it).
    pub rule: Option<&'static str>,
    pub explanation: String,
    #[serde(skip)]
    pub segments: Vec<PathSeg>,
}

impl Change {
    /// `Resource.Path`; empty for the whole stack.
    pub fn target(&self) -> String {
        match (&self.resource, self.path.is_empty()) {
            (Some(r), true) => r.clone(),
            (Some(r), false) => format!("{r}.{}", self.path),
            (None, true) => String::new(),
            (None, false) if self.resource_type == "stack-tags" => {
                format!("stack tag {}", self.path)
            }
            (None, false) => self.path.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StackStatus {
    Added,
    Removed,
    Changed,
    Unchanged,
    /// Drift only: the stack could not be checked at all.
    Unchecked,
}

impl StackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StackStatus::Added => "added",
            StackStatus::Removed => "removed",
            StackStatus::Changed => "changed",
            StackStatus::Unchanged => "unchanged",
            StackStatus::Unchecked => "unchecked",
        }
    }
}

/// What a report compares: two configurations (diff) or the expected with the live state
/// (drift). The model is the same; the words differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Diff,
    Drift,
}

/// Something that was not compared, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotChecked {
    /// The logical id; None for the whole stack.
    pub resource: Option<String>,
    pub resource_type: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct StackDiff {
    pub account: String,
    pub region: String,
    pub stack_name: String,
    pub component: Option<String>,
    pub status: StackStatus,
    pub changes: Vec<Change>,
    /// Drift only: resources (or the whole stack) that could not be checked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<NotChecked>,
}

impl StackDiff {
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.account, self.region, self.stack_name)
    }

    pub fn count(&self, impact: Impact) -> usize {
        self.changes.iter().filter(|c| c.impact == impact).count()
    }
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub kind: Kind,
    /// What was compared with what, e.g. `examples/minimal.yaml` against `main's render`.
    pub new_label: String,
    pub old_label: String,
    /// Caveats the reader must know (account relabelling, unscanned regions, ...).
    pub notes: Vec<String>,
    pub stacks: Vec<StackDiff>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No differences at all.
    Identical,
    /// Differences, none of them weakening.
    Differences,
    /// At least one weakening change.
    Weakening,
}

impl Report {
    pub fn count(&self, impact: Impact) -> usize {
        self.stacks.iter().map(|s| s.count(impact)).sum()
    }

    pub fn changed_stacks(&self) -> usize {
        self.stacks.iter().filter(|s| !s.changes.is_empty()).count()
    }

    /// Whether everything was compared (always, for a diff).
    pub fn complete(&self) -> bool {
        self.stacks.iter().all(|s| s.not_checked.is_empty())
    }

    pub fn not_checked(&self) -> usize {
        self.stacks.iter().map(|s| s.not_checked.len()).sum()
    }

    pub fn verdict(&self) -> Verdict {
        if self.count(Impact::Weakening) > 0 {
            Verdict::Weakening
        } else if self.stacks.iter().any(|s| !s.changes.is_empty()) {
            Verdict::Differences
        } else {
            Verdict::Identical
        }
    }
}

/// Compares two sets of stacks. Stacks are matched by account, region and name; a stack for
/// the caller's account (`current`) that has no exact match is matched by region and name
/// with an unmatched stack of a single named account, and a note says so.
pub fn compare(old: &[StackInput], new: &[StackInput], old_label: &str, new_label: &str) -> Report {
    let mut notes = Vec::new();
    let mut old_left: BTreeMap<String, &StackInput> = old.iter().map(|s| (s.key(), s)).collect();
    let mut pairs: Vec<(Option<&StackInput>, Option<&StackInput>)> = Vec::new();
    let mut new_left: Vec<&StackInput> = Vec::new();
    for n in new {
        match old_left.remove(&n.key()) {
            Some(o) => pairs.push((Some(o), Some(n))),
            None => new_left.push(n),
        }
    }
    // Relabel `current` against one named account (a baseline without `accounts` compared
    // with one that lists a single account, or a render compared with live stacks).
    let mut relabelled: BTreeSet<(String, String)> = BTreeSet::new();
    let mut still_new = Vec::new();
    for n in new_left {
        let candidates: Vec<String> = old_left
            .iter()
            .filter(|(_, o)| {
                o.region == n.region
                    && o.stack_name == n.stack_name
                    && (o.account == crate::plan::CALLER_ACCOUNT_LABEL
                        || n.account == crate::plan::CALLER_ACCOUNT_LABEL)
            })
            .map(|(k, _)| k.clone())
            .collect();
        if candidates.len() == 1 {
            let o = old_left.remove(&candidates[0]).expect("candidate exists");
            relabelled.insert((o.account.clone(), n.account.clone()));
            pairs.push((Some(o), Some(n)));
        } else {
            still_new.push(n);
        }
    }
    for (o, n) in &relabelled {
        notes.push(format!(
            "stacks of account {o} (old) were compared with those of account {n} (new): \
             one side does not name its account"
        ));
    }
    pairs.extend(still_new.into_iter().map(|n| (None, Some(n))));
    pairs.extend(old_left.into_values().map(|o| (Some(o), None)));

    // A render's stacks share their templates, and an estate has few distinct ones: compare
    // each distinct pair (by identity, with the tags) once and give every stack its result.
    let mut seen: HashMap<PairKey, (StackStatus, Vec<Change>)> = HashMap::new();
    let mut stacks: Vec<StackDiff> = pairs
        .into_iter()
        .map(|(o, n)| {
            let key = (
                o.map(|s| Arc::as_ptr(&s.template) as usize),
                n.map(|s| Arc::as_ptr(&s.template) as usize),
                o.and_then(|s| s.tags.clone()),
                n.and_then(|s| s.tags.clone()),
            );
            let (status, changes) = seen
                .entry(key)
                .or_insert_with(|| stack_changes(o, n))
                .clone();
            StackDiff {
                status,
                changes,
                ..stack_head(o, n)
            }
        })
        .collect();
    stacks.sort_by(|a, b| {
        (&a.account, &a.region, &a.stack_name).cmp(&(&b.account, &b.region, &b.stack_name))
    });
    Report {
        kind: Kind::Diff,
        new_label: new_label.to_string(),
        old_label: old_label.to_string(),
        notes,
        stacks,
    }
}

fn resource_summary(template: &Json) -> Json {
    let mut out = serde_json::Map::new();
    if let Some(resources) = template.get("Resources").and_then(Json::as_object) {
        for (id, r) in resources {
            out.insert(id.clone(), r.get("Type").cloned().unwrap_or(Json::Null));
        }
    }
    Json::Object(out)
}

/// A pair of stacks to compare, by their templates' identity and their tags.
type PairKey = (
    Option<usize>,
    Option<usize>,
    Option<BTreeMap<String, String>>,
    Option<BTreeMap<String, String>>,
);

/// Where a compared stack is and what it is, without its changes.
fn stack_head(old: Option<&StackInput>, new: Option<&StackInput>) -> StackDiff {
    let shown = new.or(old).expect("one side exists");
    // When `current` was matched with a named account, show the named one.
    let account = match (old, new) {
        (Some(o), Some(n)) if n.account == crate::plan::CALLER_ACCOUNT_LABEL => o.account.clone(),
        _ => shown.account.clone(),
    };
    StackDiff {
        account,
        region: shown.region.clone(),
        stack_name: shown.stack_name.clone(),
        component: shown
            .component()
            .or_else(|| old.and_then(StackInput::component)),
        status: StackStatus::Unchanged,
        changes: Vec::new(),
        not_checked: Vec::new(),
    }
}

/// The status and classified changes from one side to the other.
fn stack_changes(old: Option<&StackInput>, new: Option<&StackInput>) -> (StackStatus, Vec<Change>) {
    let component = new
        .and_then(StackInput::component)
        .or_else(|| old.and_then(StackInput::component));
    let stack_type = format!("stack/{}", component.as_deref().unwrap_or("unknown"));
    let empty = Json::Null;
    let ctx = rules::Ctx {
        old_template: old.map_or(&empty, |s| &s.template.value),
        new_template: new.map_or(&empty, |s| &s.template.value),
    };
    let mut raw: Vec<RawChange> = Vec::new();
    let status = match (old, new) {
        (None, Some(n)) => {
            raw.push(RawChange::whole(
                &stack_type,
                Action::Added,
                None,
                Some(resource_summary(&n.template.value)),
            ));
            StackStatus::Added
        }
        (Some(o), None) => {
            raw.push(RawChange::whole(
                &stack_type,
                Action::Removed,
                Some(resource_summary(&o.template.value)),
                None,
            ));
            StackStatus::Removed
        }
        (Some(o), Some(n)) => {
            diff_templates(&o.template.value, &n.template.value, &mut raw);
            if let (Some(ot), Some(nt)) = (&o.tags, &n.tags) {
                let keys: BTreeSet<&String> = ot.keys().chain(nt.keys()).collect();
                for k in keys {
                    let (a, b) = (ot.get(k), nt.get(k));
                    if a != b {
                        raw.push(RawChange {
                            resource: None,
                            resource_type: "stack-tags".to_string(),
                            segments: vec![PathSeg::Key(k.clone())],
                            action: action_of(a.is_some(), b.is_some()),
                            old: a.map(|v| Json::String(v.clone())),
                            new: b.map(|v| Json::String(v.clone())),
                        });
                    }
                }
            }
            if raw.is_empty() {
                StackStatus::Unchanged
            } else {
                StackStatus::Changed
            }
        }
        (None, None) => unreachable!("a pair has at least one side"),
    };
    let changes = raw.into_iter().map(|r| r.classify(&ctx)).collect();
    (status, changes)
}

/// Classifies one difference found elsewhere (drift detection, a live setting) with the
/// same rules as the diff. `old` is the expected side, `new` the actual one; `ctx_old` and
/// `ctx_new` are the templates the rules may look into.
#[allow(clippy::too_many_arguments)]
pub fn classify_change(
    resource: Option<&str>,
    resource_type: &str,
    segments: Vec<PathSeg>,
    action: Action,
    old: Option<Json>,
    new: Option<Json>,
    ctx_old: &Json,
    ctx_new: &Json,
) -> Change {
    let raw = RawChange {
        resource: resource.map(str::to_string),
        resource_type: resource_type.to_string(),
        segments,
        action,
        old,
        new,
    };
    raw.classify(&rules::Ctx {
        old_template: ctx_old,
        new_template: ctx_new,
    })
}

/// Turns a JSON pointer into a resource (`/Properties/Features/0/Status`) into path
/// segments, naming list items by their identifying field where the resource (as deployed)
/// allows: `Properties.Features[S3_DATA_EVENTS].Status`.
pub fn pointer_segments(resource: Option<&Json>, pointer: &str) -> Vec<PathSeg> {
    let mut out = Vec::new();
    let mut here = resource;
    for raw in pointer.split('/').skip(1) {
        let part = raw.replace("~1", "/").replace("~0", "~");
        match (here, part.parse::<usize>()) {
            (Some(Json::Array(items)), Ok(i)) => {
                let field = IDENTITY_FIELDS.into_iter().find(|f| names_all(items, f));
                let item = items.get(i);
                match (field, item.and_then(|v| field.and_then(|f| v.get(f)))) {
                    (Some(field), Some(id)) => out.push(PathSeg::Item {
                        field,
                        id: scalar_text(id).unwrap_or_default(),
                    }),
                    _ => out.push(PathSeg::Index(i)),
                }
                here = item;
            }
            (_, Ok(i)) if here.is_none() || !matches!(here, Some(Json::Object(_))) => {
                out.push(PathSeg::Index(i));
                here = None;
            }
            _ => {
                here = here.and_then(|v| v.get(&part));
                out.push(PathSeg::Key(part));
            }
        }
    }
    out
}

fn action_of(old: bool, new: bool) -> Action {
    match (old, new) {
        (false, true) => Action::Added,
        (true, false) => Action::Removed,
        _ => Action::Modified,
    }
}

/// A difference before classification.
#[derive(Clone, Debug)]
pub struct RawChange {
    pub resource: Option<String>,
    pub resource_type: String,
    pub segments: Vec<PathSeg>,
    pub action: Action,
    pub old: Option<Json>,
    pub new: Option<Json>,
}

impl RawChange {
    fn whole(resource_type: &str, action: Action, old: Option<Json>, new: Option<Json>) -> Self {
        RawChange {
            resource: None,
            resource_type: resource_type.to_string(),
            segments: vec![],
            action,
            old,
            new,
        }
    }

    fn classify(self, ctx: &rules::Ctx) -> Change {
        let path = display_path(&self.segments);
        let (impact, rule, explanation) = rules::classify(&self, &path, ctx);
        Change {
            resource: self.resource,
            resource_type: self.resource_type,
            path,
            action: self.action,
            old: self.old,
            new: self.new,
            impact,
            rule,
            explanation,
            segments: self.segments,
        }
    }
}

/// Compares two templates: resources by logical id, everything else by section.
fn diff_templates(old: &Json, new: &Json, out: &mut Vec<RawChange>) {
    let empty = serde_json::Map::new();
    let old_map = old.as_object().unwrap_or(&empty);
    let new_map = new.as_object().unwrap_or(&empty);
    let sections: BTreeSet<&String> = old_map.keys().chain(new_map.keys()).collect();
    for section in sections {
        let (o, n) = (old_map.get(section), new_map.get(section));
        if section != "Resources" {
            let mut changes = Vec::new();
            diff_values(&mut vec![PathSeg::Key(section.clone())], o, n, &mut changes);
            out.extend(
                changes
                    .into_iter()
                    .map(|(segments, action, old, new)| RawChange {
                        resource: None,
                        resource_type: "template".to_string(),
                        segments,
                        action,
                        old,
                        new,
                    }),
            );
            continue;
        }
        let o = o.and_then(Json::as_object).unwrap_or(&empty);
        let n = n.and_then(Json::as_object).unwrap_or(&empty);
        let ids: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        for id in ids {
            let (or, nr) = (o.get(id), n.get(id));
            let type_of = |r: Option<&Json>| {
                r.and_then(|r| r.get("Type"))
                    .and_then(Json::as_str)
                    .map(str::to_string)
            };
            let resource_type = type_of(nr)
                .or_else(|| type_of(or))
                .unwrap_or_else(|| "unknown".to_string());
            let mut changes = Vec::new();
            match (or, nr) {
                (Some(_), None) | (None, Some(_)) => changes.push((
                    vec![],
                    action_of(or.is_some(), nr.is_some()),
                    or.cloned(),
                    nr.cloned(),
                )),
                _ => diff_values(&mut vec![], or, nr, &mut changes),
            }
            out.extend(
                changes
                    .into_iter()
                    .map(|(segments, action, old, new)| RawChange {
                        resource: Some(id.clone()),
                        resource_type: resource_type.clone(),
                        segments,
                        action,
                        old,
                        new,
                    }),
            );
        }
    }
}

type Found = (Vec<PathSeg>, Action, Option<Json>, Option<Json>);

/// Fields that name the elements of a list, tried in order.
const IDENTITY_FIELDS: [&str; 10] = [
    "Sid",
    "Name",
    "Key",
    "Id",
    "InsightType",
    "Field",
    "MetricName",
    "StandardsControlArn",
    "StorageClass",
    "PolicyName",
];

/// CloudFormation sends every scalar as a string: `true`, `"true"` and `"True"` are not
/// different settings, nor are `300` and `"300"`.
pub(crate) fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        }),
        Json::String(s) => Some(
            if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
                s.to_ascii_lowercase()
            } else {
                s.clone()
            },
        ),
        Json::Null => Some(String::new()),
        _ => None,
    }
}

fn is_intrinsic(v: &Json) -> bool {
    v.as_object().is_some_and(|m| {
        m.len() == 1
            && m.keys()
                .next()
                .is_some_and(|k| k == "Ref" || k == "Condition" || k.starts_with("Fn::"))
    })
}

/// Semantic equality: scalars by their CloudFormation string, lists in order.
pub(crate) fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        (Json::Object(_) | Json::Array(_), _) | (_, Json::Object(_) | Json::Array(_)) => false,
        _ => scalar_text(a) == scalar_text(b),
    }
}

/// Whether `field` names every element of the list, each differently.
fn names_all(items: &[Json], field: &str) -> bool {
    let mut seen = BTreeSet::new();
    items.iter().all(|item| {
        item.get(field)
            .and_then(scalar_text)
            .is_some_and(|id| seen.insert(id))
    })
}

fn diff_values(
    path: &mut Vec<PathSeg>,
    old: Option<&Json>,
    new: Option<&Json>,
    out: &mut Vec<Found>,
) {
    let (o, n) = match (old, new) {
        (None, None) => return,
        (Some(o), Some(n)) => (o, n),
        (o, n) => {
            out.push((
                path.clone(),
                action_of(o.is_some(), n.is_some()),
                o.cloned(),
                n.cloned(),
            ));
            return;
        }
    };
    if is_intrinsic(o) || is_intrinsic(n) {
        if !same(o, n) {
            out.push((
                path.clone(),
                Action::Modified,
                Some(o.clone()),
                Some(n.clone()),
            ));
        }
        return;
    }
    match (o, n) {
        (Json::Object(om), Json::Object(nm)) => {
            let keys: BTreeSet<&String> = om.keys().chain(nm.keys()).collect();
            for k in keys {
                path.push(PathSeg::Key(k.clone()));
                diff_values(path, om.get(k), nm.get(k), out);
                path.pop();
            }
        }
        (Json::Array(oa), Json::Array(na)) => diff_lists(path, oa, na, out),
        _ => {
            if !same(o, n) {
                out.push((
                    path.clone(),
                    Action::Modified,
                    Some(o.clone()),
                    Some(n.clone()),
                ));
            }
        }
    }
}

fn diff_lists(path: &mut Vec<PathSeg>, old: &[Json], new: &[Json], out: &mut Vec<Found>) {
    let scalars = |l: &[Json]| l.iter().all(|v| scalar_text(v).is_some());
    if scalars(old) && scalars(new) {
        // A list of plain values is a set to CloudFormation's services.
        let set = |l: &[Json]| l.iter().filter_map(scalar_text).collect::<BTreeSet<_>>();
        if set(old) != set(new) {
            out.push((
                path.clone(),
                Action::Modified,
                Some(Json::Array(old.to_vec())),
                Some(Json::Array(new.to_vec())),
            ));
        }
        return;
    }
    let field = IDENTITY_FIELDS
        .into_iter()
        .find(|f| names_all(old, f) && names_all(new, f));
    match field {
        Some(field) => {
            let id = |v: &Json| v.get(field).and_then(scalar_text).unwrap_or_default();
            let mut ids: Vec<String> = old.iter().map(id).collect();
            for n in new {
                let i = id(n);
                if !ids.contains(&i) {
                    ids.push(i);
                }
            }
            for i in ids {
                let find = |l: &[Json]| l.iter().find(|v| id(v) == i).cloned();
                let (o, n) = (find(old), find(new));
                path.push(PathSeg::Item { field, id: i });
                diff_values(path, o.as_ref(), n.as_ref(), out);
                path.pop();
            }
        }
        None => {
            for i in 0..old.len().max(new.len()) {
                path.push(PathSeg::Index(i));
                diff_values(path, old.get(i), new.get(i), out);
                path.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Template;
    use serde_json::json;

    fn input(text: &str) -> StackInput {
        StackInput {
            account: "111111111111".into(),
            region: "us-east-1".into(),
            stack_name: "s".into(),
            template: Arc::new(Template::parse(text).unwrap()),
            tags: None,
        }
    }

    #[test]
    fn yaml_short_form_and_json_long_form_are_the_same_template() {
        let yaml = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration: {Status: Enabled}\n      ObjectLockEnabled: true\n      Tags: [{Key: a, Value: '1'}, {Key: b, Value: x}]\n  P:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref B\n      PolicyDocument:\n        Statement:\n          - Effect: Deny\n            Resource: [!GetAtt B.Arn, !Sub '${B.Arn}/*']\n            Action: ['s3:GetObject', 's3:PutObject']\n";
        let json_text = r#"{"Resources": {"P": {"Properties": {"PolicyDocument": {"Statement": [{"Action": ["s3:PutObject", "s3:GetObject"], "Resource": [{"Fn::GetAtt": ["B", "Arn"]}, {"Fn::Sub": "${B.Arn}/*"}], "Effect": "Deny"}]}, "Bucket": {"Ref": "B"}}, "Type": "AWS::S3::BucketPolicy"},
            "B": {"Type": "AWS::S3::Bucket", "Properties": {"ObjectLockEnabled": "true", "Tags": [{"Key": "b", "Value": "x"}, {"Key": "a", "Value": 1}], "VersioningConfiguration": {"Status": "Enabled"}}}}}"#;
        let report = compare(&[input(yaml)], &[input(json_text)], "old", "new");
        assert_eq!(report.verdict(), Verdict::Identical, "{:#?}", report.stacks);
        assert_eq!(report.stacks[0].status, StackStatus::Unchanged);
    }

    #[test]
    fn named_list_items_are_matched_by_name_not_position() {
        let old = "Resources:\n  D:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n      Features:\n        - {Name: A, Status: ENABLED}\n        - {Name: B, Status: ENABLED}\n";
        let new = "Resources:\n  D:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n      Features:\n        - {Name: B, Status: DISABLED}\n        - {Name: A, Status: ENABLED}\n";
        let report = compare(&[input(old)], &[input(new)], "old", "new");
        let changes = &report.stacks[0].changes;
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].path, "Properties.Features[B].Status");
        assert_eq!(changes[0].old, Some(json!("ENABLED")));
        assert_eq!(changes[0].impact, Impact::Weakening);
    }

    #[test]
    fn stacks_only_on_one_side_are_added_or_removed() {
        let t = "Metadata: {cfn-baseline: {component: guardduty}}\nResources:\n  D: {Type: AWS::GuardDuty::Detector, Properties: {Enable: true}}\n";
        let mut other = input(t);
        other.region = "eu-west-1".into();
        let report = compare(&[other], &[input(t)], "old", "new");
        let statuses: Vec<_> = report.stacks.iter().map(|s| s.status).collect();
        assert_eq!(statuses, vec![StackStatus::Removed, StackStatus::Added]);
        assert_eq!(report.stacks[0].changes[0].impact, Impact::Weakening);
        assert_eq!(report.stacks[0].changes[0].resource_type, "stack/guardduty");
        assert_eq!(report.stacks[1].changes[0].impact, Impact::Strengthening);
    }

    #[test]
    fn the_callers_account_matches_a_single_named_account() {
        let t = "Resources:\n  D: {Type: AWS::GuardDuty::Detector, Properties: {Enable: true}}\n";
        let mut current = input(t);
        current.account = "current".into();
        let report = compare(&[input(t)], &[current], "old", "new");
        assert_eq!(report.stacks.len(), 1);
        assert_eq!(report.stacks[0].status, StackStatus::Unchanged);
        assert_eq!(report.notes.len(), 1);
    }
}
