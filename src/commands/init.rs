use std::fs;
use std::io::Write;

use anyhow::{bail, Context, Result};

use super::ExitStatus;
use crate::baseline::DEFAULT_BASELINE;
use crate::cli::InitArgs;
use crate::output::Printer;

/// Writes the built-in default baseline, with its comments, for editing.
pub fn init(args: &InitArgs, printer: &mut Printer) -> Result<ExitStatus> {
    let path = &args.path;
    if path.exists() && !args.force {
        bail!(
            "{} already exists; pass --force to replace it",
            path.display()
        );
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    // Write beside the target, then rename: an interrupted init leaves no half file.
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(DEFAULT_BASELINE.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    };
    if let Err(err) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(err).with_context(|| format!("writing {}", path.display()));
    }
    printer.success(&format!(
        "wrote {}: set name, home_region, regions and alerts.email, then run `cfn-baseline validate`",
        path.display()
    ));
    Ok(ExitStatus::Success)
}
