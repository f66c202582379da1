//! The files a document names (Terraform's `file("...")`) and the other `.tf` files of a
//! module are read only from inside the checked tree: the folder of the document that names
//! them and the folders below it, or the paths the run was given. A path that leads elsewhere,
//! written as an absolute path, with `..`, or through a symbolic link, is refused before
//! anything is read, so a pull request cannot make the run print `/proc/self/environ` or a
//! file of the CI machine.

use std::path::{Component, Path, PathBuf};

/// The checked paths of a run, as written (made absolute) and with their links resolved.
#[derive(Debug, Clone, Default)]
pub struct Roots {
    written: Vec<PathBuf>,
    canonical: Vec<PathBuf>,
}

/// Why a named file is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// It is outside the document's folder and the checked paths (or a link leads there).
    Outside,
    /// It does not exist or cannot be resolved: the reason.
    Missing(String),
}

impl Roots {
    /// The roots of a run over `paths` (`-`, standard input, is not a path).
    pub fn new<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Self {
        let mut roots = Roots::default();
        for p in paths {
            let p = p.as_ref();
            if p == Path::new("-") {
                continue;
            }
            roots.written.push(absolute(p));
            if let Ok(c) = std::fs::canonicalize(p) {
                roots.canonical.push(c);
            }
        }
        roots
    }

    /// Whether a path with its links resolved is inside `folder` (the document's, resolved
    /// too) or a root.
    pub fn holds(&self, folder: Option<&Path>, canonical: &Path) -> bool {
        folder.is_some_and(|f| canonical.starts_with(f))
            || self.canonical.iter().any(|r| canonical.starts_with(r))
    }

    /// The file `written` names, relative to `base` (the folder of the document that names
    /// it), with its links resolved: only when it is inside `base` or a root, both as written
    /// (`..` taken away from the text, as Terraform does) and once its links are resolved.
    /// Nothing outside is touched, not even to see whether it exists.
    pub fn resolve(&self, base: &Path, written: &str) -> Result<PathBuf, Refused> {
        let folder = absolute(base);
        let wanted = lexical(&folder.join(written));
        let folder_canonical = std::fs::canonicalize(base).ok();
        let inside_as_written = wanted.starts_with(&folder)
            || self.written.iter().any(|r| wanted.starts_with(r))
            || folder_canonical
                .as_deref()
                .is_some_and(|f| wanted.starts_with(f))
            || self.canonical.iter().any(|r| wanted.starts_with(r));
        if !inside_as_written {
            return Err(Refused::Outside);
        }
        let canonical =
            std::fs::canonicalize(&wanted).map_err(|e| Refused::Missing(e.to_string()))?;
        if !self.holds(folder_canonical.as_deref(), &canonical) {
            return Err(Refused::Outside);
        }
        Ok(canonical)
    }
}

/// `p` from the current folder, with `.` and `..` taken away from the text.
fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    lexical(&joined)
}

/// `a/./b/../c` as `a/c`, without looking at the file system (`..` above the root stays at
/// the root).
fn lexical(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out
}

/// A path a document wrote, fit to be shown in a message: secrets masked, control characters
/// escaped (a name cannot start a new line of output), and at most 200 characters.
pub fn shown(path: &str) -> String {
    let masked = crate::secrets::mask(path);
    let mut out = String::new();
    for (i, c) in masked.chars().enumerate() {
        if i == 200 {
            out.push_str("...");
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a path is a plain file (or folder), or a symbolic link that leads inside the tree of
/// the folder holding the link or of the current folder: a link of the checked tree that leads
/// out of it (to a credentials file, say) is not read, whoever names it.
pub fn link_stays_near(path: &Path) -> bool {
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return true;
    }
    let Ok(target) = std::fs::canonicalize(path) else {
        return false;
    };
    let folder = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let folder = std::fs::canonicalize(folder).ok();
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    folder.is_some_and(|d| target.starts_with(d)) || cwd.is_some_and(|c| target.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_are_taken_away_from_the_text() {
        assert_eq!(lexical(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(lexical(Path::new("/a/../../etc")), PathBuf::from("/etc"));
        assert_eq!(lexical(Path::new("a/b/../../..")), PathBuf::from(".."));
        assert_eq!(lexical(Path::new("../../a")), PathBuf::from("../../a"));
    }

    #[test]
    fn only_paths_inside_the_folder_or_a_root_resolve() {
        let tmp = std::env::temp_dir().join(format!("finops-lint-contain-{}", std::process::id()));
        let module = tmp.join("repo/module");
        std::fs::create_dir_all(&module).unwrap();
        std::fs::write(module.join("in.json"), "{}").unwrap();
        std::fs::write(tmp.join("repo/shared.json"), "{}").unwrap();
        std::fs::write(tmp.join("secret.txt"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.join("secret.txt"), module.join("link.json")).unwrap();
        let none = Roots::default();
        assert!(none.resolve(&module, "in.json").is_ok());
        assert!(none.resolve(&module, "./sub/../in.json").is_ok());
        assert_eq!(
            none.resolve(&module, "../shared.json"),
            Err(Refused::Outside)
        );
        assert_eq!(
            none.resolve(&module, "/proc/self/environ"),
            Err(Refused::Outside)
        );
        assert_eq!(
            none.resolve(&module, "../../secret.txt"),
            Err(Refused::Outside)
        );
        #[cfg(unix)]
        assert_eq!(none.resolve(&module, "link.json"), Err(Refused::Outside));
        assert!(matches!(
            none.resolve(&module, "missing.json"),
            Err(Refused::Missing(_))
        ));
        // the run checks the repository: its files are inside, the rest still is not
        let repo = Roots::new([tmp.join("repo")]);
        assert!(repo.resolve(&module, "../shared.json").is_ok());
        assert_eq!(
            repo.resolve(&module, "../../secret.txt"),
            Err(Refused::Outside)
        );
        #[cfg(unix)]
        assert_eq!(repo.resolve(&module, "link.json"), Err(Refused::Outside));
        let _ = std::fs::remove_dir_all(&tmp);
    }

    #[test]
    fn shown_paths_are_one_short_line() {
        assert_eq!(shown("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(shown(&"x".repeat(300)).len(), 203);
    }
}
