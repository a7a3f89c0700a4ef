//! `plan` and `deploy`: render, connect, prepare change sets, then discard them (plan) or
//! confirm and execute them (deploy).

use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{bail, Result};

use super::controls;
use super::settings as other_settings;
use super::{load_baseline, resolve_source, ExitStatus, Fallback};
use crate::adopt::{self, Facts, Place};
use crate::aws::{self, AccountAccess, ControlsApi, DiscoveryApi, SettingsApi, StackApi};
use crate::baseline::{Baseline, BASELINE_TAG};
use crate::cli::{DeployArgs, DiffFormat, GlobalArgs};
use crate::deploy::{self, Fate, Job, Options, Phase, Prepared, PreparedStack, Tracker};

use crate::fanout::{self, Go, Limits};
use crate::interrupt;
use crate::live_plan::{LivePlan, SettingPlan};
use crate::output::Printer;
use crate::plan::CALLER_ACCOUNT_LABEL;
use crate::render::{render_all, RenderedStack, Renderer};

pub fn plan(global: &GlobalArgs, args: &DeployArgs, printer: &mut Printer) -> Result<ExitStatus> {
    run(global, args, printer, false)
}

pub fn deploy(global: &GlobalArgs, args: &DeployArgs, printer: &mut Printer) -> Result<ExitStatus> {
    run(global, args, printer, true)
}

fn run(
    global: &GlobalArgs,
    args: &DeployArgs,
    printer: &mut Printer,
    execute: bool,
) -> Result<ExitStatus> {
    let interactive = std::io::stdin().is_terminal();
    if execute && !args.yes && !interactive {
        bail!("deploy needs confirmation: stdin is not a terminal, so pass --yes to execute without asking (nothing was changed)");
    }
    let source = resolve_source(args.baseline.as_deref(), Fallback::Refuse, printer)?;
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    let renderer = Renderer::new(global.templates.as_deref())?;
    let stacks = render_all(&baseline, &renderer)?;
    if baseline.file.deployment.mode == crate::baseline::DeploymentMode::Stacksets {
        if baseline.members_in_stack_sets() {
            return in_two_parts(
                global, args, printer, execute, &baseline, &stacks, &renderer,
            );
        }
        return super::stacksets::run(global, args, printer, execute, &baseline, &stacks);
    }

    let runtime = super::runtime()?;
    let result = runtime.block_on(run_async(
        global, args, printer, execute, &baseline, &stacks, &renderer,
    ));
    // A confirmation prompt interrupted by Ctrl-C leaves a thread blocked on stdin.
    runtime.shutdown_background();
    result
}

/// Stack-set mode with an organization: first the management, log archive and security
/// accounts as stacks (with their delegations and organization configurations, which have
/// no CloudFormation type), then the members as stack sets, whose Config recorders deliver
/// to the log archive bucket the first part made. A deploy stops after the first part
/// unless it succeeded.
fn in_two_parts(
    global: &GlobalArgs,
    args: &DeployArgs,
    printer: &mut Printer,
    execute: bool,
    baseline: &Baseline,
    stacks: &[RenderedStack],
    renderer: &Renderer,
) -> Result<ExitStatus> {
    printer.status(super::ROLE_PART);
    let runtime = super::runtime()?;
    let first = runtime.block_on(async {
        let roles = super::role_part(global, baseline, printer)
            .await?
            .expect("stack-set mode with an organization has a role part");
        let role_stacks = render_all(&roles, renderer)?;
        run_async(
            global,
            args,
            printer,
            execute,
            &roles,
            &role_stacks,
            renderer,
        )
        .await
    });
    runtime.shutdown_background();
    let first = first?;
    if execute && first != ExitStatus::Success {
        printer.status("the member accounts' stack sets were not started");
        return Ok(first);
    }
    let member_stacks = crate::stacksets::carried(baseline, stacks);
    printer.status("Part 2 of 2: the member accounts, as stack sets");
    let second = super::stacksets::run(global, args, printer, execute, baseline, &member_stacks)?;
    Ok(first.and(second))
}

/// One account's share of the work, with the interface that reaches it.
pub struct Group<A = aws::SdkStacks> {
    /// The account id, or `current` when the baseline names no accounts.
    pub label: String,
    /// The account id, always.
    pub account_id: String,
    pub api: Arc<A>,
    pub jobs: Vec<Job>,
}

impl<A> Clone for Group<A> {
    fn clone(&self) -> Self {
        Group {
            label: self.label.clone(),
            account_id: self.account_id.clone(),
            api: self.api.clone(),
            jobs: self.jobs.clone(),
        }
    }
}

impl<A> Group<A> {
    /// The regions this run reaches in the account (with `regions: all`, its own), sorted.
    pub fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self.jobs.iter().map(|j| j.region.clone()).collect();
        regions.sort();
        regions.dedup();
        regions
    }

    /// `account`'s share of the rendered stacks (all of them when the baseline names no
    /// accounts), worked on through `api`.
    pub fn of(
        baseline: &Baseline,
        stacks: &[RenderedStack],
        account: &str,
        api: Arc<A>,
    ) -> Group<A> {
        let tags = baseline.stack_tags();
        let named = !baseline.file.accounts.is_empty();
        Group {
            label: if named {
                account.to_string()
            } else {
                CALLER_ACCOUNT_LABEL.to_string()
            },
            account_id: account.to_string(),
            api,
            jobs: stacks
                .iter()
                .filter(|s| s.spec.account.as_deref().is_none_or(|a| a == account))
                .map(|s| Job::new(s, tags.clone()))
                .collect(),
        }
    }
}

/// What a plan or deploy run is asked to do, resolved from the command line once.
#[derive(Clone, Debug)]
pub struct DeployRun {
    /// Execute the change sets (deploy) or only show them (plan).
    pub execute: bool,
    /// Execute without asking.
    pub yes: bool,
    /// Execute weakening changes too under `yes` (interactively: confirm them with `y`).
    pub allow_weakening: bool,
    pub options: Options,
    /// How the plan is shown.
    pub format: DiffFormat,
    /// One line per stack.
    pub compact: bool,
    /// The command that runs this again, for the report of a stopped run.
    pub resume: String,
}

impl DeployRun {
    /// The settings of `plan` (`execute` false) or `deploy`, resolved from the command line.
    pub(super) fn from_args(args: &DeployArgs, execute: bool) -> DeployRun {
        DeployRun {
            execute,
            yes: args.yes,
            allow_weakening: args.allow_weakening,
            format: args.format,
            compact: args.compact,
            resume: resume_command(),
            options: Options {
                limits: Limits::new(
                    usize::from(args.concurrency),
                    usize::from(args.max_in_flight),
                ),
                replace_failed: args.replace_failed,
                ..Options::default()
            },
        }
    }
}

/// Connects to every account the baseline targets and splits the rendered stacks by
/// account. Returns the groups and a description of how each account was reached.
pub(super) async fn connect_groups(
    global: &GlobalArgs,
    baseline: &Baseline,
    stacks: &[RenderedStack],
    printer: &mut Printer,
) -> Result<(Vec<Group>, Vec<String>)> {
    let access: Vec<AccountAccess> = baseline
        .file
        .accounts
        .iter()
        .map(|a| AccountAccess {
            id: a.id.clone(),
            role_arn: a.role_arn.clone(),
            profile: a.profile.clone(),
        })
        .collect();
    let explicit = access
        .iter()
        .any(|a| a.role_arn.is_some() || a.profile.is_some());
    let targets = baseline.account_ids();
    let connections = aws::connect_accounts(&super::reach(global, baseline), &access).await?;
    let caller = connections.caller.clone();
    if !targets.is_empty() && !targets.contains(&caller) && !explicit {
        bail!(
            "your credentials are for account {caller}, which the baseline does not target ({}); nothing was changed \
             (use credentials for a target account, give the accounts a role_arn or profile, or compare offline \
             with `diff --against`)",
            targets.join(", ")
        );
    }
    if !connections.unreachable.is_empty() {
        printer.warning(&format!(
            "skipping account(s) {}: the baseline gives no role_arn or profile for them and your credentials \
             are for account {caller}; add `role_arn` or `profile` to their `accounts` entries, or run again \
             with their credentials",
            connections.unreachable.join(", ")
        ));
    }
    if let Some((_, _, api)) = connections.reached.first() {
        // Every account's clients share the run's network budget.
        printer.watch_network(api.network());
    }
    if let Some(org) = &baseline.file.organization {
        // The organization's own accounts carry what the members rely on: none is skipped.
        let missing: Vec<String> = [
            &org.management_account,
            &org.log_archive_account,
            &org.security_account,
        ]
        .into_iter()
        .filter(|a| connections.unreachable.contains(a))
        .map(|a| format!("{a} ({} account)", org.role_of(a).describe()))
        .collect();
        if !missing.is_empty() {
            bail!(
                "cannot reach the organization's {}; nothing was changed (give each a `role_arn` or \
                 `profile` in `accounts`)",
                missing.join(", ")
            );
        }
    }
    // Management, then log archive, then security, then members (the order given otherwise).
    let mut reached_accounts = connections.reached;
    reached_accounts.sort_by_key(|(account, _, _)| baseline.role_of(account));
    let mut groups = Vec::new();
    let mut reached = Vec::new();
    for (account, how, api) in reached_accounts {
        reached.push(format!("{account} ({how})"));
        groups.push(Group::of(baseline, stacks, &account, Arc::new(api)));
    }
    Ok((groups, reached))
}

async fn run_async(
    global: &GlobalArgs,
    args: &DeployArgs,
    printer: &mut Printer,
    execute: bool,
    baseline: &Baseline,
    stacks: &[RenderedStack],
    renderer: &Renderer,
) -> Result<ExitStatus> {
    let (mut groups, reached) = connect_groups(global, baseline, stacks, printer).await?;
    let run = DeployRun::from_args(args, execute);
    resolve_regions(&mut groups, baseline, renderer, printer).await?;
    let refusals = adopt_existing(&mut groups, baseline, &run.options.limits, printer).await?;
    stop_if_refused(&refusals)?;
    plan_or_deploy(printer, &run, baseline, &groups, &reached).await
}

/// Plans (and with `run.execute`, deploys) every group's stacks and the account password
/// policy; reports through `printer`. Generic over the narrow interfaces, so fakes drive it
/// in tests exactly as the SDK does in use.
pub async fn plan_or_deploy<A: StackApi + ControlsApi + SettingsApi>(
    printer: &mut Printer,
    run: &DeployRun,
    baseline: &Baseline,
    groups: &[Group<A>],
    reached: &[String],
) -> Result<ExitStatus> {
    let (execute, options) = (run.execute, &run.options);
    let keys: Vec<String> = groups
        .iter()
        .flat_map(|g| g.jobs.iter().map(|j| j.key.clone()))
        .collect();
    printer.status(&format!(
        "{} {} stacks of baseline {} in account {}",
        if execute { "Deploying" } else { "Planning" },
        keys.len(),
        baseline.name(),
        reached.join(", ")
    ));
    // Every account at once: one listing per region, then a change set only where something
    // differs. Ctrl-C deletes what was created so far.
    let found = fanout::across(groups.to_vec(), printer, &keys, "preparing", |g, tx| {
        prepare_account(g, options.clone(), tx)
    })
    .await;
    let tracker = &options.tracker;
    let Some(found) = found else {
        printer.warning("interrupted: deleting the change sets created so far");
        abandon_all(groups, printer, tracker).await;
        printer.status(&stop_report(groups, tracker, &run.resume));
        return Err(interrupt::stopped(
            "interrupted before anything was executed; nothing was changed",
        ));
    };
    let mut prepared = Vec::new();
    let mut listings = Vec::new();
    let mut problems = Vec::new();
    for (g, found) in groups.iter().zip(found) {
        match found.listing {
            Ok(listing) => listings.push(listing),
            Err(e) => {
                problems.push(format!("listing the stacks of account {}: {e}", g.label));
                listings.push(deploy::Listing::default());
            }
        }
        prepared.push(found.prepared);
    }
    if !problems.is_empty() {
        discard_all(groups, &prepared, printer, tracker).await;
        printer.status(&stop_report(groups, tracker, &run.resume));
        bail!("{}; nothing was changed", problems.join("; "));
    }
    let all: Vec<&PreparedStack> = prepared.iter().flatten().collect();
    // Stacks of this baseline the render no longer has: listed, never deleted.
    let mut left_in_place = Vec::new();
    for (g, listing) in groups.iter().zip(&listings) {
        let mut regions: Vec<&str> = g.jobs.iter().map(|j| j.region.as_str()).collect();
        regions.sort();
        regions.dedup();
        for region in regions {
            for (name, state) in listing.in_region(region) {
                let ours = state
                    .tags
                    .iter()
                    .any(|(k, v)| k == BASELINE_TAG && v == baseline.name());
                let rendered = g
                    .jobs
                    .iter()
                    .any(|j| j.region == region && j.stack_name == *name);
                if ours && !rendered {
                    left_in_place.push(format!("{}/{region}/{name}", g.label));
                }
            }
        }
    }
    let mut settings = Vec::new();
    // Security Hub controls, outside CloudFormation: compared now, set after the stacks.
    let controls = controls::read_all(baseline, groups, &options.limits).await;
    let mut control_updates: Vec<usize> = Vec::new();
    let mut unreadable = Vec::new();
    for (k, read) in controls.iter().enumerate() {
        match &read.live {
            Err(_) if read.unsupported() => unreadable.push(read.key()),
            Err(e) => problems.push(format!(
                "reading the Security Hub controls of {}: {e}",
                read.key()
            )),
            Ok(_) => {
                let changes = read.changes();
                let action = match (changes.is_empty(), read.hub_off()) {
                    (true, _) => "unchanged",
                    (false, true) => "after-stack",
                    (false, false) => "update",
                };
                if !changes.is_empty() {
                    control_updates.push(k);
                }
                settings.push(SettingPlan {
                    key: read.key(),
                    action,
                    changes,
                    notes: Vec::new(),
                });
            }
        }
    }
    // The other settings outside CloudFormation (the security contact): compared now, set
    // after the stacks.
    let other = other_settings::read_all(baseline, groups, &options.limits).await;
    let mut refusals = Vec::new();
    let mut other_updates: Vec<usize> = Vec::new();
    let mut unimplemented = Vec::new();
    for (k, read) in other.iter().enumerate() {
        match &read.live {
            Err(_) if read.unsupported() => unimplemented.push(read.key()),
            Err(e) => problems.push(format!(
                "reading {} of {}: {e}",
                read.wanted.setting.describe(),
                read.key()
            )),
            Ok(_) => {
                let changes = read.changes();
                let action = match (changes.is_empty(), read.is_set()) {
                    (true, _) => "unchanged",
                    (false, true) => "update",
                    (false, false) => "set",
                };
                if !changes.is_empty() {
                    other_updates.push(k);
                    // Known now to fail after the stacks: deploy refuses before any
                    // change, and plan says so as an error under the plan.
                    if let Some(why) = read.refusal() {
                        refusals.push(format!("{}: {why}", read.key()));
                    }
                }
                settings.push(SettingPlan {
                    key: read.key(),
                    action,
                    changes,
                    notes: read.note().into_iter().collect(),
                });
            }
        }
    }
    if run.execute {
        problems.extend(refusals.iter().cloned());
    }
    if !problems.is_empty() {
        discard_all(groups, &prepared, printer, tracker).await;
        printer.status(&stop_report(groups, tracker, &run.resume));
        bail!("{}; nothing was changed", problems.join("; "));
    }
    if !unimplemented.is_empty() {
        printer.warning(&format!(
            "the endpoint does not implement the API of {} setting(s): they are neither shown nor changed ({})",
            unimplemented.len(),
            unimplemented.join(", ")
        ));
    }
    if !unreadable.is_empty() {
        printer.warning(&format!(
            "the endpoint does not implement Security Hub's control API: the controls of {} region(s) are \
             neither shown nor changed ({})",
            unreadable.len(),
            unreadable.join(", ")
        ));
    }
    let plan = LivePlan::new(baseline.name(), &all, settings, left_in_place).with_organization(
        baseline.organization_order(),
        baseline.organization_layout().is_some(),
        baseline.members_in_stack_sets(),
    );
    printer.result(&match run.format {
        DiffFormat::Text => plan.text(run.compact),
        DiffFormat::Markdown => plan.markdown(),
        DiffFormat::Json => plan.json(),
    });
    let pending = all
        .iter()
        .filter(|p| matches!(p.state, Prepared::Pending { .. }))
        .count()
        + control_updates.len()
        + other_updates.len();
    let failed = all
        .iter()
        .filter(|p| matches!(p.state, Prepared::Failed(_)))
        .count();

    if !execute || failed > 0 {
        let left = discard_all(groups, &prepared, printer, tracker).await;
        if failed > 0 {
            printer.status(&stop_report(groups, tracker, &run.resume));
            // The text plan shows each reason; with a document on stdout, stderr says them.
            if run.format != DiffFormat::Text {
                for p in all.iter() {
                    if let Prepared::Failed(reason) = &p.state {
                        printer.error(&reason.to_string());
                    }
                }
            }
            let cleanup = if left == 0 {
                "change sets deleted".to_string()
            } else {
                format!("{left} change set(s) or empty stacks could not be removed (see above)")
            };
            bail!(
                "{failed} stack(s) could not be prepared; {cleanup}; nothing was executed. Run the \
                 same command again when the cause is fixed: unchanged stacks are skipped and \
                 change sets left behind are replaced"
            );
        }
        if !refusals.is_empty() {
            for why in &refusals {
                printer.error(why);
            }
            printer.error(&format!(
                "deploy would stop before any change: {} setting(s) cannot be applied as the \
                 baseline asks (see above); change sets deleted, nothing was changed",
                refusals.len()
            ));
            return Ok(ExitStatus::Error);
        }
        return Ok(if pending > 0 {
            printer.status(&format!(
                "{pending} stack(s) would change; change sets deleted, nothing was changed"
            ));
            ExitStatus::Differences
        } else {
            printer.success("no changes");
            ExitStatus::Success
        });
    }
    if pending > 0 {
        let settings = control_updates.len() + other_updates.len();
        let weakening = plan.weakening_lines();
        let go = fanout::go_ahead(
            printer,
            "deploy",
            (run.yes, run.allow_weakening),
            (pending - settings, settings),
            &weakening,
        )
        .await;
        if go != Go::Ahead {
            discard_all(groups, &prepared, printer, tracker).await;
            return match go {
                Go::Refused(why) => {
                    printer.error(&format!("{why} (change sets deleted)"));
                    Ok(ExitStatus::Weakening)
                }
                Go::NotConfirmed => {
                    printer.status("not confirmed; change sets deleted, nothing was changed");
                    Ok(ExitStatus::Error)
                }
                _ => {
                    printer.status(&stop_report(groups, tracker, &run.resume));
                    Err(interrupt::stopped(
                        "interrupted before anything was executed; change sets deleted, nothing was changed",
                    ))
                }
            };
        }
    }

    // With an organization, its accounts are deployed role by role (management, log archive,
    // security, members), each role's settings made before the next role's stacks: the
    // security account's organization analyzer and Config aggregator need the management
    // account's delegations first. Otherwise every account at once, settings after.
    let phases = phases_of(baseline, groups);
    // Each group's settings follow the first phase it takes part in.
    let settings_after = |n: usize| -> Vec<usize> {
        phases[n]
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| phases.iter().position(|p| p.iter().any(|(j, _)| j == i)) == Some(n))
            .collect()
    };
    let mut reports = Vec::new();
    let mut failures = 0;
    let mut not_started = 0;
    for (n, phase) in phases.iter().enumerate() {
        if failures > 0 {
            not_started += phase.iter().map(|(_, jobs)| jobs.len()).sum::<usize>();
            continue;
        }
        let these: Vec<Group<A>> = phase
            .iter()
            .map(|(i, jobs)| Group {
                jobs: jobs.iter().map(|j| groups[*i].jobs[*j].clone()).collect(),
                ..groups[*i].clone()
            })
            .collect();
        let their_keys: Vec<String> = these
            .iter()
            .flat_map(|g| g.jobs.iter().map(|j| j.key.clone()))
            .collect();
        let their_prepared = phase
            .iter()
            .zip(&these)
            .map(|((i, _), g)| {
                let keys: std::collections::HashSet<&str> =
                    g.jobs.iter().map(|j| j.key.as_str()).collect();
                prepared[*i]
                    .iter()
                    .filter(|p| keys.contains(p.job.key.as_str()))
                    .cloned()
                    .collect()
            })
            .collect();
        let done = execute_all(&these, their_prepared, printer, &their_keys, options).await;
        let Some(done) = done else {
            printer.warning(
                "interrupted: stacks already executing keep going in CloudFormation; deleting the change sets not yet executed",
            );
            abandon_all(groups, printer, tracker).await;
            printer.status(&stop_report(groups, tracker, &run.resume));
            return Err(interrupt::stopped("interrupted during deployment"));
        };
        failures += done.iter().filter(|r| r.outcome.is_failure()).count();
        reports.extend(done);
        if failures == 0 && n + 1 < phases.len() {
            let applied = apply_settings(
                printer,
                groups,
                &settings_after(n),
                (&controls, &control_updates),
                (&other, &other_updates),
            )
            .await;
            if let Err(e) = applied {
                // The later phases' change sets were never executed.
                discard_all(groups, &prepared, printer, tracker).await;
                printer.status(&stop_report(groups, tracker, &run.resume));
                return Err(e);
            }
        }
    }
    if failures > 0 {
        // The change sets of stacks skipped after a failure were never executed.
        discard_all(groups, &prepared, printer, tracker).await;
        printer.status(&stop_report(groups, tracker, &run.resume));
    } else if run.format == DiffFormat::Text {
        print_summary(printer, &reports);
    } else {
        // With --format markdown or json, stdout holds only the plan document.
        printer.status(&summary_table(&reports));
    }
    if failures == 0 {
        // Every phase ran; each but the last has made its settings.
        apply_settings(
            printer,
            groups,
            &phases
                .len()
                .checked_sub(1)
                .map_or(Vec::new(), settings_after),
            (&controls, &control_updates),
            (&other, &other_updates),
        )
        .await?;
    } else if !control_updates.is_empty() || !other_updates.is_empty() {
        printer.warning(
            "the settings outside CloudFormation (IAM password policy, Security Hub controls, account settings) were not changed because a stack failed",
        );
    }
    if failures > 0 {
        for r in &reports {
            if let deploy::Outcome::Failed(reason) = &r.outcome {
                printer.error(&reason.to_string());
            }
        }
        let count = |phase: Phase| {
            reports
                .iter()
                .filter(|r| r.outcome.is_failure() && tracker.standing(&r.job.key).phase == phase)
                .count()
        };
        let skipped = reports
            .iter()
            .filter(|r| matches!(r.outcome, deploy::Outcome::Skipped(_)))
            .count();
        let parts: Vec<String> = [
            (count(Phase::Failed), "failed"),
            (
                count(Phase::Unknown),
                "in a state not known (AWS could not be reached)",
            ),
            (
                count(Phase::ChangeSetReady).saturating_sub(skipped),
                "not executed (AWS could not be reached)",
            ),
            (skipped, "not started because a stack they depend on failed"),
            (
                not_started,
                "not started because an account set up before theirs in the organization failed",
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        bail!(
            "of {} stack(s), {}",
            reports.len() + not_started,
            parts.join(", ")
        );
    }
    let unprotected: Vec<&str> = reports
        .iter()
        .filter(|r| matches!(r.protected, Some(Err(_))))
        .map(|r| r.job.key.as_str())
        .collect();
    if !unprotected.is_empty() {
        printer.warning(&format!(
            "termination protection could not be turned on for {} stack(s) (the endpoint refused): {}",
            unprotected.len(),
            unprotected.join(", ")
        ));
    }
    if pending == 0 {
        printer.success("everything is up to date");
    }
    Ok(ExitStatus::Success)
}

/// The work deployed together, in order, each phase a list of (group, its jobs), by index:
/// one phase per organization role, or every group at once without `organization`. In an
/// organization laid out by role, the management account's trail and recorders deliver to
/// the log archive account's bucket: they follow the log archive phase in one of their own.
fn phases_of<A>(baseline: &Baseline, groups: &[Group<A>]) -> Vec<Vec<(usize, Vec<usize>)>> {
    use crate::baseline::AccountRole;
    use crate::plan::Component;
    let layout = baseline.organization_layout().is_some();
    let role_stage = |g: &Group<A>| -> u8 {
        match baseline.role_of(&g.account_id) {
            None | Some(AccountRole::Management) => 0,
            Some(AccountRole::LogArchive) => 1,
            Some(AccountRole::Security) => 3,
            Some(AccountRole::Member) => 4,
        }
    };
    let stage = |g: &Group<A>, job: &Job| -> u8 {
        let archived = matches!(job.component, Component::Cloudtrail | Component::Config);
        if layout && archived && baseline.role_of(&g.account_id) == Some(AccountRole::Management) {
            2
        } else {
            role_stage(g)
        }
    };
    let mut by_stage: std::collections::BTreeMap<u8, Vec<(usize, Vec<usize>)>> = Default::default();
    for (i, g) in groups.iter().enumerate() {
        let mut mine: std::collections::BTreeMap<u8, Vec<usize>> = Default::default();
        for (j, job) in g.jobs.iter().enumerate() {
            mine.entry(stage(g, job)).or_default().push(j);
        }
        if mine.is_empty() {
            // No stacks: the group still takes part, for its settings.
            mine.insert(role_stage(g), Vec::new());
        }
        for (stage, jobs) in mine {
            by_stage.entry(stage).or_default().push((i, jobs));
        }
    }
    by_stage.into_values().collect()
}

/// Makes the settings outside CloudFormation of some groups (the Security Hub controls, then
/// the others), printing a line for each.
async fn apply_settings<A: ControlsApi + SettingsApi>(
    printer: &mut Printer,
    groups: &[Group<A>],
    these: &[usize],
    (controls, control_updates): (&[controls::ControlsRead], &[usize]),
    (other, other_updates): (&[other_settings::SettingRead], &[usize]),
) -> Result<()> {
    let stop_if_interrupted = || {
        if interrupt::happened() {
            Err(interrupt::stopped(
                "interrupted before the settings outside CloudFormation were changed (the stacks \
                 executed stay); run the same command again to finish",
            ))
        } else {
            Ok(())
        }
    };
    for k in control_updates {
        let read = &controls[*k];
        if !these.contains(&read.group) {
            continue;
        }
        stop_if_interrupted()?;
        let line = controls::apply(groups[read.group].api.as_ref(), read)
            .await
            .map_err(|e| {
                anyhow::anyhow!("setting the Security Hub controls of {}: {e}", read.key())
            })?;
        printer.success(&line);
    }
    for k in other_updates {
        let read = &other[*k];
        if !these.contains(&read.group) {
            continue;
        }
        stop_if_interrupted()?;
        let line = other_settings::apply(groups[read.group].api.as_ref(), read)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "setting {} of {}: {e}",
                    read.wanted.setting.describe(),
                    read.key()
                )
            })?;
        printer.success(&line);
    }
    Ok(())
}

/// What preparing one account found.
struct AccountPrep {
    listing: aws::ApiResult<deploy::Listing>,
    prepared: Vec<PreparedStack>,
}

/// Lists the account's stacks (one call per region) and prepares its change sets from that.
async fn prepare_account<A: StackApi>(
    g: Group<A>,
    options: Options,
    tx: fanout::Tx,
) -> AccountPrep {
    let regions = g.regions();
    let (api, jobs) = (g.api.clone(), g.jobs);
    let listing = deploy::Listing::of(api.clone(), regions, &options.limits).await;
    let prepared = match &listing {
        Ok(l) => {
            deploy::prepare_listed(api.clone(), jobs, options.clone(), tx, Arc::new(l.clone()))
                .await
        }
        Err(_) => Vec::new(),
    };
    AccountPrep { listing, prepared }
}

/// Deletes every account's prepared change sets (and empty new stacks); says what it could
/// not delete, and returns how many of those there were.
pub(super) async fn discard_all<A: StackApi>(
    groups: &[Group<A>],
    prepared: &[Vec<PreparedStack>],
    printer: &mut Printer,
    tracker: &Tracker,
) -> usize {
    let mut problems = 0;
    for (g, p) in groups.iter().zip(prepared) {
        for problem in deploy::discard(g.api.as_ref(), p, tracker).await {
            printer.warning(&problem);
            problems += 1;
        }
    }
    problems
}

/// Executes every account's prepared change sets, following them; `None` on Ctrl-C.
pub(super) async fn execute_all<A: StackApi>(
    groups: &[Group<A>],
    prepared: Vec<Vec<PreparedStack>>,
    printer: &mut Printer,
    keys: &[String],
    options: &Options,
) -> Option<Vec<deploy::Report>> {
    fanout::across(
        groups.iter().zip(prepared).collect(),
        printer,
        keys,
        "waiting",
        |(g, p), tx| deploy::execute(g.api.clone(), p, options.clone(), tx),
    )
    .await
    .map(|r| r.into_iter().flatten().collect())
}

pub(super) async fn abandon_all<A: StackApi>(
    groups: &[Group<A>],
    printer: &mut Printer,
    tracker: &Tracker,
) {
    let cleanup = async {
        let mut problems = Vec::new();
        for g in groups {
            problems.extend(deploy::abandon(g.api.as_ref(), &g.jobs, tracker).await);
        }
        problems
    };
    // A second Ctrl-C stops the cleanup too: the report then says what may be left.
    let seen = interrupt::count().max(1);
    let problems = tokio::select! {
        problems = cleanup => problems,
        _ = interrupt::after(seen) => {
            printer.warning("interrupted again: cleanup stopped; change sets not yet deleted may be left");
            Vec::new()
        }
    };
    for problem in problems {
        printer.detail(&problem);
    }
}

pub(super) fn print_summary(printer: &mut Printer, reports: &[deploy::Report]) {
    printer.result(&summary_table(reports));
}

/// The outcome of every stack a deploy touched, with its duration.
fn summary_table(reports: &[deploy::Report]) -> String {
    let width = reports
        .iter()
        .map(|r| r.job.key.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let mut text = format!(
        "\n{:<width$}  {:<10}  {:>9}\n",
        "stack", "result", "duration"
    );
    for r in reports {
        text.push_str(&format!(
            "{:<width$}  {:<10}  {:>8.1}s\n",
            r.job.key,
            r.outcome.label(),
            r.duration.as_secs_f64()
        ));
    }
    text
}

/// Beyond this many stacks, a stop report lists only the ones not complete or unchanged.
const STOP_REPORT_ROWS: usize = 40;

/// Where every target stack stands when a run stops short (a failure, Ctrl-C, AWS lost):
/// its last known state, what became of its change set, and the command that resumes.
pub(super) fn stop_report<A>(groups: &[Group<A>], tracker: &Tracker, resume: &str) -> String {
    // (stack, phase, change set, whether it may be left)
    let rows: Vec<(&str, Phase, String, bool)> = groups
        .iter()
        .flat_map(|g| &g.jobs)
        .map(|job| {
            let standing = tracker.standing(&job.key);
            let (phase, change_set, left) = match (standing.phase, standing.change_set) {
                (phase, None) => (phase, "-".to_string(), false),
                (phase, Some((name, Fate::Pending))) => {
                    (phase, format!("{name} may be LEFT (not deleted)"), true)
                }
                (phase, Some((name, Fate::Executed))) => (phase, format!("{name} executed"), false),
                // A deleted change set leaves its stack as it was.
                (Phase::ChangeSetReady, Some((name, Fate::Deleted))) => {
                    (Phase::NotStarted, format!("{name} deleted"), false)
                }
                (phase, Some((name, Fate::Deleted))) => (phase, format!("{name} deleted"), false),
                (phase, Some((name, Fate::Left(why)))) => {
                    (phase, format!("{name} LEFT ({why})"), true)
                }
            };
            (job.key.as_str(), phase, change_set, left)
        })
        .collect();
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, phase, ..) in &rows {
        *counts.entry(phase.as_str()).or_default() += 1;
    }
    let shown: Vec<&(&str, Phase, String, bool)> = if rows.len() > STOP_REPORT_ROWS {
        rows.iter()
            .filter(|(_, phase, ..)| !matches!(phase, Phase::Complete | Phase::Unchanged))
            .collect()
    } else {
        rows.iter().collect()
    };
    let width = shown.iter().map(|r| r.0.len()).max().unwrap_or(5).max(5);
    let mut text = format!(
        "\nWhere each stack stands ({}):\n{:<width$}  {:<16}  change set\n",
        counts
            .iter()
            .map(|(phase, n)| format!("{n} {phase}"))
            .collect::<Vec<_>>()
            .join(", "),
        "stack",
        "state"
    );
    for (key, phase, change_set, _) in &shown {
        text.push_str(&format!(
            "{key:<width$}  {:<16}  {change_set}\n",
            phase.as_str()
        ));
    }
    if shown.len() < rows.len() {
        text.push_str(&format!(
            "({} complete or unchanged stack(s) not listed)\n",
            rows.len() - shown.len()
        ));
    }
    let left = rows.iter().filter(|r| r.3).count();
    if left > 0 {
        text.push_str(&format!(
            "{left} change set(s) could not be deleted or may be left; the next run finds them by name and replaces them.\n"
        ));
    }
    text.push_str(&format!(
        "To resume, run the same command again (complete and unchanged stacks are skipped, \
         stacks still in progress are waited for):\n  {resume}\n"
    ));
    text
}

/// This process's command line, quoted for a POSIX shell, as the command that resumes it.
pub(super) fn resume_command() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| {
            let name = std::path::Path::new(&p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name == "cfn-baseline" {
                name
            } else {
                p
            }
        })
        .unwrap_or_else(|| "cfn-baseline".to_string());
    std::iter::once(program)
        .chain(args)
        .map(|a| shell_quote(&a))
        .collect::<Vec<_>>()
        .join(" ")
}

fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Finds what every account and region already has (the security services' singletons, the
/// Config service-linked role, the named resources the render creates, and what the
/// baseline's stacks hold), and decides per stack what to do with it (`existing`): adopt,
/// take over, skip, or stop before any change. Stacks left with nothing to deploy are
/// dropped; the rest carry what was decided into the plan. Returns what stops the run
/// (`existing: fail`, or what cannot be adopted), one line per stack; those stacks are
/// dropped too.
pub async fn adopt_existing<A: DiscoveryApi + StackApi>(
    groups: &mut [Group<A>],
    baseline: &Baseline,
    limits: &Limits,
    printer: &mut Printer,
) -> Result<Vec<String>> {
    let regions: usize = groups
        .iter()
        .map(|g| {
            let mut r: Vec<&str> = g.jobs.iter().map(|j| j.region.as_str()).collect();
            r.sort();
            r.dedup();
            r.len()
        })
        .sum();
    printer.status(&format!(
        "Looking at what already exists in {} account(s), {regions} account-region(s)",
        groups.len()
    ));
    let named = !baseline.file.accounts.is_empty();
    let mut work = tokio::task::JoinSet::new();
    for (i, g) in groups.iter().enumerate() {
        let (api, jobs, limits) = (g.api.clone(), g.jobs.clone(), limits.clone());
        let account_id = g.account_id.clone();
        work.spawn(async move {
            let found = discover_account(api, &jobs, &account_id, &limits).await;
            (i, found)
        });
    }
    let gather = async {
        let mut found_all = Vec::new();
        while let Some(done) = work.join_next().await {
            found_all.push(done.expect("discovery task"));
        }
        found_all
    };
    let Some(mut found_all) = fanout::watching(printer, gather).await else {
        return Err(interrupt::stopped(
            "interrupted while looking at what already exists; nothing was changed",
        ));
    };
    found_all.sort_by_key(|(i, _)| *i);
    let mut refusals = Vec::new();
    for ((_, found), g) in found_all.into_iter().zip(groups.iter_mut()) {
        let found = found.map_err(|e| {
            anyhow::anyhow!(
                "finding out what already exists in account {}: {e}; nothing was changed",
                g.label
            )
        })?;
        let mut kept = Vec::new();
        for mut job in std::mem::take(&mut g.jobs) {
            let components =
                baseline.components_for(named.then_some(g.account_id.as_str()), &job.region);
            let policy = match job.component {
                crate::plan::Component::Alerts => components.alerts.existing,
                crate::plan::Component::Cloudtrail => components.cloudtrail.existing,
                crate::plan::Component::Config => components.config.existing,
                crate::plan::Component::Guardduty => components.guardduty.existing,
                crate::plan::Component::Securityhub => components.securityhub.existing,
                crate::plan::Component::Macie => components.macie.existing,
                crate::plan::Component::Detective => components.detective.existing,
                crate::plan::Component::Patching | crate::plan::Component::Waf => {
                    crate::baseline::Existing::Adopt
                }
                crate::plan::Component::AccessAnalyzer => components.access_analyzer.existing,
            };
            let place = Place {
                account_id: &g.account_id,
                region: &job.region,
                partition: crate::baseline::regions::partition(&job.region),
            };
            let facts = Facts {
                found: found.regions.get(&job.region),
                stack: found
                    .stacks
                    .get(&(job.region.clone(), job.stack_name.clone()))
                    .and_then(|r| r.as_deref()),
                config_role_exists: found.config_role_exists,
                config_role_override: components.config.create_service_linked_role,
                deployed: found
                    .templates
                    .get(&(job.region.clone(), job.stack_name.clone())),
            };
            let decided = adopt::decide(job.component, &job.template.value, policy, &place, &facts);
            if let Some(why) = &decided.refusal {
                refusals.push(format!("{}: {why}", job.key));
                continue;
            }
            if decided.empty {
                printer.status(&format!(
                    "{}: nothing left to deploy ({}); the stack is left out",
                    job.key,
                    decided.notes.join("; ")
                ));
                continue;
            }
            if let Some(body) = &decided.body {
                job.body = body.as_str().into();
                job.sha256 = crate::plan::sha256_hex(body.as_bytes());
                job.template =
                    Arc::new(crate::template::Template::parse(body).map_err(|e| {
                        anyhow::anyhow!("the adopted template of {}: {e}", job.key)
                    })?);
            }
            if decided != adopt::Adoption::default() {
                job.adoption = Some(Arc::new(decided));
            }
            job.deployed = found
                .deployed
                .get(&(job.region.clone(), job.stack_name.clone()))
                .cloned();
            kept.push(job);
        }
        g.jobs = kept;
    }
    Ok(refusals)
}

/// Checks that every region the baseline names is enabled in each account, and with
/// `regions: all` targets each account's enabled regions (the render is redone for them):
/// regions an account has not enabled are listed and skipped. A named region that is not
/// enabled stops the run before any change.
pub async fn resolve_regions<A: DiscoveryApi>(
    groups: &mut [Group<A>],
    baseline: &Baseline,
    renderer: &Renderer,
    printer: &mut Printer,
) -> Result<()> {
    let all = baseline.file.regions.is_all();
    let mut per_account: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut problems = Vec::new();
    let mut lookups = tokio::task::JoinSet::new();
    for (i, g) in groups.iter().enumerate() {
        let api = g.api.clone();
        lookups.spawn(async move { (i, api.enabled_regions().await) });
    }
    let mut found = Vec::new();
    while let Some(done) = lookups.join_next().await {
        found.push(done.expect("region lookup"));
    }
    found.sort_by_key(|(i, _)| *i);
    for (i, enabled) in found {
        let g = &groups[i];
        let enabled = match (enabled, all) {
            (Ok(enabled), _) => enabled,
            // Listed regions are only checked when the account can say (DescribeRegions
            // needs ec2:DescribeRegions).
            (Err(e), false) => {
                printer.warning(&format!(
                    "account {}: could not check that the listed regions are enabled ({e}); going on as if they are",
                    g.label
                ));
                continue;
            }
            (Err(e), _) => bail!(
                "finding the regions enabled in account {}: {e}; nothing was changed",
                g.label
            ),
        };
        let wanted = baseline.regions_enabled(&enabled);
        let missing: Vec<&String> = wanted.iter().filter(|r| !enabled.contains(r)).collect();
        if !missing.is_empty() {
            problems.push(format!(
                "account {}: {} not enabled ({})",
                g.label,
                missing
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if all {
                    "the home region must be"
                } else {
                    "named in `regions`"
                }
            ));
        }
        if all {
            let skipped: Vec<&str> = crate::baseline::regions::KNOWN_REGIONS
                .iter()
                .copied()
                .filter(|r| !wanted.iter().any(|w| w == r))
                .collect();
            printer.status(&format!(
                "account {}: regions: all → {} enabled region(s); not enabled there, skipped: {}",
                g.label,
                wanted.len(),
                if skipped.is_empty() {
                    "none".to_string()
                } else {
                    skipped.join(", ")
                }
            ));
            let account = (!baseline.account_ids().is_empty()).then_some(g.account_id.as_str());
            for (what, regions) in baseline.left_out(account, &wanted) {
                printer.warning(&format!(
                    "account {}: {what} is not offered in {}: left out there",
                    g.label,
                    regions.join(", ")
                ));
            }
            per_account.insert(g.account_id.clone(), wanted);
        }
    }
    if !problems.is_empty() {
        bail!(
            "{}; nothing was changed (enable the region in the account, an opt-in region under Account > AWS Regions, or remove it from `regions`)",
            problems.join("; ")
        );
    }
    if all {
        let caller = groups.first().map(|g| g.account_id.clone());
        let regions_of = |account: Option<&str>| {
            let key = account.map(str::to_string).or_else(|| caller.clone());
            key.and_then(|k| per_account.get(&k).cloned())
                .unwrap_or_else(|| baseline.regions())
        };
        let stacks = crate::render::render_all_in(baseline, renderer, &regions_of)?;
        for g in groups.iter_mut() {
            let account = g.account_id.clone();
            let api = g.api.clone();
            *g = Group::of(baseline, &stacks, &account, api);
        }
    }
    Ok(())
}

/// Stops plan and deploy before any change when what exists refuses the baseline.
pub fn stop_if_refused(refusals: &[String]) -> Result<()> {
    if refusals.is_empty() {
        return Ok(());
    }
    bail!(
        "what already exists stops the run before any change (nothing was changed):\n  - {}\n\
         set `existing: adopt` (or `skip`) on the component to bring it under the baseline, or remove what is there",
        refusals.join("\n  - ")
    )
}

/// What discovery found in one account.
struct AccountFound {
    regions: std::collections::HashMap<String, aws::Found>,
    /// (region, stack name) -> the stack's resources, `None` when it does not exist.
    stacks: std::collections::HashMap<(String, String), Option<Vec<adopt::StackResource>>>,
    /// (region, stack name) -> the stack id and deployed template of each live stack, for
    /// prepare to use rather than read again.
    deployed: std::collections::HashMap<(String, String), (String, Arc<str>)>,
    /// (region, stack name) -> the deployed template of each live stack, read.
    templates: std::collections::HashMap<(String, String), serde_json::Value>,
    config_role_exists: bool,
}

async fn discover_account<A: DiscoveryApi + StackApi>(
    api: Arc<A>,
    jobs: &[Job],
    account_id: &str,
    limits: &Limits,
) -> aws::ApiResult<AccountFound> {
    let mut by_region: std::collections::BTreeMap<String, Vec<aws::Lookup>> = Default::default();
    for job in jobs {
        let place = Place {
            account_id,
            region: &job.region,
            partition: crate::baseline::regions::partition(&job.region),
        };
        let entry = by_region.entry(job.region.clone()).or_default();
        entry.extend(
            adopt::lookups(&job.template.value, &place)
                .into_iter()
                .map(|(_, l)| l),
        );
    }
    let region_names: Vec<String> = by_region.keys().cloned().collect();
    let regions = fanout::bounded(
        by_region.into_iter().collect(),
        limits,
        |(region, _)| region.clone(),
        {
            let api = api.clone();
            move |(region, mut lookups): (String, Vec<aws::Lookup>)| {
                let api = api.clone();
                async move {
                    lookups.sort();
                    lookups.dedup();
                    let found = api.discover(&region, &lookups).await;
                    (region, found)
                }
            }
        },
    )
    .await;
    // Which stacks exist: one listing per region; then the template of each that exists.
    let listing = deploy::Listing::of(api.clone(), region_names, limits).await?;
    let existing: Vec<(String, String, aws::StackState)> = jobs
        .iter()
        .filter_map(|j| {
            let state = listing.known(&j.region, &j.stack_name).flatten()?;
            Some((j.region.clone(), j.stack_name.clone(), state))
        })
        .collect();
    let templates = fanout::bounded(existing, limits, |(region, _, _)| region.clone(), {
        let api = api.clone();
        move |(region, name, state): (String, String, aws::StackState)| {
            let api = api.clone();
            async move {
                let body = if state.status.is_review() {
                    Ok(None)
                } else {
                    fanout::patiently(|| api.get_template(&region, &name))
                        .await
                        .map(Some)
                };
                ((region, name), state, body)
            }
        }
    })
    .await;
    let mut stacks = std::collections::HashMap::new();
    let mut deployed = std::collections::HashMap::new();
    let mut read = std::collections::HashMap::new();
    for job in jobs {
        stacks.insert((job.region.clone(), job.stack_name.clone()), None);
    }
    for (key, state, body) in templates {
        let body = body?;
        let template = match &body {
            Some(b) => {
                Some(
                    crate::template::Template::parse(b).map_err(|e| aws::ApiError::Api {
                        code: "GetTemplate".into(),
                        message: format!("the deployed template of {} cannot be read: {e}", key.1),
                    })?,
                )
            }
            None => None,
        };
        stacks.insert(key.clone(), Some(adopt::held(&state, template.as_ref())));
        if let Some(b) = body.filter(|_| state.status.is_deployed()) {
            deployed.insert(key.clone(), (state.stack_id.clone(), Arc::from(b)));
            if let Some(t) = template {
                read.insert(key, t.value);
            }
        }
    }
    let wants_role = jobs.iter().any(|j| {
        j.template.value["Resources"]
            .get("ConfigServiceLinkedRole")
            .is_some()
    });
    let config_role_exists = if wants_role {
        api.service_linked_role_exists("config.amazonaws.com")
            .await?
    } else {
        false
    };
    let mut out = AccountFound {
        regions: Default::default(),
        stacks,
        deployed,
        templates: read,
        config_role_exists,
    };
    for (region, found) in regions {
        out.regions.insert(region, found?);
    }
    Ok(out)
}
