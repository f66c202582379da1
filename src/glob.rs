//! IAM's wildcard matching (`*` any run, `?` one character), below every module that reads
//! policies: the evaluator's, and the classifying of a policy (`model`).

/// `*` matches any sequence, `?` any single character. No allocation: it runs on hot paths.
pub fn glob(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // one look at the pattern: its first and last `*`, and whether it has a `?`
    let (mut first_star, mut last_star, mut question) = (None, 0, false);
    for (i, &c) in p.iter().enumerate() {
        if c == b'*' {
            first_star.get_or_insert(i);
            last_star = i;
        }
        question |= c == b'?';
    }
    let eq_bytes = |a: &[u8], b: &[u8]| {
        if case_insensitive {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let Some(first_star) = first_star.filter(|_| !question) else {
        if !question {
            // no wildcard
            return eq_bytes(p, t);
        }
        return glob_general(p, t, case_insensitive);
    };
    // only `*` (`s3:Get*`, `*`, `arn:aws:s3:::b/*`, `*Object`, the usual forms): the literal
    // runs between them, the first at the start, the last at the end and each other one at
    // its leftmost place after the one before (leftmost is never worse for what follows)
    let (first, last) = (&p[..first_star], &p[last_star + 1..]);
    if t.len() < first.len() + last.len()
        || !eq_bytes(first, &t[..first.len()])
        || !eq_bytes(last, &t[t.len() - last.len()..])
    {
        return false;
    }
    let mut rest = &t[first.len()..t.len() - last.len()];
    if first_star < last_star {
        for run in p[first_star + 1..last_star].split(|&c| c == b'*') {
            if run.is_empty() {
                continue;
            }
            // case-sensitive: a search in linear time, whatever the run and the text
            let found = if case_insensitive {
                rest.windows(run.len()).position(|w| eq_bytes(w, run))
            } else {
                memchr::memmem::find(rest, run)
            };
            match found {
                Some(at) => rest = &rest[at + run.len()..],
                None => return false,
            }
        }
    }
    true
}

/// [`glob`] for a pattern with `?`.
fn glob_general(p: &[u8], t: &[u8], case_insensitive: bool) -> bool {
    // a literal first or last character must be the text's (its last byte then is too)
    let literal = |c: u8| c != b'*' && c != b'?';
    let differ = |a: Option<&u8>, b: Option<&u8>| match (a, b) {
        (Some(&a), Some(&b)) => {
            literal(a) && !(a == b || (case_insensitive && a.eq_ignore_ascii_case(&b)))
        }
        (Some(&a), None) => literal(a),
        _ => false,
    };
    if differ(p.first(), t.first()) || differ(p.last(), t.last()) {
        return false;
    }
    // Over bytes: a literal character of the pattern matches the text's character when their
    // bytes do (UTF-8), and only ASCII letters fold; `?` takes one whole character and a
    // retried `*` gives up one whole character.
    let eq = |a: u8, b: u8| a == b || (case_insensitive && a.eq_ignore_ascii_case(&b));
    let char_len = |at: usize| match t.get(at) {
        Some(&b) if b >= 0xf0 => 4,
        Some(&b) if b >= 0xe0 => 3,
        Some(&b) if b >= 0xc0 => 2,
        _ => 1,
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(b'?') => {
                pi += 1;
                ti += char_len(ti);
            }
            Some(&c) if eq(c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    let next = st + char_len(st);
                    pi = sp + 1;
                    ti = next;
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*')
}
