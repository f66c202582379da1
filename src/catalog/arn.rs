//! ARN templates of resource types (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) and the
//! question rules ask of them: can this policy resource (with IAM's `*` and `?`) name a resource
//! of this type? Answered exactly, as the intersection of two patterns.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    Lit(u8),
    /// One character of a variable (the first), then any number of them.
    One {
        slash: bool,
        colon: bool,
    },
    Many {
        slash: bool,
        colon: bool,
    },
}

#[derive(Debug, Clone)]
pub struct ArnTemplate {
    pub text: &'static str,
    items: Vec<T>,
}

impl ArnTemplate {
    /// A `${Var}` matches one or more characters other than `:` (unless it ends the template)
    /// and `/` (unless the resource part of the template has a `/`, or it ends the template and
    /// is not an S3 bucket name).
    pub fn parse(text: &'static str) -> Self {
        let b = text.as_bytes();
        // the resource part starts after the fifth colon
        let mut colons = 0;
        let mut resource_start = b.len();
        for (i, &c) in b.iter().enumerate() {
            if c == b':' {
                colons += 1;
                if colons == 5 {
                    resource_start = i + 1;
                    break;
                }
            }
        }
        let resource_has_slash = text[resource_start.min(text.len())..].contains('/');
        let mut items = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
                if let Some(end) = text[i..].find('}') {
                    let last = i + end + 1 == b.len();
                    let in_resource = i >= resource_start;
                    // names such as log groups may hold `/`; S3 bucket names never do
                    let var = &text[i + 2..i + end];
                    let slash =
                        in_resource && (resource_has_slash || (last && var != "BucketName"));
                    let colon = in_resource && last;
                    items.push(T::One { slash, colon });
                    items.push(T::Many { slash, colon });
                    i += end + 1;
                    continue;
                }
            }
            items.push(T::Lit(b[i]));
            i += 1;
        }
        ArnTemplate { text, items }
    }

    /// Could `pattern` (a policy resource, with `*` and `?`) name a resource of this type?
    pub fn may_match(&self, pattern: &str) -> bool {
        let p = pattern.as_bytes();
        let (tn, pn) = (self.items.len(), p.len());
        let mut seen = vec![false; (tn + 1) * (pn + 1)];
        let mut stack = vec![(0usize, 0usize)];
        while let Some((ti, pj)) = stack.pop() {
            let k = ti * (pn + 1) + pj;
            if seen[k] {
                continue;
            }
            seen[k] = true;
            if ti == tn && pj == pn {
                return true;
            }
            let t = self.items.get(ti).copied();
            let c = p.get(pj).copied();
            if matches!(t, Some(T::Many { .. })) {
                stack.push((ti + 1, pj));
            }
            if c == Some(b'*') {
                stack.push((ti, pj + 1));
            }
            let (Some(t), Some(c)) = (t, c) else { continue };
            let compatible = match (t, c) {
                (T::Lit(a), b'*' | b'?') => a != 0,
                (T::Lit(a), b) => a == b,
                (T::One { .. } | T::Many { .. }, b'*' | b'?') => true,
                (T::One { slash, colon } | T::Many { slash, colon }, b) => {
                    (slash || b != b'/') && (colon || b != b':')
                }
            };
            if compatible {
                let nt = if matches!(t, T::Many { .. }) {
                    ti
                } else {
                    ti + 1
                };
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
}
