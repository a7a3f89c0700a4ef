//! `drift`: detect drift on every stack of every account the baseline targets and in the
//! IAM password policy, report it with its security impact and what could not be checked,
//! and with `--reapply` revert it (drift-aware change sets, the password policy).

use std::collections::HashMap;
use std::io::IsTerminal;

use anyhow::{bail, Result};
use serde_json::Value as Json;

use super::controls::{self, ControlsRead};
use super::deploy::{
    abandon_all, adopt_existing, connect_groups, discard_all, execute_all, print_summary,
    resolve_regions, resume_command, stop_report, Group,
};
use super::settings::{self as other_settings, SettingRead};
use super::{load_baseline, resolve_source, ExitStatus, Fallback};
use crate::aws::{BeforeValueFrom, ControlsApi, DriftApi, ResourceChange, SettingsApi};
use crate::baseline::Baseline;
use crate::cli::{DiffFormat, DriftArgs, DriftScope, GlobalArgs};
use crate::deploy::{self, FailureKind, Options, Prepared, PreparedStack};
use crate::diff::{self, Impact, Kind, NotChecked, Report, StackDiff, StackStatus};
use crate::drift::{self, Checked, StackCheck};
use crate::fanout::{self, Go, Limits};
use crate::interrupt;
use crate::output::Printer;
use crate::render::{render_all, Renderer};
use crate::settings;

pub fn drift(global: &GlobalArgs, args: &DriftArgs, printer: &mut Printer) -> Result<ExitStatus> {
    if args.reapply && !args.yes && !std::io::stdin().is_terminal() {
        bail!("drift --reapply needs confirmation: stdin is not a terminal, so pass --yes to revert without asking (nothing was changed)");
    }
    let source = resolve_source(args.baseline.as_deref(), Fallback::Refuse, printer)?;
    let source_name = source.name.clone();
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    let renderer = Renderer::new(global.templates.as_deref())?;
    let stacks = render_all(&baseline, &renderer)?;
    if baseline.file.deployment.mode == crate::baseline::DeploymentMode::Stacksets {
        if !baseline.members_in_stack_sets() {
            return drift_stacksets(global, args, printer, &baseline, &stacks, &source_name);
        }
        // With an organization: the role accounts' stacks and settings, then the members'
        // stack sets (whose drift `--reapply` does not revert).
        printer.status(super::ROLE_PART);
        let roles = super::role_part_now(global, &baseline, printer)?
            .expect("stack-set mode with an organization has a role part");
        let role_stacks = render_all(&roles, &renderer)?;
        let first = drift_stacks(
            global,
            args,
            printer,
            &roles,
            &role_stacks,
            &renderer,
            &source_name,
        )?;
        printer.status("Part 2 of 2: the member accounts' stack sets");
        if args.reapply {
            printer.warning(
                "--reapply reverts the three accounts' drift only: a stack set's drift is reverted by updating it with `cfn-baseline deploy`",
            );
        }
        let members = crate::stacksets::carried(&baseline, &stacks);
        let second = drift_stacksets(global, args, printer, &baseline, &members, &source_name)?;
        return Ok(first.and(second));
    }
    drift_stacks(
        global,
        args,
        printer,
        &baseline,
        &stacks,
        &renderer,
        &source_name,
    )
}

/// Drift in stack mode: every account's stacks and settings, reverted with `--reapply`.
fn drift_stacks(
    global: &GlobalArgs,
    args: &DriftArgs,
    printer: &mut Printer,
    baseline: &Baseline,
    stacks: &[crate::render::RenderedStack],
    renderer: &Renderer,
    source_name: &str,
) -> Result<ExitStatus> {
    let runtime = super::runtime()?;
    let result = runtime.block_on(async {
        let (mut groups, reached) = connect_groups(global, baseline, stacks, printer).await?;
        resolve_regions(&mut groups, baseline, renderer, printer).await?;
        // What deploy deployed in these accounts (a recorder taken over by name, Control
        // Tower's region without one, ...): what drift compares with and reverts to.
        let limits = Limits::new(
            usize::from(args.concurrency),
            usize::from(args.max_in_flight),
        );
        for refusal in adopt_existing(&mut groups, baseline, &limits, printer).await? {
            printer.warning(&format!("not checked: {refusal}"));
        }
        check(args, printer, baseline, source_name, &groups, &reached).await
    });
    runtime.shutdown_background();
    result
}

/// Detects drift in every group's stacks and password policy, reports it, and with
/// `--reapply` reverts it. Generic over the narrow interfaces, so fakes drive it in tests.
pub async fn check<A: DriftApi + ControlsApi + SettingsApi>(
    args: &DriftArgs,
    printer: &mut Printer,
    baseline: &Baseline,
    source_name: &str,
    groups: &[Group<A>],
    reached: &[String],
) -> Result<ExitStatus> {
    let rendered: HashMap<String, Json> = groups
        .iter()
        .flat_map(|g| &g.jobs)
        .map(|j| (j.key.clone(), j.template.value.clone()))
        .collect();
    {
        let check_stacks = args.scope != DriftScope::Settings;
        let check_settings = args.scope != DriftScope::Stacks;
        let settings_named = if baseline.file.security_contact.is_some() {
            "the IAM password policy, the Security Hub controls and the security contact"
        } else {
            "the IAM password policy and the Security Hub controls"
        };
        printer.status(&format!(
            "Checking {} of baseline {} in account {}",
            match args.scope {
                DriftScope::All => format!("every stack, {settings_named}"),
                DriftScope::Stacks => "every stack".to_string(),
                DriftScope::Settings => settings_named.to_string(),
            },
            baseline.name(),
            reached.join(", ")
        ));
        let options = Options {
            limits: Limits::new(
                usize::from(args.concurrency),
                usize::from(args.max_in_flight),
            ),
            ..Options::default()
        };

        // Stacks, every account at once.
        let mut checks: Vec<(usize, StackCheck)> = Vec::new();
        if check_stacks {
            let keys: Vec<String> = groups
                .iter()
                .flat_map(|g| g.jobs.iter().map(|j| j.key.clone()))
                .collect();
            let found = fanout::across(
                groups.iter().collect(),
                printer,
                &keys,
                "waiting",
                |g, tx| drift::detect(g.api.clone(), g.jobs.clone(), options.clone(), tx),
            )
            .await
            .ok_or_else(|| {
                interrupt::stopped("interrupted during drift detection; nothing was changed")
            })?;
            for (i, found) in found.into_iter().enumerate() {
                checks.extend(found.into_iter().map(|c| (i, c)));
            }
        }
        let unsupported = checks
            .iter()
            .filter(|(_, c)| matches!(c.checked, Checked::Unsupported(_)))
            .count();
        if unsupported > 0 {
            printer.warning(&format!(
                "the endpoint does not support drift detection: {unsupported} stack(s) could not be checked, \
                 so this run cannot say they are in sync"
            ));
        }
        let mut stack_diffs: Vec<StackDiff> = checks
            .iter()
            .map(|(i, c)| drift::stack_diff(c, &groups[*i].label, &rendered[&c.job.key]))
            .collect();

        // Security Hub controls, outside CloudFormation.
        let mut control_drift: Vec<ControlsRead> = Vec::new();
        if check_settings {
            for read in controls::read_all(baseline, groups, &options.limits).await {
                let region = read.wanted.region.clone();
                let unchecked = |reason: String| StackDiff {
                    account: read.label.clone(),
                    region: region.clone(),
                    stack_name: settings::CONTROLS_STACK.to_string(),
                    component: Some(settings::CONTROLS_STACK.to_string()),
                    status: StackStatus::Unchecked,
                    changes: vec![],
                    not_checked: vec![NotChecked {
                        resource: None,
                        resource_type: settings::CONTROL_TYPE.to_string(),
                        reason,
                    }],
                };
                match &read.live {
                    Err(e) if read.unsupported() => stack_diffs.push(unchecked(format!(
                        "the endpoint does not implement Security Hub's control API ({e})"
                    ))),
                    Err(e) => stack_diffs.push(unchecked(format!("could not read them: {e}"))),
                    Ok(_) => {
                        setting_drift(
                            read.wanted_stack(),
                            read.live_stack().expect("read"),
                            &mut stack_diffs,
                        );
                        if !read.updates().is_empty() {
                            control_drift.push(read);
                        }
                    }
                }
            }
        }
        // The other settings outside CloudFormation (the security contact).
        let mut other_drift: Vec<SettingRead> = Vec::new();
        let mut setting_notes = Vec::new();
        if check_settings {
            for read in other_settings::read_all(baseline, groups, &options.limits).await {
                match &read.live {
                    Err(e) => stack_diffs.push(StackDiff {
                        account: read.label.clone(),
                        region: read.wanted.region.clone(),
                        stack_name: read.wanted.setting.stack_name().to_string(),
                        component: Some(read.wanted.setting.component().to_string()),
                        status: StackStatus::Unchecked,
                        changes: vec![],
                        not_checked: vec![NotChecked {
                            resource: Some(read.wanted.setting.logical_id().to_string()),
                            resource_type: read.wanted.setting.resource_type().to_string(),
                            reason: if read.unsupported() {
                                format!("the endpoint does not implement its API ({e})")
                            } else {
                                format!("could not read it: {e}")
                            },
                        }],
                    }),
                    Ok(_) => {
                        if let Some(note) = read.note() {
                            setting_notes.push(format!("{}: {note}", read.key()));
                        }
                        if setting_drift(
                            read.wanted_stack(),
                            read.live_stack().expect("read"),
                            &mut stack_diffs,
                        ) {
                            other_drift.push(read);
                        }
                    }
                }
            }
        }
        stack_diffs.sort_by(|a, b| {
            (&a.account, &a.region, &a.stack_name).cmp(&(&b.account, &b.region, &b.stack_name))
        });
        let mut notes = Vec::new();
        match args.scope {
            DriftScope::Stacks => notes.push(format!(
                "{settings_named} were not checked (--scope stacks)"
            )),
            DriftScope::Settings => {
                notes.push("the stacks were not checked (--scope settings)".to_string())
            }
            DriftScope::All => {}
        }
        notes.extend(setting_notes);
        let accounts: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
        let report = Report {
            kind: Kind::Drift,
            new_label: format!("live state of account {}", accounts.join(", ")),
            old_label: source_name.to_string(),
            notes,
            stacks: stack_diffs,
        };
        let text = match args.format {
            DiffFormat::Text => diff::text(&report, printer.color_stdout()),
            DiffFormat::Markdown => diff::markdown(&report),
            DiffFormat::Json => diff::json(&report),
        };
        printer.result(&text);

        let drifted = report.stacks.iter().any(|s| !s.changes.is_empty());
        if !args.reapply || !drifted {
            if args.reapply {
                printer.status("nothing to revert");
            }
            return Ok(if !report.complete() {
                ExitStatus::Weakening
            } else if drifted {
                ExitStatus::Differences
            } else {
                ExitStatus::Success
            });
        }
        reapply(
            args,
            printer,
            groups,
            &checks,
            &report,
            &SettingsDrift {
                controls: control_drift,
                other: other_drift,
            },
            options,
        )
        .await
    }
}

/// Compares a setting's wanted pseudo-stack with the live one as drift: its stack diffs go
/// to `out` (changed where they differ); true when it drifted.
fn setting_drift(
    wanted: diff::StackInput,
    live: diff::StackInput,
    out: &mut Vec<StackDiff>,
) -> bool {
    let mut drifted = false;
    for mut s in diff::compare(&[wanted], &[live], "baseline", "live").stacks {
        if !s.changes.is_empty() {
            s.status = StackStatus::Changed;
            drifted = true;
        }
        out.push(s);
    }
    drifted
}

/// The settings outside CloudFormation that drifted: the Security Hub controls of a
/// region, and the others (the password policy among them).
struct SettingsDrift {
    controls: Vec<ControlsRead>,
    /// The other settings ([`crate::settings::Setting`]) that drifted.
    other: Vec<SettingRead>,
}

/// The keys of the stacks whose drift-aware change set is ready to execute.
fn prepared_keys(prepared: &[Vec<PreparedStack>]) -> Vec<String> {
    prepared
        .iter()
        .flatten()
        .filter(|p| matches!(p.state, Prepared::Pending { .. }))
        .map(|p| p.job.key.clone())
        .collect()
}

/// What reverting would weaken, one line each: a stack property made stricter by hand than
/// the baseline has (the drift strengthens, so its revert weakens what is live), and a
/// setting or control whose restore weakens what is live.
fn revert_weakening(
    report: &Report,
    reverting: &[String],
    drifted_settings: &SettingsDrift,
) -> Vec<String> {
    let mut lines = Vec::new();
    for s in &report.stacks {
        let key = format!("{}/{}/{}", s.account, s.region, s.stack_name);
        if !reverting.contains(&key) {
            continue;
        }
        for c in s
            .changes
            .iter()
            .filter(|c| c.impact == Impact::Strengthening)
        {
            lines.push(format!(
                "{key}: {} (made stricter by hand than the baseline; the revert undoes it)",
                crate::live_plan::describe(c)
            ));
        }
    }
    let controls = drifted_settings
        .controls
        .iter()
        .map(|r| (r.key(), r.changes()));
    let others = drifted_settings
        .other
        .iter()
        .map(|r| (r.key(), r.changes()));
    for (key, changes) in controls.chain(others) {
        for c in changes.iter().filter(|c| c.impact == Impact::Weakening) {
            lines.push(format!("{key}: {}", crate::live_plan::describe(c)));
        }
    }
    lines
}

/// Reverts what drifted: a drift-aware change set per drifted stack, then the password
/// policy and the Security Hub controls. Returns the exit status of the whole run.
async fn reapply<A: DriftApi + ControlsApi + SettingsApi>(
    args: &DriftArgs,
    printer: &mut Printer,
    groups: &[Group<A>],
    checks: &[(usize, StackCheck)],
    report: &Report,
    drifted_settings: &SettingsDrift,
    options: Options,
) -> Result<ExitStatus> {
    let control_drift = &drifted_settings.controls;
    let drifted_keys: Vec<(String, bool)> = report
        .stacks
        .iter()
        .filter(|s| !s.changes.is_empty() && !settings::is_setting(&s.region, &s.stack_name))
        .map(|s| {
            (
                format!("{}/{}/{}", s.account, s.region, s.stack_name),
                s.count(Impact::Weakening) > 0,
            )
        })
        .collect();
    let weakening_of = |key: &str| drifted_keys.iter().any(|(k, w)| k == key && *w);
    // Stacks that are not deployed are for `deploy`, not for a revert.
    let mut not_deployed = Vec::new();
    let mut per_group: Vec<Vec<deploy::Job>> = vec![Vec::new(); groups.len()];
    for (i, c) in checks {
        let key = format!("{}/{}/{}", groups[*i].label, c.job.region, c.job.stack_name);
        if !drifted_keys.iter().any(|(k, _)| *k == key) {
            continue;
        }
        match c.checked {
            Checked::Drifts { .. } => per_group[*i].push(c.job.clone()),
            _ => not_deployed.push(key),
        }
    }
    let revert_options = Options {
        revert_drift: true,
        ..options.clone()
    };
    let keys: Vec<String> = per_group.iter().flatten().map(|j| j.key.clone()).collect();
    // The groups with their drifted stacks only, for cleanup after Ctrl-C.
    let drifted: Vec<Group<A>> = groups
        .iter()
        .zip(&per_group)
        .map(|(g, jobs)| Group {
            jobs: jobs.clone(),
            ..g.clone()
        })
        .collect();
    let prepared: Option<Vec<Vec<PreparedStack>>> = fanout::across(
        drifted.iter().collect(),
        printer,
        &keys,
        "preparing",
        |g, tx| deploy::prepare(g.api.clone(), g.jobs.clone(), revert_options.clone(), tx),
    )
    .await;
    let Some(prepared) = prepared else {
        printer.warning("interrupted: deleting the drift-aware change sets created so far");
        abandon_all(&drifted, printer, &revert_options.tracker).await;
        printer.status(&stop_report(
            &drifted,
            &revert_options.tracker,
            &resume_command(),
        ));
        return Err(interrupt::stopped(
            "interrupted before anything was reverted; change sets deleted, nothing was changed",
        ));
    };

    let mut text = String::from("\nReverting drift:\n");
    let mut unreverted_weakening = false;
    let mut failures = Vec::new();
    for p in prepared.iter().flatten() {
        match &p.state {
            Prepared::Pending { changes, .. } => {
                text.push_str(&format!(
                    "~ {}  drift-aware change set, {} resource change(s)\n",
                    p.job.key,
                    changes.len()
                ));
                for c in changes {
                    text.push_str(&three_views(c));
                }
            }
            Prepared::Failed(reason) => {
                text.push_str(&format!("! {}  cannot be reverted: {reason}\n", p.job.key));
                failures.push(p.job.key.clone());
                unreverted_weakening |= weakening_of(&p.job.key);
            }
            Prepared::Unchanged | Prepared::NoChanges => {
                text.push_str(&format!("= {}  nothing to revert\n", p.job.key));
            }
        }
    }
    for key in &not_deployed {
        text.push_str(&format!(
            "! {key}  not deployed; run `cfn-baseline deploy` to create it\n"
        ));
        unreverted_weakening |= weakening_of(key);
    }
    for read in control_drift {
        text.push_str(&format!("~ {}  restore\n", read.key()));
        for c in read.changes() {
            // From live to the baseline: a control the baseline has and live lacks is disabled.
            text.push_str(&format!(
                "    {} {}\n",
                c.resource.as_deref().unwrap_or("-"),
                if c.new.is_some() {
                    "disable again"
                } else {
                    "enable again"
                },
            ));
        }
    }
    for read in &drifted_settings.other {
        text.push_str(&format!(
            "~ {}  {}\n",
            read.key(),
            if read.is_set() {
                "restore"
            } else {
                "set (there is none)"
            }
        ));
        for c in read.changes() {
            text.push_str(&crate::live_plan::setting_line(&c));
        }
    }
    printer.result(&text);

    // An endpoint without drift-aware change sets: stop before anything changes.
    let unsupported = prepared.iter().flatten().any(
        |p| matches!(&p.state, Prepared::Failed(f) if f.kind == FailureKind::RevertUnsupported),
    );
    if unsupported {
        discard_all(groups, &prepared, printer, &revert_options.tracker).await;
        printer.error(
            "the endpoint does not support drift-aware change sets (DeploymentMode REVERT_DRIFT); \
             nothing was reverted or changed",
        );
        return Ok(ExitStatus::Weakening);
    }

    let pending = prepared
        .iter()
        .flatten()
        .filter(|p| matches!(p.state, Prepared::Pending { .. }))
        .count();
    let settings_to_restore = control_drift.len() + drifted_settings.other.len();
    if pending + settings_to_restore == 0 {
        discard_all(groups, &prepared, printer, &revert_options.tracker).await;
        return Ok(if unreverted_weakening || !report.complete() {
            ExitStatus::Weakening
        } else {
            ExitStatus::Error
        });
    }
    let weakening = revert_weakening(report, &prepared_keys(&prepared), drifted_settings);
    let go = fanout::go_ahead(
        printer,
        "drift --reapply",
        (args.yes, args.allow_weakening),
        (pending, settings_to_restore),
        &weakening,
    )
    .await;
    if go != Go::Ahead {
        discard_all(groups, &prepared, printer, &revert_options.tracker).await;
        return match go {
            Go::Refused(why) => {
                printer.error(&format!("{why} (change sets deleted, nothing was reverted)"));
                Ok(ExitStatus::Weakening)
            }
            Go::NotConfirmed => {
                printer.status("not confirmed; change sets deleted, nothing was reverted");
                Ok(ExitStatus::Error)
            }
            _ => Err(interrupt::stopped(
                "interrupted before anything was reverted; change sets deleted, nothing was changed",
            )),
        };
    }
    let reports = execute_all(groups, prepared, printer, &keys, &revert_options).await;
    let Some(reports) = reports else {
        printer.warning(
            "interrupted: stacks already reverting keep going in CloudFormation; deleting the change sets not yet executed",
        );
        abandon_all(&drifted, printer, &revert_options.tracker).await;
        printer.status(&stop_report(
            &drifted,
            &revert_options.tracker,
            &resume_command(),
        ));
        return Err(interrupt::stopped(
            "interrupted while reverting drift; run `cfn-baseline drift` to see where each stack stands",
        ));
    };
    if !reports.is_empty() {
        print_summary(printer, &reports);
    }
    for r in &reports {
        if let deploy::Outcome::Failed(reason) = &r.outcome {
            printer.error(&reason.to_string());
            unreverted_weakening |= weakening_of(&r.job.key);
            failures.push(r.job.key.clone());
        }
    }
    if interrupt::happened() && settings_to_restore > 0 {
        return Err(interrupt::stopped(
            "interrupted before the settings outside CloudFormation were restored; run \
             `cfn-baseline drift` to see where each stands",
        ));
    }
    for read in control_drift {
        match controls::apply(groups[read.group].api.as_ref(), read).await {
            Ok(line) => printer.success(&line),
            Err(e) => {
                printer.error(&format!(
                    "{}: restoring the Security Hub controls: {e}",
                    read.key()
                ));
                unreverted_weakening = true;
                failures.push(read.key());
            }
        }
    }
    for read in &drifted_settings.other {
        match other_settings::apply(groups[read.group].api.as_ref(), read).await {
            Ok(line) => printer.success(&format!("{line} (restored)")),
            Err(e) => {
                printer.error(&format!(
                    "{}: restoring {}: {e}",
                    read.key(),
                    read.wanted.setting.describe()
                ));
                unreverted_weakening = true;
                failures.push(read.key());
            }
        }
    }
    Ok(if unreverted_weakening || !report.complete() {
        ExitStatus::Weakening
    } else if !failures.is_empty() {
        ExitStatus::Error
    } else {
        // Drift was found (and reverted): a scheduled job should still hear about it.
        ExitStatus::Differences
    })
}

/// A drift-aware resource change: what is live, what was last deployed, what it will be.
fn three_views(c: &ResourceChange) -> String {
    let mut out = format!(
        "    {} {} ({}){}\n",
        c.action,
        c.logical_id,
        c.resource_type,
        c.drift_status
            .as_ref()
            .map(|d| format!(", drift {d}"))
            .unwrap_or_default()
    );
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    for d in &c.details {
        out.push_str(&format!(
            "        {}: live {} · last deployed {} · new {}{}\n",
            d.path,
            show(&d.actual.clone().or_else(|| {
                (d.before_from == Some(BeforeValueFrom::ActualState))
                    .then(|| d.before.clone())
                    .flatten()
            })),
            show(&d.previous.clone().or_else(|| {
                (d.before_from == Some(BeforeValueFrom::PreviousDeploymentState))
                    .then(|| d.before.clone())
                    .flatten()
            })),
            show(&d.after),
            d.change_type
                .as_ref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default()
        ));
    }
    if c.details.is_empty() {
        for (label, v) in [
            ("live", &c.live),
            ("last deployed", &c.last_deployed),
            ("new", &c.new),
        ] {
            if let Some(v) = v {
                out.push_str(&format!("        {label}: {v}\n"));
            }
        }
    }
    out
}

/// Drift in stack-set mode: DetectStackSetDrift on every stack set, reported per instance.
/// Property-level detail needs access to each account (stack mode); `--reapply` is not
/// offered here.
fn drift_stacksets(
    global: &GlobalArgs,
    args: &DriftArgs,
    printer: &mut Printer,
    baseline: &crate::baseline::Baseline,
    stacks: &[crate::render::RenderedStack],
    source_name: &str,
) -> Result<ExitStatus> {
    if args.reapply && !baseline.members_in_stack_sets() {
        bail!("--reapply is not available in stack-set mode: update the stack set with `cfn-baseline deploy` (nothing was changed)");
    }
    let specs = crate::stacksets::group(baseline, stacks).map_err(anyhow::Error::msg)?;
    let runtime = super::runtime()?;
    let report = runtime.block_on(async {
        let (api, caller) = super::connect_caller(global, baseline).await?;
        let ctx = crate::stacksets::context(baseline);
        printer.status(&format!(
            "Detecting drift on {} stack sets of baseline {} from account {caller}",
            specs.len(),
            baseline.name()
        ));
        let options = Options::default();
        let mut out = Vec::new();
        let mut unsupported = 0;
        for spec in &specs {
            let found = crate::stacksets::detect_drift(&api, &ctx, &spec.name, &options).await;
            if matches!(&found, crate::stacksets::SetDrift::Unsupported(_)) {
                unsupported += 1;
            }
            out.extend(crate::stacksets::drift_diffs(spec, &ctx, found));
        }
        if unsupported > 0 {
            printer.warning(&format!(
                "the endpoint does not support stack set drift detection: {unsupported} stack set(s) could not be checked"
            ));
        }
        out.sort_by(|a, b| (&a.stack_name, &a.account, &a.region).cmp(&(&b.stack_name, &b.account, &b.region)));
        anyhow::Ok(Report {
            kind: Kind::Drift,
            new_label: "live stack instances".to_string(),
            old_label: source_name.to_string(),
            notes: vec!["stack-set mode: drift is reported per stack instance; the IAM password policy of the stack sets' accounts is not managed in this mode".to_string()],
            stacks: out,
        })
    })?;
    runtime.shutdown_background();
    let text = match args.format {
        DiffFormat::Text => diff::text(&report, printer.color_stdout()),
        DiffFormat::Markdown => diff::markdown(&report),
        DiffFormat::Json => diff::json(&report),
    };
    printer.result(&text);
    Ok(if !report.complete() {
        ExitStatus::Weakening
    } else if report.stacks.iter().any(|s| !s.changes.is_empty()) {
        ExitStatus::Differences
    } else {
        ExitStatus::Success
    })
}
