//! `cfn-baseline permissions`: the IAM policy the principal that runs the tool needs for a
//! baseline, worked out offline from the baseline and its render.

use anyhow::Result;

use super::{load_baseline, resolve_source, ExitStatus, Fallback};
use crate::cli::{GlobalArgs, PermissionsArgs, PermissionsFor};
use crate::output::Printer;
use crate::permissions::{managed_policies, policy, Purpose, MAX_MANAGED_POLICY_CHARS};
use crate::render::{render_all, Renderer};

pub fn permissions(
    global: &GlobalArgs,
    args: &PermissionsArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let source = resolve_source(
        args.baseline.baseline.as_deref(),
        Fallback::BuiltIn,
        printer,
    )?;
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    let renderer = Renderer::new(global.templates.as_deref())?;
    let stacks = render_all(&baseline, &renderer)?;
    let purpose = match args.purpose {
        PermissionsFor::Deploy => Purpose::Deploy,
        PermissionsFor::Plan => Purpose::Plan,
    };
    let documents = managed_policies(&policy(&baseline, &stacks, purpose));
    printer.result(&crate::json::to_string_sorted(&documents));
    let accounts = if baseline.account_ids().len() > 1 {
        "the principal you run it with and the role it reaches in each account (role_arn or \
         profile)"
    } else {
        "the principal you run it with"
    };
    printer.status(&format!(
        "{} IAM policy document(s) (each within IAM's {MAX_MANAGED_POLICY_CHARS} characters \
         for a managed policy) for {accounts}, for {} of baseline {}: what the tool calls and \
         what CloudFormation does with the same credentials (no CloudFormation service role)",
        documents.len(),
        match purpose {
            Purpose::Deploy => "deploy, drift --reapply and alerts test",
            Purpose::Plan => "plan, live diff and drift",
        },
        baseline.name(),
    ));
    Ok(ExitStatus::Success)
}
