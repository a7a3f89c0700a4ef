//! Rendering stack specs into CloudFormation templates through Handlebars: strict mode, no
//! HTML escaping, quoting helpers, and every result parsed back and checked.

pub(crate) mod helpers;
mod out_dir;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use handlebars::Handlebars;
use serde::Serialize;

pub use helpers::{sub_escape, yaml_flow, yaml_quote};
pub use out_dir::{write_out_dir, OutDirError, MANIFEST_FILE};

use crate::baseline::Baseline;
use crate::plan::{self, sha256_hex, Component, StackSpec};
use crate::template::{self, Template};

/// The templates shipped in the binary: (name, text). Components first, then partials.
pub const EMBEDDED_TEMPLATES: [(&str, &str); 10] = [
    ("alerts", include_str!("../../templates/alerts.yaml.hbs")),
    (
        "cloudtrail",
        include_str!("../../templates/cloudtrail.yaml.hbs"),
    ),
    ("config", include_str!("../../templates/config.yaml.hbs")),
    (
        "guardduty",
        include_str!("../../templates/guardduty.yaml.hbs"),
    ),
    (
        "securityhub",
        include_str!("../../templates/securityhub.yaml.hbs"),
    ),
    (
        "patching",
        include_str!("../../templates/patching.yaml.hbs"),
    ),
    (
        "access-analyzer",
        include_str!("../../templates/access-analyzer.yaml.hbs"),
    ),
    ("waf", include_str!("../../templates/waf.yaml.hbs")),
    ("macie", include_str!("../../templates/macie.yaml.hbs")),
    (
        "detective",
        include_str!("../../templates/detective.yaml.hbs"),
    ),
];

pub const EMBEDDED_PARTIALS: [(&str, &str); 1] =
    [("tags", include_str!("../../templates/partials/tags.hbs"))];

/// A Handlebars registry loaded with the component templates.
pub struct Renderer {
    registry: Handlebars<'static>,
    /// Where each template came from, for messages.
    origins: BTreeMap<String, String>,
}

impl Renderer {
    /// The embedded templates, each replaced by `<dir>/<component>.yaml.hbs` (and partials by
    /// `<dir>/partials/<name>.hbs`) where such a file exists.
    pub fn new(templates_dir: Option<&Path>) -> Result<Renderer> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(handlebars::no_escape);
        registry.register_helper("q", Box::new(helpers::q));
        registry.register_helper("sub", Box::new(helpers::sub));
        let mut origins = BTreeMap::new();
        if let Some(dir) = templates_dir {
            if !dir.is_dir() {
                bail!("--templates {}: not a directory", dir.display());
            }
        }
        for (name, text) in EMBEDDED_PARTIALS {
            let (origin, text) = pick(templates_dir, &format!("partials/{name}.hbs"), text)?;
            registry
                .register_partial(name, text)
                .with_context(|| format!("template {origin} does not parse"))?;
            origins.insert(name.to_string(), origin);
        }
        for (name, text) in EMBEDDED_TEMPLATES {
            let (origin, text) = pick(templates_dir, &format!("{name}.yaml.hbs"), text)?;
            registry
                .register_template_string(name, text)
                .with_context(|| format!("template {origin} does not parse"))?;
            origins.insert(name.to_string(), origin);
        }
        Ok(Renderer { registry, origins })
    }

    /// Renders one stack's template text.
    pub fn render_text(&self, spec: &StackSpec) -> Result<String> {
        let name = spec.component.as_str();
        self.registry.render(name, &*spec.context).map_err(|err| {
            let origin = &self.origins[name];
            let line = err
                .line_no
                .map(|l| format!(" line {l}"))
                .unwrap_or_default();
            anyhow::anyhow!(
                "rendering {} ({}{line}) failed: {}",
                spec.key(),
                origin,
                err.reason()
            )
        })
    }

    /// Renders one stack and checks the result.
    pub fn render(&self, spec: &StackSpec) -> Result<RenderedStack> {
        let body = self.render_text(spec)?;
        self.check(spec, body)
    }

    /// Parses a rendered body back and checks it.
    fn check(&self, spec: &StackSpec, body: String) -> Result<RenderedStack> {
        let template = Template::parse(&body)
            .map_err(anyhow::Error::msg)
            .with_context(|| {
                format!(
                    "the template rendered for {} from {} is not valid YAML",
                    spec.key(),
                    self.origins[spec.component.as_str()]
                )
            })?;
        let problems = template::check(&template, body.len());
        if !problems.is_empty() {
            bail!(
                "the template rendered for {} from {} fails its checks:\n  - {}",
                spec.key(),
                self.origins[spec.component.as_str()],
                problems.join("\n  - ")
            );
        }
        let sha256 = sha256_hex(body.as_bytes());
        Ok(RenderedStack {
            spec: spec.clone(),
            body: body.into(),
            template: Arc::new(template),
            sha256,
        })
    }
}

fn pick(dir: Option<&Path>, file: &str, embedded: &'static str) -> Result<(String, String)> {
    if let Some(dir) = dir {
        let path = dir.join(file);
        if path.is_file() {
            let text =
                fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            return Ok((path.display().to_string(), text));
        }
    }
    Ok((format!("templates/{file} (built in)"), embedded.to_string()))
}

/// A rendered, checked template and the spec it came from. Stacks rendered from the same
/// values share one body and one parsed template.
#[derive(Clone, Debug)]
pub struct RenderedStack {
    pub spec: StackSpec,
    pub body: Arc<str>,
    pub template: Arc<Template>,
    pub sha256: String,
}

/// Plans and renders every stack of a baseline. Fails on the first stack that does not
/// render or check, before anything is written.
///
/// A template depends only on its component and the values it is rendered with; identity
/// comes from pseudo parameters, so an estate of many accounts has few distinct templates
/// (the default baseline: 8 for 100 accounts x 17 regions). Each distinct one is rendered,
/// parsed back and checked once, and shared by every stack that has it.
pub fn render_all(baseline: &Baseline, renderer: &Renderer) -> Result<Vec<RenderedStack>> {
    render_all_in(baseline, renderer, &|_| baseline.regions())
}

/// [`render_all`] with each account's regions given by `regions_of` ([`plan::plan_in`]).
pub fn render_all_in(
    baseline: &Baseline,
    renderer: &Renderer,
    regions_of: &dyn Fn(Option<&str>) -> Vec<String>,
) -> Result<Vec<RenderedStack>> {
    // Two levels: the same values render the same text (across accounts), and the same text
    // parses and checks the same (across regions, whose values name the region even where
    // the template does not).
    // Keyed by the values' identity: `plan` shares them between stacks that have the same.
    let mut by_values: HashMap<(Component, usize), Arc<str>> = HashMap::new();
    let mut by_body: HashMap<Arc<str>, RenderedStack> = HashMap::new();
    let mut out = Vec::new();
    for spec in plan::plan_in(baseline, regions_of) {
        let key = (spec.component, Arc::as_ptr(&spec.context) as usize);
        let body = match by_values.get(&key) {
            Some(body) => body.clone(),
            None => {
                let body: Arc<str> = renderer.render_text(&spec)?.into();
                by_values.insert(key, body.clone());
                body
            }
        };
        let first = match by_body.get(&body) {
            Some(first) => first,
            None => {
                let checked = renderer.check(&spec, body.to_string())?;
                by_body.entry(body).or_insert(checked)
            }
        };
        out.push(RenderedStack {
            spec,
            body: first.body.clone(),
            template: first.template.clone(),
            sha256: first.sha256.clone(),
        });
    }
    Ok(out)
}

/// Writes a render to `dir` as `render --out` does: every template at its path and the
/// manifest, atomically. Returns how many files were written.
pub fn write_render(
    dir: &Path,
    baseline: &Baseline,
    stacks: &[RenderedStack],
) -> Result<usize, OutDirError> {
    let manifest = Manifest::new(baseline, stacks);
    let mut files: Vec<(String, Arc<str>)> = stacks
        .iter()
        .map(|s| (s.spec.relative_path(), s.body.clone()))
        .collect();
    files.push((MANIFEST_FILE.to_string(), manifest.to_json().into()));
    write_out_dir(dir, &files)?;
    Ok(files.len())
}

/// What `render` writes beside the templates: one entry per stack, in deployment order.
#[derive(Debug, Serialize)]
pub struct Manifest {
    pub format: u32,
    pub generator: String,
    pub baseline: String,
    pub home_region: String,
    pub stacks: Vec<ManifestStack>,
    /// Settings outside CloudFormation (the IAM password policy), per account.
    pub account_settings: Vec<crate::settings::AccountSettings>,
}

#[derive(Debug, Serialize)]
pub struct ManifestStack {
    pub stack_name: String,
    pub account: String,
    pub region: String,
    pub component: Component,
    pub order: u32,
    pub depends_on: Vec<String>,
    pub path: String,
    pub sha256: String,
}

impl Manifest {
    pub fn new(baseline: &Baseline, stacks: &[RenderedStack]) -> Manifest {
        Manifest {
            format: 1,
            generator: concat!("cfn-baseline ", env!("CARGO_PKG_VERSION")).to_string(),
            baseline: baseline.name().to_string(),
            home_region: baseline.home_region().to_string(),
            stacks: stacks
                .iter()
                .map(|s| ManifestStack {
                    stack_name: s.spec.stack_name.clone(),
                    account: s.spec.account_label().to_string(),
                    region: s.spec.region.clone(),
                    component: s.spec.component,
                    order: s.spec.order,
                    depends_on: s.spec.depends_on.clone(),
                    path: s.spec.relative_path(),
                    sha256: s.sha256.clone(),
                })
                .collect(),
            account_settings: crate::settings::account_settings(baseline),
        }
    }

    pub fn to_json(&self) -> String {
        crate::json::to_string_sorted(self)
    }
}
