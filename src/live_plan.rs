//! The live plan as a report: what `plan` and `deploy` would do to every stack and account
//! setting, with the security impact of each update (the diff rules over the deployed and the
//! rendered template), as text, compact text, a pull-request comment (markdown) and a
//! versioned JSON document. Builds strings; never prints and never calls AWS.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value as Json;

use crate::aws::{ChangeAction, ChangeSetKind, Replacement};
use crate::deploy::{Prepared, PreparedStack};
use crate::diff::{self, Change, Impact, StackInput};
use crate::template::Template;

/// The JSON document's shape version; bump it when a field changes meaning or goes away.
pub const JSON_VERSION: u32 = 1;

/// GitHub refuses comments over 65,536 characters; the markdown stays well under.
pub const MARKDOWN_LIMIT: usize = 60_000;

#[derive(Clone, Debug, Serialize)]
pub struct LivePlan {
    pub version: u32,
    pub kind: &'static str,
    pub baseline: String,
    pub summary: Summary,
    pub stacks: Vec<StackPlan>,
    /// The same plan for the same stack in many accounts and regions, as one entry.
    pub groups: Vec<PlanGroup>,
    pub settings: Vec<SettingPlan>,
    /// Stacks of this baseline the render no longer has: listed, never deleted.
    pub left_in_place: Vec<String>,
    /// With `organization`: its accounts by role, in the order they are set up.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organization: Vec<RoleAccounts>,
}

/// The accounts of one role in an organization.
#[derive(Clone, Debug, Serialize)]
pub struct RoleAccounts {
    pub role: crate::baseline::AccountRole,
    pub accounts: Vec<String>,
    /// What else this step does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub then: Option<String>,
}

impl RoleAccounts {
    /// `1. management   111111111111`, for the text and markdown plans.
    fn line(&self, step: usize) -> String {
        let accounts = if self.accounts.is_empty() {
            "(none listed)".to_string()
        } else {
            self.accounts.join(", ")
        };
        let role = match self.role {
            crate::baseline::AccountRole::Member => "members".to_string(),
            other => other.describe().to_string(),
        };
        match &self.then {
            Some(then) if self.role == crate::baseline::AccountRole::Member => {
                format!("{step}. {role:<12} {accounts}: {then}")
            }
            Some(then) => format!("{step}. {role:<12} {accounts}, then {then}"),
            None => format!("{step}. {role:<12} {accounts}"),
        }
    }
}

/// Stacks of one name whose plans are the same: action, resource changes and weakening.
#[derive(Clone, Debug, Serialize)]
pub struct PlanGroup {
    pub stack_name: String,
    pub action: StackAction,
    pub resources: Vec<ResourcePlan>,
    pub weakening: Vec<Change>,
    /// `account/region` of every stack with this plan.
    pub stacks: Vec<String>,
    /// Where, in words: "in all 1,700 stacks: every account, every region", ...
    pub scope: String,
}

/// `account/region/stack` -> (`account/region`, `stack`).
fn split_key(key: &str) -> (String, String) {
    match key.rsplit_once('/') {
        Some((place, stack)) => (place.to_string(), stack.to_string()),
        None => (String::new(), key.to_string()),
    }
}

fn plan_groups(stacks: &[StackPlan]) -> Vec<PlanGroup> {
    let mut places: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut groups: BTreeMap<(String, String), PlanGroup> = BTreeMap::new();
    for s in stacks {
        let (place, name) = split_key(&s.key);
        places.entry(name.clone()).or_default().push(place.clone());
        // A failure's reason names its stack; failures are never grouped.
        let same = crate::json::to_string_sorted(&(
            &s.action,
            &s.resources,
            &s.weakening,
            s.reason.as_ref().map(|_| &s.key),
        ));
        groups
            .entry((name.clone(), same))
            .or_insert_with(|| PlanGroup {
                stack_name: name,
                action: s.action,
                resources: s.resources.clone(),
                weakening: s.weakening.clone(),
                stacks: Vec::new(),
                scope: String::new(),
            })
            .stacks
            .push(place);
    }
    let mut out: Vec<PlanGroup> = groups.into_values().collect();
    for g in &mut out {
        g.stacks.sort();
        g.scope = diff::scope_among(&g.stacks, &places[&g.stack_name]);
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackAction {
    Create,
    Update,
    /// Delete the stack whose first create failed, then create it again.
    Replace,
    Unchanged,
    /// A change set found nothing to change (e.g. only formatting differs).
    NoChanges,
    Failed,
    /// Bring existing resources under the stack (IMPORT), then update them to the baseline.
    Adopt,
}

impl StackAction {
    fn sign(self) -> &'static str {
        match self {
            StackAction::Create => "+",
            StackAction::Update => "~",
            StackAction::Replace => "±",
            StackAction::Unchanged | StackAction::NoChanges => "=",
            StackAction::Failed => "!",
            StackAction::Adopt => "<",
        }
    }

    fn label(self) -> &'static str {
        match self {
            StackAction::Create => "create",
            StackAction::Update => "update",
            StackAction::Replace => "replace (delete the failed stack, create it again)",
            StackAction::Unchanged => "unchanged",
            StackAction::NoChanges => "no changes",
            StackAction::Failed => "cannot be prepared",
            StackAction::Adopt => "adopt what exists, then update it to the baseline",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct StackPlan {
    /// `account/region/stack`.
    pub key: String,
    pub action: StackAction,
    pub resources: Vec<ResourcePlan>,
    /// The changes the diff rules classify as weakening security (updates only).
    pub weakening: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What exists already and what is done with it (adopted, taken over, skipped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub existing: Vec<String>,
    /// Settings of adopted resources that the update then changes, with their impact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adopted_settings: Vec<Change>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResourcePlan {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    /// The resource is deleted and made anew (its data and identity can go).
    pub replacement: bool,
    /// CloudFormation decides when it runs whether to replace it.
    pub may_be_replaced: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct SettingPlan {
    /// `account/global/setting`, e.g. `current/global/iam-password-policy`, or
    /// `account/region/setting`, e.g. `current/eu-west-1/securityhub-controls`.
    pub key: String,
    /// `set`, `update`, `after-stack` (Security Hub controls where the stack turns it on)
    /// or `unchanged`.
    pub action: &'static str,
    pub changes: Vec<Change>,
    /// What was read beside the comparison (whether Shield Advanced is subscribed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SettingPlan {
    /// The changes that weaken what is live now. Settings made once the stack has turned a
    /// service on (`after-stack`) weaken nothing live: Security Hub's controls are disabled
    /// in a hub that does not exist yet.
    fn weakening(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| c.impact == Impact::Weakening && self.action != "after-stack")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub adopt: usize,
    pub update: usize,
    pub unchanged: usize,
    pub left_in_place: usize,
    pub failed: usize,
    pub settings_to_change: usize,
    pub add: usize,
    pub modify: usize,
    pub remove: usize,
    pub replace: usize,
    pub weakening: usize,
}

impl Summary {
    /// The one line every plan and deploy ends with.
    pub fn line(&self) -> String {
        let mut line = format!(
            "Plan: {} to create, {} to update, {} unchanged, {} left in place",
            self.create, self.update, self.unchanged, self.left_in_place
        );
        if self.adopt > 0 {
            line = line.replacen(
                " to create,",
                &format!(" to create, {} to adopt,", self.adopt),
                1,
            );
        }
        if self.failed > 0 {
            line.push_str(&format!(", {} failed", self.failed));
        }
        if self.settings_to_change > 0 {
            line.push_str(&format!(
                "; {} account setting(s) to change",
                self.settings_to_change
            ));
        }
        line.push_str(&format!(
            " · resources: {} to add, {} to modify, {} to remove, {} to replace · {} weakening change{}",
            self.add,
            self.modify,
            self.remove,
            self.replace,
            self.weakening,
            if self.weakening == 1 { "" } else { "s" }
        ));
        line
    }
}

impl LivePlan {
    /// The plan of prepared stacks; `deployed` gives the deployed template of updated stacks.
    pub fn new(
        baseline: &str,
        prepared: &[&PreparedStack],
        settings: Vec<SettingPlan>,
        left_in_place: Vec<String>,
    ) -> LivePlan {
        let stacks: Vec<StackPlan> = prepared.iter().map(|p| stack_plan(p)).collect();
        let mut summary = Summary {
            left_in_place: left_in_place.len(),
            ..Summary::default()
        };
        for s in &stacks {
            match s.action {
                StackAction::Create | StackAction::Replace => summary.create += 1,
                StackAction::Update => summary.update += 1,
                StackAction::Unchanged | StackAction::NoChanges => summary.unchanged += 1,
                StackAction::Failed => summary.failed += 1,
                StackAction::Adopt => summary.adopt += 1,
            }
            for r in &s.resources {
                match r.action.as_str() {
                    // Counted as the stack's adoption.
                    "Import" => {}
                    "Add" => summary.add += 1,
                    "Remove" => summary.remove += 1,
                    _ => summary.modify += 1,
                }
                summary.replace += usize::from(r.replacement || r.may_be_replaced);
            }
            summary.weakening += s.weakening.len();
            summary.weakening += s
                .adopted_settings
                .iter()
                .filter(|c| c.impact == Impact::Weakening)
                .count();
        }
        for s in &settings {
            summary.settings_to_change += usize::from(s.action != "unchanged");
            summary.weakening += s.weakening().count();
        }
        LivePlan {
            version: JSON_VERSION,
            kind: "plan",
            baseline: baseline.to_string(),
            summary,
            groups: plan_groups(&stacks),
            stacks,
            settings,
            left_in_place,
            organization: Vec::new(),
        }
    }

    /// The organization's accounts by role, in the order they are set up; `layout`: laid
    /// out by role, where the management account's trail and recorders follow the log
    /// archive's bucket; `stack_sets`: the members are deployed by stack sets.
    pub fn with_organization(
        mut self,
        order: Vec<(crate::baseline::AccountRole, Vec<String>)>,
        layout: bool,
        stack_sets: bool,
    ) -> LivePlan {
        use crate::baseline::AccountRole;
        self.organization = order
            .into_iter()
            .map(|(role, accounts)| RoleAccounts {
                then: match role {
                    AccountRole::LogArchive if layout => {
                        Some("the management account's trail and recorders".to_string())
                    }
                    AccountRole::Member if stack_sets => {
                        Some("deployed by the stack sets below".to_string())
                    }
                    _ => None,
                },
                role,
                accounts,
            })
            .collect();
        self
    }

    fn organization_lines(&self) -> Vec<String> {
        self.organization
            .iter()
            .enumerate()
            .map(|(i, r)| r.line(i + 1))
            .collect()
    }

    /// Every stack with its resource changes, replacements called out, then the summary line.
    pub fn text(&self, compact: bool) -> String {
        let mut out = String::new();
        if !self.organization.is_empty() {
            out.push_str("Organization, set up in this order:\n");
            for line in self.organization_lines() {
                out.push_str(&format!("  {line}\n"));
            }
            out.push('\n');
        }
        for s in &self.stacks {
            let counts = if s.resources.is_empty() {
                String::new()
            } else {
                format!(", {} resource change(s)", s.resources.len())
            };
            let reason = s
                .reason
                .as_ref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            let replacing = s
                .resources
                .iter()
                .filter(|r| r.replacement || r.may_be_replaced)
                .count();
            let loud = if replacing > 0 {
                format!("  !! REPLACES {replacing} RESOURCE(S)")
            } else {
                String::new()
            };
            let weak = if s.weakening.is_empty() {
                String::new()
            } else {
                format!("  !! {} WEAKENING", s.weakening.len())
            };
            out.push_str(&format!(
                "{} {}  {}{counts}{reason}{loud}{weak}\n",
                s.action.sign(),
                s.key,
                s.action.label()
            ));
            if compact {
                continue;
            }
            for note in &s.existing {
                out.push_str(&format!("    · {note}\n"));
            }
            for c in &s.adopted_settings {
                out.push_str(&setting_line(c));
            }
            for r in &s.resources {
                let sign = match r.action.as_str() {
                    "Import" => "<",
                    "Add" => "+",
                    "Remove" => "-",
                    _ => "~",
                };
                let replacement = if r.replacement {
                    "  !! REPLACEMENT: deleted and created anew"
                } else if r.may_be_replaced {
                    "  !! may be replaced"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "    {sign} {} {} ({}){replacement}\n",
                    r.action, r.logical_id, r.resource_type
                ));
            }
            for c in &s.weakening {
                out.push_str(&format!("    ! weakens: {}\n", describe(c)));
            }
        }
        for s in &self.settings {
            let sign = if s.action == "unchanged" { "=" } else { "~" };
            let verb = match s.action {
                "set" => "set (there is none)",
                "after-stack" => "set once the stack has turned Security Hub on",
                other => other,
            };
            out.push_str(&format!("{sign} {}  {verb}\n", s.key));
            if compact {
                continue;
            }
            for note in &s.notes {
                out.push_str(&format!("    · {note}\n"));
            }
            for c in &s.changes {
                out.push_str(&setting_line(c));
            }
        }
        for key in &self.left_in_place {
            out.push_str(&format!(
                "! {key}  no longer in the baseline; left in place (delete it yourself once its \
                 data is no longer needed)\n"
            ));
        }
        out.push_str(&format!("\n{}\n", self.summary.line()));
        out
    }

    /// Every weakening change of the plan as one line naming where it is (`key: what`), in
    /// the order the text plan shows them: for the list a deploy repeats above its prompt,
    /// or prints when it refuses to apply them unasked.
    pub fn weakening_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for s in &self.stacks {
            let weak = s
                .adopted_settings
                .iter()
                .filter(|c| c.impact == Impact::Weakening)
                .chain(&s.weakening);
            lines.extend(weak.map(|c| format!("{}: {}", s.key, describe(c))));
        }
        for s in &self.settings {
            lines.extend(s.weakening().map(|c| format!("{}: {}", s.key, describe(c))));
        }
        lines
    }

    /// A pull-request comment: the summary, a table of the stacks that change, the weakening
    /// changes in full; cut with a note (the JSON has everything) before GitHub's limit.
    pub fn markdown(&self) -> String {
        let mut out = format!("### cfn-baseline plan: `{}`\n\n", self.baseline);
        out.push_str(&format!("**{}**\n\n", self.summary.line()));
        if !self.organization.is_empty() {
            out.push_str("Organization, set up in this order:\n\n");
            for line in self.organization_lines() {
                out.push_str(&format!("    {line}\n"));
            }
            out.push('\n');
        }
        let weakening: Vec<(String, &Change)> = self
            .groups
            .iter()
            .flat_map(|g| {
                let where_ = where_md(g);
                g.weakening
                    .iter()
                    .map(move |c| (format!("`{}` ({where_})", g.stack_name), c))
            })
            .chain(self.settings.iter().flat_map(|s| {
                s.changes
                    .iter()
                    .filter(|c| c.impact == Impact::Weakening)
                    .map(move |c| (format!("`{}`", s.key), c))
            }))
            .collect();
        if !weakening.is_empty() {
            out.push_str("#### ⚠️ Weakening changes\n\n");
            for (key, c) in &weakening {
                out.push_str(&format!("- {key}: {}\n", describe(c)));
            }
            out.push('\n');
        }
        let changing: Vec<&PlanGroup> = self
            .groups
            .iter()
            .filter(|g| !matches!(g.action, StackAction::Unchanged | StackAction::NoChanges))
            .collect();
        if !changing.is_empty() {
            out.push_str(
                "| stack | where | action | add | modify | remove | replace | weakening |\n\
                 |---|---|---|---:|---:|---:|---:|---:|\n",
            );
            let mut shown = 0;
            for s in &changing {
                let count = |a: &str| s.resources.iter().filter(|r| r.action == a).count();
                let replace = s
                    .resources
                    .iter()
                    .filter(|r| r.replacement || r.may_be_replaced)
                    .count();
                let row = format!(
                    "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
                    s.stack_name,
                    where_md(s),
                    s.action.label(),
                    count("Add"),
                    s.resources.len() - count("Add") - count("Remove"),
                    count("Remove"),
                    if replace > 0 {
                        format!("**{replace}**")
                    } else {
                        "0".into()
                    },
                    s.weakening.len()
                );
                if out.len() + row.len() > MARKDOWN_LIMIT {
                    break;
                }
                out.push_str(&row);
                shown += 1;
            }
            if shown < changing.len() {
                out.push_str(&format!(
                    "\n_…and {} more (stacks with different plans); the comment would be too \
                     long. The full plan is in `cfn-baseline plan --format json`._\n",
                    changing.len() - shown
                ));
            }
            out.push('\n');
        }
        let settings: Vec<&SettingPlan> = self
            .settings
            .iter()
            .filter(|s| s.action != "unchanged")
            .collect();
        if !settings.is_empty() {
            out.push_str("Account settings to change:\n\n");
            for s in settings {
                out.push_str(&format!("- `{}`: {}\n", s.key, s.action));
            }
            out.push('\n');
        }
        let notes: Vec<(&str, &String)> = self
            .settings
            .iter()
            .flat_map(|s| s.notes.iter().map(move |n| (s.key.as_str(), n)))
            .collect();
        if !notes.is_empty() {
            out.push_str("Notes:\n\n");
            for (key, note) in notes {
                out.push_str(&format!("- `{key}`: {note}\n"));
            }
            out.push('\n');
        }
        for key in &self.left_in_place {
            out.push_str(&format!(
                "- `{key}` is no longer in the baseline; it is left in place.\n"
            ));
        }
        out
    }

    pub fn json(&self) -> String {
        crate::json::to_string_sorted(self)
    }
}

/// Where a group is, for markdown.
fn where_md(g: &PlanGroup) -> String {
    match g.stacks.as_slice() {
        [one] => one.replace('/', ", "),
        _ => g.scope.trim_start_matches("in ").to_string(),
    }
}

/// One setting's change as a plan line: `~ field: old → new (impact: why)`.
/// One change of a setting outside CloudFormation as an indented line: the field, from what
/// to what, and its impact.
pub fn setting_line(c: &Change) -> String {
    // A Security Hub control: one pseudo-resource each.
    if c.resource_type == crate::settings::CONTROL_TYPE && c.path.is_empty() {
        let id = c.resource.as_deref().unwrap_or("?");
        let what = match (&c.old, &c.new) {
            (None, Some(n)) => format!(
                "disable ({})",
                n.pointer("/Properties/UpdatedReason")
                    .map(|r| r.to_string())
                    .unwrap_or_default()
            ),
            (Some(_), None) => "enable again".to_string(),
            _ => "change".to_string(),
        };
        return format!(
            "    ~ {id}: {what} ({}: {})\n",
            c.impact.as_str(),
            c.explanation
        );
    }
    let field = c.path.trim_start_matches("Properties.");
    let field = if field.is_empty() { "policy" } else { field };
    let what = match (&c.old, &c.new) {
        (Some(o), Some(n)) if !c.path.is_empty() => format!("{o} → {n}"),
        (None, Some(n)) if !c.path.is_empty() => format!("set to {n}"),
        (Some(o), None) => format!("removed (was {o})"),
        _ => "set".to_string(),
    };
    format!(
        "    ~ {field}: {what} ({}: {})\n",
        c.impact.as_str(),
        c.explanation
    )
}

pub(crate) fn describe(c: &Change) -> String {
    let what = match (&c.resource, c.path.is_empty()) {
        (Some(r), false) => format!("{r}.{}", c.path),
        (Some(r), true) => r.clone(),
        (None, _) => c.resource_type.clone(),
    };
    format!("{what}: {}", c.explanation)
}

fn stack_plan(p: &PreparedStack) -> StackPlan {
    let mut plan = stack_plan_of(p);
    if let Some(a) = &p.job.adoption {
        plan.existing = a.notes.clone();
        plan.adopted_settings = a.settings.clone();
    }
    plan
}

fn stack_plan_of(p: &PreparedStack) -> StackPlan {
    let key = p.job.key.clone();
    match &p.state {
        Prepared::Unchanged => StackPlan {
            key,
            action: StackAction::Unchanged,
            resources: vec![],
            weakening: vec![],
            reason: None,
            existing: vec![],
            adopted_settings: vec![],
        },
        Prepared::NoChanges => StackPlan {
            key,
            action: StackAction::NoChanges,
            resources: vec![],
            weakening: vec![],
            reason: None,
            existing: vec![],
            adopted_settings: vec![],
        },
        Prepared::Failed(failure) => StackPlan {
            key,
            action: StackAction::Failed,
            resources: vec![],
            weakening: vec![],
            reason: Some(failure.to_string()),
            existing: vec![],
            adopted_settings: vec![],
        },
        Prepared::Pending {
            kind,
            changes,
            replaced,
            deployed,
            ..
        } => StackPlan {
            action: match (kind, replaced) {
                (_, true) => StackAction::Replace,
                (ChangeSetKind::Create, _) => StackAction::Create,
                (ChangeSetKind::Update, _) => StackAction::Update,
                (ChangeSetKind::Import, _) => StackAction::Adopt,
            },
            resources: changes
                .iter()
                .map(|c| ResourcePlan {
                    action: c.action.to_string(),
                    logical_id: c.logical_id.clone(),
                    resource_type: c.resource_type.clone(),
                    replacement: c.replacement == Some(Replacement::True)
                        && c.action == ChangeAction::Modify,
                    may_be_replaced: c.replacement == Some(Replacement::Conditional)
                        && c.action == ChangeAction::Modify,
                })
                .collect(),
            weakening: deployed
                .as_deref()
                .map(|body| weakening(p, body))
                .unwrap_or_default(),
            reason: None,
            existing: vec![],
            adopted_settings: vec![],
            key,
        },
    }
}

/// The weakening changes from the deployed template to the render, by the diff rules.
fn weakening(p: &PreparedStack, deployed: &str) -> Vec<Change> {
    let side = |template: Json| StackInput {
        account: "live".into(),
        region: p.job.region.clone(),
        stack_name: p.job.stack_name.clone(),
        template: Template::shared(template),
        tags: None,
    };
    let (Ok(old), Ok(new)) = (Template::parse(deployed), Template::parse(&p.job.body)) else {
        return vec![];
    };
    let report = diff::compare(
        &[side(old.value)],
        &[side(new.value)],
        "deployed",
        "baseline",
    );
    report
        .stacks
        .into_iter()
        .flat_map(|s| s.changes)
        .filter(|c| c.impact == Impact::Weakening)
        .collect()
}
