//! The three outputs of a diff: text for a terminal, markdown for a pull-request comment and
//! JSON for machines. All three order stacks by account, region and name and changes by
//! resource and path, so the same inputs always give the same bytes.

use serde_json::{json, Value as Json};

use super::{Action, Change, Impact, Kind, Report, StackDiff, StackStatus, Verdict};

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

/// The one-line verdict shared by text and markdown.
fn verdict_line(report: &Report) -> String {
    let (w, s, n) = (
        report.count(Impact::Weakening),
        report.count(Impact::Strengthening),
        report.count(Impact::Neutral),
    );
    let stacks = plural(report.stacks.len(), "stack", "stacks");
    let counts = format!(
        "{w} weakening, {s} strengthening and {n} neutral {} in {} of {stacks}.",
        if w + s + n == 1 { "change" } else { "changes" },
        report.changed_stacks(),
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

/// Plain text; coloured when `color`.
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
            let (style, word) = match c.impact {
                Impact::Weakening => ("\x1b[1;31m", "WEAKENS"),
                Impact::Strengthening => ("\x1b[1;32m", "strengthens"),
                Impact::Neutral => ("\x1b[2m", "neutral"),
            };
            let label = paint(style, &format!("{word:<11}"));
            let target = c.target();
            let target = if target.is_empty() {
                String::new()
            } else {
                format!("{target}: ")
            };
            out.push_str(&format!(
                "  {label} {target}{}\n              {}\n",
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
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
    let verdict = verdict_line(report);
    let verdict = match (report.verdict(), report.complete()) {
        (Verdict::Weakening, _) => paint("\x1b[1;31m", &verdict),
        (Verdict::Differences, _) | (_, false) => paint("\x1b[1;33m", &verdict),
        (Verdict::Identical, true) => paint("\x1b[1;32m", &verdict),
    };
    out.push_str(&format!("{verdict}\n"));
    out
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

/// Markdown for a pull-request comment: verdict, per-stack summary table, the weakening
/// list, then every change in a collapsible block per stack. No ANSI codes.
pub fn markdown(report: &Report) -> String {
    let mut out = match report.kind {
        Kind::Diff => String::from("## cfn-baseline diff\n\n"),
        Kind::Drift => String::from("## cfn-baseline drift\n\n"),
    };
    let icon = match (report.verdict(), report.complete()) {
        (Verdict::Weakening, _) => "🔴",
        (Verdict::Differences, _) | (_, false) => "🟡",
        (Verdict::Identical, true) => "🟢",
    };
    out.push_str(&format!("**{icon} {}**\n\n", verdict_line(report)));
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
    let changed: Vec<&StackDiff> = report
        .stacks
        .iter()
        .filter(|s| !s.changes.is_empty() || !s.not_checked.is_empty())
        .collect();
    if changed.is_empty() {
        return out;
    }
    out.push_str("\n| Stack | Account | Region | Status | Weakening | Strengthening | Neutral |\n");
    out.push_str("|---|---|---|---|--:|--:|--:|\n");
    for s in &changed {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            md_code(&s.stack_name),
            md_code(&s.account),
            s.region,
            status_word(report.kind, s.status),
            s.count(Impact::Weakening),
            s.count(Impact::Strengthening),
            s.count(Impact::Neutral)
        ));
    }
    let unchanged = report.stacks.len() - changed.len();
    if unchanged > 0 {
        out.push_str(&format!(
            "\n{} not shown.\n",
            match report.kind {
                Kind::Diff => plural(unchanged, "unchanged stack", "unchanged stacks"),
                Kind::Drift => plural(unchanged, "stack in sync", "stacks in sync"),
            }
        ));
    }

    let weakening = report.by_impact(Impact::Weakening);
    if !weakening.is_empty() {
        out.push_str(&format!(
            "\n### Weakening changes ({})\n\n",
            weakening.len()
        ));
        for (s, c) in weakening {
            let target = c.target();
            let target = if target.is_empty() {
                String::new()
            } else {
                format!("{} ", md_code(&target))
            };
            out.push_str(&format!(
                "1. {} ({}, {}): {target}{}: **{}**.\n",
                md_code(&s.stack_name),
                s.account,
                s.region,
                describe(c, md_code),
                c.explanation
            ));
        }
    }

    if !report.complete() {
        out.push_str(&format!("\n### Not checked ({})\n\n", report.not_checked()));
        for s in &report.stacks {
            for n in &s.not_checked {
                let what = match &n.resource {
                    Some(r) => format!("{} ({}): ", md_code(r), n.resource_type),
                    None => String::new(),
                };
                out.push_str(&format!(
                    "- {} ({}, {}): {what}{}\n",
                    md_code(&s.stack_name),
                    s.account,
                    s.region,
                    n.reason
                ));
            }
        }
    }

    out.push_str("\n### Details\n");
    for s in changed.iter().filter(|s| !s.changes.is_empty()) {
        out.push_str(&format!(
            "\n<details>\n<summary><code>{}</code> in {} / {}: {}, {}</summary>\n\n",
            html_escape(&s.stack_name),
            html_escape(&s.account),
            html_escape(&s.region),
            status_word(report.kind, s.status),
            counts(s)
        ));
        out.push_str("| Impact | Resource | Path | Change | Why |\n|---|---|---|---|---|\n");
        for c in order(&s.changes) {
            let resource = match &c.resource {
                Some(r) => format!("{} ({})", md_code(r), c.resource_type),
                None => c.resource_type.clone(),
            };
            let path = if c.path.is_empty() {
                "".to_string()
            } else {
                md_code(&c.path)
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                c.impact.as_str(),
                resource,
                path,
                describe(c, md_code),
                c.explanation.replace('|', "\\|")
            ));
        }
        out.push_str("\n</details>\n");
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
        },
        "notes": report.notes,
        "stacks": report.stacks,
    });
    crate::json::to_string_sorted(&value)
}
