//! Command-line definitions (clap) only.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::ColorChoice;

const AFTER_HELP: &str = "\
Exit codes:
  0  success; nothing differs
  1  error (bad input, AWS error, failed deployment)
  2  plan/diff/drift found differences
  3  a change weakens security (deploy --yes applies none without --allow-weakening), or
     drift could not be fully checked or reverted
130  interrupted by Ctrl-C (what was and was not changed is printed first)

BASELINE defaults to ./baseline.yaml. Only the offline commands (render, validate,
permissions) fall back to the built-in default baseline; the commands that reach AWS stop
instead.";

#[derive(Debug, Parser)]
#[command(
    name = "cfn-baseline",
    version,
    about = "Provision an AWS account security baseline as CloudFormation stacks",
    long_about = "Renders one baseline YAML file into CloudFormation stacks and account settings that \
switch on GuardDuty, CloudTrail, AWS Config, Security Hub, IAM Access Analyzer, Inspector, Macie, \
Detective, patching, network guardrails, WAF, Shield and alerts (email and Slack) in every account \
and region it names, deploys them with change sets, reviews changes and reverts drift.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// AWS profile for credentials (commands that reach AWS)
    #[arg(long, global = true, value_name = "P")]
    pub profile: Option<String>,
    /// AWS region for API calls; with `render --stack`, the region of the stack to print;
    /// with `alerts test`, the one region to test
    #[arg(long, global = true, value_name = "R")]
    pub region: Option<String>,
    /// Send every AWS API call to this endpoint (also AWS_ENDPOINT_URL)
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Stop when AWS has not answered for this many seconds (one budget for the whole run)
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub network_timeout: u64,
    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only errors and results
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Use templates from DIR (<component>.yaml.hbs, partials/<name>.hbs) instead of the built-in ones
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter baseline.yaml (the recommended defaults, commented)
    Init(InitArgs),
    /// Check a baseline; report every error with file:line:column and a hint
    Validate(BaselineArg),
    /// Write every stack template and a manifest to --out DIR, or one template to stdout
    Render(RenderArgs),
    /// Create change sets, print what would change, delete them (exit 2 if anything would)
    Plan(DeployArgs),
    /// Plan, confirm (TTY prompt or --yes), execute in order and follow the stack events
    Deploy(DeployArgs),
    /// Compare the render with the deployed stacks, or offline with --against a baseline or
    /// a render directory; classify every change's security impact (exit 3 if one weakens)
    Diff(DiffArgs),
    /// Detect drift on every stack and setting outside CloudFormation; --reapply reverts it
    /// after confirmation (exit 2 drift, 3 not fully checked or not reverted)
    Drift(DriftArgs),
    /// Check that alerts reach people: `alerts test` publishes a test notification to
    /// every alert topic of the targets
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// Print the least-privilege IAM policy the principal that runs the tool needs for this
    /// baseline (JSON), in every account it deploys to; `--for plan` for a pull request's
    /// plan, diff and drift
    Permissions(PermissionsArgs),
    /// Print the JSON Schema of the baseline file (for editors and CI checks)
    Schema,
    /// Print shell completions (bash, zsh, fish, powershell, elvish) or the man page (man),
    /// e.g. `cfn-baseline completions bash > /etc/bash_completion.d/cfn-baseline`
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in, or `man` for the man page (roff)
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: CompletionsFor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionsFor {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
    /// The man page, cfn-baseline(1)
    Man,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Publish one test notification to each alert topic (email text, and the chat topic's
    /// Chatbot format), say where it went and what subscribers should see (exit 1 if a topic
    /// is missing or a publish fails, 2 if an email topic has no confirmed subscriber).
    /// `--region R` tests one region only.
    Test(AlertsTestArgs),
}

#[derive(Debug, Args)]
pub struct AlertsTestArgs {
    /// The baseline file [default: ./baseline.yaml; never the built-in default]
    #[arg(value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Only this account (repeat for more) [default: every account the run reaches]
    #[arg(long, value_name = "A")]
    pub account: Vec<String>,
    /// Publish without asking (required when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Also ask GuardDuty for sample findings where a detector exists; they alert through the
    /// rules like real findings (and show in the GuardDuty console, titled [SAMPLE])
    #[arg(long)]
    pub sample_findings: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftScope {
    /// Stacks and account settings
    All,
    /// Only the CloudFormation stacks
    Stacks,
    /// Only the settings outside CloudFormation (the IAM password policy)
    Settings,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The baseline file [default: ./baseline.yaml; never the built-in default]
    #[arg(value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Revert what drifted: drift-aware change sets (REVERT_DRIFT), then the settings outside
    /// CloudFormation (password policy, Security Hub controls, account settings, ...)
    #[arg(long)]
    pub reapply: bool,
    /// With --reapply: revert without asking (required when stdin is not a terminal)
    #[arg(long, short = 'y', requires = "reapply")]
    pub yes: bool,
    /// With --reapply --yes: also revert what was made stricter by hand than the baseline
    /// (a revert that weakens live security); without it such a run stops, exit 3
    #[arg(long, requires = "reapply")]
    pub allow_weakening: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// What to check
    #[arg(long, value_enum, default_value_t = DriftScope::All)]
    pub scope: DriftScope,
    /// Stacks checked at once in each account and region
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Stacks (and so requests) in flight at once for the whole run, shared fairly by the
    /// accounts
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_in_flight: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// For a terminal (coloured on a TTY)
    Text,
    /// For a pull-request comment
    Markdown,
    /// Versioned, documented shape for tools
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 0 whatever the differences (errors still exit 1)
    Never,
    /// Exit 2 for differences and 3 for weakening changes (the default)
    Any,
    /// Exit 3 for weakening changes, 0 otherwise
    Weakening,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The new side: the baseline file [default: ./baseline.yaml; the built-in default only
    /// with --against]
    #[arg(value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
    /// The old side, offline: another baseline file, or a directory written by `render`
    /// (needs no AWS credentials). Without it, the deployed stacks are the old side.
    #[arg(long, value_name = "PATH")]
    pub against: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Which differences make the exit code non-zero
    #[arg(long, value_enum, default_value_t = FailOn::Any)]
    pub fail_on: FailOn,
    /// Stacks compared (live mode) at once in each account and region
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Stacks (and so requests) in flight at once for the whole run, shared fairly by the
    /// accounts
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_in_flight: u16,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The baseline file [default: ./baseline.yaml; never the built-in default]
    #[arg(value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
    /// Execute without asking (required when stdin is not a terminal). A plan with weakening
    /// changes is not executed on --yes alone: it stops with exit 3, nothing changed
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Deploy: also apply the changes that weaken security (with --yes; interactively, a plain
    /// `y` then confirms them instead of typing their number)
    #[arg(long)]
    pub allow_weakening: bool,
    /// Stacks worked on at once in each account and region
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Stacks (and so requests) in flight at once for the whole run, shared fairly by the
    /// accounts
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub max_in_flight: u16,
    /// Delete and re-create stacks whose first create failed (ROLLBACK_COMPLETE)
    #[arg(long)]
    pub replace_failed: bool,
    /// Plan output: text, markdown (a pull-request comment) or json (versioned)
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// One line per stack, without the resource changes
    #[arg(long)]
    pub compact: bool,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    pub baseline: BaselineArg,
    /// What the principal runs: `deploy` (everything, also `drift --reapply` and `alerts
    /// test`) or `plan` (plan, live diff and drift: reads, change sets and drift detection)
    #[arg(
        long = "for",
        value_enum,
        default_value = "deploy",
        value_name = "COMMANDS"
    )]
    pub purpose: PermissionsFor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PermissionsFor {
    Deploy,
    Plan,
}

#[derive(Debug, Args)]
pub struct BaselineArg {
    /// The baseline file [default: ./baseline.yaml, else the built-in default]
    #[arg(value_name = "BASELINE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the baseline
    #[arg(value_name = "PATH", default_value = "baseline.yaml")]
    pub path: PathBuf,
    /// Replace an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub baseline: BaselineArg,
    /// Output directory (replaced as a whole; only a previous render or an empty directory)
    #[arg(
        long,
        value_name = "DIR",
        default_value = "out",
        conflicts_with = "stack"
    )]
    pub out: PathBuf,
    /// Print only this stack's template (e.g. acme-guardduty) to stdout; narrow with
    /// --region and --account when it exists in several
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,
    /// With --stack: the account of the stack to print
    #[arg(long, value_name = "ID", requires = "stack")]
    pub account: Option<String>,
}
