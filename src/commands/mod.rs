//! One function per subcommand: `(args, printer) -> Result<ExitStatus>`.

mod alerts;
mod completions;
mod controls;
mod deploy;
mod diff;
mod drift;
mod init;
mod permissions;
mod render;
mod settings;
mod stacksets;
mod validate;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use crate::baseline::{self, Baseline, Source};
use crate::cli::{AlertsCommand, Cli, Command};
use crate::output::Printer;

pub use alerts::{alert_topics, alerts_test, send as send_test_alerts, Target as AlertTarget};
pub use completions::reference_markdown as commands_reference;
pub use deploy::{
    adopt_existing, deploy, plan, plan_or_deploy, resolve_regions, stop_if_refused, DeployRun,
    Group,
};
pub use diff::{compare_live, diff, exit_status, render_side};
pub use drift::check as check_drift;
pub use drift::drift;
pub use init::init;
pub use render::render;
pub use stacksets::deploy_stack_sets;
pub use validate::validate;

/// The process exit status of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success; nothing differs.
    Success,
    /// 1: error.
    Error,
    /// 2: differences found.
    Differences,
    /// 3: a weakening change, or drift that could not be checked or reverted.
    Weakening,
}

impl ExitStatus {
    /// The status of two parts of one run: an error, else a weakening, else differences.
    pub fn and(self, other: ExitStatus) -> ExitStatus {
        let rank = |s: ExitStatus| match s {
            ExitStatus::Success => 0,
            ExitStatus::Differences => 1,
            ExitStatus::Weakening => 2,
            ExitStatus::Error => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Error => 1,
            ExitStatus::Differences => 2,
            ExitStatus::Weakening => 3,
        }
    }
}

pub fn run(cli: Cli, printer: &mut Printer) -> Result<ExitStatus> {
    crate::aws::explain_errors(cli.global.verbose);
    if let Some(region) = &cli.global.region {
        check_region_flag(region)?;
    }
    match cli.command {
        Command::Init(args) => init(&args, printer),
        Command::Validate(args) => validate(&cli.global, &args, printer),
        Command::Render(args) => render(&cli.global, &args, printer),
        Command::Plan(args) => plan(&cli.global, &args, printer),
        Command::Deploy(args) => deploy(&cli.global, &args, printer),
        Command::Diff(args) => diff(&cli.global, &args, printer),
        Command::Drift(args) => drift(&cli.global, &args, printer),
        Command::Alerts(AlertsCommand::Test(args)) => alerts_test(&cli.global, &args, printer),
        Command::Completions(args) => completions::completions(&args, printer),
        Command::Permissions(args) => permissions::permissions(&cli.global, &args, printer),
        Command::Schema => {
            printer.result(&baseline::json_schema());
            Ok(ExitStatus::Success)
        }
    }
}

/// `--region` names a region AWS has, or the run stops before anything, with the likely
/// one.
fn check_region_flag(region: &str) -> Result<()> {
    use crate::baseline::regions;
    if regions::is_known(region) {
        return Ok(());
    }
    let hint = match baseline::did_you_mean(region, regions::KNOWN_REGIONS) {
        Some(best) => format!("did you mean `--region {best}`?"),
        None => "use a region code such as us-east-1 or eu-west-1".to_string(),
    };
    bail!("--region {region}: unknown region; nothing was changed\n  hint: {hint}")
}

/// The async runtime the AWS commands run on: two workers (the machines are small), every
/// driver on, and Ctrl-C counted from the start ([`crate::interrupt`]).
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    crate::interrupt::listen(&runtime);
    Ok(runtime)
}

/// `--endpoint-url`, else `AWS_ENDPOINT_URL`.
pub(crate) fn endpoint(global: &crate::cli::GlobalArgs) -> Option<String> {
    global
        .endpoint_url
        .clone()
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
}

/// Where [`endpoint`] took its value from, for messages.
fn endpoint_source(global: &crate::cli::GlobalArgs) -> &'static str {
    if global.endpoint_url.is_some() {
        "--endpoint-url"
    } else {
        "AWS_ENDPOINT_URL"
    }
}

/// `--region`, else the baseline's home region.
pub(crate) fn api_region(global: &crate::cli::GlobalArgs, baseline: &Baseline) -> String {
    global
        .region
        .clone()
        .unwrap_or_else(|| baseline.home_region().to_string())
}

/// Connects with the caller's credentials; returns the interface and the caller's account.
pub(crate) async fn connect_caller(
    global: &crate::cli::GlobalArgs,
    baseline: &Baseline,
) -> Result<(crate::aws::SdkStacks, String)> {
    crate::aws::connect(&reach(global, baseline)).await
}

/// What a stack-set run with an organization says before its first part.
pub(crate) const ROLE_PART: &str =
    "Part 1 of 2: the organization's management, log archive and security accounts, as stacks";

/// The role part of a stack-set baseline with an organization ([`Baseline::role_part`]),
/// knowing the accounts of its service-managed stack sets' organizational units (read with
/// AWS Organizations from the caller's account): the security account makes them members
/// of its services, since auto-enable reaches only accounts that join later. Where they
/// cannot be listed, a warning says what that leaves out.
pub(crate) async fn role_part(
    global: &crate::cli::GlobalArgs,
    baseline: &Baseline,
    printer: &mut Printer,
) -> Result<Option<Baseline>> {
    let Some(roles) = baseline.role_part() else {
        return Ok(None);
    };
    let d = &baseline.file.deployment;
    if d.permission_model != crate::baseline::PermissionModel::ServiceManaged
        || d.organizational_units.is_empty()
    {
        return Ok(Some(roles));
    }
    let (api, _) = connect_caller(global, baseline).await?;
    Ok(Some(
        match api.unit_accounts(&d.organizational_units).await {
            Ok(accounts) => roles.with_members(accounts),
            Err(e) => {
                printer.warning(&format!(
                "could not list the accounts of {}: {e}; the security account makes only the accounts that \
                 join later members of Macie, Inspector and Detective (auto-enable)",
                d.organizational_units.join(", ")
            ));
                roles
            }
        },
    ))
}

/// [`role_part`] from a command that has no runtime running.
pub(crate) fn role_part_now(
    global: &crate::cli::GlobalArgs,
    baseline: &Baseline,
    printer: &mut Printer,
) -> Result<Option<Baseline>> {
    let runtime = runtime()?;
    let roles = runtime.block_on(role_part(global, baseline, printer));
    runtime.shutdown_background();
    roles
}

/// Where the AWS commands reach AWS, from the command line and the baseline.
pub(crate) fn reach(global: &crate::cli::GlobalArgs, baseline: &Baseline) -> crate::aws::Endpoint {
    crate::aws::Endpoint {
        profile: global.profile.clone(),
        region: Some(api_region(global, baseline)),
        endpoint_url: endpoint(global),
        endpoint_source: endpoint_source(global),
        network_timeout: std::time::Duration::from_secs(global.network_timeout),
    }
}

/// Whether a command may use the built-in default baseline when none is named and there is
/// no ./baseline.yaml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// The offline commands (render, validate): the built-in default, said so.
    BuiltIn,
    /// The commands that reach AWS, whose default name would meet real stacks: stop.
    Refuse,
}

/// The file named on the command line, else ./baseline.yaml, else (offline commands only)
/// the built-in default.
pub fn resolve_source(
    path: Option<&Path>,
    fallback: Fallback,
    printer: &mut Printer,
) -> Result<Source> {
    let path: PathBuf = match path {
        Some(p) => p.to_path_buf(),
        None => {
            let local = PathBuf::from("baseline.yaml");
            if local.is_file() {
                printer.detail("using ./baseline.yaml");
                local
            } else if fallback == Fallback::Refuse {
                bail!(
                    "no baseline: no BASELINE was named and there is no ./baseline.yaml here; nothing was \
                     changed. The commands that reach AWS never use the built-in default (its stacks could \
                     replace yours).\n  hint: write one with `cfn-baseline init` and edit it, or name the \
                     file: `cfn-baseline <command> path/to/baseline.yaml`"
                );
            } else {
                printer.status(
                    "No BASELINE given and no ./baseline.yaml: using the built-in default baseline \
                     (`cfn-baseline init` writes it for editing).",
                );
                return Ok(Source::builtin());
            }
        }
    };
    let text = fs::read_to_string(&path).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "\n  hint: check the path (relative to {}), or write a new baseline there with \
                 `cfn-baseline init {}`",
                std::env::current_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|_| "the current directory".into()),
                path.display()
            )
        } else {
            String::new()
        };
        anyhow!(
            "cannot read baseline {}: {e}; nothing was changed{hint}",
            path.display()
        )
    })?;
    Ok(Source {
        name: path.display().to_string(),
        text,
    })
}

/// Loads and validates a baseline, printing every diagnostic. `None` means it had errors.
pub fn load_baseline(source: Source, printer: &mut Printer) -> Option<Baseline> {
    match baseline::load(source) {
        Ok((baseline, warnings)) => {
            for w in &warnings {
                printer.diagnostic(w);
            }
            Some(baseline)
        }
        Err(diags) => {
            for d in &diags {
                printer.diagnostic(d);
            }
            let errors = diags.iter().filter(|d| d.is_error()).count();
            printer.error(&format!(
                "the baseline has {errors} error{}; nothing was changed",
                if errors == 1 { "" } else { "s" }
            ));
            None
        }
    }
}
