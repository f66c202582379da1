//! Masking what leaves the process: every string an emitter prints, every document written out
//! and every diff goes through a [`Mask`] that knows the secrets of the whole run.

use crate::diagnostic::Finding;
use crate::secrets::{find, hide};
use crate::source::{Source, Span};
use std::borrow::Cow;
use std::collections::HashSet;

/// What the run has masked so far, to mask everywhere else: every string that leaves the
/// process (messages, notes, help, labels, fix replacements, excerpts, baselines, dumps, diffs)
/// goes through it. It holds every 8-byte piece of each secret found in any file of the run (as
/// written and as decoded), so that a secret, or a long part of one, is masked wherever it
/// appears again: in a bucket name, a report name, a key, another file.
#[derive(Debug, Default, Clone)]
pub struct Mask {
    grams: HashSet<u64>,
}

/// The length of the pieces a secret is known by: any 8 bytes of a secret are masked.
const GRAM: usize = 8;

fn gram(b: &[u8]) -> u64 {
    let mut a = [0u8; GRAM];
    a.copy_from_slice(&b[..GRAM]);
    u64::from_le_bytes(a)
}

impl Mask {
    /// Mask `value` from now on.
    pub fn learn(&mut self, value: &str) {
        for w in value.as_bytes().windows(GRAM) {
            self.grams.insert(gram(w));
        }
    }

    /// Mask the secrets of a source from now on, as written and as decoded: those found under
    /// a key that names a secret. (A run of base64 of a key's length is masked where it stands,
    /// but is not looked for elsewhere: most are long action names or paths.)
    pub fn learn_source(&mut self, source: &Source) {
        for s in source.secrets.iter().filter(|s| s.named) {
            self.learn(&s.value);
            if let Some(raw) = source.text.get(s.span.start..s.span.end) {
                self.learn(raw);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }

    /// The spans of `s` that hold a piece of a known secret, merged.
    fn known(&self, s: &str) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        if self.grams.is_empty() || s.len() < GRAM {
            return out;
        }
        for (i, w) in s.as_bytes().windows(GRAM).enumerate() {
            if self.grams.contains(&gram(w)) {
                match out.last_mut() {
                    Some(last) if last.end >= i => last.end = i + GRAM,
                    _ => out.push(Span::new(i, i + GRAM)),
                }
            }
        }
        out
    }

    /// A string that leaves the process: the secrets it holds itself (an assignment, a key's
    /// run) and every piece of a known secret masked.
    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let mut spans: Vec<Span> = find(s).into_iter().map(|x| x.span).collect();
        spans.extend(self.known(s));
        match hide(s, &spans) {
            Some(h) => Cow::Owned(h),
            None => Cow::Borrowed(s),
        }
    }

    /// Text of a file already masked by its own secrets (`Source::display`, or part of it):
    /// every piece of a known secret masked, with the same length.
    pub fn excerpt<'a>(&self, s: &'a str) -> Cow<'a, str> {
        match hide(s, &self.known(s)) {
            Some(h) => Cow::Owned(h),
            None => Cow::Borrowed(s),
        }
    }

    /// A finding with every string masked, or `None` when none changes (nearly always: it is
    /// then not copied).
    pub fn finding(&self, f: &Finding) -> Option<Finding> {
        let changes = |s: &String| matches!(self.text(s), Cow::Owned(_));
        let fix = f.fix.iter().flat_map(|x| {
            std::iter::once(&x.message).chain(x.edits.iter().map(|e| &e.replacement))
        });
        let any = std::iter::once(&f.message)
            .chain(&f.note)
            .chain(&f.help)
            .chain(f.labels.iter().map(|l| &l.message))
            .chain(fix)
            .any(changes);
        if !any {
            return None;
        }
        let mut out = f.clone();
        let mut strings: Vec<&mut String> = vec![&mut out.message];
        strings.extend(out.note.as_mut());
        strings.extend(out.help.as_mut());
        strings.extend(out.labels.iter_mut().map(|l| &mut l.message));
        if let Some(x) = out.fix.as_mut() {
            strings.push(&mut x.message);
            strings.extend(x.edits.iter_mut().map(|e| &mut e.replacement));
        }
        for s in strings {
            if let Cow::Owned(m) = self.text(s) {
                *s = m;
            }
        }
        Some(out)
    }
}

/// A file's text as the run shows it: its secrets found as `check` finds them (their patterns,
/// and the values SEC001 reads in the parsed document).
fn checked_source(name: &str, text: &str) -> Source {
    let mut source = Source::new(name.to_string(), text.to_string());
    let report = crate::engine::check_source(&source, 0, None, &crate::engine::Options::default());
    source.hide(&report.secrets);
    source
}

/// Documents written out (`audit --dump-sources`): each with its own secrets and those of the
/// others masked, and the same length.
pub fn masked_files(files: &[(String, String)]) -> Vec<String> {
    let sources: Vec<Source> = files.iter().map(|(n, t)| checked_source(n, t)).collect();
    let mut mask = Mask::default();
    sources.iter().for_each(|s| mask.learn_source(s));
    sources
        .iter()
        .map(|s| mask.excerpt(&s.display).into_owned())
        .collect()
}

/// `--diff`: the unified diff of a file and its fixed text, both masked the same way (the
/// secrets of either hidden in both) and without terminal controls.
pub fn masked_diff(name: &str, before: &str, after: &str) -> String {
    let shown = masked_files(&[
        (name.to_string(), before.to_string()),
        (name.to_string(), after.to_string()),
    ]);
    let diff = similar::TextDiff::from_lines(shown[0].as_str(), shown[1].as_str())
        .unified_diff()
        .context_radius(2)
        .header(name, name)
        .to_string();
    crate::emit::escape::excerpt(&diff).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "PtYgjmUhBel31iEl2h/ChYgCfrL1+pNxnyVmihA7";

    /// Whether `text` shows 8 characters of `secret` in a row.
    fn shows(text: &str, secret: &str) -> bool {
        secret
            .as_bytes()
            .windows(8)
            .any(|w| text.contains(std::str::from_utf8(w).unwrap_or("")))
    }

    #[test]
    fn the_run_masks_a_named_secret_wherever_it_appears_again() {
        let text = format!(r#"{{"secret_access_key": "{KEY}", "bucket_name": "{KEY}"}}"#);
        let source = Source::new("a.json", text);
        let mut m = Mask::default();
        m.learn_source(&source);
        let message = format!("`{}…` is not a valid bucket name", &KEY[3..30]);
        let masked = m.text(&message);
        assert!(!shows(&masked, KEY), "{masked}");
        assert_eq!(masked.len(), message.len());
        // a run of base64 found by its shape only is masked where it stands, not elsewhere
        let text = "token\nDescribeDirectConnectGatewayAssociations\n";
        let source = Source::new("b.json", text.into());
        assert!(source.display.contains("Desc***"));
        let mut m = Mask::default();
        m.learn_source(&source);
        assert!(m.is_empty());
        assert_eq!(
            m.text("ec2:DescribeDirectConnectGatewayAssociations"),
            "ec2:DescribeDirectConnectGatewayAssociations"
        );
    }
}
