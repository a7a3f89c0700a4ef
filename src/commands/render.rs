use anyhow::{bail, Result};

use super::{load_baseline, resolve_source, ExitStatus, Fallback};
use crate::cli::{GlobalArgs, RenderArgs};
use crate::output::Printer;
use crate::render::{render_all, write_render, Renderer, MANIFEST_FILE};

pub fn render(global: &GlobalArgs, args: &RenderArgs, printer: &mut Printer) -> Result<ExitStatus> {
    let source = resolve_source(
        args.baseline.baseline.as_deref(),
        Fallback::BuiltIn,
        printer,
    )?;
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    let renderer = Renderer::new(global.templates.as_deref())?;
    // Everything is rendered and checked in memory before anything is written.
    let stacks = render_all(&baseline, &renderer)?;

    if let Some(name) = &args.stack {
        let matching: Vec<_> = stacks
            .iter()
            .filter(|s| &s.spec.stack_name == name)
            .filter(|s| global.region.as_ref().is_none_or(|r| &s.spec.region == r))
            .filter(|s| {
                args.account
                    .as_ref()
                    .is_none_or(|a| s.spec.account_label() == a)
            })
            .collect();
        return match matching.as_slice() {
            [one] => {
                printer.result(&one.body);
                Ok(ExitStatus::Success)
            }
            [] => {
                let mut names: Vec<&str> =
                    stacks.iter().map(|s| s.spec.stack_name.as_str()).collect();
                names.sort();
                names.dedup();
                bail!("no stack {name} matches; stacks are: {}", names.join(", "))
            }
            many => {
                let keys: Vec<String> = many.iter().map(|s| s.spec.key()).collect();
                bail!(
                    "{name} exists in {} places ({}); choose one with --region and/or --account",
                    many.len(),
                    keys.join(", ")
                )
            }
        };
    }

    write_render(&args.out, &baseline, &stacks)?;
    for s in &stacks {
        printer.detail(&format!(
            "  {}  {}",
            s.spec.relative_path(),
            &s.sha256[..12]
        ));
    }
    printer.success(&format!(
        "rendered {} stacks of baseline {} to {}/ (manifest: {}/{MANIFEST_FILE})",
        stacks.len(),
        baseline.name(),
        args.out.display(),
        args.out.display()
    ));
    if baseline.file.regions.is_all() {
        printer.status(
            "regions: all: this covers the regions every account has enabled by default; plan and \
             deploy ask each account for the regions it has enabled",
        );
    }
    Ok(ExitStatus::Success)
}
