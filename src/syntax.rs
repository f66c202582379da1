//! Small hand-written recognisers for the shapes rules check on every string. They run on hot
//! paths, where compiling a regular expression per process would cost more than the whole
//! check of a small file.

/// `*`, or `service:Action` where the service prefix is letters, digits and `-`, and the action
/// name letters, digits and the wildcards `*` and `?`.
pub fn is_action(s: &str) -> bool {
    if s == "*" {
        return true;
    }
    // one pass over the bytes with a table of what each part accepts (it runs on every action
    // of every policy, several times): bit 1 a service prefix's byte, bit 2 an action name's
    const PREFIX: u8 = 1;
    const NAME: u8 = 2;
    const CLASS: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = if b.is_ascii_alphanumeric() {
                PREFIX | NAME
            } else if b == b'-' {
                PREFIX
            } else if b == b'*' || b == b'?' {
                NAME
            } else {
                0
            };
            c += 1;
        }
        t
    };
    let b = s.as_bytes();
    let Some(colon) = memchr::memchr(b':', b) else {
        return false;
    };
    let (svc, name) = (&b[..colon], &b[colon + 1..]);
    svc.first().is_some_and(u8::is_ascii_alphanumeric)
        && svc.iter().all(|&c| CLASS[usize::from(c)] & PREFIX != 0)
        && !name.is_empty()
        && name.iter().all(|&c| CLASS[usize::from(c)] & NAME != 0)
}

/// A Sid as identity policies accept it: ASCII letters and digits only.
pub fn is_identity_sid(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A service principal's DNS name, such as `bcm-data-exports.amazonaws.com`.
pub fn is_service_principal(s: &str) -> bool {
    let host = ["amazonaws.com", "amazonaws.com.cn", "amazon.com", "api.aws"]
        .iter()
        .find_map(|suffix| s.strip_suffix(suffix)?.strip_suffix('.'));
    host.is_some_and(|h| {
        h.as_bytes()
            .first()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && h.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    })
}

const PLACEHOLDER_WORDS: &[&str] = &[
    "BUCKET_NAME",
    "BUCKET-NAME",
    "ACCOUNT_ID",
    "ACCOUNT-ID",
    "AWS_ACCOUNT_ID",
    "AWS-ACCOUNT-ID",
    "REPLACE_ME",
    "REPLACEME",
    "CHANGE_ME",
    "CHANGEME",
];

/// The first placeholder in `s`, as a byte range: `<...>` (1 to 60 characters, not starting with
/// a space), `{{...}}`, or a word such as `YOUR_BUCKET`, `BUCKET_NAME`, `ACCOUNT_ID`.
pub fn find_placeholder(s: &str) -> Option<(usize, usize)> {
    if !may_be_placeholder(s) {
        return None;
    }
    let b = s.as_bytes();
    let mut unclosed = false;
    let mut next_close: Option<usize> = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'<' => {
                let rest = &s[i + 1..];
                if let Some(end) = rest.find(['<', '>']) {
                    let inner = &rest[..end];
                    if rest.as_bytes()[end] == b'>'
                        && !inner.is_empty()
                        && inner.chars().count() <= 60
                        && !inner.starts_with(char::is_whitespace)
                    {
                        return Some((i, i + 1 + end + 1));
                    }
                }
            }
            b'{' if b.get(i + 1) == Some(&b'{') => {
                let rest = &s[i + 2..];
                // the next `}}` is found once for the `{{` before it (a run of `{{` shares it),
                // and none after one `{{` means none for a later one: linear
                if unclosed {
                    continue;
                }
                let close = match next_close {
                    Some(at) if at >= i + 2 => Some(at),
                    _ => rest.find("}}").map(|e| i + 2 + e),
                };
                next_close = close;
                let Some(end) = close.map(|at| at - (i + 2)) else {
                    unclosed = true;
                    continue;
                };
                let inner = &rest[..end];
                if !inner.is_empty() && inner.len() <= 60 && !inner.contains(['{', '}']) {
                    return Some((i, i + 2 + end + 2));
                }
            }
            b'A'..=b'Z' if i == 0 || !is_word(b[i - 1]) => {
                let end = b[i..]
                    .iter()
                    .position(|&x| {
                        !(x.is_ascii_uppercase() || x == b'_' || x == b'-' || x.is_ascii_digit())
                    })
                    .map_or(b.len(), |p| i + p);
                let word = &s[i..end];
                if end < b.len() && is_word(b[end]) {
                    continue;
                }
                if word.starts_with("YOUR") || PLACEHOLDER_WORDS.contains(&word) {
                    return Some((i, end));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether `s` may hold a placeholder: it needs `<`, `{` or a word that starts with two
/// capitals (`YOUR_BUCKET`, `ACCOUNT_ID`). Most strings (actions, ARNs) have none, and this
/// looks at half of their bytes (any two neighbours include one at an odd position).
pub fn may_be_placeholder(s: &str) -> bool {
    let b = s.as_bytes();
    if memchr::memchr2(b'<', b'{', b).is_some() {
        return true;
    }
    let capitals_start_word = |i: usize| {
        b[i].is_ascii_uppercase()
            && b.get(i + 1).is_some_and(u8::is_ascii_uppercase)
            && (i == 0 || !is_word(b[i - 1]))
    };
    (1..b.len()).step_by(2).any(|j| {
        b[j].is_ascii_uppercase() && (capitals_start_word(j - 1) || capitals_start_word(j))
    })
}

/// Whether `s` has a run of twelve digits (an account ID). Any twelve neighbours include one
/// byte of every twelfth, so only those are looked at until a digit is found.
pub fn has_twelve_digits(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 11;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let mut start = i;
            while start > 0 && b[start - 1].is_ascii_digit() {
                start -= 1;
            }
            let mut end = i + 1;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            if end - start >= 12 {
                return true;
            }
            // a later run starts after `end`; it holds `end + 12`, or a later twelfth
            i = end + 12;
        } else {
            i += 12;
        }
    }
    false
}

/// The first six `:`-separated fields of an ARN (the sixth holds the rest, colons and all), as
/// `splitn(6, ':')` gives them, without allocating: the array and how many fields there are.
pub fn arn_fields(s: &str) -> ([&str; 6], usize) {
    let mut fields = [""; 6];
    let mut n = 0;
    let mut rest = s;
    while n < 5 {
        match memchr::memchr(b':', rest.as_bytes()) {
            Some(i) => {
                fields[n] = &rest[..i];
                rest = &rest[i + 1..];
                n += 1;
            }
            None => break,
        }
    }
    fields[n] = rest;
    (fields, n + 1)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions() {
        for ok in [
            "*",
            "s3:GetObject",
            "ec2:Describe*",
            "S3:get?bject",
            "bcm-data-exports:ListExports",
        ] {
            assert!(is_action(ok), "{ok}");
        }
        for bad in [
            "",
            "s3",
            "s3 GetObject",
            "s3::GetObject",
            "s3:",
            ":GetObject",
            "-s3:Get",
            "s3:Get Object",
            "s3:Get-Object",
        ] {
            assert!(!is_action(bad), "{bad}");
        }
    }

    #[test]
    fn service_principals() {
        assert!(is_service_principal("bcm-data-exports.amazonaws.com"));
        assert!(is_service_principal("logs.us-east-1.amazonaws.com"));
        assert!(is_service_principal("ec2.amazonaws.com.cn"));
        assert!(!is_service_principal("billingreports"));
        assert!(!is_service_principal(".amazonaws.com"));
        assert!(!is_service_principal("Billing.amazonaws.com"));
    }

    #[test]
    fn placeholders() {
        let f = |s: &str| find_placeholder(s).map(|(a, b)| s[a..b].to_string());
        assert_eq!(
            f("arn:aws:s3:::<bucket_name>/*").as_deref(),
            Some("<bucket_name>")
        );
        assert_eq!(
            f("arn:aws:cur:us-east-1:<AWS account ID>:definition/*").as_deref(),
            Some("<AWS account ID>")
        );
        assert_eq!(f("{{ bucket }}").as_deref(), Some("{{ bucket }}"));
        assert_eq!(
            f("arn:aws:s3:::YOUR_BUCKET/*").as_deref(),
            Some("YOUR_BUCKET")
        );
        assert_eq!(
            f("arn:aws:iam::ACCOUNT_ID:root").as_deref(),
            Some("ACCOUNT_ID")
        );
        assert_eq!(f("arn:aws:s3:::acme-billing/${aws:username}/*"), None);
        assert_eq!(f("a < b and c > d"), None);
        assert_eq!(f("MY_ACCOUNT_ID_X"), None);
        assert_eq!(f("YOURS"), Some("YOURS".into()));
    }

    #[test]
    fn twelve_digits_and_capital_pairs_are_found_wherever_they_stand() {
        let naive_digits = |s: &str| {
            let b = s.as_bytes();
            (0..b.len()).any(|i| b.len() - i >= 12 && b[i..i + 12].iter().all(u8::is_ascii_digit))
        };
        let naive_capitals = |s: &str| {
            let b = s.as_bytes();
            (0..b.len().saturating_sub(1)).any(|i| {
                b[i].is_ascii_uppercase()
                    && b[i + 1].is_ascii_uppercase()
                    && (i == 0 || !is_word(b[i - 1]))
            })
        };
        let mut n = 0;
        for len in 0..40 {
            for at in 0..len + 1 {
                for run in [1, 2, 11, 12, 13, 30] {
                    for filler in ["x", "-", "A"] {
                        let mut s = filler.repeat(at);
                        s.push_str(&"7".repeat(run));
                        s.push_str(&filler.repeat(len - at));
                        assert_eq!(has_twelve_digits(&s), naive_digits(&s), "{s}");
                        let caps = s.replace('7', "Q");
                        assert_eq!(may_be_placeholder(&caps), naive_capitals(&caps), "{caps}");
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 10_000);
    }

    #[test]
    fn arn_fields_are_splitn_six() {
        for s in [
            "",
            ":",
            "arn",
            "arn:aws",
            "arn:aws:s3:::b/k:x:y",
            "a:b:c:d:e:f:g:h",
            ":::::",
            "é:ü",
        ] {
            let (fields, n) = arn_fields(s);
            let want: Vec<&str> = s.splitn(6, ':').collect();
            assert_eq!(&fields[..n], want.as_slice(), "{s}");
        }
    }
}
