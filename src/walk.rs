//! Input discovery: explicit files, `-` for standard input, and directories walked
//! recursively (hidden folders, `target/` and `node_modules/` skipped, `--exclude` globs applied).

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    /// `explicit`: named on the command line (read whatever its extension).
    File {
        path: PathBuf,
        explicit: bool,
    },
    /// A document produced by the live audit, under a virtual name (`aws://...`).
    Virtual {
        name: String,
        text: String,
    },
}

/// A path that could not be walked, with the reason.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub path: String,
    pub message: String,
    /// What to do about it.
    pub help: &'static str,
}

/// The help for a path that cannot be read.
const UNREADABLE_HELP: &str = "check that the path exists and is readable";

const SKIP_DIRS: &[&str] = &["target", "node_modules"];

/// The files a directory walk reads: JSON (policies, AWS outputs, CloudFormation, Terraform
/// plans), YAML (CloudFormation) and Terraform's HCL.
pub const EXTENSIONS: &[&str] = &["json", "yaml", "yml", "tf"];

pub fn build_excludes(globs: &[String]) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).map_err(|e| format!("invalid --exclude glob `{g}`: {e}"))?);
        // `dir` also excludes everything below it
        if !g.ends_with("/**") {
            b.add(
                Glob::new(&format!("{}/**", g.trim_end_matches('/')))
                    .map_err(|e| format!("invalid --exclude glob `{g}`: {e}"))?,
            );
        }
    }
    b.build().map_err(|e| e.to_string())
}

fn excluded(excludes: &GlobSet, path: &Path) -> bool {
    let s = path.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    excludes.is_match(s) || path.file_name().is_some_and(|n| excludes.is_match(n))
}

/// Expand the command-line paths into inputs, in a stable order.
/// The order of `Path`'s comparison (component by component) for the paths of one walk,
/// compared as bytes with a separator below every other byte: a component that ends first is
/// the smaller one. The paths share the walk's root and are built by joining names, so their
/// separators are single; it is several times faster than parsing components.
fn by_components(a: &std::path::Path, b: &std::path::Path) -> std::cmp::Ordering {
    let key = |c: &u8| {
        if std::path::is_separator(char::from(*c)) {
            0
        } else {
            *c
        }
    };
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    a.iter().map(key).cmp(b.iter().map(key))
}

/// A path for a line of text: control characters (a newline would start a CI workflow command
/// or a forged line, an escape sequence would reach the terminal) and invisible reordering marks
/// are written as `\u{..}` escapes.
pub fn escaped(name: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if !name.chars().any(hidden) {
        return name.to_string();
    }
    name.chars()
        .map(|c| {
            if hidden(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The inputs, the paths that could not be walked, and the symbolic links the walks skipped
/// (links are not followed: a loop or a link out of the tree cannot lead a walk astray).
pub fn collect(paths: &[String], excludes: &GlobSet) -> (Vec<Input>, Vec<WalkError>, Vec<PathBuf>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    let mut links = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(Input::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        match std::fs::metadata(&path) {
            Err(e) => errors.push(WalkError {
                path: p.clone(),
                message: e.to_string(),
                help: UNREADABLE_HELP,
            }),
            Ok(m) if m.is_dir() => {
                // unsorted, so that walkdir reads each folder as it goes instead of holding all
                // its entries (a folder of a million entries); the files found are sorted below
                let walker = walkdir::WalkDir::new(&path)
                    .follow_links(false)
                    .into_iter()
                    .filter_entry(|e| {
                        if e.depth() == 0 {
                            return true;
                        }
                        let name = e.file_name().to_string_lossy();
                        if e.file_type().is_dir()
                            && (name.starts_with('.') || SKIP_DIRS.contains(&name.as_ref()))
                        {
                            return false;
                        }
                        !excluded(excludes, e.path())
                    });
                let mut found = Vec::new();
                for entry in walker {
                    match entry {
                        Ok(e) => {
                            let ours = e.path().extension().is_some_and(|x| {
                                EXTENSIONS.iter().any(|ext| x.eq_ignore_ascii_case(ext))
                            });
                            if e.file_type().is_file() && ours {
                                found.push(e.into_path());
                            } else if e.path_is_symlink() && e.depth() > 0 {
                                links.push(e.into_path());
                            }
                        }
                        Err(e) => errors.push(WalkError {
                            path: e
                                .path()
                                .map(|p| p.display().to_string())
                                .unwrap_or_else(|| p.clone()),
                            message: e
                                .io_error()
                                .map(|io| io.to_string())
                                .unwrap_or_else(|| e.to_string()),
                            help: UNREADABLE_HELP,
                        }),
                    }
                }
                // component by component: the order of a walk that visits each folder's
                // entries by file name
                found.sort_unstable_by(|a, b| by_components(a, b));
                inputs.extend(found.into_iter().map(|path| Input::File {
                    path,
                    explicit: false,
                }));
            }
            // a link in the checked tree that leads out of it (to a credentials file, say) is
            // not read, even when it is named (as a CI job or a hook names changed files)
            Ok(_) if !crate::contain::link_stays_near(&path) => errors.push(WalkError {
                path: p.clone(),
                message: "it is a symbolic link to a file outside the checked tree (the current folder and the link's own folder), so it was not read".into(),
                help: "check the file the link leads to by its own path",
            }),
            Ok(_) => {
                if !excluded(excludes, &path) {
                    inputs.push(Input::File {
                        path,
                        explicit: true,
                    });
                }
            }
        }
    }
    links.sort_unstable_by(|a, b| by_components(a, b));
    (inputs, errors, links)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    #[test]
    fn the_byte_order_is_the_order_of_components() {
        let names = ["a", "a.b", "a-b", "a b", "ab", "b", "é", "A", "a0", "_"];
        let mut paths = Vec::new();
        for x in names {
            paths.push(PathBuf::from(format!("root/{x}")));
            for y in names {
                paths.push(PathBuf::from(format!("root/{x}/{y}")));
                paths.push(PathBuf::from(format!("root/{x}/{y}/z.json")));
            }
        }
        let mut by_bytes = paths.clone();
        by_bytes.sort_unstable_by(|a, b| super::by_components(a, b));
        paths.sort_unstable();
        assert_eq!(by_bytes, paths);
    }
}
