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

/// docs/reference/commands.md: every command with what it does, its usage and a row per
/// argument and option (default, values, help), from the same definitions as `--help`, so
/// the page cannot disagree with the binary (a test compares them).
pub fn reference_markdown() -> String {
    let mut cli = Cli::command();
    cli.build();
    let mut out = String::from(
        "<!-- Generated from the command-line definitions by the tests \
         (`UPDATE_REFERENCE=1 scripts/test --test cli`): edit src/cli.rs, not this page. -->\n\
         # Commands and flags\n\n\
         `cfn-baseline [OPTIONS] <COMMAND>`. `cfn-baseline <command> --help` prints the same \
         for one command; `cfn-baseline completions man` prints it as a man page. Exit codes: \
         [exit codes](exit-codes.md).\n\n## Options of every command\n\n",
    );
    let globals: Vec<&clap::Arg> = cli
        .get_arguments()
        .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
        .collect();
    out.push_str(&argument_table(&globals));
    for sub in cli.get_subcommands() {
        command_section(sub, "cfn-baseline", &mut out);
    }
    out
}

fn command_section(command: &clap::Command, parent: &str, out: &mut String) {
    if command.get_name() == "help" {
        return;
    }
    let path = format!("{parent} {}", command.get_name());
    out.push_str(&format!("\n## `{path}`\n\n"));
    let about = command
        .get_long_about()
        .or(command.get_about())
        .map(|a| a.to_string())
        .unwrap_or_default();
    out.push_str(&format!(
        "{}\n\n",
        markdown_text(&about.split_whitespace().collect::<Vec<_>>().join(" "))
    ));
    let own: Vec<&clap::Arg> = command
        .get_arguments()
        .filter(|a| !a.is_global_set() && !matches!(a.get_id().as_str(), "help" | "version"))
        .collect();
    if command.has_subcommands() {
        for sub in command.get_subcommands() {
            command_section(sub, &path, out);
        }
        return;
    }
    let mut usage = command.clone().bin_name(&path);
    out.push_str(&format!(
        "```\n{}\n```\n\n",
        usage
            .render_usage()
            .to_string()
            .trim_start_matches("Usage: ")
    ));
    if !own.is_empty() {
        out.push_str(&argument_table(&own));
    }
}

fn argument_table(args: &[&clap::Arg]) -> String {
    let mut out = String::from("| argument | default | what it does |\n| --- | --- | --- |\n");
    for a in args {
        let value = a
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| a.get_id().as_str().to_uppercase());
        let takes_value = a.get_num_args().is_some_and(|n| n.takes_values());
        let name = match (a.get_long(), a.get_short()) {
            (Some(l), Some(s)) if takes_value => format!("`-{s}`, `--{l} <{value}>`"),
            (Some(l), Some(s)) => format!("`-{s}`, `--{l}`"),
            (Some(l), None) if takes_value => format!("`--{l} <{value}>`"),
            (Some(l), None) => format!("`--{l}`"),
            (None, Some(s)) => format!("`-{s}`"),
            (None, None) => format!("`{value}`"),
        };
        let default: Vec<String> = a
            .get_default_values()
            .iter()
            .filter(|_| takes_value)
            .map(|d| format!("`{}`", d.to_string_lossy()))
            .collect();
        let help = a
            .get_long_help()
            .or(a.get_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        let mut help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| format!("`{}`", v.get_name()))
            .collect();
        if !values.is_empty() && takes_value {
            help.push_str(&format!(" (one of {})", values.join(", ")));
        }
        out.push_str(&format!(
            "| {name} | {} | {} |\n",
            default.join(", "),
            markdown_text(&help)
        ));
    }
    out
}

/// Help text as Markdown table text: `|` escaped, and `<` and `>` outside code spans written
/// as entities so that GitHub does not take `<component>` for an HTML tag.
fn markdown_text(text: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    for c in text.chars() {
        match c {
            '`' => {
                code = !code;
                out.push(c);
            }
            '|' => out.push_str("\\|"),
            '<' if !code => out.push_str("&lt;"),
            '>' if !code => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}
