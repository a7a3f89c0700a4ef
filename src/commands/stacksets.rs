//! `plan` and `deploy` for `deployment.mode: stacksets`: one stack set per component and
//! template, instances in every target account and region, each operation followed, and an
//! account x region status matrix at the end.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::{bail, Result};

use super::deploy::DeployRun;
use super::ExitStatus;
use crate::aws::{OperationResult, StackSetApi, StackSetRequest};
use crate::baseline::{Baseline, PermissionModel};
use crate::cli::{DeployArgs, GlobalArgs};
use crate::diff::{self, StackInput};
use crate::fanout::{self, Go};
use crate::interrupt;
use crate::output::Printer;
use crate::render::RenderedStack;
use crate::stacksets::{self, Rollout, SetPlan, SetReport, StackSetSpec, Targets};
use crate::template::Template;

pub fn run(
    global: &GlobalArgs,
    args: &DeployArgs,
    printer: &mut Printer,
    execute: bool,
    baseline: &Baseline,
    stacks: &[RenderedStack],
) -> Result<ExitStatus> {
    if execute && !args.yes && !std::io::stdin().is_terminal() {
        bail!("deploy needs confirmation: stdin is not a terminal, so pass --yes to execute without asking (nothing was changed)");
    }
    let specs = stacksets::group(baseline, stacks).map_err(anyhow::Error::msg)?;
    let runtime = super::runtime()?;
    let result = runtime.block_on(async {
        let (api, caller) = super::connect_caller(global, baseline).await?;
        let run = DeployRun::from_args(args, execute);
        deploy_stack_sets(printer, &run, baseline, specs, Arc::new(api), &caller).await
    });
    runtime.shutdown_background();
    result
}

/// Plans (and with `run.execute`, deploys) the baseline's stack sets from `caller`'s account:
/// templates updated, instances added and removed, stack sets no longer in the baseline
/// retired, each operation followed. Generic over the narrow interface, so fakes drive it.
pub async fn deploy_stack_sets<A: StackSetApi>(
    printer: &mut Printer,
    run: &DeployRun,
    baseline: &Baseline,
    specs: Vec<StackSetSpec>,
    api: Arc<A>,
    caller: &str,
) -> Result<ExitStatus> {
    let execute = run.execute;
    {
        let ctx = stacksets::context(baseline);
        let targets = Targets::of(baseline);
        let self_managed =
            baseline.file.deployment.permission_model == PermissionModel::SelfManaged;
        if self_managed
            && !api
                .role_exists(stacksets::ADMINISTRATION_ROLE)
                .await
                .map_err(|e| anyhow::anyhow!("checking the stack set administration role: {e}"))?
        {
            bail!(
                "self-managed stack sets need the IAM role {admin} in this account ({caller}), and the role \
                 {exec} in every target account ({targets}) trusting it; {admin} does not exist, so nothing was \
                 changed.\n  Create the administration role here from AWS's template \
                 https://s3.amazonaws.com/cloudformation-stackset-sample-templates-us-east-1/AWSCloudFormationStackSetAdministrationRole.yml\n  \
                 and the execution role in each target account from \
                 https://s3.amazonaws.com/cloudformation-stackset-sample-templates-us-east-1/AWSCloudFormationStackSetExecutionRole.yml \
                 (parameter AdministratorAccountId={caller}),\n  or use `permission_model: service_managed` with \
                 AWS Organizations trusted access.",
                admin = stacksets::ADMINISTRATION_ROLE,
                exec = stacksets::EXECUTION_ROLE,
                targets = targets.accounts.join(", "),
            );
        }
        printer.status(&format!(
            "{} {} stack sets of baseline {} from account {caller} ({}) to {}",
            if execute { "Deploying" } else { "Planning" },
            specs.len(),
            baseline.name(),
            ctx.region,
            if self_managed {
                format!("accounts {}", targets.accounts.join(", "))
            } else {
                format!(
                    "organizational units {}{}",
                    targets.organizational_units.join(", "),
                    if targets.excluded_accounts.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " except accounts {} (deployed as stacks)",
                            targets.excluded_accounts.join(", ")
                        )
                    }
                )
            }
        ));
        let service_managed = targets.service_managed();
        let retired =
            stacksets::retired(api.as_ref(), &ctx, baseline.name(), &specs, service_managed)
                .await
                .map_err(anyhow::Error::msg)?;
        let plans = stacksets::plan(api.as_ref(), &ctx, specs, &targets)
            .await
            .map_err(anyhow::Error::msg)?;
        let mut text = describe(&plans);
        let retain = baseline.file.deployment.retain_stacks_on_account_removal;
        for r in &retired {
            text.push_str(&format!(
                "- {}  remove stack set (no longer in the baseline); delete {} instance(s), {} their stacks\n",
                r.name,
                r.instances.len(),
                if retain { "keeping" } else { "deleting" }
            ));
        }
        printer.result(&text);
        let changing = plans.iter().filter(|p| p.changes()).count() + retired.len();
        if !execute {
            return Ok(if changing > 0 {
                printer.status(&format!(
                    "{changing} stack set(s) would change; nothing was changed"
                ));
                ExitStatus::Differences
            } else {
                printer.success("no changes");
                ExitStatus::Success
            });
        }
        if changing == 0 {
            printer.success("everything is up to date");
            return Ok(ExitStatus::Success);
        }
        let weakening = weakening(&plans, &retired);
        let go = fanout::go_ahead(
            printer,
            "deploy",
            (run.yes, run.allow_weakening),
            (changing, 0),
            &weakening,
        )
        .await;
        match go {
            Go::Ahead => {}
            Go::Refused(why) => {
                printer.error(&format!("{why} (no stack-set operation was started)"));
                return Ok(ExitStatus::Weakening);
            }
            Go::NotConfirmed => {
                printer.status("not confirmed; nothing was changed");
                return Ok(ExitStatus::Error);
            }
            Go::Interrupted => {
                return Err(interrupt::stopped(
                    "interrupted before any stack-set operation started; nothing was changed",
                ));
            }
        }

        // Waves: alerts, cloudtrail, the rest; the stack sets of a wave run together.
        let mut waves: BTreeMap<u32, Vec<SetPlan>> = BTreeMap::new();
        for p in plans.into_iter().filter(|p| p.changes()) {
            waves.entry(p.spec.order).or_default().push(p);
        }
        let mut reports: Vec<SetReport> = Vec::new();
        let tags = baseline.stack_tags();
        for (_, wave) in waves {
            let keys: Vec<String> = wave.iter().map(|p| p.spec.name.clone()).collect();
            let mut work = Vec::new();
            for plan in wave {
                let rollout = Rollout {
                    ctx: ctx.clone(),
                    preferences: stacksets::preferences(baseline, &plan.spec.regions),
                    retain_stacks: baseline.file.deployment.retain_stacks_on_account_removal,
                    service_managed: !self_managed,
                    excluded_accounts: targets.excluded_accounts.clone(),
                    options: run.options.clone(),
                };
                let request = StackSetRequest {
                    name: plan.spec.name.clone(),
                    description: format!(
                        "{}{}",
                        stacksets::description_prefix(baseline.name()),
                        plan.spec.component.as_str()
                    ),
                    template_body: plan.spec.body.clone(),
                    capabilities: plan.spec.capabilities.clone(),
                    tags: tags.clone(),
                    permission_model: baseline.file.deployment.permission_model,
                    auto_deployment: (!self_managed).then_some((
                        baseline.file.deployment.auto_deployment,
                        baseline.file.deployment.retain_stacks_on_account_removal,
                    )),
                };
                work.push((rollout, plan, request));
            }
            let wave_reports =
                fanout::across(
                    work,
                    printer,
                    &keys,
                    "waiting",
                    |(rollout, plan, request), tx| {
                        let api = api.clone();
                        async move {
                            stacksets::apply(api.as_ref(), &rollout, &plan, &request, &tx).await
                        }
                    },
                )
                .await;
            // Stack-set operations cannot be withdrawn; those started keep going.
            let Some(mut wave_reports) = wave_reports else {
                return Err(interrupt::stopped(
                    "interrupted; the stack-set operations already started keep going in CloudFormation; \
                     run `cfn-baseline plan` to see where each stands",
                ));
            };
            wave_reports.sort_by(|a, b| a.name.cmp(&b.name));
            let failed = wave_reports.iter().any(|r| r.failure.is_some());
            reports.extend(wave_reports);
            if failed {
                break;
            }
        }
        if reports.iter().all(|r| r.failure.is_none()) {
            let keys: Vec<String> = retired.iter().map(|r| r.name.clone()).collect();
            let rollout = Rollout {
                ctx: ctx.clone(),
                preferences: stacksets::preferences(baseline, &baseline.regions()),
                retain_stacks: retain,
                service_managed: !self_managed,
                excluded_accounts: targets.excluded_accounts.clone(),
                options: run.options.clone(),
            };
            // One after another: each removal is an operation on the administrator's queue.
            let removed = fanout::across(
                vec![retired.clone()],
                printer,
                &keys,
                "waiting",
                |retired, tx| {
                    let (api, rollout) = (api.clone(), rollout.clone());
                    async move {
                        let mut out = Vec::new();
                        for r in &retired {
                            out.push(stacksets::retire(api.as_ref(), &rollout, r, &tx).await);
                        }
                        out
                    }
                },
            )
            .await;
            let Some(removed) = removed else {
                return Err(interrupt::stopped(
                    "interrupted while removing stack sets; run `cfn-baseline plan` to see where each stands",
                ));
            };
            reports.extend(removed.into_iter().flatten());
        }
        printer.result(&matrix(&reports));
        let failures: Vec<&SetReport> = reports.iter().filter(|r| r.failure.is_some()).collect();
        if !failures.is_empty() {
            for r in &failures {
                printer.error(&format!(
                    "{}: {}",
                    r.name,
                    r.failure.as_deref().unwrap_or_default()
                ));
            }
            bail!(
                "{} stack set(s) failed; later waves were not started",
                failures.len()
            );
        }
        Ok(ExitStatus::Success)
    }
}

fn pairs(list: &[(String, String)]) -> String {
    list.iter()
        .map(|(t, r)| format!("{t}/{r}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plan, one block per stack set.
fn describe(plans: &[SetPlan]) -> String {
    let mut out = String::new();
    for p in plans {
        let what = match (p.exists, p.template_changed) {
            (false, _) => "create stack set".to_string(),
            (true, true) => "update template".to_string(),
            (true, false) => "template unchanged".to_string(),
        };
        let sign = if p.changes() { "~" } else { "=" };
        out.push_str(&format!(
            "{sign} {}  {what}; regions {}\n",
            p.spec.name,
            p.spec.regions.join(", ")
        ));
        if let (true, Some(deployed)) = (p.template_changed, &p.deployed_body) {
            out.push_str(&template_changes(&p.spec.name, deployed, &p.spec.body));
        }
        if !p.add.is_empty() {
            out.push_str(&format!(
                "    + {} instance(s): {}\n",
                p.add.len(),
                pairs(&p.add)
            ));
        }
        if !p.remove.is_empty() {
            out.push_str(&format!(
                "    - {} instance(s): {}\n",
                p.remove.len(),
                pairs(&p.remove)
            ));
        }
    }
    out
}

/// Every change of the stack-set plan that weakens security, one line each: template
/// changes the diff rules call weakening, instances removed (the baseline leaves those
/// accounts and regions) and stack sets retired.
fn weakening(plans: &[SetPlan], retired: &[stacksets::Retired]) -> Vec<String> {
    let mut lines = Vec::new();
    for p in plans {
        if let (true, Some(deployed)) = (p.template_changed, &p.deployed_body) {
            match template_diff(&p.spec.name, deployed, &p.spec.body) {
                Some(changes) => lines.extend(
                    changes
                        .iter()
                        .filter(|c| c.impact == diff::Impact::Weakening)
                        .map(|c| format!("{}: {}: {}", p.spec.name, c.target(), c.explanation)),
                ),
                // What it replaces cannot be compared, so it is not known not to weaken.
                None => lines.push(format!(
                    "{}: the deployed template does not parse, so its replacement could not be \
                     compared",
                    p.spec.name
                )),
            }
        }
        if !p.remove.is_empty() {
            lines.push(format!(
                "{}: the baseline is removed from {}",
                p.spec.name,
                pairs(&p.remove)
            ));
        }
    }
    for r in retired {
        lines.push(format!(
            "{}: the stack set is removed (no longer in the baseline) from {} instance(s)",
            r.name,
            r.instances.len()
        ));
    }
    lines
}

/// The changes of a template update, each classified; `None` when a side does not parse.
fn template_diff(name: &str, deployed: &str, rendered: &str) -> Option<Vec<diff::Change>> {
    let side = |body: &str| {
        Template::parse(body).ok().map(|t| StackInput {
            account: "stackset".into(),
            region: "-".into(),
            stack_name: name.into(),
            template: std::sync::Arc::new(t),
            tags: None,
        })
    };
    let report = diff::compare(&[side(deployed)?], &[side(rendered)?], "deployed", "render");
    Some(report.stacks.into_iter().flat_map(|s| s.changes).collect())
}

/// What a template update changes, with the security impact of each change.
fn template_changes(name: &str, deployed: &str, rendered: &str) -> String {
    let Some(changes) = template_diff(name, deployed, rendered) else {
        return "    (the deployed template does not parse; it is replaced as a whole)\n"
            .to_string();
    };
    let mut out = String::new();
    for c in &changes {
        let what = match (&c.old, &c.new) {
            (Some(o), Some(n)) => format!("{o} → {n}"),
            (None, Some(_)) => "added".to_string(),
            (Some(_), None) => "removed".to_string(),
            (None, None) => String::new(),
        };
        out.push_str(&format!(
            "    ~ {}: {what} ({}: {})\n",
            c.target(),
            c.impact.as_str(),
            c.explanation
        ));
    }
    out
}

/// An account x region status matrix per stack set, with the reason of every failure.
fn matrix(reports: &[SetReport]) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&format!(
            "\n{}  {}\n",
            r.name,
            if r.failure.is_some() { "failed" } else { "ok" }
        ));
        if r.results.is_empty() {
            out.push_str("  (no instance operations)\n");
            continue;
        }
        let mut regions: Vec<&str> = r.results.iter().map(|x| x.region.as_str()).collect();
        regions.sort();
        regions.dedup();
        let mut accounts: Vec<&str> = r.results.iter().map(|x| x.account.as_str()).collect();
        accounts.sort();
        accounts.dedup();
        let width = regions.iter().map(|x| x.len()).max().unwrap_or(9).max(9);
        out.push_str(&format!("  {:<14}", "account"));
        for region in &regions {
            out.push_str(&format!(" {region:<width$}"));
        }
        out.push('\n');
        let find = |a: &str, reg: &str| -> Option<&OperationResult> {
            r.results.iter().find(|x| x.account == a && x.region == reg)
        };
        for a in &accounts {
            out.push_str(&format!("  {a:<14}"));
            for region in &regions {
                let cell = find(a, region).map_or("-", |x| x.status.as_str());
                out.push_str(&format!(" {cell:<width$}"));
            }
            out.push('\n');
        }
        for x in r.results.iter().filter(|x| x.status.is_failed()) {
            out.push_str(&format!(
                "  {}/{}: {}\n",
                x.account,
                x.region,
                x.reason.as_deref().unwrap_or("no reason given")
            ));
        }
    }
    out
}
