use std::process::ExitCode;

use clap::Parser;

use cfn_baseline::cli::Cli;
use cfn_baseline::commands::{self, ExitStatus};
use cfn_baseline::interrupt;
use cfn_baseline::output::{Printer, Verbosity};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = if cli.global.quiet {
        Verbosity::Quiet
    } else if cli.global.verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let mut printer = Printer::stdio(cli.global.color, verbosity);
    let status = match commands::run(cli, &mut printer) {
        Ok(status) => status.code(),
        Err(err) => {
            printer.error(&format!("{err:#}"));
            if interrupt::is_interrupted(&err) {
                interrupt::EXIT_CODE
            } else {
                ExitStatus::Error.code()
            }
        }
    };
    ExitCode::from(status)
}
