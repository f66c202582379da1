//! "Did you mean": the closest candidate within a small edit distance.

/// Levenshtein distance, case-insensitive.
pub fn distance(a: &str, b: &str) -> usize {
    within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// The Levenshtein distance (case-insensitive) when it is at most `limit`: the rows stop as
/// soon as every cell exceeds it.
fn within(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.is_ascii() && b.is_ascii() {
        let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
        let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
        rows(&a, &b, limit, &mut Vec::new(), &mut Vec::new())
    } else {
        let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
        let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
        rows(&a, &b, limit, &mut Vec::new(), &mut Vec::new())
    }
}

/// The candidate closest to `word`, if it is close enough to be a typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let n = word.chars().count();
    let limit = (n / 3).clamp(1, 4);
    let ascii = word.is_ascii();
    let lower: Vec<u8> = word.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let counts = histogram(&lower);
    // buffers reused for every candidate (the catalog's actions of a service: hundreds)
    let (mut cand, mut prev, mut cur) = (Vec::new(), Vec::new(), Vec::new());
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        // the distance is at least the difference in length: skip the hopeless cheaply
        if c.len().abs_diff(word.len()) > limit {
            continue;
        }
        if best.is_some_and(|(d, _)| d == 0) {
            break;
        }
        // a later candidate must be strictly closer to replace the first best one
        let bound = best.map_or(limit, |(d, _)| d.saturating_sub(1));
        let d = if ascii && c.is_ascii() {
            cand.clear();
            cand.extend(c.bytes().map(|b| b.to_ascii_lowercase()));
            if histogram_bound(&counts, &cand) > bound {
                continue;
            }
            rows(&lower, &cand, bound, &mut prev, &mut cur)
        } else {
            within(word, c, bound)
        };
        if let Some(d) = d {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// How often each byte occurs, folded into 32 buckets (bytes of one bucket count as equal,
/// which only lowers the bound below).
fn histogram(lower: &[u8]) -> [i32; 32] {
    let mut h = [0i32; 32];
    for &b in lower {
        h[usize::from(b & 31)] += 1;
    }
    h
}

/// A lower bound of the edit distance between the word whose histogram is `word` and `cand`:
/// an edit changes one character, so it removes at most one surplus character of either side.
/// Most candidates are ruled out by it without the quadratic table.
fn histogram_bound(word: &[i32; 32], cand: &[u8]) -> usize {
    let mut d = *word;
    for &b in cand {
        d[usize::from(b & 31)] -= 1;
    }
    let (mut more, mut fewer) = (0i32, 0i32);
    for x in d {
        if x > 0 {
            more += x;
        } else {
            fewer -= x;
        }
    }
    usize::try_from(more.max(fewer)).unwrap_or(usize::MAX)
}

fn rows<T: PartialEq>(
    a: &[T],
    b: &[T],
    limit: usize,
    prev: &mut Vec<usize>,
    cur: &mut Vec<usize>,
) -> Option<usize> {
    prev.clear();
    prev.extend(0..=b.len());
    cur.clear();
    cur.resize(b.len() + 1, 0);
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut best = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            best = best.min(cur[j + 1]);
        }
        if best > limit {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(suggest("Efect", ["Effect", "Action"]), Some("Effect"));
        assert_eq!(
            suggest("StringEqual", ["StringEquals", "StringLike"]),
            Some("StringEquals")
        );
        assert_eq!(suggest("Banana", ["Effect", "Action"]), None);
        assert_eq!(distance("abc", "ABC"), 0);
    }

    #[test]
    fn the_bounded_distance_agrees_with_the_full_one() {
        let words = [
            "GetObject",
            "getobjcet",
            "PutObject",
            "s3",
            "ListBucket",
            "Ünïcode",
            "unicode",
            "",
        ];
        for a in words {
            for b in words {
                let d = distance(a, b);
                for limit in 0..6 {
                    assert_eq!(
                        within(a, b, limit),
                        (d <= limit).then_some(d),
                        "{a} {b} {limit}"
                    );
                }
            }
        }
        // of two candidates as close, the first
        assert_eq!(
            suggest("GetObjectAcx", ["GetObjectAcl", "GetObjectAck"]),
            Some("GetObjectAcl")
        );
        // a closer later one wins
        assert_eq!(
            suggest("GetObjecX", ["GetObjectXY", "GetObjecY"]),
            Some("GetObjecY")
        );
    }

    #[test]
    fn the_histogram_bound_never_exceeds_the_distance() {
        // every pair of names of two services' actions, and each name against its typos
        let names: Vec<String> = ["s3", "ec2"]
            .iter()
            .filter_map(|p| crate::catalog::service(p))
            .flat_map(|s| {
                s.actions()
                    .iter()
                    .take(120)
                    .map(|a| a.name().to_ascii_lowercase())
            })
            .collect();
        let mut checked = 0;
        for a in &names {
            let mut typos = vec![a[1..].to_string(), format!("{a}x"), a.replace('e', "a")];
            typos.extend(names.iter().take(40).cloned());
            for b in &typos {
                let bound = histogram_bound(&histogram(a.as_bytes()), b.as_bytes());
                assert!(bound <= distance(a, b), "{a} {b}");
                checked += 1;
            }
        }
        assert!(checked > 5_000);
        // the bound rules out a far word
        assert!(histogram_bound(&histogram(b"getobject"), b"zzzzzzzz") >= 8);
    }
}
