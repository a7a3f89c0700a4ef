//! `diff`: the render of BASELINE (new) against the deployed stacks, or offline against
//! another baseline or a previous render directory (old).

use std::fs;
use std::path::{Component as PathComponent, Path};
use std::sync::Arc;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;

use super::deploy::{adopt_existing, connect_groups, resolve_regions, Group};
use super::{load_baseline, resolve_source, ExitStatus, Fallback};
use crate::aws::{ControlsApi, SettingsApi, StackApi, StackSetApi};
use crate::baseline::{Baseline, Source, BASELINE_TAG};
use crate::cli::{DiffArgs, DiffFormat, FailOn, GlobalArgs};
use crate::deploy::Listing;
use crate::diff::{self, Report, StackInput, Verdict};
use crate::fanout::{self, Limits};
use crate::output::Printer;
use crate::render::{render_all, RenderedStack, Renderer, MANIFEST_FILE};
use crate::settings;
use crate::stacksets;
use crate::template::Template;

pub fn diff(global: &GlobalArgs, args: &DiffArgs, printer: &mut Printer) -> Result<ExitStatus> {
    // Offline against another side, the built-in default may stand in; live, never.
    let fallback = if args.against.is_some() {
        Fallback::BuiltIn
    } else {
        Fallback::Refuse
    };
    let source = resolve_source(args.baseline.as_deref(), fallback, printer)?;
    let new_label = source.name.clone();
    let Some(baseline) = load_baseline(source, printer) else {
        return Ok(ExitStatus::Error);
    };
    let renderer = Renderer::new(global.templates.as_deref())?;
    // Offline against another baseline: load it now, and render both sides at once.
    let old_baseline = match &args.against {
        Some(path) if !path.is_dir() => {
            let text = fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let source = Source {
                name: path.display().to_string(),
                text,
            };
            match load_baseline(source, printer) {
                Some(old) => Some(old),
                None => return Ok(ExitStatus::Error),
            }
        }
        _ => None,
    };
    let (stacks, old_stacks) = std::thread::scope(|scope| {
        let old = old_baseline
            .as_ref()
            .map(|old| scope.spawn(|| render_all(old, &renderer)));
        let new = render_all(&baseline, &renderer);
        (
            new,
            old.map(|h| h.join().expect("rendering the old side panicked")),
        )
    });
    let stacks = stacks?;
    let mut new_side = render_side(&baseline, &stacks);

    let report = match &args.against {
        Some(path) => {
            let mut notes = Vec::new();
            let old = if path.is_dir() {
                let (old, has_settings, has_controls) = read_render_dir(path)?;
                if !has_settings {
                    new_side.retain(|s| !settings::is_setting(&s.region, &s.stack_name));
                    notes.push(format!(
                        "{} was rendered by an older cfn-baseline without account settings; the IAM \
                         password policy and the Security Hub controls were not compared",
                        path.display()
                    ));
                } else if !has_controls {
                    new_side.retain(|s| s.stack_name != settings::CONTROLS_STACK);
                    notes.push(format!(
                        "{} was rendered by an older cfn-baseline without the Security Hub controls; \
                         they were not compared",
                        path.display()
                    ));
                }
                old
            } else {
                let (Some(old_baseline), Some(old_stacks)) = (&old_baseline, old_stacks) else {
                    unreachable!("a baseline file was loaded and rendered above");
                };
                let old_stacks =
                    old_stacks.with_context(|| format!("rendering {}", path.display()))?;
                render_side(old_baseline, &old_stacks)
            };
            let mut report =
                diff::compare(&old, &new_side, &path.display().to_string(), &new_label);
            report.notes.extend(notes);
            report
        }
        None if baseline.file.deployment.mode == crate::baseline::DeploymentMode::Stacksets => {
            // With an organization, the role accounts' stacks and settings first.
            let first = match super::role_part_now(global, &baseline, printer)? {
                Some(roles) => {
                    let role_stacks = render_all(&roles, &renderer)?;
                    let side = render_side(&roles, &role_stacks);
                    Some(live(
                        global,
                        args,
                        &roles,
                        &role_stacks,
                        side,
                        &new_label,
                        printer,
                    )?)
                }
                None => None,
            };
            let members = crate::stacksets::carried(&baseline, &stacks);
            let mut report = live_stacksets(global, &baseline, &members, &new_label, printer)?;
            if let Some(mut first) = first {
                first.notes.append(&mut report.notes);
                first.stacks.append(&mut report.stacks);
                report = first;
            }
            report
        }
        None => live(
            global, args, &baseline, &stacks, new_side, &new_label, printer,
        )?,
    };

    let text = match args.format {
        DiffFormat::Text => diff::text(&report, printer.color_stdout()),
        DiffFormat::Markdown => diff::markdown(&report),
        DiffFormat::Json => diff::json(&report),
    };
    printer.result(&text);
    Ok(exit_status(report.verdict(), args.fail_on))
}

/// Maps the verdict to the exit code `--fail-on` asks for.
pub fn exit_status(verdict: Verdict, fail_on: FailOn) -> ExitStatus {
    match (fail_on, verdict) {
        (FailOn::Never, _) | (_, Verdict::Identical) => ExitStatus::Success,
        (FailOn::Any, Verdict::Differences) => ExitStatus::Differences,
        (FailOn::Weakening, Verdict::Differences) => ExitStatus::Success,
        (_, Verdict::Weakening) => ExitStatus::Weakening,
    }
}

/// The render of a baseline as one side of a diff: every stack and the account settings.
pub fn render_side(baseline: &Baseline, stacks: &[RenderedStack]) -> Vec<StackInput> {
    let mut side: Vec<StackInput> = stacks.iter().map(|s| input(s, baseline)).collect();
    side.extend(settings::wanted_control_stacks(baseline));
    side.extend(settings::wanted_setting_stacks(baseline));
    side
}

fn input(stack: &RenderedStack, baseline: &Baseline) -> StackInput {
    StackInput {
        account: stack.spec.account_label().to_string(),
        region: stack.spec.region.clone(),
        stack_name: stack.spec.stack_name.clone(),
        template: stack.template.clone(),
        tags: Some(baseline.stack_tags().into_iter().collect()),
    }
}

#[derive(Deserialize)]
struct ManifestFile {
    format: u32,
    stacks: Vec<ManifestEntry>,
    /// Absent in renders made before account settings were recorded.
    account_settings: Option<Vec<settings::AccountSettings>>,
}

#[derive(Deserialize)]
struct ManifestEntry {
    stack_name: String,
    account: String,
    region: String,
    path: String,
}

/// Reads a directory written by `render`: its manifest, every template it lists and the
/// account settings it recorded (false when it predates them; the second false when it
/// predates the Security Hub controls).
fn read_render_dir(dir: &Path) -> Result<(Vec<StackInput>, bool, bool)> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = fs::read_to_string(&manifest_path).map_err(|e| {
        anyhow!(
            "{} is not a render directory ({}: {e}); write one with `cfn-baseline render --out {}`",
            dir.display(),
            manifest_path.display(),
            dir.display()
        )
    })?;
    let manifest: ManifestFile = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a cfn-baseline manifest", manifest_path.display()))?;
    if manifest.format != 1 {
        bail!(
            "{} has manifest format {}; this cfn-baseline reads format 1",
            manifest_path.display(),
            manifest.format
        );
    }
    let has_settings = manifest.account_settings.is_some();
    let mut stacks: Vec<StackInput> = manifest
        .stacks
        .into_iter()
        .map(|entry| {
            let relative = Path::new(&entry.path);
            if !relative
                .components()
                .all(|c| matches!(c, PathComponent::Normal(_)))
            {
                bail!(
                    "{}: stack path {:?} leaves the render directory",
                    manifest_path.display(),
                    entry.path
                );
            }
            let file = dir.join(relative);
            let body = fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let template = Template::parse(&body)
                .map_err(|e| anyhow!("{}: not a template: {e}", file.display()))?;
            Ok(StackInput {
                account: entry.account,
                region: entry.region,
                stack_name: entry.stack_name,
                template: Arc::new(template),
                tags: None,
            })
        })
        .collect::<Result<_>>()?;
    let mut has_controls = has_settings;
    for a in manifest.account_settings.unwrap_or_default() {
        // Manifests from before the password policy was one of the settings.
        if let Some(policy) = &a.iam_password_policy {
            stacks.push(settings::password_policy_stack(&a.account, Some(policy)));
        }
        match &a.securityhub_controls {
            Some(regions) => {
                for (region, disabled) in regions {
                    stacks.push(settings::controls_stack(&a.account, region, disabled));
                }
            }
            None => has_controls = false,
        }
        for w in &a.settings {
            stacks.push(settings::setting_stack(
                &a.account,
                w.setting,
                &w.region,
                Some(&w.properties),
            ));
        }
    }
    Ok((stacks, has_settings, has_controls))
}

/// Reads the deployed side in every account the baseline targets (reached as deploy reaches
/// them) and compares it with the render.
fn live(
    global: &GlobalArgs,
    args: &DiffArgs,
    baseline: &Baseline,
    stacks: &[RenderedStack],
    new_side: Vec<StackInput>,
    new_label: &str,
    printer: &mut Printer,
) -> Result<Report> {
    let runtime = super::runtime()?;
    let result = runtime.block_on(async {
        let (mut groups, reached) = connect_groups(global, baseline, stacks, printer).await?;
        let renderer = crate::render::Renderer::new(global.templates.as_deref())?;
        resolve_regions(&mut groups, baseline, &renderer, printer).await?;
        // The render as deploy would deploy it in these accounts: a recorder taken over by
        // its name, Control Tower's region without one, no service-linked role where one
        // exists, stacks with nothing left out.
        let limits = Limits::new(
            usize::from(args.concurrency),
            usize::from(args.max_in_flight),
        );
        for refusal in adopt_existing(&mut groups, baseline, &limits, printer).await? {
            printer.warning(&format!("not compared: {refusal}"));
        }
        let tags: std::collections::BTreeMap<String, String> =
            baseline.stack_tags().into_iter().collect();
        // The account-wide settings from the render; the regional ones (settings and
        // Security Hub controls) for the regions each account is reached in, as they are
        // read (with `regions: all`, its own enabled regions).
        let mut side: Vec<StackInput> = new_side
            .into_iter()
            .filter(|s| s.region == settings::GLOBAL_REGION)
            .collect();
        let named = !baseline.account_ids().is_empty();
        for g in &groups {
            let account = named.then_some(g.account_id.as_str());
            let regions = g.regions();
            for w in settings::wanted_settings(baseline, account, &regions) {
                if w.region != settings::GLOBAL_REGION {
                    side.push(settings::setting_stack(
                        &g.label,
                        w.setting,
                        &w.region,
                        Some(&w.properties),
                    ));
                }
            }
            for region in &regions {
                if let Some(w) = settings::ControlSettings::wanted(baseline, account, region) {
                    side.push(settings::controls_stack(&g.label, region, &w.disabled));
                }
            }
            for job in &g.jobs {
                side.push(StackInput {
                    account: g.label.clone(),
                    region: job.region.clone(),
                    stack_name: job.stack_name.clone(),
                    template: job.template.clone(),
                    tags: Some(tags.clone()),
                });
            }
        }
        compare_live(args, printer, baseline, &groups, &reached, side, new_label).await
    });
    runtime.shutdown_background();
    result
}

/// A deployed stack to read: (group, region, stack name, its tags).
type ToRead = (usize, String, String, Vec<(String, String)>);

/// The live diff of a baseline's render (`new_side`) against what `groups` have deployed:
/// every rendered stack, the stacks tagged with the baseline's name in the same regions that
/// the render no longer has, and the IAM password policy. Generic over the narrow
/// interfaces, so fakes drive it in tests.
pub async fn compare_live<A: StackApi + ControlsApi + SettingsApi>(
    args: &DiffArgs,
    printer: &mut Printer,
    baseline: &Baseline,
    groups: &[Group<A>],
    reached: &[String],
    new_side: Vec<StackInput>,
    new_label: &str,
) -> Result<Report> {
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    let new_side: Vec<StackInput> = new_side
        .into_iter()
        .filter(|s| labels.contains(&s.account.as_str()))
        .collect();
    let stack_count = new_side
        .iter()
        .filter(|s| !settings::is_setting(&s.region, &s.stack_name))
        .count();
    printer.status(&format!(
        "Comparing {stack_count} stacks of baseline {} and the account password policy with account {}",
        baseline.name(),
        reached.join(", ")
    ));
    let limits = Limits::new(
        usize::from(args.concurrency),
        usize::from(args.max_in_flight),
    );
    let mut errors = Vec::new();
    let mut all_regions: Vec<String> = Vec::new();
    let mut wanted: Vec<ToRead> = Vec::new();
    let mut out_of_service = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let regions = g.regions();
        // One listing per region: what is deployed, with status and tags.
        let listing = match Listing::of(g.api.clone(), regions.clone(), &limits).await {
            Ok(listing) => listing,
            Err(e) => {
                errors.push(format!("listing the stacks of {}: {e}", g.label));
                continue;
            }
        };
        for region in &regions {
            for (name, state) in listing.in_region(region) {
                let rendered = g
                    .jobs
                    .iter()
                    .any(|j| j.region == *region && j.stack_name == *name);
                // Stacks of the baseline the render no longer has (a component switched off).
                let ours = state
                    .tags
                    .iter()
                    .any(|(k, v)| k == BASELINE_TAG && v == baseline.name());
                if !(rendered || ours) || !state.status.is_deployed() {
                    continue;
                }
                // Listed, yet not deployed: compared as absent, and said so with its state.
                if let Some(why) = state.status.not_in_service() {
                    out_of_service.push(format!(
                        "{}/{region}/{name} is {}: {why}; compared as not deployed",
                        g.label,
                        state.status.as_str()
                    ));
                    continue;
                }
                wanted.push((i, region.clone(), name.clone(), state.tags.clone()));
            }
        }
        all_regions.extend(regions);
    }
    // Every account at once, within the limits.
    let apis: Vec<_> = groups.iter().map(|g| g.api.clone()).collect();
    let read = fanout::bounded(
        wanted,
        &limits,
        |(i, region, _, _): &(usize, String, String, Vec<(String, String)>)| {
            format!("{i}/{region}")
        },
        move |(i, region, name, tags): (usize, String, String, Vec<(String, String)>)| {
            let api = apis[i].clone();
            async move {
                let body = fanout::patiently(|| api.get_template(&region, &name)).await;
                (i, region, name, tags, body)
            }
        },
    )
    .await;
    let mut old_side = Vec::new();
    for (i, region, stack_name, tags, body) in read {
        let g = &groups[i];
        let template = match body {
            Ok(body) => match Template::parse(&body) {
                Ok(t) => t.value,
                Err(e) => {
                    errors.push(format!(
                        "{stack_name} in {}/{region}: the deployed template does not parse: {e}",
                        g.label
                    ));
                    continue;
                }
            },
            Err(e) => {
                errors.push(format!("{stack_name} in {}/{region}: {e}", g.label));
                continue;
            }
        };
        old_side.push(StackInput {
            account: g.label.clone(),
            region,
            stack_name,
            template: Template::shared(template),
            tags: Some(
                tags.into_iter()
                    .filter(|(k, _)| !k.starts_with("aws:"))
                    .collect(),
            ),
        });
    }
    // Security Hub controls, outside CloudFormation.
    let mut new_side = new_side;
    let mut no_control_api = Vec::new();
    for read in super::controls::read_all(baseline, groups, &limits).await {
        match &read.live {
            Err(_) if read.unsupported() => {
                new_side.retain(|s| {
                    !(s.account == read.label
                        && s.region == read.wanted.region
                        && s.stack_name == settings::CONTROLS_STACK)
                });
                no_control_api.push(read.key());
            }
            Err(e) => errors.push(format!("the Security Hub controls of {}: {e}", read.key())),
            Ok(_) => old_side.push(read.live_stack().expect("read")),
        }
    }
    // The other settings outside CloudFormation (the password policy, the security contact,
    // the account settings, ...).
    let mut no_setting_api = Vec::new();
    for read in super::settings::read_all(baseline, groups, &limits).await {
        match &read.live {
            Err(_) if read.unsupported() => {
                new_side.retain(|s| {
                    !(s.account == read.label
                        && s.region == read.wanted.region
                        && s.stack_name == read.wanted.setting.stack_name())
                });
                no_setting_api.push(read.key());
            }
            Err(e) => errors.push(format!(
                "{} of {}: {e}",
                read.wanted.setting.describe(),
                read.key()
            )),
            Ok(_) => old_side.push(read.live_stack().expect("read")),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        bail!(
            "could not read {} deployed item(s), so the diff would be incomplete:\n  {}",
            errors.len(),
            errors.join("\n  ")
        );
    }
    all_regions.sort();
    all_regions.dedup();
    let mut report = diff::compare(
        &old_side,
        &new_side,
        &format!("deployed stacks in account {}", labels.join(", ")),
        new_label,
    );
    report.notes.push(format!(
        "regions outside the baseline ({}) were not searched for stacks",
        all_regions.join(", ")
    ));
    report.notes.extend(out_of_service);
    if !no_control_api.is_empty() {
        report.notes.push(format!(
            "the Security Hub controls were not compared in {} region(s): the endpoint does not implement Security Hub's control API",
            no_control_api.len()
        ));
    }
    if !no_setting_api.is_empty() {
        report.notes.push(format!(
            "{} setting(s) were not compared: the endpoint does not implement their API ({})",
            no_setting_api.len(),
            no_setting_api.join(", ")
        ));
    }
    Ok(report)
}

/// Live diff in stack-set mode: each stack set's template against the render, and the
/// instances that a deploy would add or remove.
fn live_stacksets(
    global: &GlobalArgs,
    baseline: &Baseline,
    stacks: &[RenderedStack],
    new_label: &str,
    printer: &mut Printer,
) -> Result<Report> {
    let specs = stacksets::group(baseline, stacks).map_err(anyhow::Error::msg)?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let (api, caller) = super::connect_caller(global, baseline).await?;
        let ctx = stacksets::context(baseline);
        printer.status(&format!(
            "Comparing {} stack sets of baseline {} in account {caller} ({})",
            specs.len(),
            baseline.name(),
            ctx.region
        ));
        let targets = stacksets::Targets::of(baseline);
        let retired = stacksets::retired(
            &api,
            &ctx,
            baseline.name(),
            &specs,
            targets.service_managed(),
        )
        .await
        .map_err(anyhow::Error::msg)?;
        let plans = stacksets::plan(&api, &ctx, specs, &targets)
            .await
            .map_err(anyhow::Error::msg)?;
        let mut old = Vec::new();
        let mut new = Vec::new();
        let mut notes = vec![
            "stack-set mode: each stack set's template is compared; the IAM password \
            policy of the stack sets' accounts is not managed in this mode"
                .to_string(),
        ];
        for p in &plans {
            let input = |template: serde_json::Value| StackInput {
                account: "stackset".to_string(),
                region: ctx.region.clone(),
                stack_name: p.spec.name.clone(),
                template: Template::shared(template),
                tags: None,
            };
            new.push(input(
                Template::parse(&p.spec.body)
                    .map_err(anyhow::Error::msg)?
                    .value,
            ));
            if let Some(body) = &p.deployed_body {
                let t = Template::parse(body).map_err(|e| {
                    anyhow!(
                        "the template of stack set {} does not parse: {e}",
                        p.spec.name
                    )
                })?;
                old.push(input(t.value));
            }
            let list = |v: &[(String, String)]| {
                v.iter()
                    .map(|(t, r)| format!("{t}/{r}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if p.exists && !p.add.is_empty() {
                notes.push(format!(
                    "{}: instances to add: {}",
                    p.spec.name,
                    list(&p.add)
                ));
            }
            if !p.remove.is_empty() {
                notes.push(format!(
                    "{}: instances to remove: {}",
                    p.spec.name,
                    list(&p.remove)
                ));
            }
        }
        // Stack sets the render no longer has show as removed.
        for r in &retired {
            if let Some(state) = api
                .describe_stack_set(&ctx, &r.name)
                .await
                .map_err(|e| anyhow!("describing stack set {}: {e}", r.name))?
            {
                let t = Template::parse(&state.template_body).map_err(|e| {
                    anyhow!("the template of stack set {} does not parse: {e}", r.name)
                })?;
                old.push(StackInput {
                    account: "stackset".to_string(),
                    region: ctx.region.clone(),
                    stack_name: r.name.clone(),
                    template: Arc::new(t),
                    tags: None,
                });
            }
        }
        let mut report = diff::compare(
            &old,
            &new,
            &format!("stack sets in account {caller}"),
            new_label,
        );
        report.notes.extend(notes);
        Ok(report)
    })
}
