//! Writing a render to disk all at once: the files go to a temporary sibling directory that
//! is renamed into place, so a failure never leaves a partial output directory.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file whose presence marks a directory as a cfn-baseline render.
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug)]
pub enum OutDirError {
    /// The directory exists, holds files, and is not a previous render.
    NotARender(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for OutDirError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutDirError::NotARender(dir) => write!(
                f,
                "{} exists and is not a cfn-baseline render (no {MANIFEST_FILE}); refusing to replace it",
                dir.display()
            ),
            OutDirError::Io(path, err) => write!(f, "{}: {err}", path.display()),
        }
    }
}

impl std::error::Error for OutDirError {}

/// Writes `files` (relative path, contents) as the new contents of `dir`, replacing a
/// previous render there. Either the whole new render is in place, or `dir` is unchanged.
/// The files are written by a few workers at once (an estate has thousands).
pub fn write_out_dir<T: AsRef<str> + Sync>(
    dir: &Path,
    files: &[(String, T)],
) -> Result<(), OutDirError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |err| OutDirError::Io(path, err)
    };
    if dir.exists() {
        let is_render = dir.join(MANIFEST_FILE).is_file();
        let is_empty = fs::read_dir(dir).map_err(io(dir))?.next().is_none();
        if !is_render && !is_empty {
            return Err(OutDirError::NotARender(dir.to_path_buf()));
        }
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let base = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let staging = parent.join(format!(".{base}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let result = (|| {
        // Directories first, once each; then the files, split among the workers.
        let mut dirs: Vec<PathBuf> = files
            .iter()
            .filter_map(|(rel, _)| staging.join(rel).parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in &dirs {
            fs::create_dir_all(d).map_err(io(d))?;
        }
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8);
        let chunk = files.len().div_ceil(workers).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    let staging = &staging;
                    scope.spawn(move || -> Result<(), OutDirError> {
                        for (rel, contents) in part {
                            let path = staging.join(rel);
                            let mut file = fs::File::create(&path).map_err(io(&path))?;
                            file.write_all(contents.as_ref().as_bytes())
                                .map_err(io(&path))?;
                            file.sync_all().map_err(io(&path))?;
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|h| h.join().expect("a writer thread panicked"))
        })?;
        if dir.exists() {
            let old = parent.join(format!(".{base}.old-{}", std::process::id()));
            fs::rename(dir, &old).map_err(io(dir))?;
            if let Err(err) = fs::rename(&staging, dir) {
                // Put the previous render back.
                let _ = fs::rename(&old, dir);
                return Err(OutDirError::Io(dir.to_path_buf(), err));
            }
            let _ = fs::remove_dir_all(&old);
        } else {
            fs::rename(&staging, dir).map_err(io(dir))?;
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}
