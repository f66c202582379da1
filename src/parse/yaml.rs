//! YAML with byte-accurate spans, built on `saphyr-parser`'s event stream, into the same
//! spanned [`Node`] tree as JSON, so every rule reads both.
//!
//! CloudFormation's short-form intrinsic functions become their long form on the way in
//! (`!Ref X` is read as `{"Ref": "X"}`, `!Sub s` as `{"Fn::Sub": s}`), with the tag's span on
//! the key, as CloudFormation itself reads them. Plain scalars are typed by YAML's core schema
//! (so an account ID written without quotes is a number, as CloudFormation sees it). Duplicate
//! keys are issues; anchors and aliases are expanded within a budget of values and bytes;
//! nesting is bounded.

use super::json::{Issue, IssueKind, Kind, Member, Node, Parsed};
use super::{weight, Budget, MAX_EXPANSION_BYTES};
use crate::source::Span;
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

/// Deepest nesting read; deeper input is an issue, not a stack overflow later.
pub const MAX_DEPTH: usize = 256;
/// Most nodes built, aliases expanded included (a "billion laughs" file stops here).
pub const MAX_NODES: usize = super::MAX_EXPANSION_STEPS;
/// Most bytes of text (scalars and keys) that anchors and aliases copy: a few aliases of a long
/// scalar, fanned out, would otherwise build gigabytes within the count of nodes.
pub const MAX_ALIAS_BYTES: usize = MAX_EXPANSION_BYTES;

/// The intrinsic functions CloudFormation accepts in short form.
const SHORT_FORMS: &[&str] = &[
    "Ref",
    "Condition",
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "ToJsonString",
    "Length",
    "ForEach",
];

enum Frame {
    Map {
        start: usize,
        tag: Option<(Tag, Span)>,
        anchor: usize,
        members: Vec<Member>,
        key: Option<(String, Span)>,
        keys: crate::parse::json::Keys,
    },
    Seq {
        start: usize,
        tag: Option<(Tag, Span)>,
        anchor: usize,
        items: Vec<Node>,
    },
}

struct Builder<'t> {
    text: &'t str,
    /// Byte offset of each character index, when the text is not ASCII.
    char_to_byte: Option<Vec<usize>>,
    stack: Vec<Frame>,
    /// The latest node of each anchor.
    anchors: std::collections::HashMap<usize, Node>,
    root: Option<Node>,
    issues: Vec<Issue>,
    /// Nodes built (steps) and bytes copied through anchors and aliases.
    budget: Budget,
}

impl Builder<'_> {
    fn byte(&self, char_index: usize) -> usize {
        match &self.char_to_byte {
            None => char_index.min(self.text.len()),
            Some(map) => map.get(char_index).copied().unwrap_or(self.text.len()),
        }
    }
    fn span(&self, s: saphyr_parser::Span) -> Span {
        Span::new(self.byte(s.start.index()), self.byte(s.end.index()))
    }
    fn issue(&mut self, kind: IssueKind, span: Span, message: String) {
        self.issues.push(Issue {
            kind,
            span,
            message,
            related: None,
        });
    }

    /// The span of a scalar's value: without its tag and anchor, trailing blanks trimmed.
    fn value_span(&self, span: Span, has_prefix: bool) -> Span {
        let raw = self.text.get(span.start..span.end).unwrap_or("");
        let mut start = 0;
        if has_prefix {
            let b = raw.as_bytes();
            while start < b.len() && (b[start] == b'!' || b[start] == b'&') {
                while start < b.len() && !b[start].is_ascii_whitespace() {
                    start += 1;
                }
                while start < b.len() && b[start].is_ascii_whitespace() {
                    start += 1;
                }
            }
        }
        let trimmed = raw[start..].trim_end();
        Span::new(span.start + start, span.start + start + trimmed.len())
    }

    fn scalar(&self, value: &str, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Node {
        let span = self.value_span(span, true);
        let inner = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if span.len() >= 2 => {
                Span::new(span.start + 1, span.end - 1)
            }
            _ => span,
        };
        let core_str = tag.is_some_and(|t| t.handle == "!!" && t.suffix == "str");
        let kind = if style == ScalarStyle::Plain && !core_str {
            plain(value)
        } else {
            Kind::String(value.to_string())
        };
        Node { span, inner, kind }
    }

    /// Wrap a value tagged with a short-form intrinsic function into its long form.
    fn wrap(&self, node: Node, tag: Option<(Tag, Span)>) -> Node {
        let Some((tag, tag_span)) = tag else {
            return node;
        };
        if tag.handle != "!" || !SHORT_FORMS.contains(&tag.suffix.as_str()) {
            return node;
        }
        let key = match tag.suffix.as_str() {
            "Ref" | "Condition" => tag.suffix.clone(),
            s => format!("Fn::{s}"),
        };
        let key_span = Span::new(
            tag_span.start,
            tag_span.start + 1 + tag.suffix.len().min(tag_span.len().saturating_sub(1)),
        );
        let span = Span::new(tag_span.start, node.span.end.max(key_span.end));
        Node {
            span,
            inner: span,
            kind: Kind::Object(vec![Member {
                key,
                key_span,
                value: node,
            }]),
        }
    }

    fn count(&mut self, n: usize) -> bool {
        self.budget.spend(n, 0)
    }

    /// Attach a finished node to its parent (or make it the root); the copy an anchor keeps
    /// is paid for like an alias's. False when that copy is over the budget.
    fn push(&mut self, node: Node, anchor: usize) -> bool {
        if anchor != 0 {
            let (nodes, bytes) = weight(&node);
            if !self.budget.spend(nodes, bytes) {
                return false;
            }
            self.anchors.insert(anchor, node.clone());
        }
        let mut dup = None;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                members, key, keys, ..
            }) => match key.take() {
                None => {
                    let k = match &node.kind {
                        Kind::String(s) | Kind::Number(s) => s.clone(),
                        Kind::Bool(b) => b.to_string(),
                        Kind::Null => String::new(),
                        _ => self
                            .text
                            .get(node.span.start..node.span.end)
                            .unwrap_or("")
                            .to_string(),
                    };
                    *key = Some((k, node.span));
                }
                Some((k, key_span)) => {
                    if let Some(first) = keys.earlier(members, &k) {
                        dup = Some((k.clone(), key_span, first));
                    }
                    members.push(Member {
                        key: k,
                        key_span,
                        value: node,
                    });
                }
            },
        }
        if let Some((k, span, first)) = dup {
            self.issues.push(Issue {
                kind: IssueKind::DuplicateKey,
                span,
                message: format!("duplicate key `{k}`"),
                related: Some(first),
            });
        }
        true
    }

    /// The end of a collection: its closing bracket for flow style, its last child otherwise.
    /// False when it is over the budget.
    fn close(&mut self, end_span: Span) -> bool {
        let Some(frame) = self.stack.pop() else {
            return true;
        };
        let (start, tag, anchor, kind, last_end) = match frame {
            Frame::Map {
                start,
                tag,
                anchor,
                members,
                ..
            } => {
                let last = members.last().map(|m| m.value.span.end);
                (start, tag, anchor, Kind::Object(members), last)
            }
            Frame::Seq {
                start,
                tag,
                anchor,
                items,
            } => {
                let last = items.last().map(|n| n.span.end);
                (start, tag, anchor, Kind::Array(items), last)
            }
        };
        let end = if end_span.is_empty() {
            last_end.unwrap_or(start).max(start)
        } else {
            end_span.end
        };
        let span = Span::new(start, end);
        let node = self.wrap(
            Node {
                span,
                inner: span,
                kind,
            },
            tag,
        );
        self.push(node, anchor)
    }

    /// Where a collection starts: at its opening bracket, or its first key for block style.
    fn open_at(&self, span: Span) -> usize {
        let raw = self.text.get(span.start..span.end).unwrap_or("");
        match raw.rfind(['[', '{']) {
            Some(i) => span.start + i,
            None => span.start,
        }
    }
}

/// Type a plain scalar by YAML's core schema.
fn plain(value: &str) -> Kind {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => Kind::Null,
        "true" | "True" | "TRUE" => Kind::Bool(true),
        "false" | "False" | "FALSE" => Kind::Bool(false),
        v if is_number(v) => Kind::Number(v.to_string()),
        v => Kind::String(v.to_string()),
    }
}

fn is_number(v: &str) -> bool {
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    if body.is_empty() {
        return false;
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if let Some(oct) = body.strip_prefix("0o") {
        return !oct.is_empty() && oct.bytes().all(|b| (b'0'..=b'7').contains(&b));
    }
    if matches!(body, ".inf" | ".Inf" | ".INF") || matches!(v, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = mantissa.replace('.', "");
    let dots = mantissa.matches('.').count();
    let ok_mantissa = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && dots <= 1;
    let ok_exp = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    ok_mantissa && ok_exp
}

/// Parse a whole YAML file's text (the first document).
pub fn parse_file(text: &str, invalid_utf8_at: Option<usize>) -> Parsed {
    let mut b = Builder {
        text,
        char_to_byte: (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        }),
        stack: Vec::new(),
        anchors: Default::default(),
        root: None,
        issues: Vec::new(),
        budget: Budget::new(MAX_NODES, MAX_ALIAS_BYTES),
    };
    if let Some(at) = invalid_utf8_at {
        b.issue(
            IssueKind::InvalidUtf8,
            Span::new(at, at + 3),
            "the file is not valid UTF-8".into(),
        );
    }
    if text.trim().is_empty() {
        b.issue(
            IssueKind::Empty,
            Span::new(0, text.len()),
            "the file is empty".into(),
        );
        return Parsed {
            root: None,
            issues: b.issues,
        };
    }
    let mut documents = 0;
    for event in Parser::new_from_str(text).keep_tags(true) {
        let (event, raw_span) = match event {
            Ok(e) => e,
            Err(e) => {
                let at = b.byte(e.marker().index());
                let end = (at + 1).min(text.len()).max(at);
                b.issue(
                    IssueKind::Syntax,
                    Span::new(at, end),
                    format!("invalid YAML: {}", lower_first(e.info())),
                );
                b.root = None;
                break;
            }
        };
        let span = b.span(raw_span);
        let is_sequence = matches!(event, Event::SequenceStart(..));
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    break;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                if !b.count(1) {
                    budget_exceeded(&mut b, span);
                    break;
                }
                let tag = tag.map(|t| t.into_owned());
                let node = b.scalar(&value, style, tag.as_ref(), span);
                let tag_span = tag.map(|t| (t, span));
                let node = b.wrap(node, tag_span);
                if !b.push(node, anchor) {
                    budget_exceeded(&mut b, span);
                    break;
                }
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) => {
                if b.stack.len() >= MAX_DEPTH {
                    b.issue(
                        IssueKind::Syntax,
                        span,
                        format!("the document nests deeper than {MAX_DEPTH} levels"),
                    );
                    b.root = None;
                    break;
                }
                if !b.count(1) {
                    budget_exceeded(&mut b, span);
                    break;
                }
                let start = b.open_at(span);
                let tag = tag.map(|t| (t.into_owned(), span));
                b.stack.push(if is_sequence {
                    Frame::Seq {
                        start,
                        tag,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start,
                        tag,
                        anchor,
                        members: Vec::new(),
                        key: None,
                        keys: Default::default(),
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if !b.close(span) {
                    budget_exceeded(&mut b, span);
                    break;
                }
            }
            Event::Alias(id) => {
                // paid for before it is copied
                let paid = b.anchors.get(&id).map(|n| {
                    let (nodes, bytes) = weight(n);
                    b.budget.spend(nodes, bytes)
                });
                match paid {
                    Some(false) => {
                        budget_exceeded(&mut b, span);
                        break;
                    }
                    Some(true) => {
                        if let Some(n) = b.anchors.get(&id).cloned() {
                            b.push(n, 0);
                        }
                    }
                    None => {
                        b.issue(IssueKind::Syntax, span, "unknown alias".into());
                        b.push(
                            Node {
                                span,
                                inner: span,
                                kind: Kind::Null,
                            },
                            0,
                        );
                    }
                }
            }
            Event::StreamEnd | Event::DocumentEnd => {}
            Event::Nothing | Event::StreamStart => {}
        }
    }
    let root = b.root.take();
    b.issues.sort_by_key(|i| i.span);
    Parsed {
        root,
        issues: b.issues,
    }
}

fn budget_exceeded(b: &mut Builder, span: Span) {
    let what = b
        .budget
        .exceeded()
        .map(|e| e.describe("values"))
        .unwrap_or_else(|| format!("more than {MAX_NODES} values"));
    b.issue(
        IssueKind::Limit,
        span,
        format!("the document expands to {what} (anchors and aliases included)"),
    );
    b.root = None;
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid YAML".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn spans_types_and_short_forms() {
        let text = "A:\n  B: !Sub \"arn:${AWS::Partition}:s3:::x\"\n  C: [1, 'two', {d: true}]\n  é: !GetAtt Bucket.Arn\n  E:\n    - !If [Cond, 012345678901, ~]\n";
        let p = parse_file(text, None);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        let a = p.root.unwrap();
        let a = a.get("A").unwrap();
        let b = a.get("B").unwrap();
        let sub = b.member("Fn::Sub").unwrap();
        assert_eq!(text_of(text, sub.key_span), "!Sub");
        assert_eq!(
            text_of(text, sub.value.span),
            "\"arn:${AWS::Partition}:s3:::x\""
        );
        assert_eq!(
            text_of(text, sub.value.inner),
            "arn:${AWS::Partition}:s3:::x"
        );
        let c = a.get("C").unwrap();
        assert_eq!(text_of(text, c.span), "[1, 'two', {d: true}]");
        let items = c.as_array().unwrap();
        assert_eq!(items[0].kind, Kind::Number("1".into()));
        assert_eq!(items[1].as_str(), Some("two"));
        assert_eq!(items[2].get("d").unwrap().kind, Kind::Bool(true));
        let g = a.get("é").unwrap().get("Fn::GetAtt").unwrap();
        assert_eq!(text_of(text, g.span), "Bucket.Arn");
        let e = a.get("E").unwrap().as_array().unwrap();
        let ifv = e[0].get("Fn::If").unwrap().as_array().unwrap();
        assert_eq!(ifv[1].kind, Kind::Number("012345678901".into()));
        assert_eq!(ifv[2].kind, Kind::Null);
    }

    #[test]
    fn duplicate_keys_syntax_errors_and_limits() {
        let p = parse_file("a: 1\nb: 2\na: 3\n", None);
        assert_eq!(p.issues.len(), 1);
        assert_eq!(p.issues[0].kind, IssueKind::DuplicateKey);
        assert_eq!(p.issues[0].span, Span::new(10, 11));
        assert_eq!(p.issues[0].related, Some(Span::new(0, 1)));
        assert_eq!(
            p.root.unwrap().get("a").unwrap().kind,
            Kind::Number("3".into())
        );

        let p = parse_file("a: [1, 2\nb: 3\n", None);
        assert!(p.root.is_none());
        assert_eq!(p.issues[0].kind, IssueKind::Syntax);

        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let p = parse_file(&deep, None);
        assert!(p.root.is_none());
        assert_eq!(p.issues[0].kind, IssueKind::Syntax);
        let deep = format!("{}x{}", "[".repeat(300), "]".repeat(300));
        let p = parse_file(&deep, None);
        assert!(p.root.is_none());
        assert!(
            p.issues[0].message.contains("deeper") || p.issues[0].message.contains("recursion"),
            "{:?}",
            p.issues
        );

        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                format!("l{}", i - 1)
            };
            bomb.push_str(&format!(
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let p = parse_file(&bomb, None);
        assert!(p.root.is_none());
        assert!(p.issues[0].message.contains("expands"), "{:?}", p.issues);
    }

    #[test]
    fn aliases_of_a_long_scalar_stop_at_the_byte_budget() {
        // 4,096 copies of an 8 KiB scalar: 32 MiB from a 9 KB file, few values
        let mut text = format!("s: &s \"{}\"\n", "x".repeat(8192));
        for i in 0..4 {
            let prev = if i == 0 {
                "s".to_string()
            } else {
                format!("l{}", i - 1)
            };
            let items = vec![format!("*{prev}"); 8].join(", ");
            text.push_str(&format!("l{i}: &l{i} [{items}]\n"));
        }
        assert!(text.len() < 10_000);
        let p = parse_file(&text, None);
        assert!(p.root.is_none());
        assert_eq!(p.issues.len(), 1, "{:?}", p.issues);
        assert_eq!(p.issues[0].kind, IssueKind::Limit);
        assert!(
            p.issues[0].message.contains("16 MiB of text"),
            "{:?}",
            p.issues
        );
        // where it ran out: an alias of the last level
        assert_eq!(text_of(&text, p.issues[0].span), "*l2");
        // the same shape with a short scalar is read whole
        let small = text.replace(&"x".repeat(8192), "x");
        let p = parse_file(&small, None);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
        assert!(p.root.is_some());
    }

    #[test]
    fn anchors_on_every_level_pay_for_their_copies() {
        // each anchored level keeps a copy of everything below it: 200 levels over 20,000
        // values would hold four million copies
        let items = vec!["v"; 20_000].join(", ");
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("{}- &a{i}\n", "  ".repeat(i)));
        }
        text.push_str(&format!("{}- [{items}]\n", "  ".repeat(200)));
        let p = parse_file(&text, None);
        assert!(p.root.is_none(), "{:?}", p.issues);
        assert_eq!(p.issues[0].kind, IssueKind::Limit, "{:?}", p.issues);
    }

    #[test]
    fn block_scalars_keep_their_content_span() {
        let text = "Doc: |\n  {\"a\": 1}\nNext: x\n";
        let root = parse_file(text, None).root.unwrap();
        let d = root.get("Doc").unwrap();
        assert_eq!(d.as_str(), Some("{\"a\": 1}\n"));
        assert_eq!(text_of(text, d.span), "{\"a\": 1}");
    }
}
