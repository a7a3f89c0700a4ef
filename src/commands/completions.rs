//! `completions`: shell completions and the man page, generated from the clap definitions.

use anyhow::{Context, Result};
use clap::CommandFactory;

use super::ExitStatus;
use crate::cli::{Cli, CompletionsArgs, CompletionsFor};
use crate::output::Printer;

pub fn completions(args: &CompletionsArgs, printer: &mut Printer) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    let shell = match args.shell {
        CompletionsFor::Man => None,
        CompletionsFor::Bash => Some(clap_complete::Shell::Bash),
        CompletionsFor::Zsh => Some(clap_complete::Shell::Zsh),
        CompletionsFor::Fish => Some(clap_complete::Shell::Fish),
        CompletionsFor::Powershell => Some(clap_complete::Shell::PowerShell),
        CompletionsFor::Elvish => Some(clap_complete::Shell::Elvish),
    };
    match shell {
        Some(shell) => clap_complete::generate(shell, &mut command, "cfn-baseline", &mut out),
        None => clap_mangen::Man::new(command)
            .render(&mut out)
            .context("writing the man page")?,
    }
    let text = String::from_utf8(out).context("the generated text is not UTF-8")?;
    printer.result(&text);
    Ok(ExitStatus::Success)
}
