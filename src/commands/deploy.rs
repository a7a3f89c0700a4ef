//! `plan` and `deploy`: render, connect, prepare change sets, then discard them (plan) or
//! confirm and execute them (deploy).

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use tokio::sync::mpsc;

use super::{load_baseline, resolve_source, ExitStatus};
use crate::aws;
use crate::cli::{DeployArgs, GlobalArgs};
use crate::deploy::{self, Job, Options, Prepared, PreparedStack, Progress};
use crate::output::Printer;
use crate::render::{render_all, Renderer};

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
    let source = resolve_source(args.baseline.baseline.as_deref(), printer)?;
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    let renderer = Renderer::new(global.templates.as_deref())?;
    let stacks = render_all(&baseline, &renderer)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let endpoint = global.endpoint_url.clone().or_else(|| std::env::var("AWS_ENDPOINT_URL").ok());
        let region = global.region.clone().unwrap_or_else(|| baseline.home_region().to_string());
        let (api, caller) = aws::connect(global.profile.as_deref(), Some(&region), endpoint.as_deref()).await?;
        let targets = baseline.account_ids();
        if !targets.is_empty() && !targets.contains(&caller) {
            bail!(
                "your credentials are for account {caller}, which the baseline does not target ({}); nothing was changed",
                targets.join(", ")
            );
        }
        if targets.len() > 1 {
            printer.warning(&format!(
                "deploying to account {caller} only; run again with credentials for each of the other accounts \
                 (per-account role_arn/profile is not supported yet)"
            ));
        }
        let tags = baseline.stack_tags();
        let jobs: Vec<Job> = stacks
            .iter()
            .filter(|s| s.spec.account.as_deref().is_none_or(|a| a == caller))
            .map(|s| Job::new(s, tags.clone()))
            .collect();
        printer.status(&format!(
            "{} {} stacks of baseline {} in account {caller}",
            if execute { "Deploying" } else { "Planning" },
            jobs.len(),
            baseline.name()
        ));
        let options = Options {
            concurrency: usize::from(args.concurrency),
            replace_failed: args.replace_failed,
            ..Options::default()
        };
        let api = Arc::new(api);
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(deploy::prepare(api.clone(), jobs, options, tx));
        follow(rx, printer).await;
        let prepared = task.await.context("preparing change sets")?;
        print_changes(printer, &prepared);
        let pending = prepared.iter().filter(|p| matches!(p.state, Prepared::Pending { .. })).count();
        let failed = prepared.iter().filter(|p| matches!(p.state, Prepared::Failed(_))).count();

        if !execute {
            let problems = deploy::discard(api.as_ref(), &prepared).await;
            for p in &problems {
                printer.warning(p);
            }
            return Ok(if failed > 0 {
                ExitStatus::Error
            } else if pending > 0 {
                printer.status(&format!("{pending} stack(s) would change; change sets deleted, nothing was changed"));
                ExitStatus::Differences
            } else {
                printer.success("no changes");
                ExitStatus::Success
            });
        }

        if failed > 0 {
            deploy::discard(api.as_ref(), &prepared).await;
            bail!("{failed} stack(s) could not be prepared (see above); change sets deleted, nothing was changed");
        }
        if pending == 0 {
            let (tx, _rx) = mpsc::unbounded_channel();
            print_summary(printer, &deploy::execute(api.clone(), prepared, options, tx).await);
            printer.success("everything is up to date");
            return Ok(ExitStatus::Success);
        }
        if !args.yes && !confirm(pending)? {
            deploy::discard(api.as_ref(), &prepared).await;
            printer.status("not confirmed; change sets deleted, nothing was changed");
            return Ok(ExitStatus::Error);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(deploy::execute(api.clone(), prepared, options, tx));
        follow(rx, printer).await;
        let reports = task.await.context("executing change sets")?;
        print_summary(printer, &reports);
        let failures = reports.iter().filter(|r| r.outcome.is_failure()).count();
        if failures > 0 {
            for r in &reports {
                if let deploy::Outcome::Failed(reason) = &r.outcome {
                    printer.error(reason);
                }
            }
            bail!("{failures} stack(s) failed or were skipped");
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
        Ok(ExitStatus::Success)
    })
}

/// Prints progress as the tasks report it, until they are all done.
async fn follow(mut rx: mpsc::UnboundedReceiver<Progress>, printer: &mut Printer) {
    while let Some(p) = rx.recv().await {
        match p {
            Progress::Status { key, text } => printer.detail(&format!("{key}: {text}")),
            Progress::Event { key, event } => printer.status(&format!(
                "{key}  {:<28} {} ({}){}",
                event.status,
                event.logical_id,
                event.resource_type,
                event.reason.map(|r| format!(": {r}")).unwrap_or_default()
            )),
        }
    }
}

fn print_changes(printer: &mut Printer, prepared: &[PreparedStack]) {
    let mut text = String::new();
    for p in prepared {
        match &p.state {
            Prepared::Unchanged => text.push_str(&format!("= {}  unchanged\n", p.job.key)),
            Prepared::NoChanges => text.push_str(&format!("= {}  no changes\n", p.job.key)),
            Prepared::Failed(reason) => {
                text.push_str(&format!("! {}  cannot be prepared: {reason}\n", p.job.key))
            }
            Prepared::Pending {
                kind,
                changes,
                replaced,
                ..
            } => {
                let verb = match (kind, replaced) {
                    (_, true) => "replace (delete the failed stack, create it again)",
                    (aws::ChangeSetKind::Create, _) => "create",
                    (aws::ChangeSetKind::Update, _) => "update",
                };
                text.push_str(&format!(
                    "~ {}  {verb}, {} resource change(s)\n",
                    p.job.key,
                    changes.len()
                ));
                for c in changes {
                    let sign = match c.action.as_str() {
                        "Add" => "+",
                        "Remove" => "-",
                        _ => "~",
                    };
                    let replacement = match c.replacement.as_deref() {
                        Some("True") => " (replacement)",
                        Some("Conditional") => " (may be replaced)",
                        _ => "",
                    };
                    text.push_str(&format!(
                        "    {sign} {} {} ({}){replacement}\n",
                        c.action, c.logical_id, c.resource_type
                    ));
                }
            }
        }
    }
    printer.result(&text);
}

fn print_summary(printer: &mut Printer, reports: &[deploy::Report]) {
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
    printer.result(&text);
}

fn confirm(pending: usize) -> Result<bool> {
    let mut stderr = std::io::stderr();
    write!(stderr, "Execute {pending} change set(s)? [y/N] ")?;
    stderr.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
