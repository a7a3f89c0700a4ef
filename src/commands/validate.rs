use anyhow::Result;

use super::{load_baseline, resolve_source, ExitStatus, Fallback};
use crate::cli::{BaselineArg, GlobalArgs};
use crate::output::Printer;
use crate::plan;
use crate::render::{render_all, Renderer};

/// Checks the baseline, then renders and checks every template in memory (nothing is
/// written), so a baseline that validates also renders.
pub fn validate(
    global: &GlobalArgs,
    args: &BaselineArg,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let source = resolve_source(args.baseline.as_deref(), Fallback::BuiltIn, printer)?;
    let name = source.name.clone();
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    let renderer = Renderer::new(global.templates.as_deref())?;
    let stacks = render_all(&baseline, &renderer)?;
    let specs = plan::plan(&baseline);
    // Stack sets over organizational units render their members once, for accounts only
    // AWS knows.
    let units = (baseline.members_in_stack_sets() && specs.iter().any(|s| s.account.is_none()))
        .then(|| {
            format!(
                " and the accounts of {}",
                baseline.file.deployment.organizational_units.join(", ")
            )
        });
    let accounts = specs
        .iter()
        .filter(|s| units.is_none() || s.account.is_some())
        .map(|s| s.account_label().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    printer.success(&format!(
        "{name}: valid; {} stacks in {} region{} of {} account{}{}",
        stacks.len(),
        baseline.regions().len(),
        if baseline.regions().len() == 1 {
            ""
        } else {
            "s"
        },
        accounts,
        if accounts == 1 { "" } else { "s" },
        units.unwrap_or_default(),
    ));
    if baseline.file.regions.is_all() {
        printer.status(
            "regions: all: this covers the regions every account has enabled by default; plan and \
             deploy ask each account for the regions it has enabled",
        );
    }
    Ok(ExitStatus::Success)
}
