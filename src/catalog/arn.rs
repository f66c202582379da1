//! ARN templates of resource types (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) and the
//! question rules ask of them: can this policy resource (with IAM's `*` and `?`) name a resource
//! of this type? Answered exactly, as the intersection of two patterns.

use super::shared::{COLON, MANY, ONE, SLASH};
use std::borrow::Cow;

/// The search's visited pairs (the number of the search that visited each, so that nothing is
/// cleared between searches) and its stack of pairs to visit.
#[derive(Default)]
struct Buffers {
    search: u32,
    seen: Vec<u32>,
    stack: Vec<(usize, usize)>,
}

/// A resource type's ARN template, encoded as [`super::shared::encode_arn`] says: one byte an
/// item (a literal byte, or the first or further characters of a variable).
#[derive(Debug, Clone)]
pub struct ArnTemplate {
    pub text: &'static str,
    items: Cow<'static, [u8]>,
}

impl ArnTemplate {
    /// A template encoded by the build script.
    pub(super) const fn compiled(text: &'static str, items: &'static [u8]) -> Self {
        ArnTemplate {
            text,
            items: Cow::Borrowed(items),
        }
    }

    /// Encode a template given as text.
    pub fn parse(text: &'static str) -> Self {
        ArnTemplate {
            text,
            items: Cow::Owned(super::shared::encode_arn(text)),
        }
    }

    /// Could `pattern` (a policy resource, with `*` and `?`) name a resource of this type? A
    /// search over the pairs of positions in the template and the pattern, each visited once;
    /// its buffers are kept per thread (it runs for every resource of many statements).
    pub fn may_match(&self, pattern: &str) -> bool {
        thread_local! {
            static BUFFERS: std::cell::RefCell<Buffers> =
                std::cell::RefCell::new(Buffers::default());
        }
        BUFFERS.with(|b| match b.try_borrow_mut() {
            Ok(mut b) => self.search(pattern.as_bytes(), &mut b),
            Err(_) => self.search(pattern.as_bytes(), &mut Buffers::default()),
        })
    }

    fn search(&self, p: &[u8], b: &mut Buffers) -> bool {
        let items: &[u8] = &self.items;
        let (tn, pn) = (items.len(), p.len());
        let cells = (tn + 1) * (pn + 1);
        b.search = b.search.wrapping_add(1);
        if b.search == 0 || b.seen.len() < cells {
            // the first search, a larger one, or the counter wrapped: start afresh
            b.seen.clear();
            b.seen.resize(cells.max(b.seen.capacity()), 0);
            b.search = 1;
        }
        let (mark, seen, stack) = (b.search, &mut b.seen, &mut b.stack);
        stack.clear();
        stack.push((0, 0));
        let is_many = |t: u8| t & MANY == MANY;
        while let Some((ti, pj)) = stack.pop() {
            let k = ti * (pn + 1) + pj;
            if seen[k] == mark {
                continue;
            }
            seen[k] = mark;
            if ti == tn && pj == pn {
                return true;
            }
            let t = items.get(ti).copied();
            let c = p.get(pj).copied();
            if t.is_some_and(is_many) {
                stack.push((ti + 1, pj));
            }
            if c == Some(b'*') {
                stack.push((ti, pj + 1));
            }
            let (Some(t), Some(c)) = (t, c) else { continue };
            let compatible = if t & ONE == 0 {
                // a literal
                match c {
                    b'*' | b'?' => t != 0,
                    c => t == c,
                }
            } else {
                // a variable's character
                match c {
                    b'*' | b'?' => true,
                    c => (t & SLASH != 0 || c != b'/') && (t & COLON != 0 || c != b':'),
                }
            };
            if compatible {
                let nt = if is_many(t) { ti } else { ti + 1 };
                let np = if c == b'*' { pj } else { pj + 1 };
                stack.push((nt, np));
                if c == b'*' {
                    stack.push((nt, pj + 1));
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_buckets_and_objects() {
        let bucket = ArnTemplate::parse("arn:${Partition}:s3:::${BucketName}");
        let object = ArnTemplate::parse("arn:${Partition}:s3:::${BucketName}/${ObjectName}");
        assert!(bucket.may_match("arn:aws:s3:::billing"));
        assert!(!bucket.may_match("arn:aws:s3:::billing/*"));
        assert!(object.may_match("arn:aws:s3:::billing/*"));
        assert!(object.may_match("arn:aws:s3:::billing/reports/a.csv.gz"));
        assert!(!object.may_match("arn:aws:s3:::billing"));
        assert!(bucket.may_match("*") && object.may_match("*"));
        assert!(bucket.may_match("arn:aws:s3:::bill*") && object.may_match("arn:aws:s3:::bill*"));
        assert!(!bucket.may_match("arn:aws:s3:us-east-1:123456789012:billing"));
        assert!(bucket.may_match("arn:aws:s3:::b?lling"));
    }

    #[test]
    fn paths_and_qualified_arns() {
        let role = ArnTemplate::parse("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}");
        assert!(role.may_match("arn:aws:iam::123456789012:role/team/finops"));
        assert!(!role.may_match("arn:aws:iam::123456789012:user/finops"));
        let function = ArnTemplate::parse(
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",
        );
        assert!(function.may_match("arn:aws:lambda:us-east-1:123456789012:function:f"));
        assert!(function.may_match("arn:aws:lambda:*:*:function:*"));
        assert!(!function.may_match("arn:aws:lambda:us-east-1:123456789012:layer:l"));
        let group = ArnTemplate::parse(
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
        );
        assert!(group.may_match("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f"));
    }

    #[test]
    fn searches_that_reuse_the_buffers_answer_as_fresh_ones() {
        let templates = [
            ArnTemplate::parse("arn:${Partition}:s3:::${BucketName}"),
            ArnTemplate::parse("arn:${Partition}:s3:::${BucketName}/${ObjectName}"),
            ArnTemplate::parse("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"),
        ];
        let patterns = [
            "*",
            "arn:aws:s3:::b",
            "arn:aws:s3:::b/*",
            "arn:aws:iam::123456789012:role/a/b",
            "arn:aws:s3:::a-much-longer-bucket-name-than-the-others/with/a/long/key/*",
            "arn:*:iam::*:role/*",
            "",
        ];
        for round in 0..3 {
            for t in &templates {
                for p in patterns.iter().rev().skip(round) {
                    let fresh = t.search(p.as_bytes(), &mut Buffers::default());
                    assert_eq!(t.may_match(p), fresh, "{} ~ {p}", t.text);
                }
            }
        }
    }
}
