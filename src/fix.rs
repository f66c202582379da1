//! Applying fixes: the edits of a document's findings, chosen by applicability, without overlaps,
//! applied round after round (a fix can make another possible). The command line's `--fix` and
//! `--diff`, and any front end (an editor's quick fix, the playground), use the same code.

use crate::diagnostic::{Applicability, Edit, Finding};

/// The edits of the fixes at least as trusted as `least` (never display-only ones), in text
/// order, leaving out any that overlaps one chosen before it (it waits for the next round) or
/// that does not fall on character boundaries of `text`.
pub fn choose<'f>(text: &str, findings: &'f [Finding], least: Applicability) -> Vec<&'f Edit> {
    let least = least.max(Applicability::Unsafe);
    let mut edits: Vec<&Edit> = findings
        .iter()
        .filter_map(|f| f.fix.as_ref().filter(|x| x.applicability >= least))
        .flat_map(|x| x.edits.iter())
        .collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let mut chosen: Vec<&Edit> = Vec::new();
    for e in edits {
        let clear = chosen.last().is_none_or(|last| {
            last.span.end <= e.span.start
                && !(last.span.is_empty() && last.span.start == e.span.start)
        });
        if clear && text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end) {
            chosen.push(e);
        }
    }
    chosen
}

/// Apply edits chosen by [`choose`] (in text order, not overlapping) to `text`.
pub fn apply(text: &mut String, chosen: &[&Edit]) {
    for e in chosen.iter().rev() {
        text.replace_range(e.span.start..e.span.end, &e.replacement);
    }
}

/// `text` with the fixes of its findings applied, round after round until none is left or after
/// ten rounds: `check` gives the findings of a text (the run's checks, with what the run does not
/// report removed). The fixed text and the number of edits applied; `None` when nothing changes.
pub fn fix_rounds(
    text: &str,
    least: Applicability,
    mut check: impl FnMut(&str) -> Vec<Finding>,
) -> Option<(String, usize)> {
    let mut text = text.to_string();
    let mut applied = 0;
    for _ in 0..10 {
        let findings = check(&text);
        let chosen = choose(&text, &findings, least);
        if chosen.is_empty() {
            break;
        }
        apply(&mut text, &chosen);
        applied += chosen.len();
    }
    (applied > 0).then_some((text, applied))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;
    use crate::source::Span;

    fn finding(at: (usize, usize), with: &str, applicability: Applicability) -> Finding {
        Finding::new(&rules::POL001, 0, Span::new(at.0, at.1), "m").fix_as(
            applicability,
            "fix",
            Span::new(at.0, at.1),
            with,
        )
    }

    #[test]
    fn each_applicability_is_applied_only_when_asked() {
        let text = "abcdef";
        let findings = vec![
            finding((0, 1), "A", Applicability::Safe),
            finding((2, 3), "C", Applicability::Unsafe),
            finding((4, 5), "E", Applicability::DisplayOnly),
        ];
        let mut safe = text.to_string();
        apply(&mut safe, &choose(text, &findings, Applicability::Safe));
        assert_eq!(safe, "Abcdef");
        let mut with_unsafe = text.to_string();
        apply(
            &mut with_unsafe,
            &choose(text, &findings, Applicability::Unsafe),
        );
        assert_eq!(with_unsafe, "AbCdef");
        // display-only fixes are never applied, whatever is asked
        let mut all = text.to_string();
        apply(
            &mut all,
            &choose(text, &findings, Applicability::DisplayOnly),
        );
        assert_eq!(all, "AbCdef");
    }

    #[test]
    fn overlapping_edits_wait_for_the_next_round() {
        let text = "abcdef";
        let findings = vec![
            finding((0, 3), "X", Applicability::Safe),
            finding((1, 2), "Y", Applicability::Safe),
            // two insertions at one place: the second waits
            finding((4, 4), "1", Applicability::Safe),
            finding((4, 4), "2", Applicability::Safe),
        ];
        let chosen = choose(text, &findings, Applicability::Safe);
        assert_eq!(chosen.len(), 2);
        let mut t = text.to_string();
        apply(&mut t, &chosen);
        assert_eq!(t, "Xd1ef");
        // rounds: each round's findings come from the text as it is then
        let mut rounds = 0;
        let fixed = fix_rounds("aaa", Applicability::Safe, |t| {
            rounds += 1;
            t.find('a')
                .map(|i| vec![finding((i, i + 1), "b", Applicability::Safe)])
                .unwrap_or_default()
        });
        assert_eq!(fixed, Some(("bbb".to_string(), 3)));
        assert_eq!(rounds, 4);
        assert_eq!(fix_rounds("x", Applicability::Safe, |_| Vec::new()), None);
    }
}
