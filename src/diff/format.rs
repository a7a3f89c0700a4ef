//! The three outputs of a diff: text for a terminal, markdown for a pull-request comment and
//! JSON for machines. All three order stacks by account, region and name and changes by
//! resource and path, so the same inputs always give the same bytes.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use super::{
    thousands, Action, Change, ChangeGroup, Impact, Kind, Report, StackDiff, StackStatus, Verdict,
};

/// The version of the JSON shape. Bumped on any incompatible change.
pub const JSON_FORMAT_VERSION: u32 = 1;

const MAX_VALUE_CHARS: usize = 72;

/// A value, short enough for a line: strings bare, everything else as compact JSON (keys
/// sorted, so the text does not depend on how the binary was built).
fn short(v: &Json) -> String {
    let text = match v {
        Json::String(s) => s.clone(),
        other => crate::json::to_compact_sorted(other),
    };
    let text = text.replace('\n', " ");
    if text.chars().count() > MAX_VALUE_CHARS {
        let cut: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn resource_count(v: Option<&Json>) -> usize {
    v.and_then(Json::as_object).map_or(0, |m| m.len())
}

/// What happened, in words, with the values when they fit.
fn describe(c: &Change, code: fn(&str) -> String) -> String {
    let stack_level = c.resource.is_none() && c.path.is_empty();
    let resource_level = c.resource.is_some() && c.path.is_empty();
    match (c.action, stack_level, resource_level) {
        (Action::Added, true, _) => format!(
            "stack added ({})",
            plural(resource_count(c.new.as_ref()), "resource", "resources")
        ),
        (Action::Removed, true, _) => format!(
            "stack removed ({})",
            plural(resource_count(c.old.as_ref()), "resource", "resources")
        ),
        (Action::Added, _, true) => format!("resource added ({})", c.resource_type),
        (Action::Removed, _, true) => format!("resource removed ({})", c.resource_type),
        (Action::Added, ..) => format!(
            "added: {}",
            code(&short(c.new.as_ref().unwrap_or(&Json::Null)))
        ),
        (Action::Removed, ..) => format!(
            "removed (was {})",
            code(&short(c.old.as_ref().unwrap_or(&Json::Null)))
        ),
        (Action::Modified, ..) => format!(
            "{} → {}",
            code(&short(c.old.as_ref().unwrap_or(&Json::Null))),
            code(&short(c.new.as_ref().unwrap_or(&Json::Null)))
        ),
    }
}

fn counts(s: &StackDiff) -> String {
    let parts: Vec<String> = [Impact::Weakening, Impact::Strengthening, Impact::Neutral]
        .into_iter()
        .map(|i| (i, s.count(i)))
        .filter(|(_, n)| *n > 0)
        .map(|(i, n)| format!("{n} {}", i.as_str()))
        .collect();
    if parts.is_empty() {
        "no changes".to_string()
    } else {
        parts.join(", ")
    }
}

/// The status of a stack in the words of the report's kind.
fn status_word(kind: Kind, status: StackStatus) -> &'static str {
    match (kind, status) {
        (Kind::Drift, StackStatus::Changed) => "drifted",
        (Kind::Drift, StackStatus::Unchanged) => "in sync",
        (Kind::Drift, StackStatus::Removed) => "deleted",
        (_, StackStatus::Unchecked) => "NOT CHECKED",
        (_, status) => status.as_str(),
    }
}

fn not_checked_note(report: &Report) -> Option<String> {
    let n = report.not_checked();
    (n > 0).then(|| {
        format!(
            "Not fully checked: {} could not be checked.",
            plural(n, "resource or stack", "resources or stacks")
        )
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Like [`plural`], with thousands separators.
fn plural_n(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// The one-line verdict shared by text and markdown.
fn verdict_line(report: &Report, groups: &[ChangeGroup]) -> String {
    // Distinct changes: the same change in many stacks counts once.
    let count = |impact| groups.iter().filter(|g| g.change.impact == impact).count();
    let (w, s, n) = (
        count(Impact::Weakening),
        count(Impact::Strengthening),
        count(Impact::Neutral),
    );
    let stacks = plural_n(report.stacks.len(), "stack", "stacks");
    let counts = format!(
        "{w} weakening, {s} strengthening and {n} neutral {} in {} of {stacks}.",
        if w + s + n == 1 { "change" } else { "changes" },
        thousands(report.changed_stacks()),
    );
    let line = match (report.kind, report.verdict()) {
        (Kind::Diff, Verdict::Identical) => format!("No differences in {stacks}."),
        (Kind::Diff, Verdict::Differences) => format!("No weakening changes: {counts}"),
        (Kind::Diff, Verdict::Weakening) => format!("Weakens security: {counts}"),
        (Kind::Drift, Verdict::Identical) if report.complete() => {
            format!("In sync: nothing drifted in {stacks}, every resource checked.")
        }
        (Kind::Drift, Verdict::Identical) => {
            format!("No drift found in what could be checked ({stacks}).")
        }
        (Kind::Drift, Verdict::Differences) => format!("Drift found: {counts}"),
        (Kind::Drift, Verdict::Weakening) => format!("Drift weakens security: {counts}"),
    };
    match not_checked_note(report) {
        Some(note) => format!("{line} {note}"),
        None => line,
    }
}

fn order(changes: &[Change]) -> Vec<&Change> {
    let mut v: Vec<&Change> = changes.iter().collect();
    v.sort_by_key(|c| c.impact);
    v
}

fn impact_word(impact: Impact) -> (&'static str, &'static str) {
    match impact {
        Impact::Weakening => ("\x1b[1;31m", "WEAKENS"),
        Impact::Strengthening => ("\x1b[1;32m", "strengthens"),
        Impact::Neutral => ("\x1b[2m", "neutral"),
    }
}

fn target_prefix(c: &Change) -> String {
    let target = c.target();
    if target.is_empty() {
        String::new()
    } else {
        format!("{target}: ")
    }
}

/// Plain text; coloured when `color`. A report whose stacks each stand in one place lists
/// them one by one; when a stack stands in several accounts or regions, each stack name is
/// one section and each distinct change one entry that says where it is.
pub fn text(report: &Report, color: bool) -> String {
    let paint = |style: &str, s: &str| {
        if color {
            format!("{style}{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = match report.kind {
        Kind::Diff => format!(
            "cfn-baseline diff: {} (new) against {} (old)\n",
            report.new_label, report.old_label
        ),
        Kind::Drift => format!(
            "cfn-baseline drift: {} against {}\n",
            report.new_label, report.old_label
        ),
    };
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out.push('\n');
    let groups = report.groups();
    if report.spans_targets() {
        grouped_text(report, &groups, &paint, &mut out);
    } else {
        per_stack_text(report, &paint, &mut out);
    }
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
    let verdict = verdict_line(report, &groups);
    let verdict = match (report.verdict(), report.complete()) {
        (Verdict::Weakening, _) => paint("\x1b[1;31m", &verdict),
        (Verdict::Differences, _) | (_, false) => paint("\x1b[1;33m", &verdict),
        (Verdict::Identical, true) => paint("\x1b[1;32m", &verdict),
    };
    out.push_str(&format!("{verdict}\n"));
    out
}

fn sign_of(statuses: &BTreeMap<&str, usize>) -> &'static str {
    let only = |s: &str| statuses.len() == 1 && statuses.contains_key(s);
    if statuses.contains_key("NOT CHECKED") {
        "?"
    } else if only("added") {
        "+"
    } else if only("removed") || only("deleted") {
        "-"
    } else if only("unchanged") || only("in sync") {
        "="
    } else {
        "~"
    }
}

/// One section per stack name, one entry per distinct change with where it is.
fn grouped_text(
    report: &Report,
    groups: &[ChangeGroup],
    paint: &dyn Fn(&str, &str) -> String,
    out: &mut String,
) {
    let not_checked = report.not_checked_groups();
    let mut names: Vec<&str> = report
        .stacks
        .iter()
        .map(|s| s.stack_name.as_str())
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
        for s in report.stacks.iter().filter(|s| s.stack_name == name) {
            *statuses
                .entry(status_word(report.kind, s.status))
                .or_default() += 1;
        }
        let total: usize = statuses.values().sum();
        let counts: Vec<String> = statuses
            .iter()
            .map(|(word, n)| format!("{} {word}", thousands(*n)))
            .collect();
        out.push_str(&format!(
            "{} {}  {}: {}\n",
            sign_of(&statuses),
            paint("\x1b[1m", name),
            plural_n(total, "stack", "stacks"),
            counts.join(", ")
        ));
        // Where each change is says something only when the stack stands in several places.
        let scope = |g: &str| {
            if total > 1 {
                format!("              {g}\n")
            } else {
                String::new()
            }
        };
        let mut any = false;
        for g in groups.iter().filter(|g| g.stack_name == name) {
            let (style, word) = impact_word(g.change.impact);
            out.push_str(&format!(
                "  {} {}{}\n              {}\n{}",
                paint(style, &format!("{word:<11}")),
                target_prefix(&g.change),
                describe(&g.change, |s| s.to_string()),
                g.change.explanation,
                scope(&g.scope)
            ));
            any = true;
        }
        for g in not_checked.iter().filter(|g| g.stack_name == name) {
            let n = &g.not_checked;
            let what = match &n.resource {
                Some(r) => format!("{r} ({}): ", n.resource_type),
                None => String::new(),
            };
            out.push_str(&format!(
                "  {} {what}{}\n{}",
                paint("\x1b[1;33m", &format!("{:<11}", "not checked")),
                n.reason,
                scope(&g.scope)
            ));
            any = true;
        }
        if any {
            out.push('\n');
        }
    }
}

/// One section per stack, as each stands in one place.
fn per_stack_text(report: &Report, paint: &dyn Fn(&str, &str) -> String, out: &mut String) {
    for s in &report.stacks {
        let sign = match s.status {
            StackStatus::Added => "+",
            StackStatus::Removed => "-",
            StackStatus::Changed => "~",
            StackStatus::Unchanged => "=",
            StackStatus::Unchecked => "?",
        };
        let head = format!(
            "{} {}  {} {}  {}",
            sign,
            paint("\x1b[1m", &s.stack_name),
            s.account,
            s.region,
            status_word(report.kind, s.status)
        );
        if s.changes.is_empty() {
            out.push_str(&format!("{head}\n"));
        } else {
            out.push_str(&format!("{head}: {}\n", counts(s)));
        }
        for c in order(&s.changes) {
            let (style, word) = impact_word(c.impact);
            let label = paint(style, &format!("{word:<11}"));
            out.push_str(&format!(
                "  {label} {}{}\n              {}\n",
                target_prefix(c),
                describe(c, |s| s.to_string()),
                c.explanation
            ));
        }
        for n in &s.not_checked {
            let what = match &n.resource {
                Some(r) => format!("{r} ({}): ", n.resource_type),
                None => String::new(),
            };
            out.push_str(&format!(
                "  {} {what}{}\n",
                paint("\x1b[1;33m", &format!("{:<11}", "not checked")),
                n.reason
            ));
        }
        if !s.changes.is_empty() || !s.not_checked.is_empty() {
            out.push('\n');
        }
    }
}

/// Inline code that survives any content: backticks fenced with more backticks, pipes
/// escaped for tables.
fn md_code(s: &str) -> String {
    let s = s.replace('|', "\\|").replace('\n', " ");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// GitHub refuses comments over 65,536 characters; the comment stays under this, with room
/// for the note that says what was left out.
pub const MARKDOWN_BUDGET: usize = 60_000;

/// Markdown for a pull-request comment: the verdict, a summary table (one row per stack name
/// and status), every weakening change (one entry per distinct change, saying where), what
/// could not be checked, then the details in a collapsible block per stack name. Whatever the
/// estate, it stays under GitHub's limit: the weakening changes come first and complete, the
/// rest is cut with counts and a pointer to the JSON output. No ANSI codes.
pub fn markdown(report: &Report) -> String {
    let groups = report.groups();
    let mut out = match report.kind {
        Kind::Diff => String::from("## cfn-baseline diff\n\n"),
        Kind::Drift => String::from("## cfn-baseline drift\n\n"),
    };
    let icon = match (report.verdict(), report.complete()) {
        (Verdict::Weakening, _) => "🔴",
        (Verdict::Differences, _) | (_, false) => "🟡",
        (Verdict::Identical, true) => "🟢",
    };
    out.push_str(&format!("**{icon} {}**\n\n", verdict_line(report, &groups)));
    out.push_str(&match report.kind {
        Kind::Diff => format!(
            "{} (new) compared with {} (old).\n",
            md_code(&report.new_label),
            md_code(&report.old_label)
        ),
        Kind::Drift => format!(
            "{} compared with {}.\n",
            md_code(&report.new_label),
            md_code(&report.old_label)
        ),
    });
    for note in &report.notes {
        out.push_str(&format!("\n> **Note:** {}\n", note));
    }
    if report
        .stacks
        .iter()
        .all(|s| s.changes.is_empty() && s.not_checked.is_empty())
    {
        return out;
    }

    // Sections as shown; which of them fit is decided in priority order (weakening changes,
    // summary, not checked, details).
    let mut sections: Vec<(&str, String)> = Vec::new();
    let weakening: Vec<&ChangeGroup> = groups
        .iter()
        .filter(|g| g.change.impact == Impact::Weakening)
        .collect();
    if !weakening.is_empty() {
        let mut text = format!("\n### Weakening changes ({})\n\n", weakening.len());
        for g in &weakening {
            text.push_str(&format!(
                "1. {} ({}): {}{}: **{}**.\n",
                md_code(&g.stack_name),
                where_md(g),
                md_target(&g.change),
                describe(&g.change, md_code),
                g.change.explanation
            ));
        }
        sections.push(("weakening", text));
    }
    sections.insert(0, ("summary", summary_table(report, &groups)));
    if !report.complete() {
        let groups = report.not_checked_groups();
        let mut text = format!("\n### Not checked ({})\n\n", report.not_checked());
        for g in &groups {
            let n = &g.not_checked;
            let what = match &n.resource {
                Some(r) => format!("{} ({}): ", md_code(r), n.resource_type),
                None => String::new(),
            };
            text.push_str(&format!(
                "- {} ({}): {what}{}\n",
                md_code(&g.stack_name),
                g.scope.trim_start_matches("in "),
                n.reason
            ));
        }
        sections.push(("not checked", text));
    }
    let mut details = String::from("\n### Details\n");
    let mut names: Vec<&str> = groups.iter().map(|g| g.stack_name.as_str()).collect();
    names.dedup();
    for name in names {
        let mine: Vec<&ChangeGroup> = groups.iter().filter(|g| g.stack_name == name).collect();
        let stacks: BTreeMap<&str, ()> = mine
            .iter()
            .flat_map(|g| g.stacks.iter().map(|s| (s.as_str(), ())))
            .collect();
        details.push_str(&format!(
            "\n<details>\n<summary><code>{}</code>: {} in {}</summary>\n\n",
            html_escape(name),
            plural_n(mine.len(), "change", "changes"),
            plural_n(stacks.len(), "stack", "stacks"),
        ));
        details.push_str(
            "| Impact | Resource | Path | Change | Why | Where |\n|---|---|---|---|---|---|\n",
        );
        for g in mine {
            let c = &g.change;
            let resource = match &c.resource {
                Some(r) => format!("{} ({})", md_code(r), c.resource_type),
                None => c.resource_type.clone(),
            };
            let path = if c.path.is_empty() {
                String::new()
            } else {
                md_code(&c.path)
            };
            details.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                c.impact.as_str(),
                resource,
                path,
                describe(c, md_code),
                c.explanation.replace('|', "\\|"),
                where_md(g)
            ));
        }
        details.push_str("\n</details>\n");
    }
    sections.push(("details", details));

    let mut room = MARKDOWN_BUDGET.saturating_sub(out.len());
    let mut shown: BTreeMap<&str, String> = BTreeMap::new();
    let mut left_out = Vec::new();
    for name in ["weakening", "summary", "not checked", "details"] {
        let Some((_, text)) = sections.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        if text.len() <= room {
            room -= text.len();
            shown.insert(name, text.clone());
        } else if name == "weakening" {
            // Never dropped while anything else could be; cut only past the whole budget.
            let part = cut(text, room);
            room -= part.len();
            shown.insert(name, part);
            left_out.push("the rest of the weakening changes".to_string());
        } else {
            left_out.push(format!("the {name} section"));
        }
    }
    for (name, _) in &sections {
        if let Some(text) = shown.get(name) {
            out.push_str(text);
        }
    }
    if !left_out.is_empty() {
        out.push_str(&format!(
            "\n> **Not shown:** {} would not fit in one comment (GitHub's limit is 65,536 \
             characters). The full report, every stack and change, is in `--format json` \
             (the pull-request workflow in docs/guides/pull-request-review.md uploads it as an artifact).\n",
            left_out.join(", ")
        ));
    }
    out
}

/// Where a group is, for markdown: `account`, region for one stack; the scope otherwise.
fn where_md(g: &ChangeGroup) -> String {
    match g.stacks.as_slice() {
        [one] => match one.split_once('/') {
            Some((account, region)) => format!("{account}, {region}"),
            None => one.clone(),
        },
        _ => g.scope.trim_start_matches("in ").to_string(),
    }
}

fn md_target(c: &Change) -> String {
    let target = c.target();
    if target.is_empty() {
        String::new()
    } else {
        format!("{} ", md_code(&target))
    }
}

/// The first lines of `text` that fit in `room` characters.
fn cut(text: &str, room: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if out.len() + line.len() + 1 > room {
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One row per stack name and status, with its distinct changes by impact.
fn summary_table(report: &Report, groups: &[ChangeGroup]) -> String {
    let mut rows: BTreeMap<(&str, &str), Vec<&StackDiff>> = BTreeMap::new();
    for s in &report.stacks {
        if s.changes.is_empty() && s.not_checked.is_empty() {
            continue;
        }
        rows.entry((s.stack_name.as_str(), status_word(report.kind, s.status)))
            .or_default()
            .push(s);
    }
    let mut out = String::from(
        "\n| Stack | Where | Status | Weakening | Strengthening | Neutral |\n|---|---|---|--:|--:|--:|\n",
    );
    for ((name, status), stacks) in &rows {
        let places: BTreeMap<String, ()> = stacks
            .iter()
            .map(|s| (format!("{}/{}", s.account, s.region), ()))
            .collect();
        let count = |impact| {
            groups
                .iter()
                .filter(|g| g.stack_name == *name && g.change.impact == impact)
                .filter(|g| g.stacks.iter().any(|p| places.contains_key(p)))
                .count()
        };
        let where_ = match stacks.as_slice() {
            [one] => format!("{}, {}", md_code(&one.account), one.region),
            many => plural_n(many.len(), "stack", "stacks"),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            md_code(name),
            where_,
            status,
            count(Impact::Weakening),
            count(Impact::Strengthening),
            count(Impact::Neutral)
        ));
    }
    let unchanged = report
        .stacks
        .iter()
        .filter(|s| s.changes.is_empty() && s.not_checked.is_empty())
        .count();
    if unchanged > 0 {
        out.push_str(&format!(
            "\n{} not shown.\n",
            match report.kind {
                Kind::Diff => plural_n(unchanged, "unchanged stack", "unchanged stacks"),
                Kind::Drift => plural_n(unchanged, "stack in sync", "stacks in sync"),
            }
        ));
    }
    out
}

/// The documented JSON shape (see README, "diff --format json").
pub fn json(report: &Report) -> String {
    let value = json!({
        "format": match report.kind {
            Kind::Diff => "cfn-baseline-diff",
            Kind::Drift => "cfn-baseline-drift",
        },
        "version": JSON_FORMAT_VERSION,
        "complete": report.complete(),
        "new": report.new_label,
        "old": report.old_label,
        "verdict": report.verdict(),
        "summary": {
            "stacks": report.stacks.len(),
            "changed_stacks": report.changed_stacks(),
            "weakening": report.count(Impact::Weakening),
            "strengthening": report.count(Impact::Strengthening),
            "neutral": report.count(Impact::Neutral),
            "not_checked": report.not_checked(),
            "distinct_changes": report.groups().len(),
        },
        "notes": report.notes,
        "stacks": report.stacks,
        // Each distinct change once, with every stack that has it (added in version 1).
        "groups": report.groups(),
        "not_checked_groups": report.not_checked_groups(),
    });
    crate::json::to_string_sorted(&value)
}
