//! The one printer: results to stdout, progress and diagnostics to stderr, colour only when
//! asked for or when stderr/stdout is a terminal.

use std::io::{self, IsTerminal, Write};

use crate::baseline::{Diagnostic, Severity};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

pub struct Printer {
    out: Box<dyn Write>,
    err: Box<dyn Write>,
    color_err: bool,
    color_out: bool,
    verbosity: Verbosity,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[1;32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Printer {
    /// A printer on the process's stdout and stderr.
    pub fn stdio(color: ColorChoice, verbosity: Verbosity) -> Printer {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let decide = |tty: bool| match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Printer {
            color_err: decide(io::stderr().is_terminal()),
            color_out: decide(io::stdout().is_terminal()),
            out: Box::new(io::stdout()),
            err: Box::new(io::stderr()),
            verbosity,
        }
    }

    fn paint(&self, on: bool, style: &str, text: &str) -> String {
        if on {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// Whether results on stdout may be coloured.
    pub fn color_stdout(&self) -> bool {
        self.color_out
    }

    /// The command's result (a template, a report): always printed, to stdout.
    pub fn result(&mut self, text: &str) {
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }

    /// A line of progress or status, to stderr; hidden with --quiet.
    pub fn status(&mut self, text: &str) {
        if self.verbosity >= Verbosity::Normal {
            let _ = writeln!(self.err, "{text}");
        }
    }

    /// A success line, to stderr; hidden with --quiet.
    pub fn success(&mut self, text: &str) {
        if self.verbosity >= Verbosity::Normal {
            let line = self.paint(self.color_err, GREEN, text);
            let _ = writeln!(self.err, "{line}");
        }
    }

    /// Detail shown with --verbose only.
    pub fn detail(&mut self, text: &str) {
        if self.verbosity >= Verbosity::Verbose {
            let _ = writeln!(self.err, "{text}");
        }
    }

    /// An error, to stderr; never hidden.
    pub fn error(&mut self, text: &str) {
        let label = self.paint(self.color_err, RED, "error");
        let _ = writeln!(self.err, "{label}: {text}");
    }

    /// A warning, to stderr; hidden with --quiet.
    pub fn warning(&mut self, text: &str) {
        if self.verbosity >= Verbosity::Normal {
            let label = self.paint(self.color_err, YELLOW, "warning");
            let _ = writeln!(self.err, "{label}: {text}");
        }
    }

    /// A located baseline diagnostic. Errors always show; warnings not with --quiet.
    pub fn diagnostic(&mut self, d: &Diagnostic) {
        if d.severity == Severity::Warning && self.verbosity == Verbosity::Quiet {
            return;
        }
        let location = match d.pos {
            Some(pos) => format!("{}:{}", d.file, pos),
            None => d.file.clone(),
        };
        let (style, level) = match d.severity {
            Severity::Error => (RED, "error"),
            Severity::Warning => (YELLOW, "warning"),
        };
        let path = if d.shown_path().is_empty() {
            String::new()
        } else {
            format!("{}: ", crate::yaml::display_path(d.shown_path()))
        };
        let head = format!(
            "{}: {}: {}{}",
            self.paint(self.color_err, BOLD, &location),
            self.paint(self.color_err, style, level),
            path,
            d.message
        );
        let _ = writeln!(self.err, "{head}");
        if let Some(hint) = &d.hint {
            let label = self.paint(self.color_err, CYAN, "hint");
            let _ = writeln!(self.err, "  {label}: {hint}");
        }
    }
}
