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

/// Live progress for many tasks: one line per key, redrawn in place on a terminal.
pub struct Board {
    order: Vec<String>,
    lines: std::collections::HashMap<String, String>,
    drawn: usize,
}

impl Board {
    pub fn new(keys: Vec<String>, initial: &str) -> Board {
        let lines = keys
            .iter()
            .map(|k| (k.clone(), initial.to_string()))
            .collect();
        Board {
            order: keys,
            lines,
            drawn: 0,
        }
    }

    /// Sets a key's line; unknown keys are added at the end.
    pub fn set(&mut self, key: &str, text: &str) {
        if !self.lines.contains_key(key) {
            self.order.push(key.to_string());
        }
        self.lines.insert(key.to_string(), text.to_string());
    }
}

pub struct Printer {
    out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
    color_err: bool,
    color_out: bool,
    err_tty: bool,
    verbosity: Verbosity,
    /// News of the network from the run's AWS clients, shown with the progress.
    network: Option<tokio::sync::watch::Receiver<crate::aws::Network>>,
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
            err_tty: io::stderr().is_terminal(),
            out: Box::new(io::stdout()),
            err: Box::new(io::stderr()),
            verbosity,
            network: None,
        }
    }

    /// A printer on any writers (a test's buffers, a file): no colour, no live progress.
    pub fn to_writers(
        out: impl Write + Send + 'static,
        err: impl Write + Send + 'static,
        verbosity: Verbosity,
    ) -> Printer {
        Printer {
            out: Box::new(out),
            err: Box::new(err),
            color_err: false,
            color_out: false,
            err_tty: false,
            verbosity,
            network: None,
        }
    }

    fn paint(&self, on: bool, style: &str, text: &str) -> String {
        if on {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// Shows news of the network (AWS lost, answering again) with the progress of later work.
    pub fn watch_network(&mut self, news: tokio::sync::watch::Receiver<crate::aws::Network>) {
        self.network = Some(news);
    }

    /// The news of the network to follow, if the run watches it.
    pub fn network_news(&self) -> Option<tokio::sync::watch::Receiver<crate::aws::Network>> {
        self.network.clone()
    }

    /// Whether progress can be redrawn in place (stderr is a terminal and not --quiet).
    pub fn live_progress(&self) -> bool {
        self.err_tty && self.verbosity == Verbosity::Normal
    }

    /// Redraws a board in place on stderr.
    pub fn draw(&mut self, board: &mut Board) {
        let mut text = String::new();
        if board.drawn > 0 {
            text.push_str(&format!("\x1b[{}A", board.drawn));
        }
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(100)
            .max(40);
        let key_width = board.order.iter().map(|k| k.len()).max().unwrap_or(0);
        for key in &board.order {
            let line = format!("{key:<key_width$}  {}", board.lines[key]);
            let line: String = line.chars().take(width - 1).collect();
            text.push_str(&format!("\x1b[2K{line}\n"));
        }
        board.drawn = board.order.len();
        let _ = self.err.write_all(text.as_bytes());
        let _ = self.err.flush();
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

/// A writer that keeps what is written, shared between clones: for reading a command's
/// output back in tests and tools.
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("captured output")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .expect("captured output")
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
