use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::ExitStatus;
use crate::baseline::{self, DEFAULT_BASELINE, SCHEMA_FILE};
use crate::cli::InitArgs;
use crate::output::Printer;

/// Writes the built-in default baseline, with its comments, for editing, and the JSON Schema
/// beside it; the baseline's first line points editors at the schema.
pub fn init(args: &InitArgs, printer: &mut Printer) -> Result<ExitStatus> {
    let path = &args.path;
    if path.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it",
            path.display()
        );
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf);
    if let Some(dir) = &dir {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let schema_path = dir.unwrap_or_default().join(SCHEMA_FILE);
    // Write both beside their targets, then rename: an interrupted init leaves no half file.
    let baseline_text = format!("{}{DEFAULT_BASELINE}", baseline::modeline());
    let staged = [
        stage(&schema_path, &baseline::json_schema())?,
        stage(path, &baseline_text)?,
    ];
    for (tmp, target) in &staged {
        if let Err(err) = fs::rename(tmp, target) {
            for (tmp, _) in &staged {
                let _ = fs::remove_file(tmp);
            }
            return Err(err).with_context(|| format!("writing {}", target.display()));
        }
    }
    printer.success(&format!(
        "wrote {} (and its schema, {}): set name, home_region, regions and alerts.email, then run \
         `cfn-baseline validate`",
        path.display(),
        schema_path.display()
    ));
    Ok(ExitStatus::Success)
}

/// Writes `text` to a temporary file beside `target`; returns (temporary, target).
fn stage(target: &Path, text: &str) -> Result<(PathBuf, PathBuf)> {
    let tmp = target.with_extension(format!("tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()
    };
    if let Err(err) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(err).with_context(|| format!("writing {}", target.display()));
    }
    Ok((tmp, target.to_path_buf()))
}
