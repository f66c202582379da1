//! Strict JSON with byte-accurate spans, built on `jsonc-parser`.
//!
//! Clean input takes a strict fast path. When the strict parse fails only because of comments or
//! trailing commas, the text is parsed again leniently so that every comment and every trailing
//! comma is reported at its position and the document is still checked. Duplicate keys are
//! reported at the later key (IAM silently keeps the last one). A BOM, invalid UTF-8 and an empty
//! file are issues too.

use crate::source::Span;
use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::tokens::Token;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

/// A JSON value with the byte span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    /// For a string, the span of its contents without the quotes (which may be escaped or
    /// URL-encoded in an embedded document); the whole span for other values.
    pub inner: Span,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    /// The number as written, so `123456789012` and `012345678901` keep their digits.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
    /// A value a template does not determine (a `!Ref` to a parameter without a default, a
    /// Terraform attribute known only after apply), with what it was written as. Rules never
    /// report on an unknown value.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// A string, number or Boolean as the text IAM compares (a condition value): `"5"`, `5`
    /// and `true` as `5` and `true`; `None` for arrays, objects and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::String(s) | Kind::Number(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Array(a) => Some(a),
            _ => None,
        }
    }
    /// The member IAM uses for `key`: the last one with exactly that name.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().rev().find(|m| m.key == key)
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }
    /// A string or an array of values, as IAM's "string or array" elements: the values.
    pub fn one_or_many(&self) -> &[Node] {
        match &self.kind {
            Kind::Array(a) => a,
            _ => std::slice::from_ref(self),
        }
    }
    /// The JSON type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "boolean",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::Array(_) => "array",
            Kind::Object(_) => "object",
            Kind::Unknown(_) => "unknown value",
        }
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, Kind::Unknown(_))
    }
    /// Whether an unknown value appears anywhere in this value.
    pub fn has_unknown(&self) -> bool {
        match &self.kind {
            Kind::Unknown(_) => true,
            Kind::Array(a) => a.iter().any(Node::has_unknown),
            Kind::Object(m) => m.iter().any(|m| m.value.has_unknown()),
            _ => false,
        }
    }
    /// Span of the text inside a string's quotes (the whole span for other values).
    pub fn inner_span(&self) -> Span {
        self.inner
    }
}

/// The edit that adds `member` (such as `"Version": "2012-10-17"`) as the first member of the
/// object `obj` of `source`, written as the object is: on its own line with the first member's
/// indentation when the object spans lines, else inline. The new line ends as the line it
/// follows does (`\r\n` in a file written with CRLF line endings).
pub fn insert_member(source: &str, obj: &Node, member: &str) -> (Span, String) {
    let at = obj.span.start + 1;
    let first = obj.as_object().and_then(|m| m.first());
    let Some(first) = first else {
        return (Span::new(at, at), member.to_string());
    };
    let between = source.get(at..first.key_span.start).unwrap_or("");
    match between.rfind('\n') {
        Some(nl) => {
            let indent = &between[nl + 1..];
            let eol = if between[..nl].ends_with('\r') {
                "\r\n"
            } else {
                "\n"
            };
            (Span::new(at, at), format!("{eol}{indent}{member},"))
        }
        None => (Span::new(at, at), format!("{member}, ")),
    }
}

/// The edit that appends `items` (each a JSON text, such as `"s3:GetObject"`) to the value
/// `node` of `source`, written as the list is: after its last item, on lines of their own with
/// its indentation when the list puts its items on lines of their own, else inline. A string
/// becomes a list that holds it first; an empty list is replaced. `None` for other values, and
/// for a value whose text is not JSON (a YAML block list, a Terraform expression).
pub fn append_items(source: &str, node: &Node, items: &[String]) -> Option<(Span, String)> {
    let text = source.get(node.span.start..node.span.end)?;
    if serde_json::from_str::<serde_json::Value>(text).is_err() {
        return None;
    }
    match &node.kind {
        Kind::String(_) => Some((node.span, format!("[{text}, {}]", items.join(", ")))),
        Kind::Array(list) => {
            let Some(last) = list.last() else {
                return Some((node.span, format!("[{}]", items.join(", "))));
            };
            let before = match list.len() {
                1 => node.span.start + 1,
                n => list[n - 2].span.end,
            };
            let between = source.get(before..last.span.start).unwrap_or("");
            let sep = match between.rfind('\n') {
                Some(nl) => {
                    let eol = if between[..nl].ends_with('\r') {
                        "\r\n"
                    } else {
                        "\n"
                    };
                    format!(",{eol}{}", &between[nl + 1..])
                }
                None => ", ".to_string(),
            };
            let at = last.span.end;
            Some((Span::new(at, at), format!("{sep}{}", items.join(&sep))))
        }
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    Syntax,
    TrailingComma,
    Comment,
    DuplicateKey,
    InvalidUtf8,
    ByteOrderMark,
    Empty,
    /// The file expands (YAML aliases, Terraform references) past what one file may build.
    Limit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub kind: IssueKind,
    pub span: Span,
    pub message: String,
    /// Another place that explains the issue (the first occurrence of a duplicate key).
    pub related: Option<Span>,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub issues: Vec<Issue>,
}

/// Maps an offset in the parsed text to an offset in the source (identity for files; a table
/// for documents embedded in a JSON string or URL-encoded).
pub trait OffsetMap {
    fn map(&self, offset: usize) -> usize;
    fn span(&self, span: Span) -> Span {
        Span::new(self.map(span.start), self.map(span.end))
    }
}

/// Offsets shifted by a constant (a BOM, or none).
pub struct Shift(pub usize);
impl OffsetMap for Shift {
    fn map(&self, offset: usize) -> usize {
        offset + self.0
    }
}

/// Decode raw bytes as text: invalid UTF-8 is replaced (and reported by [`parse_file`]), with
/// where the first invalid byte was.
pub fn decode(bytes: &[u8]) -> (String, Option<usize>) {
    decode_owned(bytes.to_vec())
}

/// [`decode`] for bytes the caller gives up: valid UTF-8 (nearly every file) is not copied.
pub fn decode_owned(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

/// Parse a whole file's text. `invalid_utf8_at` is where decoding found invalid UTF-8, if it did.
pub fn parse_file(text: &str, invalid_utf8_at: Option<usize>) -> Parsed {
    let mut issues = Vec::new();
    if let Some(at) = invalid_utf8_at {
        issues.push(Issue {
            kind: IssueKind::InvalidUtf8,
            // the lossy text holds U+FFFD (3 bytes) where the invalid byte was
            span: Span::new(at, at + 3),
            message: "the file is not valid UTF-8".into(),
            related: None,
        });
    }
    let (body, shift) = match text.strip_prefix('\u{feff}') {
        Some(rest) => {
            issues.push(Issue {
                kind: IssueKind::ByteOrderMark,
                span: Span::new(0, 3),
                message: "the file starts with a byte order mark".into(),
                related: None,
            });
            (rest, 3)
        }
        None => (text, 0),
    };
    if body.trim().is_empty() {
        issues.push(Issue {
            kind: IssueKind::Empty,
            span: Span::new(0, text.len()),
            message: "the file is empty".into(),
            related: None,
        });
        return Parsed { root: None, issues };
    }
    let mut parsed = parse_text(body, &Shift(shift));
    issues.append(&mut parsed.issues);
    parsed.issues = issues;
    parsed
}

fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Parse JSON text whose offsets `map` turns into source offsets.
pub fn parse_text(text: &str, map: &dyn OffsetMap) -> Parsed {
    let mut issues = Vec::new();
    if let Some(root) = build_strict(text, map, &mut issues) {
        issues.sort_by_key(|i| i.span);
        return Parsed {
            root: Some(root),
            issues,
        };
    }
    parse_reporting(text, map)
}

/// The parser's full path: strict, then lenient when only comments or trailing commas stand in
/// the way; its errors are the syntax issues.
fn parse_reporting(text: &str, map: &dyn OffsetMap) -> Parsed {
    let strict = strict_options();
    let first = jsonc_parser::parse_to_ast(text, &CollectOptions::default(), &strict);
    let result = match first {
        Ok(r) => Ok((r, Vec::new())),
        Err(e)
            if matches!(
                e.kind(),
                ParseErrorKind::CommentsNotAllowed | ParseErrorKind::TrailingCommasNotAllowed
            ) =>
        {
            let lenient = ParseOptions {
                allow_comments: true,
                allow_trailing_commas: true,
                ..strict
            };
            let collect = CollectOptions {
                comments: CommentCollectionStrategy::AsTokens,
                tokens: true,
            };
            match jsonc_parser::parse_to_ast(text, &collect, &lenient) {
                Ok(r) => {
                    let extra = lenient_issues(r.tokens.as_deref().unwrap_or(&[]), map);
                    Ok((r, extra))
                }
                Err(e2) => Err(e2),
            }
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((r, mut issues)) => {
            let root = r.value.map(|v| convert(v, map, &mut issues));
            issues.sort_by_key(|i| i.span);
            Parsed { root, issues }
        }
        Err(e) => {
            let range = e.range();
            // an empty range is widened to one character of the text: the next one, or the
            // last one at the end of the text (never past it)
            let (mut start, mut end) = (range.start.min(text.len()), range.end.min(text.len()));
            if start == end {
                if end < text.len() {
                    end += text[end..].chars().next().map_or(1, char::len_utf8);
                } else if start > 0 {
                    start -= text[..start].chars().next_back().map_or(1, char::len_utf8);
                }
            }
            let span = map.span(Span::new(start, end));
            Parsed {
                root: None,
                issues: vec![Issue {
                    kind: IssueKind::Syntax,
                    span,
                    message: syntax_message(e.kind()),
                    related: None,
                }],
            }
        }
    }
}

fn syntax_message(kind: &ParseErrorKind) -> String {
    let text = kind.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "invalid JSON".into(),
    }
}

fn lenient_issues(
    tokens: &[jsonc_parser::tokens::TokenAndRange],
    map: &dyn OffsetMap,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    let significant: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::CommentLine(_) | Token::CommentBlock(_)))
        .collect();
    for t in tokens {
        if matches!(t.token, Token::CommentLine(_) | Token::CommentBlock(_)) {
            issues.push(Issue {
                kind: IssueKind::Comment,
                span: map.span(Span::new(t.range.start, t.range.end)),
                message: "JSON does not allow comments".into(),
                related: None,
            });
        }
    }
    for pair in significant.windows(2) {
        if matches!(pair[0].token, Token::Comma)
            && matches!(pair[1].token, Token::CloseBrace | Token::CloseBracket)
        {
            issues.push(Issue {
                kind: IssueKind::TrailingComma,
                span: map.span(Span::new(pair[0].range.start, pair[0].range.end)),
                message: "JSON does not allow a comma before the closing bracket".into(),
                related: None,
            });
        }
    }
    issues
}

/// The keys of an object being built, to find duplicates: a linear search while the object is
/// small, an index once it is large (an object of a million keys must not take quadratic
/// time).
#[derive(Default)]
pub struct Keys(Option<std::collections::HashMap<String, usize>>);

impl Keys {
    /// The key span of an earlier member named `key`; `key` is then the next member's.
    pub fn earlier(&mut self, members: &[Member], key: &str) -> Option<Span> {
        if self.0.is_none() && members.len() >= 32 {
            let mut index = std::collections::HashMap::with_capacity(members.len() * 2);
            for (i, m) in members.iter().enumerate() {
                index.entry(m.key.clone()).or_insert(i);
            }
            self.0 = Some(index);
        }
        match self.0.as_mut() {
            Some(index) => match index.get(key) {
                Some(&i) => members.get(i).map(|m| m.key_span),
                None => {
                    index.insert(key.to_string(), members.len());
                    None
                }
            },
            None => members.iter().find(|m| m.key == key).map(|m| m.key_span),
        }
    }
}

/// A node of the text's byte range `start..end`; a string's inner span leaves out its quotes.
fn node(map: &dyn OffsetMap, start: usize, end: usize, kind: Kind) -> Node {
    let span = map.span(Span::new(start, end));
    let inner = if matches!(kind, Kind::String(_)) && end >= start + 2 {
        map.span(Span::new(start + 1, end - 1))
    } else {
        span
    };
    Node { span, inner, kind }
}

/// Record a member's key: the duplicate-key issue when an earlier member has the same name.
fn key_of(members: &[Member], keys: &mut Keys, key: &str, key_span: Span, issues: &mut Vec<Issue>) {
    if let Some(first) = keys.earlier(members, key) {
        issues.push(Issue {
            kind: IssueKind::DuplicateKey,
            span: key_span,
            message: format!("duplicate key `{key}`"),
            related: Some(first),
        });
    }
}

/// Below this depth the fast path builds the tree; deeper documents go to the parser, which
/// limits nesting and reports it.
const FAST_DEPTH: usize = 256;

/// The fast path for plain strict JSON (nearly every file): the `jsonc-parser` scanner's
/// tokens built straight into our tree, without the parser's own tree in between. `None` for
/// anything else (a comment, a trailing comma, a scanner error, a missing comma, deep
/// nesting): the parser then parses the text and reports what is wrong, so the issues and the
/// tree are the same either way (`tests::the_fast_path_builds_what_the_parser_builds`).
fn build_strict(text: &str, map: &dyn OffsetMap, issues: &mut Vec<Issue>) -> Option<Node> {
    use jsonc_parser::{Scanner, ScannerOptions};
    /// A container being built: where it starts, what it holds so far.
    enum Open {
        Array(usize, Vec<Node>),
        /// With the keys seen and the key whose value comes next.
        Object(usize, Vec<Member>, Keys, Option<(String, Span)>),
    }
    // the scanner as the strict parse sets it up
    let strict = strict_options();
    let options = ScannerOptions {
        allow_single_quoted_strings: strict.allow_single_quoted_strings,
        allow_hexadecimal_numbers: strict.allow_hexadecimal_numbers,
        allow_unary_plus_numbers: strict.allow_unary_plus_numbers,
        allow_bare_decimal_point_numbers: strict.allow_bare_decimal_point_numbers,
        allow_non_finite_numbers: strict.allow_non_finite_numbers,
        allow_extended_string_escapes: strict.allow_extended_string_escapes,
    };
    let mut sc = Scanner::new(text, &options);
    let mut stack: Vec<Open> = Vec::new();
    fn next<'t>(sc: &mut Scanner<'t>) -> Option<Token<'t>> {
        sc.scan().ok().flatten()
    }
    /// After `{` or `,` in an object: a key and its colon.
    fn member_key(
        sc: &mut Scanner,
        token: Option<Token>,
        map: &dyn OffsetMap,
        members: &[Member],
        keys: &mut Keys,
        issues: &mut Vec<Issue>,
    ) -> Option<(String, Span)> {
        let Some(Token::String(key)) = token else {
            return None;
        };
        let key_span = map.span(Span::new(sc.token_start(), sc.token_end()));
        key_of(members, keys, &key, key_span, issues);
        matches!(next(sc), Some(Token::Colon)).then(|| (key.into_owned(), key_span))
    }
    let mut token = next(&mut sc)?;
    loop {
        // `token` starts a value
        let start = sc.token_start();
        let mut value = match token {
            Token::OpenBrace | Token::OpenBracket if stack.len() >= FAST_DEPTH => return None,
            Token::OpenBrace => match next(&mut sc)? {
                Token::CloseBrace => node(map, start, sc.token_end(), Kind::Object(Vec::new())),
                first => {
                    let mut keys = Keys::default();
                    let key = member_key(&mut sc, Some(first), map, &[], &mut keys, issues)?;
                    stack.push(Open::Object(start, Vec::new(), keys, Some(key)));
                    token = next(&mut sc)?;
                    continue;
                }
            },
            Token::OpenBracket => match next(&mut sc)? {
                Token::CloseBracket => node(map, start, sc.token_end(), Kind::Array(Vec::new())),
                first => {
                    stack.push(Open::Array(start, Vec::new()));
                    token = first;
                    continue;
                }
            },
            Token::String(s) => node(map, start, sc.token_end(), Kind::String(s.into_owned())),
            Token::Number(n) => node(map, start, sc.token_end(), Kind::Number(n.to_string())),
            Token::Boolean(b) => node(map, start, sc.token_end(), Kind::Bool(b)),
            Token::Null => node(map, start, sc.token_end(), Kind::Null),
            _ => return None,
        };
        // the value is complete: into its container, closing the containers it completes
        loop {
            let Some(open) = stack.last_mut() else {
                // the root: nothing may follow it
                return match sc.scan() {
                    Ok(None) => Some(value),
                    _ => None,
                };
            };
            let closed = match open {
                Open::Array(start, items) => {
                    items.push(value);
                    match next(&mut sc)? {
                        Token::Comma => None,
                        Token::CloseBracket => Some((*start, Kind::Array(std::mem::take(items)))),
                        _ => return None,
                    }
                }
                Open::Object(start, members, keys, pending) => {
                    let (key, key_span) = pending.take()?;
                    members.push(Member {
                        key,
                        key_span,
                        value,
                    });
                    match next(&mut sc)? {
                        Token::Comma => {
                            let t = next(&mut sc);
                            *pending = Some(member_key(&mut sc, t, map, members, keys, issues)?);
                            None
                        }
                        Token::CloseBrace => Some((*start, Kind::Object(std::mem::take(members)))),
                        _ => return None,
                    }
                }
            };
            match closed {
                Some((start, kind)) => {
                    stack.pop();
                    value = node(map, start, sc.token_end(), kind);
                }
                None => {
                    token = next(&mut sc)?;
                    break;
                }
            }
        }
    }
}

/// The parser's tree as ours, consumed as it goes: a large document is not held twice.
fn convert(value: Value, map: &dyn OffsetMap, issues: &mut Vec<Issue>) -> Node {
    let r = value.range();
    let kind = match value {
        Value::NullKeyword(_) => Kind::Null,
        Value::BooleanLit(b) => Kind::Bool(b.value),
        Value::NumberLit(n) => Kind::Number(n.value.to_string()),
        Value::StringLit(s) => Kind::String(s.value.into_owned()),
        Value::Array(a) => Kind::Array(
            a.elements
                .into_iter()
                .map(|e| convert(e, map, issues))
                .collect(),
        ),
        Value::Object(o) => {
            let mut members: Vec<Member> = Vec::with_capacity(o.properties.len());
            let mut keys = Keys::default();
            for p in o.properties {
                let (key, kr) = match p.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                let key_span = map.span(Span::new(kr.start, kr.end));
                key_of(&members, &mut keys, &key, key_span, issues);
                members.push(Member {
                    key,
                    key_span,
                    value: convert(p.value, map, issues),
                });
            }
            Kind::Object(members)
        }
    };
    node(map, r.start, r.end, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(IssueKind, String)> {
        let p = parse_file(text, None);
        p.issues
            .iter()
            .map(|i| {
                (
                    i.kind,
                    text.get(i.span.start..i.span.end).unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    fn appended(text: &str, items: &[&str]) -> Option<String> {
        let root = parse_file(text, None).root.unwrap();
        let node = root.get("a").unwrap();
        let items: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
        let (span, with) = append_items(text, node, &items)?;
        let mut out = text.to_string();
        out.replace_range(span.start..span.end, &with);
        Some(out)
    }

    #[test]
    fn items_are_appended_as_the_list_is_written() {
        assert_eq!(
            appended("{\"a\": [\"x\", \"y\"]}", &["z"]).unwrap(),
            "{\"a\": [\"x\", \"y\", \"z\"]}"
        );
        assert_eq!(
            appended("{\"a\": [\n    \"x\"\n  ]}", &["y", "z"]).unwrap(),
            "{\"a\": [\n    \"x\",\n    \"y\",\n    \"z\"\n  ]}"
        );
        assert_eq!(
            appended("{\"a\": [\r\n  \"x\",\r\n  \"y\"\r\n]}", &["z"]).unwrap(),
            "{\"a\": [\r\n  \"x\",\r\n  \"y\",\r\n  \"z\"\r\n]}"
        );
        assert_eq!(
            appended("{\"a\": \"x\"}", &["y"]).unwrap(),
            "{\"a\": [\"x\", \"y\"]}"
        );
        assert_eq!(appended("{\"a\": []}", &["y"]).unwrap(), "{\"a\": [\"y\"]}");
        assert_eq!(appended("{\"a\": 1}", &["y"]), None);
    }

    #[test]
    fn clean_json_has_no_issues_and_spans() {
        let text = r#"{"a": [1, "x"]}"#;
        let p = parse_file(text, None);
        assert!(p.issues.is_empty());
        let root = p.root.unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(&text[a.span.start..a.span.end], r#"[1, "x"]"#);
        assert_eq!(
            &text[root.member("a").unwrap().key_span.start..root.member("a").unwrap().key_span.end],
            "\"a\""
        );
    }

    #[test]
    fn trailing_commas_and_comments_are_all_reported() {
        let text = "{\n // c\n \"a\": [1,],\n \"b\": 2, /* d */\n}";
        let k = kinds(text);
        assert_eq!(
            k,
            vec![
                (IssueKind::Comment, "// c".into()),
                (IssueKind::TrailingComma, ",".into()),
                (IssueKind::TrailingComma, ",".into()),
                (IssueKind::Comment, "/* d */".into()),
            ]
        );
        assert!(parse_file(text, None).root.is_some());
    }

    #[test]
    fn duplicate_key_points_at_second_and_first() {
        let text = r#"{"Effect": "Allow", "Effect": "Deny"}"#;
        let p = parse_file(text, None);
        assert_eq!(p.issues.len(), 1);
        let i = &p.issues[0];
        assert_eq!(i.span.start, 20);
        assert_eq!(i.related.unwrap().start, 1);
        assert_eq!(
            p.root.unwrap().get("Effect").unwrap().as_str(),
            Some("Deny")
        );
    }

    #[test]
    fn bom_empty_and_syntax() {
        assert_eq!(
            kinds("\u{feff}{}"),
            vec![(IssueKind::ByteOrderMark, "\u{feff}".into())]
        );
        assert_eq!(kinds("  \n")[0].0, IssueKind::Empty);
        let k = kinds("{\"a\": }");
        assert_eq!(k[0].0, IssueKind::Syntax);
        assert_eq!(kinds("{'a': 1}")[0].0, IssueKind::Syntax);
    }

    #[test]
    fn bom_shifts_spans() {
        let text = "\u{feff}{\"a\": 1}";
        let p = parse_file(text, None);
        let a = p.root.unwrap();
        assert_eq!(
            &text[a.get("a").unwrap().span.start..a.get("a").unwrap().span.end],
            "1"
        );
    }

    #[test]
    fn deep_nesting_is_an_issue_not_a_crash() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let p = parse_file(&text, None);
        assert!(p.root.is_none());
        assert_eq!(p.issues[0].kind, IssueKind::Syntax);
    }

    /// Every JSON file of the repository's fixtures and examples, and variants of each that
    /// the fast path must hand to the parser (a comment, a trailing comma, a cut, deep nesting)
    /// or build itself (a duplicate key, escapes, other whitespace).
    fn texts() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = ["rules", "examples", "tests/fuzz-regressions"]
            .iter()
            .flat_map(|d| walkdir::WalkDir::new(root.join(d)).sort_by_file_name())
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        let files = texts.len();
        let originals: Vec<String> = texts.clone();
        for t in originals {
            if let (Some(at), Some(close)) = (t.find(','), t.rfind('}')) {
                texts.push(format!("{}, // c\n{}", &t[..at], &t[at + 1..]));
                texts.push(format!("{},{}", &t[..close], &t[close..]));
            }
            let mut half = t.len() / 2;
            while !t.is_char_boundary(half) {
                half -= 1;
            }
            texts.push(t[..half].to_string());
            texts.push(t.replacen('\n', "\u{a0}\n", 3));
            texts.push(t.replacen("\":", "\" :", 2).replacen(
                '{',
                r#"{"Version": "x\u0041\n","Version":1,"#,
                1,
            ));
            texts.push(t.replacen(',', " ", 1));
        }
        for depth in [1, 2, 255, 256, 257, 511, 512, 513] {
            texts.push(format!("{}{}", "[".repeat(depth), "]".repeat(depth)));
            texts.push(format!(
                "{}1{}",
                r#"{"a":"#.repeat(depth),
                "}".repeat(depth)
            ));
        }
        for t in [
            "[]",
            "{}",
            "1",
            "\"s\"",
            "true",
            "null",
            "[1,]",
            "{\"a\" 1}",
            "[1 2]",
            "{\"a\":1}}",
            "[",
            "\"\\q\"",
            "01",
            "+1",
            ".5",
            "NaN",
            "{a:1}",
            "'x'",
            "[1]/*x*/",
        ] {
            texts.push(t.to_string());
        }
        assert!(files > 200, "{files} fixture files");
        texts
    }

    #[test]
    fn the_fast_path_builds_what_the_parser_builds() {
        let (mut fast, mut handed_on) = (0, 0);
        for text in texts() {
            let mut issues = Vec::new();
            let built = build_strict(&text, &Shift(7), &mut issues);
            let full = parse_reporting(&text, &Shift(7));
            match built {
                Some(root) => {
                    issues.sort_by_key(|i| i.span);
                    assert_eq!(Some(&root), full.root.as_ref(), "{text}");
                    assert_eq!(issues, full.issues, "{text}");
                    fast += 1;
                }
                None => handed_on += 1,
            }
            // whichever path parses it, the result is the parser's
            assert_eq!(parse_text(&text, &Shift(7)).issues, full.issues, "{text}");
            // strict JSON within the depth is always built by the fast path
            let strict =
                jsonc_parser::parse_to_ast(&text, &CollectOptions::default(), &strict_options())
                    .is_ok();
            let deep = text.starts_with(&"[".repeat(FAST_DEPTH + 1))
                || text.starts_with(&r#"{"a":"#.repeat(FAST_DEPTH + 1));
            // (an empty text has no value to build: the parser says so)
            if strict && !deep && !text.trim().is_empty() {
                assert!(parse_text_fast(&text), "{text:?}");
            }
        }
        assert!(
            fast > 1_000 && handed_on > 1_000,
            "{fast} built, {handed_on} handed on"
        );
    }

    fn parse_text_fast(text: &str) -> bool {
        build_strict(text, &Shift(0), &mut Vec::new()).is_some()
    }
}
