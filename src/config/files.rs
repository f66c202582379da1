//! The configuration as the command line finds and reads it: discovered from each checked
//! file's folder upwards, its globs relative to its folder on disk, and the files a run takes.

use super::{Config, FILE_NAME};
use crate::diagnostic::Finding;
use crate::rules;
use crate::walk::Input;
use std::path::{Path, PathBuf};

/// The configuration file in `dir` or its nearest parent that has one; `Err` when it is a
/// symbolic link that leads out of the tree (see [`crate::contain::link_stays_near`]).
pub fn discover(dir: &Path) -> Option<Result<PathBuf, PathBuf>> {
    let found = nearest(dir)?;
    if !crate::contain::link_stays_near(&found) {
        // a link to a file elsewhere (`/proc/self/environ`, a credentials file) is not read:
        // its text would be shown in CFG001 findings; `--config` names such a file explicitly
        return Some(Err(found));
    }
    // shown relative to the current folder when it is below it
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    Some(Ok(cwd
        .and_then(|c| found.strip_prefix(&c).ok().map(Path::to_path_buf))
        .unwrap_or(found)))
}

/// The configuration file in `dir` (its links resolved) or its nearest parent that has one, as
/// an absolute path, whatever it is or leads to: the caller judges links and reads it.
pub fn nearest(dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        // not only regular files: a FIFO or device of that name is refused when read, with a
        // message, instead of a parent's configuration being used in its place
        .find(|p| p.metadata().is_ok_and(|m| !m.is_dir()))
}

/// A path made absolute, its folders' links resolved (the file itself, a link or not, is kept):
/// how the configuration's folder and the files checked are compared.
fn resolved_folder(dir: &Path) -> PathBuf {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::canonicalize(dir)
        .or_else(|_| std::path::absolute(dir))
        .unwrap_or_else(|_| dir.to_path_buf())
}

/// Read a configuration file from its bytes (the caller reads the file with the rules of every
/// input: a regular file within the size limit). Problems are findings in it, never an error.
pub fn parse(path: &Path, bytes: &[u8]) -> Config {
    let mut cfg = super::parse_text(&path.to_string_lossy(), bytes);
    // `finops-lint.toml` in the current folder has an empty parent: the current folder
    cfg.dir = resolved_folder(path.parent().unwrap_or(Path::new("")));
    cfg
}

impl Config {
    /// A file's path relative to the configuration's folder, as its globs see it, however the
    /// file was named (relative to the current folder or absolute, with `.` or `..`); a file
    /// outside that folder keeps its absolute path.
    pub(crate) fn resolve(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        let (parent, file) = match (p.parent(), p.file_name()) {
            (Some(parent), Some(file)) => (parent, file),
            // `.`, `..` or `/`: a folder, resolved whole
            _ => (p, std::ffi::OsStr::new("")),
        };
        let folder = {
            let mut last = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
            match last.as_ref() {
                Some((asked, done)) if asked == parent => done.clone(),
                _ => {
                    let done = resolved_folder(parent);
                    *last = Some((parent.to_path_buf(), done.clone()));
                    done
                }
            }
        };
        let abs = if file.is_empty() {
            folder
        } else {
            folder.join(file)
        };
        match abs.strip_prefix(&self.dir) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => abs,
        }
    }

    /// Keep the inputs `[files]` takes. A folder's walk that found files none of which
    /// `include` takes is a finding at `include` (the gate does not pass on nothing checked);
    /// when every file given is left out otherwise (such as the files pre-commit names, all
    /// excluded), a note for standard error is returned.
    pub fn select_files(&mut self, inputs: &mut Vec<Input>) -> Option<String> {
        let given = inputs
            .iter()
            .filter(|i| matches!(i, Input::File { .. }))
            .count();
        let (mut walked, mut taken, mut example) = (0, 0, None);
        inputs.retain(|i| {
            let Input::File { path, explicit } = i else {
                return true;
            };
            let rel = self.relative(&path.to_string_lossy());
            let takes = self.takes(&rel);
            if !explicit {
                walked += 1;
                if takes {
                    taken += 1;
                } else if example.is_none() {
                    example = Some(rel.clone());
                }
            }
            takes && !self.leaves_out(&rel)
        });
        if let (Some(example), 0) = (example, taken) {
            let files = if walked == 1 { "file" } else { "files" };
            self.findings.push(
                Finding::new(
                    &rules::CFG001,
                    0,
                    self.include_span,
                    format!("`include` takes none of the {walked} {files} found in the folders given, so nothing there was checked"),
                )
                .note(format!(
                    "globs are matched against paths relative to this file's folder, such as `{}`",
                    example.display()
                ))
                .help("add globs that take these files, or check the folders `include` names"),
            );
            return None;
        }
        (given > 0 && inputs.is_empty()).then(|| {
            format!(
                "`{}` leaves out all {given} file{} given (`[files]` include and exclude): nothing was checked",
                self.source.name,
                if given == 1 { "" } else { "s" }
            )
        })
    }
}
