//! cfn-baseline: an AWS account security baseline as code.
//!
//! Module boundaries: `baseline`, `plan`, `render`, `template`, `diff` and `yaml` never touch AWS
//! and never print; `commands` do the work of each subcommand and report through
//! `output::Printer`.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod adopt;
pub mod aws;
pub mod baseline;
pub mod cli;
pub mod commands;
pub mod deploy;
pub mod diff;
pub mod drift;
pub mod fanout;
pub mod interrupt;
pub mod json;
pub mod live_plan;
pub mod output;
pub mod permissions;
pub mod plan;
pub mod render;
pub mod settings;
pub mod stacksets;
pub mod template;
pub mod test_notification;
pub mod yaml;
