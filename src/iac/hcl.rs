//! Terraform configurations in HCL, read with `hcl-edit` (which keeps every position), so the
//! pre-commit hook works without running Terraform.
//!
//! Resources and `data "aws_iam_policy_document"` blocks become the documents the rules read.
//! Values are resolved where the file itself determines them: literals, `jsonencode(...)`,
//! heredocs, `var.x` of a variable with a default, `local.x`, references to a bucket or user with
//! a literal name, `data.aws_caller_identity.*.account_id` from `--account-id`, and string
//! templates made of those. Anything else is an unknown value.
//!
//! Every evaluation is paid for from a per-file [`Budget`] of steps and bytes of text, so
//! references that fan out (a local made of two copies of another, and so on) stop with a
//! finding instead of building gigabytes; definitions are found through an index, so a step
//! costs the same in a module of any size.

use super::{
    member, object, string, terraform_resource, unknown, Body, Embedded, Suppression, Template,
    TfResource,
};
use crate::model::PolicyKind;
use crate::parse::json::{Issue, IssueKind, Kind, Member, Node};
use crate::parse::Budget;
use crate::source::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Block, BlockLabel, Body as HclBody, Structure};
use hcl_edit::template::Element;
use hcl_edit::Span as _;
use std::collections::HashMap;
use std::rc::Rc;

/// A parsed file: the text that owns it, where in that text it is, and its body.
type Parsed = (std::sync::Arc<str>, (usize, usize), Rc<HclBody>);

/// The files of the local modules a folder calls, by source as written: the entry that holds
/// each (see [`MODULE_MARK`]), its name and its text.
type CalledFiles<'s> = HashMap<&'s str, Vec<(&'s std::sync::Arc<str>, &'s str, &'s str)>>;

thread_local! {
    /// The module files this thread has parsed, with the text that owns each (kept alive, so
    /// that its address names it): a folder's files are each parsed once, not once per file
    /// that reads them.
    static PARSED: std::cell::RefCell<Vec<Parsed>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// How many parsed files a thread keeps, and how much of their text (the oldest goes first).
const PARSED_KEPT: usize = 128;
const PARSED_KEPT_BYTES: usize = 16 << 20;

/// `text` (a part of `owner`) parsed, from this thread's cache when it was before; `None` when
/// it is not valid HCL.
fn parsed(owner: &std::sync::Arc<str>, text: &str) -> Option<Rc<HclBody>> {
    let key = (text.as_ptr() as usize, text.len());
    let hit = PARSED.with(|p| {
        p.borrow()
            .iter()
            .find(|(o, k, _)| *k == key && std::sync::Arc::ptr_eq(o, owner))
            .map(|(_, _, b)| Rc::clone(b))
    });
    if hit.is_some() {
        return hit;
    }
    let body = Rc::new(hcl_edit::parser::parse_body(text).ok()?);
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        p.push((std::sync::Arc::clone(owner), key, Rc::clone(&body)));
        while p.len() > PARSED_KEPT
            || (p.len() > 1 && p.iter().map(|(_, (_, n), _)| n).sum::<usize>() > PARSED_KEPT_BYTES)
        {
            p.remove(0);
        }
    });
    Some(body)
}

const MAX_DEPTH: usize = 32;

fn label(l: &BlockLabel) -> &str {
    match l {
        BlockLabel::Ident(i) => i.as_str(),
        BlockLabel::String(s) => s.as_str(),
    }
}

struct Ctx<'a> {
    text: &'a str,
    body: &'a HclBody,
    /// The other files of the module (the same folder): their variables, locals and resources
    /// resolve references; their policy documents are checked with their own file.
    others: &'a [Rc<HclBody>],
    account: Option<&'a str>,
    index: Index<'a>,
    budget: Budget,
    /// Where in this file the budget ran out: the innermost attribute being read.
    exceeded_at: std::cell::Cell<Option<Span>>,
    /// The first `aws` provider of each alias (`None`: without one), read when first needed.
    providers: std::cell::OnceCell<HashMap<Option<String>, &'a Block>>,
    /// Billing ARNs built with the deployment's region, as they are read.
    region_arns: std::cell::RefCell<Vec<Span>>,
    /// Values read through a reference that keep their place: (where written, where used).
    relocated: std::cell::RefCell<Vec<(Span, Span)>>,
    /// The names bound where a value is read: a `for` expression's variables, `each` and
    /// `count` of a block created once; the innermost last.
    scope: std::cell::RefCell<Vec<(String, Node)>>,
    /// Which branch of every conditional whose condition is not known this pass reads
    /// (`None`: a value only where both branches agree).
    branch: std::cell::Cell<Option<bool>>,
    /// Whether such a conditional with differing branches was met.
    branched: std::cell::Cell<bool>,
    /// The branches read in this pass (see [`Template::picked`]).
    picked: std::cell::RefCell<Vec<Span>>,
    /// Whether a value a calling module gives was read.
    inputs_read: std::cell::Cell<bool>,
}

/// The definitions references name, the first of each in file order (this file, then the
/// others), as a search through the blocks would find them.
#[derive(Default)]
struct Index<'a> {
    locals: HashMap<&'a str, &'a Expression>,
    /// Values given to variables (tfvars files, `--var`).
    tfvars: HashMap<&'a str, &'a Expression>,
    /// The locals and variables defined in this file (not a sibling): a value read from them
    /// keeps its place in the file, where it is written.
    own: std::collections::HashSet<&'a str>,
    own_variables: std::collections::HashSet<&'a str>,
    variables: HashMap<&'a str, &'a Block>,
    resources: HashMap<(&'a str, &'a str), &'a Block>,
    /// `data "aws_iam_policy_document"` blocks of this file only.
    documents: HashMap<&'a str, &'a Block>,
    /// The values a calling module gives to variables, read where the call writes them.
    inputs: HashMap<String, Node>,
}

impl<'a> Index<'a> {
    fn new(body: &'a HclBody, others: &'a [Rc<HclBody>]) -> Self {
        let mut ix = Index::default();
        // the other bodies' top-level attributes are variable values (`terraform.tfvars`,
        // `*.auto.tfvars`, `--var-file`, `--var`, in that order: a later one wins); a `.tf`
        // file has none
        for a in others
            .iter()
            .flat_map(|b| b.iter())
            .filter_map(|s| match s {
                Structure::Attribute(a) => Some(a),
                _ => None,
            })
        {
            ix.tfvars.insert(a.key.as_str(), &a.value);
        }
        for (own, b) in std::iter::once((true, body))
            .chain(others.iter().map(|o| (false, &**o)))
            .flat_map(|(own, b)| b.iter().map(move |s| (own, s)))
            .filter_map(|(own, s)| match s {
                Structure::Block(b) => Some((own, b)),
                _ => None,
            })
        {
            let labels: Vec<&str> = b.labels.iter().map(label).collect();
            match (b.ident.as_str(), labels.as_slice()) {
                ("locals", _) => {
                    for s in b.body.iter() {
                        if let Structure::Attribute(a) = s {
                            if !ix.locals.contains_key(a.key.as_str()) && own {
                                ix.own.insert(a.key.as_str());
                            }
                            ix.locals.entry(a.key.as_str()).or_insert(&a.value);
                        }
                    }
                }
                ("variable", [name]) => {
                    if !ix.variables.contains_key(name) && own {
                        ix.own_variables.insert(name);
                    }
                    ix.variables.entry(name).or_insert(b);
                }
                ("resource", [ty, name]) => {
                    ix.resources.entry((ty, name)).or_insert(b);
                }
                ("data", ["aws_iam_policy_document", name]) if own => {
                    ix.documents.entry(name).or_insert(b);
                }
                _ => {}
            }
        }
        ix
    }
}

impl<'a> Ctx<'a> {
    /// Pay for a step and `bytes` of text; false once the file's budget has run out.
    fn spend(&self, bytes: usize) -> bool {
        self.budget.spend(1, bytes)
    }

    /// After reading something of this file at `span`: if that ran the budget out, this is
    /// where the finding goes (the first, innermost such place).
    fn mark(&self, span: Span) {
        if self.budget.exceeded().is_some() && self.exceeded_at.get().is_none() {
            self.exceeded_at.set(Some(span));
        }
    }

    fn blocks(&self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        std::iter::once(self.body)
            .chain(self.others.iter().map(|b| &**b))
            .flat_map(|b| b.iter())
            .filter_map(|s| match s {
                Structure::Block(b) => Some(b),
                _ => None,
            })
            .filter(move |b| b.ident.as_str() == ident)
    }

    fn attribute(block: &'a Block, key: &str) -> Option<&'a Expression> {
        block.body.iter().find_map(|s| match s {
            Structure::Attribute(a) if a.key.as_str() == key => Some(&a.value),
            _ => None,
        })
    }

    /// A reference (`var.x`, `local.x`, `aws_s3_bucket.b.arn`, `data.t.n.attr`) resolved to a
    /// node, or `None` when the file does not determine it.
    fn reference(&self, parts: &[String], span: Span, depth: usize) -> Option<Node> {
        let p: Vec<&str> = parts.iter().map(String::as_str).collect();
        match p.as_slice() {
            ["var", name] if self.index.inputs.contains_key(*name) => {
                let v = self.index.inputs.get(*name)?;
                self.inputs_read.set(true);
                let (nodes, bytes) = crate::parse::weight(v);
                self.budget.spend(nodes, bytes).then(|| v.clone())
            }
            ["var", name] if self.index.tfvars.contains_key(name) => {
                let given = *self.index.tfvars.get(name)?;
                let mut value = self.value(given, depth + 1);
                place(&mut value, span);
                Some(value)
            }
            ["var", name] => {
                let v = *self.index.variables.get(name)?;
                let d = Self::attribute(v, "default")?;
                // a default of "" or null (whole or in an object) is a sentinel: the value is
                // given at deployment, or the resources that read it are not created
                let mut value = self.value(d, depth + 1);
                sentinels_unknown(&mut value, self.text);
                self.written_or_placed(&mut value, span, self.index.own_variables.contains(name));
                Some(value)
            }
            ["local", name] => {
                let e = *self.index.locals.get(name)?;
                let mut v = self.value(e, depth + 1);
                if v.has_unknown() {
                    return None;
                }
                self.written_or_placed(&mut v, span, self.index.own.contains(name));
                Some(v)
            }
            // paths are relative to the file's folder
            ["path", "module" | "root" | "cwd"] => Some(string(".", span, span)),
            ["data", "aws_caller_identity", _, "account_id"] => {
                Some(string(self.account?, span, span))
            }
            ["data", "aws_partition", _, "partition"] => Some(string("aws", span, span)),
            ["data", "aws_iam_policy_document", name, "json" | "minified_json"] => {
                let b = *self.index.documents.get(name)?;
                Some(self.policy_document(b, depth + 1))
            }
            ["aws_s3_bucket", name, attr] => {
                let b = *self.index.resources.get(&("aws_s3_bucket", *name))?;
                let bucket = self.literal(Self::attribute(b, "bucket")?, depth)?;
                let value = match *attr {
                    "id" | "bucket" => bucket,
                    "arn" => format!("arn:aws:s3:::{bucket}"),
                    _ => return None,
                };
                if !self.spend(value.len()) {
                    return None;
                }
                Some(string(value, span, span))
            }
            ["aws_iam_user", name, "name" | "id"] => {
                let b = *self.index.resources.get(&("aws_iam_user", *name))?;
                let user = self.literal(Self::attribute(b, "name")?, depth)?;
                if !self.spend(user.len()) {
                    return None;
                }
                Some(string(user, span, span))
            }
            _ => None,
        }
    }

    /// Terraform's common functions, where their arguments are known: `None` otherwise (the
    /// value is then unknown). `try` and `coalesce` take the first argument that is known (and
    /// for `coalesce` not null or empty); `lookup` its default when the key is absent.
    fn function(&self, name: &str, args: &[&Expression], span: Span, depth: usize) -> Option<Node> {
        let known = |e: &Expression| {
            let v = self.value(e, depth + 1);
            (!v.has_unknown()).then_some(v)
        };
        let text = |e: &Expression| match known(e)?.kind {
            Kind::String(s) | Kind::Number(s) => Some(s),
            _ => None,
        };
        let list = |e: &Expression| match known(e)?.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        };
        let node = |kind| Node {
            span,
            inner: span,
            kind,
        };
        let out = match (name, args) {
            ("one", [a]) => match known(a)? {
                Node {
                    kind: Kind::Array(items),
                    ..
                } => match items.len() {
                    0 => node(Kind::Null),
                    1 => items.into_iter().next()?,
                    _ => return None,
                },
                v => v,
            },
            ("lower", [a]) => string(text(a)?.to_lowercase(), span, span),
            ("upper", [a]) => string(text(a)?.to_uppercase(), span, span),
            ("trimspace", [a]) => string(text(a)?.trim().to_string(), span, span),
            ("trimsuffix", [a, b]) => {
                let (a, b) = (text(a)?, text(b)?);
                string(
                    a.strip_suffix(b.as_str()).unwrap_or(&a).to_string(),
                    span,
                    span,
                )
            }
            ("trimprefix", [a, b]) => {
                let (a, b) = (text(a)?, text(b)?);
                string(
                    a.strip_prefix(b.as_str()).unwrap_or(&a).to_string(),
                    span,
                    span,
                )
            }
            ("tostring", [a]) => string(text(a)?, span, span),
            ("replace", [a, from, to]) => {
                let (a, from, to) = (text(a)?, text(from)?, text(to)?);
                // a pattern in slashes is a regular expression: not evaluated
                if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                    return None;
                }
                string(a.replace(&from, &to), span, span)
            }
            ("join", [sep, rest @ ..]) if !rest.is_empty() => {
                let sep = text(sep)?;
                let mut parts = Vec::new();
                for l in rest {
                    for item in list(l)? {
                        match item.kind {
                            Kind::String(s) | Kind::Number(s) => parts.push(s),
                            _ => return None,
                        }
                    }
                }
                string(parts.join(&sep), span, span)
            }
            ("format", [f, rest @ ..]) => {
                let f = text(f)?;
                let mut values = Vec::new();
                for r in rest {
                    values.push(text(r)?);
                }
                let mut out = String::new();
                let mut it = values.into_iter();
                let mut chars = f.chars().peekable();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    match chars.next()? {
                        '%' => out.push('%'),
                        's' | 'd' | 'v' => out.push_str(&it.next()?),
                        _ => return None,
                    }
                }
                string(out, span, span)
            }
            ("concat", lists) => {
                let mut items = Vec::new();
                for l in lists {
                    items.extend(list(l)?);
                }
                node(Kind::Array(items))
            }
            ("tolist" | "toset", [a]) => node(Kind::Array(list(a)?)),
            ("keys" | "values", [m]) => {
                let Kind::Object(mut ms) = known(m)?.kind else {
                    return None;
                };
                // Terraform gives a map's keys (and their values) in lexical order
                ms.sort_by(|a, b| a.key.cmp(&b.key));
                node(Kind::Array(
                    ms.into_iter()
                        .map(|m| {
                            if name == "keys" {
                                string(m.key, m.key_span, m.key_span)
                            } else {
                                m.value
                            }
                        })
                        .collect(),
                ))
            }
            ("length", [a]) => {
                let n = match known(a)?.kind {
                    Kind::Array(items) => items.len(),
                    Kind::Object(ms) => ms.len(),
                    Kind::String(s) => s.chars().count(),
                    _ => return None,
                };
                node(Kind::Number(n.to_string()))
            }
            ("contains", [l, v]) => {
                let v = crate::schema::to_value(&known(v)?);
                bool_node(
                    list(l)?.iter().any(|i| crate::schema::to_value(i) == v),
                    span,
                )
            }
            ("flatten", [a]) => {
                fn flat(items: Vec<Node>, out: &mut Vec<Node>) {
                    for i in items {
                        match i.kind {
                            Kind::Array(inner) => flat(inner, out),
                            _ => out.push(i),
                        }
                    }
                }
                let mut out = Vec::new();
                flat(list(a)?, &mut out);
                node(Kind::Array(out))
            }
            ("distinct", [a]) => {
                let mut out: Vec<Node> = Vec::new();
                for i in list(a)? {
                    let v = crate::schema::to_value(&i);
                    if !out.iter().any(|o| crate::schema::to_value(o) == v) {
                        out.push(i);
                    }
                }
                node(Kind::Array(out))
            }
            ("element", [l, i]) => {
                let items = list(l)?;
                let i: usize = text(i)?.parse().ok()?;
                items.get(i % items.len().max(1))?.clone()
            }
            ("merge", maps) => {
                let mut members: Vec<Member> = Vec::new();
                for m in maps {
                    let Kind::Object(ms) = known(m)?.kind else {
                        return None;
                    };
                    for m in ms {
                        members.retain(|x| x.key != m.key);
                        members.push(m);
                    }
                }
                node(Kind::Object(members))
            }
            ("lookup", [m, k, rest @ ..]) if rest.len() <= 1 => {
                let key = text(k)?;
                match known(m)?.get(&key) {
                    Some(v) => v.clone(),
                    None => known(rest.first()?)?,
                }
            }
            ("try", alternatives) => alternatives.iter().find_map(|a| known(a))?,
            ("coalesce", alternatives) => alternatives.iter().find_map(|a| {
                known(a).filter(|v| !matches!(&v.kind, Kind::Null) && v.as_str() != Some(""))
            })?,
            _ => return None,
        };
        self.spend(0).then_some(out)
    }

    /// A comparison or logical operation of known values (`==`, `!=`, `&&`, `||`, `<`, ...,
    /// and `+ - * /` of numbers); `None` where an operand is not known.
    fn binary(
        &self,
        lhs: &Expression,
        op: hcl_edit::expr::BinaryOperator,
        rhs: &Expression,
        span: Span,
        depth: usize,
    ) -> Option<Node> {
        use hcl_edit::expr::BinaryOperator as B;
        let a = self.value(lhs, depth + 1);
        let b = self.value(rhs, depth + 1);
        if a.has_unknown() || b.has_unknown() {
            // `false && x` and `true || x` are known whatever `x` is
            return match (op, &a.kind, &b.kind) {
                (B::And, Kind::Bool(false), _) | (B::And, _, Kind::Bool(false)) => {
                    Some(bool_node(false, span))
                }
                (B::Or, Kind::Bool(true), _) | (B::Or, _, Kind::Bool(true)) => {
                    Some(bool_node(true, span))
                }
                _ => None,
            };
        }
        let num = |n: &Node| match &n.kind {
            Kind::Number(x) => x.parse::<f64>().ok(),
            _ => None,
        };
        let out = match op {
            B::Eq => bool_node(
                crate::schema::to_value(&a) == crate::schema::to_value(&b),
                span,
            ),
            B::NotEq => bool_node(
                crate::schema::to_value(&a) != crate::schema::to_value(&b),
                span,
            ),
            B::And | B::Or => match (&a.kind, &b.kind) {
                (Kind::Bool(x), Kind::Bool(y)) => {
                    bool_node(if op == B::And { *x && *y } else { *x || *y }, span)
                }
                _ => return None,
            },
            B::Less | B::LessEq | B::Greater | B::GreaterEq => {
                let (x, y) = (num(&a)?, num(&b)?);
                bool_node(
                    match op {
                        B::Less => x < y,
                        B::LessEq => x <= y,
                        B::Greater => x > y,
                        _ => x >= y,
                    },
                    span,
                )
            }
            B::Plus | B::Minus | B::Mul | B::Div | B::Mod => {
                let (x, y) = (num(&a)?, num(&b)?);
                let r = match op {
                    B::Plus => x + y,
                    B::Minus => x - y,
                    B::Mul => x * y,
                    B::Div if y != 0.0 => x / y,
                    B::Mod if y != 0.0 => x % y,
                    _ => return None,
                };
                Node {
                    span,
                    inner: span,
                    kind: Kind::Number(if r.fract() == 0.0 && r.abs() < 1e15 {
                        format!("{}", r as i64)
                    } else {
                        r.to_string()
                    }),
                }
            }
        };
        Some(out)
    }

    /// A value read through a reference: where it is written when that is in this file (a
    /// finding then points at the text to change, and the use is a related place), else all of
    /// it at the reference.
    fn written_or_placed(&self, value: &mut Node, used_at: Span, own: bool) {
        if own && value.span.end <= self.text.len() && value.span != used_at {
            if let Ok(mut r) = self.relocated.try_borrow_mut() {
                if !r.contains(&(value.span, used_at)) {
                    r.push((value.span, used_at));
                }
            }
        } else {
            place(value, used_at);
        }
    }

    /// The value bound to a name (`for` variables, `each`, `count`), the innermost first.
    fn bound(&self, name: &str) -> Option<Node> {
        let scope = self.scope.try_borrow().ok()?;
        let (_, v) = scope.iter().rev().find(|(n, _)| n == name)?;
        let (nodes, bytes) = crate::parse::weight(v);
        self.budget.spend(nodes, bytes).then(|| v.clone())
    }

    /// `body` evaluated with `bindings` in scope.
    fn with<T>(&self, bindings: Vec<(String, Node)>, body: impl FnOnce() -> T) -> T {
        let n = bindings.len();
        if let Ok(mut s) = self.scope.try_borrow_mut() {
            s.extend(bindings);
        }
        let out = body();
        if let Ok(mut s) = self.scope.try_borrow_mut() {
            let keep = s.len().saturating_sub(n);
            s.truncate(keep);
        }
        out
    }

    /// `each` and `count` of a block created exactly once (`count = 1`, a `for_each` of one
    /// element): known there; with more instances they differ per instance (unknown).
    fn instance(&self, b: &Block) -> Vec<(String, Node)> {
        let mut out = Vec::new();
        for s in b.body.iter() {
            let Structure::Attribute(a) = s else { continue };
            let span = Span::of(a.value.span());
            match a.key.as_str() {
                "count" => {
                    if let Kind::Number(n) = &self.value(&a.value, 1).kind {
                        if n.parse::<f64>().is_ok_and(|n| n == 1.0) {
                            let index = Node {
                                span,
                                inner: span,
                                kind: Kind::Number("0".into()),
                            };
                            out.push((
                                "count".into(),
                                object(vec![member("index", span, index)], span),
                            ));
                        }
                    }
                }
                "for_each" => {
                    let v = self.value(&a.value, 1);
                    let pair = match &v.kind {
                        Kind::Array(items) if items.len() == 1 => {
                            Some((items[0].clone(), items[0].clone()))
                        }
                        Kind::Object(members) if members.len() == 1 => Some((
                            string(
                                members[0].key.as_str(),
                                members[0].key_span,
                                members[0].key_span,
                            ),
                            members[0].value.clone(),
                        )),
                        _ => None,
                    };
                    if let Some((k, v)) = pair {
                        let each = object(
                            vec![member("key", k.span, k), member("value", v.span, v)],
                            span,
                        );
                        out.push(("each".into(), each));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `[for k, v in coll : value if cond]` and `{for k, v in coll : key => value}` over a
    /// known collection; unknown when the collection, a condition or a key is not known.
    fn for_expr(&self, f: &hcl_edit::expr::ForExpr, span: Span, depth: usize) -> Node {
        let coll = self.value(&f.intro.collection_expr, depth + 1);
        let pairs: Vec<(Node, Node)> = match coll.kind {
            Kind::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let k = Node {
                        span: v.span,
                        inner: v.span,
                        kind: Kind::Number(i.to_string()),
                    };
                    (k, v)
                })
                .collect(),
            Kind::Object(members) => members
                .into_iter()
                .map(|m| (string(m.key, m.key_span, m.key_span), m.value))
                .collect(),
            _ => return unknown(self.text, span),
        };
        if f.grouping {
            return unknown(self.text, span);
        }
        let value_var = f.intro.value_var.as_str().to_string();
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let mut items = Vec::new();
        let mut members: Vec<Member> = Vec::new();
        for (k, v) in pairs {
            let mut bindings = vec![(value_var.clone(), v)];
            if let Some(kv) = &key_var {
                bindings.push((kv.clone(), k));
            }
            let step = self.with(bindings, || {
                if let Some(c) = &f.cond {
                    match self.value(&c.expr, depth + 1).kind {
                        Kind::Bool(true) => {}
                        Kind::Bool(false) => return Some(None),
                        _ => return None,
                    }
                }
                let value = self.value(&f.value_expr, depth + 1);
                let key = match &f.key_expr {
                    Some(ke) => match self.value(ke, depth + 1).kind {
                        Kind::String(s) | Kind::Number(s) => Some((s, Span::of(ke.span()))),
                        _ => return None,
                    },
                    None => None,
                };
                Some(Some((key, value)))
            });
            match step {
                None => return unknown(self.text, span),
                Some(None) => {}
                Some(Some((Some((key, key_span)), value))) => {
                    members.retain(|m| m.key != key);
                    members.push(Member {
                        key,
                        key_span,
                        value,
                    });
                }
                Some(Some((None, value))) => items.push(value),
            }
            if self.budget.exceeded().is_some() {
                return unknown(self.text, span);
            }
        }
        let kind = if f.key_expr.is_some() {
            Kind::Object(members)
        } else {
            Kind::Array(items)
        };
        Node {
            span,
            inner: span,
            kind,
        }
    }

    /// Whether a block is declared with a `count` known to be 0 or a `for_each` known to be
    /// empty.
    fn never_created(&self, b: &Block) -> bool {
        // a count that depends on an unknown condition is checked as if created, in every pass
        let branch = self.branch.replace(None);
        let out = self.never_created_in(b);
        self.branch.set(branch);
        out
    }

    fn never_created_in(&self, b: &Block) -> bool {
        let empty = |e: &Expression| {
            let v = self.value(e, 1);
            match &v.kind {
                Kind::Number(n) => n.parse::<f64>().is_ok_and(|n| n == 0.0),
                Kind::Array(items) => items.is_empty(),
                Kind::Object(members) => members.is_empty(),
                _ => false,
            }
        };
        b.body.iter().any(|s| match s {
            Structure::Attribute(a) => {
                matches!(a.key.as_str(), "count" | "for_each") && empty(&a.value)
            }
            _ => false,
        })
    }

    /// One step into a known value: an attribute of an object, an element of a list or a key
    /// of a map; `None` where it is not determined.
    fn step(&self, v: &Node, op: &TraversalOperator, depth: usize) -> Option<Node> {
        match op {
            TraversalOperator::GetAttr(i) => v.get(i.as_str()).cloned(),
            TraversalOperator::LegacyIndex(n) => {
                let n = usize::try_from(*n.value()).ok()?;
                v.as_array()?.get(n).cloned()
            }
            TraversalOperator::Index(e) => match self.value(e, depth + 1).kind {
                Kind::Number(n) => v.as_array()?.get(n.parse::<usize>().ok()?).cloned(),
                Kind::String(k) => v.get(&k).cloned(),
                _ => None,
            },
            _ => None,
        }
    }

    fn literal(&self, expr: &Expression, depth: usize) -> Option<String> {
        match self.value(expr, depth + 1).kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The node of an expression; unknown where the file does not determine it.
    fn value(&self, expr: &Expression, depth: usize) -> Node {
        let span = Span::of(expr.span());
        if depth > MAX_DEPTH || !self.spend(0) {
            return unknown(self.text, span);
        }
        let node = |kind| Node {
            span,
            inner: span,
            kind,
        };
        match expr {
            Expression::Null(_) => node(Kind::Null),
            Expression::Bool(b) => node(Kind::Bool(*b.value())),
            Expression::Number(n) => {
                let n = n.value().to_string();
                if !self.spend(n.len()) {
                    return unknown(self.text, span);
                }
                node(Kind::Number(n))
            }
            Expression::String(s) => {
                if !self.spend(s.value().len()) {
                    return unknown(self.text, span);
                }
                let inner = if span.len() >= 2 {
                    Span::new(span.start + 1, span.end - 1)
                } else {
                    span
                };
                string(s.value().as_str(), span, inner)
            }
            Expression::Array(a) => node(Kind::Array(
                a.iter().map(|e| self.value(e, depth + 1)).collect(),
            )),
            Expression::Object(o) => {
                let mut members = Vec::new();
                for (k, v) in o.iter() {
                    let (key, key_span) = match k {
                        ObjectKey::Ident(i) => {
                            if !self.spend(i.as_str().len()) {
                                return unknown(self.text, span);
                            }
                            (i.as_str().to_string(), Span::of(i.span()))
                        }
                        ObjectKey::Expression(e) => match self.value(e, depth + 1).kind {
                            Kind::String(s) => (s, Span::of(e.span())),
                            _ => return unknown(self.text, span),
                        },
                    };
                    members.push(Member {
                        key,
                        key_span,
                        value: self.value(v.expr(), depth + 1),
                    });
                }
                node(Kind::Object(members))
            }
            Expression::StringTemplate(t) => self.template(t.iter(), span, true, depth),
            Expression::HeredocTemplate(h) => {
                let tspan = Span::of(h.template.span());
                let mut n = self.template(h.template.iter(), tspan, false, depth);
                n.span = span;
                n
            }
            Expression::Parenthesis(p) => self.value(p.inner(), depth + 1),
            Expression::Variable(v) => self
                .bound(v.as_str())
                .unwrap_or_else(|| unknown(self.text, span)),
            Expression::ForExpr(f) => self.for_expr(f, span, depth),
            Expression::Traversal(t) => {
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                let root = match &t.expr {
                    Expression::Variable(v) => v.as_str().to_string(),
                    // `[for ...][0]`, `merge(...).x`: the value, stepped into
                    other => {
                        let mut v = self.value(other, depth + 1);
                        for op in &ops {
                            v = match self.step(&v, op, depth) {
                                Some(x) => x,
                                None => return unknown(self.text, span),
                            };
                        }
                        return v;
                    }
                };
                // a bound name (`each.value.name`, a `for` variable): its value, stepped into
                if let Some(mut v) = self.bound(&root) {
                    for op in &ops {
                        v = match self.step(&v, op, depth) {
                            Some(x) => x,
                            None => return unknown(self.text, span),
                        };
                    }
                    return v;
                }
                // `var.x` and `local.x`: the value, then its attributes and elements
                if root == "var" || root == "local" {
                    let Some(TraversalOperator::GetAttr(name)) = ops.first() else {
                        return unknown(self.text, span);
                    };
                    let Some(mut v) =
                        self.reference(&[root, name.as_str().to_string()], span, depth)
                    else {
                        return unknown(self.text, span);
                    };
                    for op in &ops[1..] {
                        v = match self.step(&v, op, depth) {
                            Some(x) => x,
                            None => return unknown(self.text, span),
                        };
                    }
                    return v;
                }
                // a resource or data source: an instance of one declared with `count` or
                // `for_each` (`x[0]`, `x["k"]`, `x[*]`) has the attributes the block gives
                let mut parts = vec![root];
                for op in ops {
                    match op {
                        TraversalOperator::GetAttr(i) => parts.push(i.as_str().to_string()),
                        TraversalOperator::Index(_)
                        | TraversalOperator::LegacyIndex(_)
                        | TraversalOperator::FullSplat(_)
                        | TraversalOperator::AttrSplat(_) => {}
                    }
                }
                self.reference(&parts, span, depth)
                    .unwrap_or_else(|| unknown(self.text, span))
            }
            Expression::FuncCall(f) => {
                let name = f.name.name.as_str();
                let args: Vec<&Expression> = f.args.iter().collect();
                match (name, args.as_slice()) {
                    // the document itself, so every position inside it is kept
                    ("jsonencode", [arg]) => self.value(arg, depth + 1),
                    // a JSON text of the configuration: its document, positions kept where
                    // the text is written in this file
                    ("jsondecode", [arg]) => {
                        let v = self.value(arg, depth + 1);
                        let mut ignored = Vec::new();
                        match super::policy_from_string(self.text, &v, false, &mut ignored) {
                            Some(root) if ignored.is_empty() => root,
                            _ => unknown(self.text, span),
                        }
                    }
                    // a policy in a file of the module: read by the run, with its kind
                    ("file", [arg]) => match self.value(arg, depth + 1).kind {
                        Kind::String(path) => Node {
                            span,
                            inner: span,
                            kind: Kind::Unknown(format!("{}{path}", super::FILE_MARK)),
                        },
                        _ => unknown(self.text, span),
                    },
                    // a template in a file of the module: read by the run with the variables
                    // known here, with its kind
                    ("templatefile", [path, vars]) => {
                        let path = self.value(path, depth + 1);
                        let vars = self.value(vars, depth + 1);
                        match (&path.kind, &vars.kind) {
                            (Kind::String(path), Kind::Object(members)) => {
                                let known: std::collections::BTreeMap<&str, String> = members
                                    .iter()
                                    .filter_map(|m| match &m.value.kind {
                                        Kind::String(v) | Kind::Number(v) => {
                                            Some((m.key.as_str(), v.clone()))
                                        }
                                        Kind::Bool(b) => Some((m.key.as_str(), b.to_string())),
                                        _ => None,
                                    })
                                    .collect();
                                let vars = serde_json::to_string(&known).unwrap_or_default();
                                Node {
                                    span,
                                    inner: span,
                                    kind: Kind::Unknown(format!(
                                        "{}{path}\u{1}{vars}",
                                        super::TEMPLATE_MARK
                                    )),
                                }
                            }
                            _ => unknown(self.text, span),
                        }
                    }
                    _ => self
                        .function(name, &args, span, depth)
                        .unwrap_or_else(|| unknown(self.text, span)),
                }
            }
            Expression::BinaryOp(op) => self
                .binary(
                    &op.lhs_expr,
                    *op.operator.value(),
                    &op.rhs_expr,
                    span,
                    depth,
                )
                .unwrap_or_else(|| unknown(self.text, span)),
            Expression::UnaryOp(op) => {
                let v = self.value(&op.expr, depth + 1);
                match (op.operator.value(), &v.kind) {
                    (hcl_edit::expr::UnaryOperator::Not, Kind::Bool(b)) => node(Kind::Bool(!b)),
                    (hcl_edit::expr::UnaryOperator::Neg, Kind::Number(n)) => {
                        node(Kind::Number(format!("-{n}")))
                    }
                    _ => unknown(self.text, span),
                }
            }
            // a condition the configuration determines: its branch
            Expression::Conditional(c) => {
                // a condition the configuration determines: its branch
                match self.value(&c.cond_expr, depth + 1).kind {
                    Kind::Bool(true) => return self.value(&c.true_expr, depth + 1),
                    Kind::Bool(false) => return self.value(&c.false_expr, depth + 1),
                    _ => {}
                }
                let a = self.value(&c.true_expr, depth + 1);
                let b = self.value(&c.false_expr, depth + 1);
                if !a.has_unknown() && crate::schema::to_value(&a) == crate::schema::to_value(&b) {
                    return a;
                }
                self.branched.set(true);
                // a pass that reads one side of every such condition: that branch, at its text
                match self.branch.get() {
                    Some(side) => {
                        let (chosen, e) = if side {
                            (a, &c.true_expr)
                        } else {
                            (b, &c.false_expr)
                        };
                        if let Ok(mut p) = self.picked.try_borrow_mut() {
                            p.push(Span::of(e.span()));
                        }
                        chosen
                    }
                    None => unknown(self.text, span),
                }
            }
        }
    }

    /// A string template: literal parts and interpolations the file determines.
    fn template<'t>(
        &self,
        elements: impl Iterator<Item = &'t Element>,
        span: Span,
        quoted: bool,
        depth: usize,
    ) -> Node {
        if self
            .text
            .get(span.start..span.end)
            .is_some_and(super::deployment_region_arn)
        {
            if let Ok(mut r) = self.region_arns.try_borrow_mut() {
                if !r.contains(&span) {
                    r.push(span);
                }
            }
        }
        let mut out = String::new();
        for e in elements {
            match e {
                Element::Literal(l) => out.push_str(l.value()),
                Element::Interpolation(i) => match self.value(&i.expr, depth + 1).kind {
                    Kind::String(s) | Kind::Number(s) => out.push_str(&s),
                    _ => return unknown(self.text, span),
                },
                Element::Directive(_) => return unknown(self.text, span),
            }
        }
        // the parts were paid for as they were read; the joined copy is paid for here
        if !self.spend(out.len()) {
            return unknown(self.text, span);
        }
        let inner = if quoted && span.len() >= 2 {
            Span::new(span.start + 1, span.end - 1)
        } else {
            span
        };
        string(out, span, inner)
    }

    /// A block's body as Terraform JSON writes it: attributes as members, nested blocks as
    /// arrays of objects.
    fn body(&self, block: &Block, depth: usize) -> Node {
        if depth == 0 {
            let bindings = self.instance(block);
            if !bindings.is_empty() {
                return self.with(bindings, || self.body_of(block, depth));
            }
        }
        self.body_of(block, depth)
    }

    fn body_of(&self, block: &Block, depth: usize) -> Node {
        let span = Span::of(block.span());
        let mut members: Vec<Member> = Vec::new();
        for s in block.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let value = self.value(&a.value, depth + 1);
                    self.mark(Span::of(a.span()));
                    members.push(Member {
                        key: a.key.as_str().to_string(),
                        key_span: Span::of(a.key.span()),
                        value,
                    })
                }
                Structure::Block(b) if b.ident.as_str() == "dynamic" => {
                    // blocks generated at plan time: none when `for_each` is known to be empty,
                    // else the `content` (its iterator's values unknown), as if generated
                    let name = b.labels.first().map(label).unwrap_or("dynamic").to_string();
                    if self.never_created(b) {
                        continue;
                    }
                    let bspan = Span::of(b.span());
                    let content = b.body.iter().find_map(|s| match s {
                        Structure::Block(c) if c.ident.as_str() == "content" => Some(c),
                        _ => None,
                    });
                    let v = match content {
                        Some(c) => self.body(c, depth + 1),
                        None => unknown(self.text, bspan),
                    };
                    push_block(&mut members, &name, Span::of(b.ident.span()), v);
                }
                Structure::Block(b) => {
                    let v = self.body(b, depth + 1);
                    push_block(&mut members, b.ident.as_str(), Span::of(b.ident.span()), v);
                }
            }
        }
        object(members, span)
    }

    /// `data "aws_iam_policy_document"` rendered as the policy JSON it outputs, every element at
    /// the position of the argument that wrote it.
    fn policy_document(&self, block: &Block, depth: usize) -> Node {
        let b = self.body(block, depth);
        let bspan = b.span;
        let mut top = Vec::new();
        let version = b.member("version");
        top.push(match version {
            Some(v) => member("Version", v.key_span, v.value.clone()),
            None => member("Version", bspan, string("2012-10-17", bspan, bspan)),
        });
        if let Some(id) = b.member("policy_id") {
            top.push(member("Id", id.key_span, id.value.clone()));
        }
        let mut statements = Vec::new();
        for st in b.get("statement").map(Node::one_or_many).unwrap_or(&[]) {
            if st.is_unknown() {
                statements.push(st.clone());
                continue;
            }
            let mut m = Vec::new();
            let rename = |from: &str, to: &str, m: &mut Vec<Member>| {
                if let Some(x) = st.member(from) {
                    m.push(member(to, x.key_span, x.value.clone()));
                }
            };
            rename("sid", "Sid", &mut m);
            match st.member("effect") {
                Some(e) => m.push(member("Effect", e.key_span, e.value.clone())),
                None => m.push(member("Effect", st.span, string("Allow", st.span, st.span))),
            }
            for (from, to) in [
                ("principals", "Principal"),
                ("not_principals", "NotPrincipal"),
            ] {
                if let Some(p) = st.member(from) {
                    m.push(member(to, p.key_span, principals(&p.value)));
                }
            }
            rename("actions", "Action", &mut m);
            rename("not_actions", "NotAction", &mut m);
            rename("resources", "Resource", &mut m);
            rename("not_resources", "NotResource", &mut m);
            if let Some(c) = st.member("condition") {
                m.push(member("Condition", c.key_span, conditions(&c.value)));
            }
            statements.push(object(m, st.span));
        }
        // documents merged in at plan time may add statements: unknown
        for extra in [
            "source_policy_documents",
            "override_policy_documents",
            "source_json",
            "override_json",
        ] {
            if let Some(x) = b.member(extra) {
                statements.push(unknown(self.text, x.value.span));
            }
        }
        // the provider writes `&{...}` as the policy variable `${...}` (so that Terraform does
        // not interpolate it)
        for st in statements.iter_mut() {
            policy_variables(st);
        }
        let sspan = b.member("statement").map(|m| m.key_span).unwrap_or(bspan);
        top.push(member(
            "Statement",
            sspan,
            Node {
                span: sspan,
                inner: sspan,
                kind: Kind::Array(statements),
            },
        ));
        object(top, bspan)
    }
}

/// `&{` written for a policy variable in a policy document data source, as the provider
/// renders it: `${` (the same length, so every position is kept).
fn policy_variables(n: &mut Node) {
    match &mut n.kind {
        Kind::String(s) if s.contains("&{") => *s = s.replace("&{", "${"),
        Kind::Array(items) => items.iter_mut().for_each(policy_variables),
        Kind::Object(members) => members
            .iter_mut()
            .for_each(|m| policy_variables(&mut m.value)),
        _ => {}
    }
}

fn bool_node(b: bool, span: Span) -> Node {
    Node {
        span,
        inner: span,
        kind: Kind::Bool(b),
    }
}

/// `""` and `null` in a variable's default made unknown (see `reference`).
fn sentinels_unknown(n: &mut Node, text: &str) {
    match &mut n.kind {
        Kind::Null => *n = unknown(text, n.span),
        Kind::String(s) if s.is_empty() => *n = unknown(text, n.span),
        Kind::Array(items) => items.iter_mut().for_each(|i| sentinels_unknown(i, text)),
        Kind::Object(members) => members
            .iter_mut()
            .for_each(|m| sentinels_unknown(&mut m.value, text)),
        _ => {}
    }
}

fn place(n: &mut Node, span: Span) {
    n.span = span;
    n.inner = span;
    match &mut n.kind {
        Kind::Array(items) => items.iter_mut().for_each(|i| place(i, span)),
        Kind::Object(members) => members.iter_mut().for_each(|m| {
            m.key_span = span;
            place(&mut m.value, span)
        }),
        _ => {}
    }
}

fn push_block(members: &mut Vec<Member>, key: &str, key_span: Span, value: Node) {
    match members.iter_mut().find(|m| m.key == key) {
        Some(m) => {
            if let Kind::Array(items) = &mut m.value.kind {
                m.value.span.end = m.value.span.end.max(value.span.end);
                items.push(value);
            }
        }
        None => members.push(Member {
            key: key.to_string(),
            key_span,
            value: Node {
                span: value.span,
                inner: value.span,
                kind: Kind::Array(vec![value]),
            },
        }),
    }
}

/// The whole element, when one of its blocks is not determined by the file.
fn undetermined(blocks: &Node, what: &str) -> Node {
    Node {
        span: blocks.span,
        inner: blocks.span,
        kind: Kind::Unknown(what.to_string()),
    }
}

/// `principals { type = "Service" identifiers = [...] }` blocks as a `Principal` object; unknown
/// when a block's type or identifiers are not determined.
fn principals(blocks: &Node) -> Node {
    let mut out: Vec<Member> = Vec::new();
    for p in blocks.one_or_many() {
        let (Some(ty), Some(ids)) = (p.member("type"), p.get("identifiers").cloned()) else {
            return undetermined(blocks, "principals");
        };
        match ty.value.as_str() {
            Some("*") => return string("*", p.span, p.span),
            Some(t) => match out.iter_mut().find(|m| m.key == t) {
                Some(m) => {
                    let mut items = m.value.one_or_many().to_vec();
                    items.extend(ids.one_or_many().iter().cloned());
                    m.value.kind = Kind::Array(items);
                }
                None => out.push(member(t, ty.value.span, ids)),
            },
            None => return undetermined(blocks, "principals"),
        }
    }
    object(out, blocks.span)
}

/// `condition { test = "StringEquals" variable = "aws:SourceAccount" values = [...] }` blocks as
/// a `Condition` object; unknown when a block's test, variable or values are not determined.
fn conditions(blocks: &Node) -> Node {
    let mut ops: Vec<Member> = Vec::new();
    for c in blocks.one_or_many() {
        let (Some(test), Some(var), Some(values)) = (
            c.member("test"),
            c.member("variable"),
            c.get("values").cloned(),
        ) else {
            return undetermined(blocks, "condition");
        };
        let (Some(t), Some(v)) = (test.value.as_str(), var.value.as_str()) else {
            return undetermined(blocks, "condition");
        };
        let key = member(v, var.value.span, values);
        match ops.iter_mut().find(|m| m.key == t) {
            Some(op) => {
                if let Kind::Object(keys) = &mut op.value.kind {
                    keys.push(key);
                }
            }
            None => ops.push(member(t, test.value.span, object(vec![key], c.span))),
        }
    }
    object(ops, blocks.span)
}

/// `# finops-lint: ignore CODE[,CODE] -- reason` (or `//`), on the line before a block or inside it.
fn suppressions(text: &str, blocks: &[(Span, Span)], out: &mut Vec<Suppression>) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let body = trimmed
            .strip_prefix('#')
            .or_else(|| trimmed.strip_prefix("//"))
            .map(str::trim_start);
        let Some(rest) = body.and_then(|b| b.strip_prefix("finops-lint:")) else {
            continue;
        };
        let at = start + (line.len() - trimmed.len());
        let span = Span::new(at, start + line.trim_end().len());
        let rest = rest.trim_start();
        let Some(list) = rest.strip_prefix("ignore") else {
            continue;
        };
        let (codes, reason) = match list.split_once("--") {
            Some((c, r)) => (c, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
            None => (list, None),
        };
        // `list` is a slice of `line`: its offset in the line is the difference of addresses
        let codes_at = start + (list.as_ptr() as usize - line.as_ptr() as usize);
        let mut rules = Vec::new();
        for name in codes
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|n| !n.is_empty())
        {
            let at = codes_at + (name.as_ptr() as usize - codes.as_ptr() as usize);
            rules.push((name.to_string(), Span::new(at, at + name.len())));
        }
        // the block the comment is in, else the next one (the blocks are in file order)
        let after = blocks.partition_point(|(s, _)| s.start <= at);
        let scope = after
            .checked_sub(1)
            .and_then(|i| blocks.get(i))
            .filter(|(s, _)| at < s.end)
            .or_else(|| blocks.get(after))
            .map(|(s, _)| *s);
        let Some(scope) = scope else {
            continue;
        };
        out.push(Suppression {
            rules,
            reason,
            span,
            scope,
        });
    }
}

/// Read one `.tf` file. `siblings` are the texts of the other `.tf` files of its folder.
pub fn extract(
    text: &str,
    invalid_utf8_at: Option<usize>,
    account: Option<&str>,
    siblings: &[std::sync::Arc<str>],
) -> Template {
    let mut t = Template {
        format: "Terraform configuration",
        ..Default::default()
    };
    if let Some(at) = invalid_utf8_at {
        t.issues.push(Issue {
            kind: IssueKind::InvalidUtf8,
            span: Span::new(at, at + 3),
            message: "the file is not valid UTF-8".into(),
            related: None,
        });
    }
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(b) => b,
        Err(e) => {
            let at = byte_offset(text, e.location().line(), e.location().column());
            t.issues.push(Issue {
                kind: IssueKind::Syntax,
                span: Span::new(at, (at + 1).min(text.len()).max(at)),
                message: format!("invalid HCL: {}", e.message()),
                related: None,
            });
            return t;
        }
    };
    // the files of the local modules the folder calls, by source as written
    let mut modules: CalledFiles = HashMap::new();
    let mut aliases: Vec<(&str, &str)> = Vec::new();
    let mut plain = Vec::new();
    for sib in siblings {
        match sib.strip_prefix(MODULE_MARK).and_then(|r| {
            let (source, rest) = r.split_once('\u{1}')?;
            let (name, text) = rest.split_once('\n')?;
            Some((source, name, text))
        }) {
            Some((source, ALIAS_NAME, first)) => aliases.push((source, first)),
            Some((source, name, text)) => {
                modules.entry(source).or_default().push((sib, name, text))
            }
            None => plain.push(sib),
        }
    }
    for (alias, first) in aliases {
        if let Some(files) = modules.get(first).cloned() {
            modules.insert(alias, files);
        }
    }
    let others: Vec<Rc<HclBody>> = plain.iter().filter_map(|t| parsed(t, t)).collect();
    let module_len = plain
        .iter()
        .fold(text.len(), |n, s| n.saturating_add(s.len()));
    let format = t.format;
    let mut t = extract_body(
        text,
        &body,
        &others,
        module_len,
        account,
        None,
        HashMap::new(),
        t,
    );
    if t.branched {
        // each branch of the conditionals whose condition is not known, in a pass of its own
        for side in [true, false] {
            let pass = Template {
                format,
                ..Default::default()
            };
            let read = extract_body(
                text,
                &body,
                &others,
                module_len,
                account,
                Some(side),
                HashMap::new(),
                pass,
            );
            t.passes.push(read);
        }
    }
    if !modules.is_empty() {
        calls(text, &body, &others, module_len, account, &modules, &mut t);
    }
    t
}

/// The documents of a parsed configuration (`body`, with the other files of its module
/// `others`); `inputs` are the values a calling module gives to its variables.
#[allow(clippy::too_many_arguments)]
fn extract_body(
    text: &str,
    body: &HclBody,
    others: &[Rc<HclBody>],
    module_len: usize,
    account: Option<&str>,
    branch: Option<bool>,
    inputs: HashMap<String, Node>,
    mut t: Template,
) -> Template {
    let mut index = Index::new(body, others);
    index.inputs = inputs;
    let ctx = Ctx {
        text,
        body,
        others,
        account,
        index,
        budget: Budget::for_template(module_len),
        exceeded_at: Default::default(),
        providers: Default::default(),
        region_arns: Default::default(),
        relocated: Default::default(),
        scope: Default::default(),
        branch: std::cell::Cell::new(branch),
        branched: Default::default(),
        picked: Default::default(),
        inputs_read: Default::default(),
    };
    // the module is every `.tf` file of the folder: a bucket policy or a policy document's use
    // in a sibling file counts, and the exports declared there set the export type
    let uses = Uses::new(std::iter::once(body).chain(others.iter().map(|b| &**b)));
    let mut declared = (false, false);
    for b in std::iter::once(body)
        .chain(others.iter().map(|b| &**b))
        .flat_map(|b| b.iter())
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "resource" => Some(b),
            _ => None,
        })
    {
        match b.labels.first().map(label) {
            Some("aws_cur_report_definition") if !ctx.never_created(b) => declared.0 = true,
            Some("aws_bcmdataexports_export") if !ctx.never_created(b) => {
                let export = ctx.body(b, 0);
                let api = export.get("export").map(super::api_shape);
                declared.1 |= api.as_ref().is_none_or(super::is_cur2_export);
            }
            _ => {}
        }
    }
    t.declared = Some(declared);
    let mut scopes = Vec::new();
    let mut all = Vec::new();
    for s in body.iter() {
        match s {
            Structure::Block(b) => {
                all.push(ctx.body(b, 0));
                ctx.mark(Span::of(b.ident.span()));
            }
            Structure::Attribute(a) => {
                all.push(ctx.value(&a.value, 0));
                ctx.mark(Span::of(a.span()));
            }
        }
        if ctx.budget.exceeded().is_some() {
            return over_budget(&ctx, t);
        }
    }
    t.values = Some(Node {
        span: Span::new(0, text.len()),
        inner: Span::new(0, text.len()),
        kind: Kind::Array(all),
    });
    // the billing ARNs that count are those of the documents extracted below (a resource that
    // is never created, an unused local, are not)
    ctx.region_arns.borrow_mut().clear();
    // and the conditionals that count are those the documents read
    ctx.branched.set(false);
    ctx.inputs_read.set(false);
    for s in body.iter() {
        let Structure::Block(b) = s else {
            continue;
        };
        let scope = Span::of(b.span());
        scopes.push((scope, Span::of(b.ident.span())));
        let labels: Vec<&str> = b.labels.iter().map(label).collect();
        // a resource whose `count` is 0 (or `for_each` empty) is not created: not checked; one
        // whose count is unknown is checked as if it were
        if b.ident.as_str() == "resource" && ctx.never_created(b) {
            continue;
        }
        match (b.ident.as_str(), labels.as_slice()) {
            (
                "resource",
                [ty @ ("aws_bcmdataexports_export" | "aws_cur_report_definition"), name],
            ) => {
                if let Some(l) = link(&uses, b, ty, name) {
                    t.links.push(l);
                }
                if *ty == "aws_cur_report_definition" {
                    if let Some(r) = provider_region(&ctx, b) {
                        // from version 5.43.0 the provider sends the report's calls to
                        // us-east-1 itself: only a configuration held to older versions fails
                        if provider_before(body, others, (5, 43, 0)) {
                            t.cur_regions.push(r);
                        }
                    }
                }
                extract_resource(&ctx, b, ty, name, scope, text, &mut t);
            }
            ("resource", [ty, name]) if super::TERRAFORM_TYPES.contains(ty) => {
                extract_resource(&ctx, b, ty, name, scope, text, &mut t)
            }
            ("data", ["aws_iam_policy_document", name]) => {
                let root = ctx.policy_document(b, 0);
                // the kind comes from where the document is used
                let kind = uses.documents.get(*name).copied();
                t.docs.push(Embedded {
                    resource: format!("data.aws_iam_policy_document.{name}"),
                    scope,
                    body: Body::Policy {
                        kind,
                        root,
                        for_platform: true,
                    },
                    used_by: uses.document_users.get(*name).cloned(),
                });
            }
            _ => {}
        }
        ctx.mark(Span::of(b.ident.span()));
        if ctx.budget.exceeded().is_some() {
            return over_budget(&ctx, t);
        }
    }
    // a policy written in a local of this file and used by a resource of another: checked
    // here, where its text is; the resource's file does not check it again
    let declares = |address: &str| {
        body.iter().any(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "resource" && b.labels.len() == 2 => {
                format!("{}.{}", label(&b.labels[0]), label(&b.labels[1])) == address
            }
            _ => false,
        })
    };
    let mut locals: Vec<(&String, &(PolicyKind, String, Span))> = uses.locals.iter().collect();
    locals.sort_by_key(|(_, (_, _, at))| at.start);
    for (name, (kind, user, at)) in locals {
        let own = ctx.index.own.contains(name.as_str());
        if own && !declares(user) {
            let Some(expr) = ctx.index.locals.get(name.as_str()).copied() else {
                continue;
            };
            let value = ctx.value(expr, 0);
            if let Some(root) = super::policy_root(text, &value, false, &mut t.issues) {
                t.docs.push(Embedded {
                    resource: format!("local.{name}"),
                    scope: Span::of(expr.span()),
                    body: Body::Policy {
                        kind: Some(*kind),
                        root,
                        for_platform: true,
                    },
                    used_by: Some(user.clone()),
                });
            }
        } else if !own && ctx.index.locals.contains_key(name.as_str()) && declares(user) {
            t.docs.retain(|d| {
                !(d.resource == *user
                    && matches!(&d.body, Body::Policy { root, .. } if root.span == *at))
            });
        }
    }
    // policies attached only to other principals than the platform's user
    let elsewhere: std::collections::HashSet<String> = not_for_platform(body).into_iter().collect();
    for d in &mut t.docs {
        if let Body::Policy { for_platform, .. } = &mut d.body {
            if elsewhere.contains(&d.resource) {
                *for_platform = false;
            }
        }
    }
    // a resource whose policy is a policy-document data source: checked once, as the data source
    t.docs.retain(|d| {
        !matches!(&d.body, Body::Policy { root, .. } if root.span.start < d.scope.start || root.span.end > d.scope.end)
    });
    suppressions(text, &scopes, &mut t.suppressions);
    t.region_arns = ctx.region_arns.take();
    t.relocated = ctx.relocated.take();
    t.branched = ctx.branched.get();
    t.inputs_read = ctx.inputs_read.get();
    t.picked = ctx.picked.take();
    t
}

/// Local module calls followed per file: at most this many, through at most this much module
/// text in all, from a file of at most this size, and each module file read for a call with a
/// copy of the caller's text (its spans stay the caller's): at most this much of such copies in
/// all, so that a large caller with many calls stays within memory and time (see [`calls`]).
const MAX_CALLS: usize = 64;
const MAX_CALLED_BYTES: usize = 16 << 20;
const MAX_CALLER_BYTES: usize = 4 << 20;
const MAX_CALL_TEXT_BYTES: usize = 32 << 20;

/// Marks an entry of the module's files that is a file of a local module the folder calls:
/// the mark, the source as written, `\u{1}`, the file's name, a line break, its text.
pub const MODULE_MARK: &str = "\u{1}module:";

/// An entry of the module's files for a file of the local module called as `source`.
pub fn module_file(source: &str, name: &str, text: &str) -> String {
    format!("{MODULE_MARK}{source}\u{1}{name}\n{text}")
}

/// The name of an entry that makes its source an alias of another written source of the same
/// module folder (its text): see [`module_alias`].
const ALIAS_NAME: &str = "\u{2}alias";

/// An entry of the module's files that says the source `alias` is the module folder also
/// written `first`: its files are `first`'s, held once.
pub fn module_alias(alias: &str, first: &str) -> String {
    module_file(alias, ALIAS_NAME, first)
}

/// The local modules (`source = "./x"`, `"../x"`) a configuration's text calls.
pub fn local_module_sources(text: &str) -> Vec<String> {
    let Ok(body) = hcl_edit::parser::parse_body(text) else {
        return Vec::new();
    };
    body.iter()
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "module" => Some(b),
            _ => None,
        })
        .filter_map(|b| match Ctx::attribute(b, "source")? {
            Expression::String(s) => Some(s.value().to_string()),
            _ => None,
        })
        .filter(|s| is_local_source(s))
        .collect()
}

fn is_local_source(s: &str) -> bool {
    s.starts_with("./") || s.starts_with("../")
}

/// The calls of local modules in this file: each file of the called module read with the
/// values the call gives (see [`super::ModuleCall`]), and as it reads on its own.
fn calls(
    text: &str,
    body: &HclBody,
    others: &[Rc<HclBody>],
    module_len: usize,
    account: Option<&str>,
    modules: &CalledFiles,
    t: &mut Template,
) {
    // a caller past this size, or past this many calls or bytes of module text read for its
    // calls, has the rest of its calls not followed (each call reads the module's files again)
    if text.len() > MAX_CALLER_BYTES {
        return;
    }
    let mut followed = 0usize;
    let mut read_bytes = 0usize;
    let mut copied = 0usize;
    // the call's values, read as in the caller
    let index = Index::new(body, others);
    let ctx = Ctx {
        text,
        body,
        others,
        account,
        index,
        budget: Budget::for_template(module_len),
        exceeded_at: Default::default(),
        providers: Default::default(),
        region_arns: Default::default(),
        relocated: Default::default(),
        scope: Default::default(),
        branch: Default::default(),
        branched: Default::default(),
        picked: Default::default(),
        inputs_read: Default::default(),
    };
    for b in body.iter().filter_map(|s| match s {
        Structure::Block(b) if b.ident.as_str() == "module" => Some(b),
        _ => None,
    }) {
        let Some(Expression::String(source)) = Ctx::attribute(b, "source") else {
            continue;
        };
        let Some(files) = modules.get(source.value().as_str()) else {
            continue;
        };
        let bytes = files
            .iter()
            .fold(0usize, |n, (_, _, t)| n.saturating_add(t.len()));
        followed += 1;
        read_bytes = read_bytes.saturating_add(bytes);
        if followed > MAX_CALLS || read_bytes > MAX_CALLED_BYTES {
            return;
        }
        if ctx.never_created(b) {
            continue;
        }
        let name = b.labels.first().map(label).unwrap_or("").to_string();
        let mut inputs = HashMap::new();
        for s in b.body.iter() {
            if let Structure::Attribute(a) = s {
                if !matches!(
                    a.key.as_str(),
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    inputs.insert(a.key.as_str().to_string(), ctx.value(&a.value, 0));
                }
            }
        }
        if ctx.budget.exceeded().is_some() {
            return;
        }
        // the module's files, as the other files of each (a file among its own others reads
        // the same: its own definitions are found first)
        let bodies: Vec<Rc<HclBody>> = files
            .iter()
            .filter_map(|(owner, _, t)| parsed(owner, t))
            .collect();
        let len = files
            .iter()
            .fold(0usize, |n, (_, _, t)| n.saturating_add(t.len()));
        for (_, file, ctext) in files.iter() {
            // only a file that declares a document can read differently for the call
            if !file.ends_with(".tf")
                || !super::TERRAFORM_TYPES
                    .iter()
                    .chain(std::iter::once(&"aws_iam_policy_document"))
                    .any(|ty| ctext.contains(ty))
            {
                continue;
            }
            // the module's file after the caller's text (and a line break): its positions
            // never meet the caller's; past the budget of such copies, the rest of the calls
            // are not followed (the module's files are still checked as they read on their own)
            copied = copied.saturating_add(text.len() + 1 + ctext.len());
            if copied > MAX_CALL_TEXT_BYTES {
                return;
            }
            let padded = format!("{}\n{ctext}", " ".repeat(text.len()));
            let Ok(cbody) = hcl_edit::parser::parse_body(&padded) else {
                continue;
            };
            let siblings = &bodies;
            let combined = format!("{text}\n{ctext}");
            let read = |inputs| {
                extract_body(
                    &combined,
                    &cbody,
                    siblings,
                    len,
                    account,
                    None,
                    inputs,
                    Template::default(),
                )
            };
            let with = read(inputs.clone());
            // documents that read none of the call's values read as the module's own check
            if !with.inputs_read {
                continue;
            }
            let alone = read(HashMap::new());
            t.calls.push(super::ModuleCall {
                module: name.clone(),
                source: source.value().to_string(),
                file: file.to_string(),
                at: Span::of(b.labels.first().map(|l| l.span()).unwrap_or(b.ident.span())),
                text: combined,
                with: Box::new(with),
                alone: Box::new(alone),
            });
        }
    }
}

/// A configuration whose evaluation ran out of its budget: one finding where it did, and
/// nothing else of the file checked (what was read is incomplete).
fn over_budget(ctx: &Ctx, mut t: Template) -> Template {
    let what = ctx
        .budget
        .exceeded()
        .map(|e| e.describe("evaluation steps"))
        .unwrap_or_default();
    let issues = std::mem::take(&mut t.issues)
        .into_iter()
        .filter(|i| i.kind == IssueKind::InvalidUtf8)
        .chain(std::iter::once(Issue {
            kind: IssueKind::Limit,
            span: ctx.exceeded_at.get().unwrap_or_default(),
            message: format!(
                "the configuration expands to {what} (references, templates and functions included)"
            ),
            related: None,
        }))
        .collect();
    Template {
        format: t.format,
        issues,
        ..Default::default()
    }
}

/// Whether the module's `required_providers` holds the `aws` provider to versions before
/// `version` (every version its constraint allows is older). Without a constraint, Terraform
/// installs the newest provider: not before.
fn provider_before(body: &HclBody, others: &[Rc<HclBody>], version: (u64, u64, u64)) -> bool {
    let constraint = std::iter::once(body)
        .chain(others.iter().map(|b| &**b))
        .flat_map(|b| b.iter())
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "terraform" => Some(b),
            _ => None,
        })
        .flat_map(|b| b.body.iter())
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "required_providers" => Some(b),
            _ => None,
        })
        .flat_map(|b| b.body.iter())
        .find_map(|s| match s {
            Structure::Attribute(a) if a.key.as_str() == "aws" => {
                let text = a.value.to_string();
                let at = text.find("version")?;
                let rest = &text[at..];
                let q1 = rest.find('"')?;
                let q2 = rest[q1 + 1..].find('"')?;
                Some(rest[q1 + 1..q1 + 1 + q2].to_string())
            }
            _ => None,
        });
    let Some(constraint) = constraint else {
        return false;
    };
    let parse = |v: &str| -> Option<Vec<u64>> {
        v.trim()
            .trim_start_matches('v')
            .split('.')
            .map(|p| p.parse().ok())
            .collect()
    };
    // the smallest upper bound the constraint's parts set, if any
    let mut upper: Option<(u64, u64, u64, bool)> = None; // (x, y, z, inclusive)
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, v) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|v| (*op, v)))
            .unwrap_or(("=", part));
        let Some(n) = parse(v) else {
            continue;
        };
        let get = |i: usize| n.get(i).copied().unwrap_or(0);
        let bound = match op {
            "=" => Some((get(0), get(1), get(2), true)),
            "<" => Some((get(0), get(1), get(2), false)),
            "<=" => Some((get(0), get(1), get(2), true)),
            // `~> 5.30` allows 5.x from 5.30; `~> 5.30.1` allows 5.30.x
            "~>" if n.len() >= 3 => Some((get(0), get(1) + 1, 0, false)),
            "~>" if n.len() == 2 => Some((get(0) + 1, 0, 0, false)),
            _ => None,
        };
        if let Some(b) = bound {
            if upper.is_none_or(|u| (b.0, b.1, b.2) < (u.0, u.1, u.2)) {
                upper = Some(b);
            }
        }
    }
    match upper {
        Some((x, y, z, inclusive)) => {
            let v = (x, y, z);
            if inclusive {
                v < version
            } else {
                v <= version
            }
        }
        None => false,
    }
}

/// The region of the AWS provider a resource is created through, when the module says it: its
/// `provider = aws.alias` argument (else the default provider) and that provider's `region`.
fn provider_region(ctx: &Ctx, resource: &Block) -> Option<(Span, String)> {
    let meta = Ctx::attribute(resource, "provider");
    let alias = meta.map(|e| {
        e.to_string()
            .trim()
            .strip_prefix("aws.")
            .unwrap_or("")
            .to_string()
    });
    let providers = ctx.providers.get_or_init(|| {
        let mut first = HashMap::new();
        for p in ctx
            .blocks("provider")
            .filter(|p| p.labels.first().map(label) == Some("aws"))
        {
            let key = match Ctx::attribute(p, "alias") {
                None => None,
                Some(a) => match ctx.literal(a, 0) {
                    Some(name) => Some(name),
                    // an alias the module does not determine matches no reference
                    None => continue,
                },
            };
            first.entry(key).or_insert(p);
        }
        first
    });
    let provider = *providers.get(&alias)?;
    let region = ctx.literal(Ctx::attribute(provider, "region")?, 0)?;
    let at = match meta {
        Some(e) => Span::of(e.span()),
        None => resource
            .labels
            .first()
            .map(|l| Span::of(l.span()))
            .unwrap_or_default(),
    };
    Some((at, region))
}

fn extract_resource(
    ctx: &Ctx,
    b: &Block,
    ty: &str,
    name: &str,
    scope: Span,
    text: &str,
    t: &mut Template,
) {
    let values = ctx.body(b, 0);
    let at = b
        .labels
        .first()
        .map(|l| Span::of(l.span()))
        .unwrap_or(scope);
    let address = format!("{ty}.{name}");
    let res = TfResource {
        ty,
        address: &address,
        values: &values,
        scope,
        at,
    };
    terraform_resource(text, &res, false, t);
}

/// What the resources of a file refer to, read once for the file (a search per reference
/// would take time in the square of the number of resources).
struct Uses {
    /// Bucket name → the first `aws_s3_bucket_policy` whose `bucket` refers to it.
    bucket_policies: HashMap<String, String>,
    /// Policy-document data source name → what the first resource that refers to it uses it
    /// as: a bucket policy for an `aws_s3_bucket_policy`, a trust policy for a role's
    /// `assume_role_policy`, an identity policy for an IAM policy resource.
    documents: HashMap<String, PolicyKind>,
    /// Policy-document data source name → the address of the first resource that uses it.
    document_users: HashMap<String, String>,
    /// A local used as a whole as a resource's policy (`policy = local.x`,
    /// `jsonencode(local.x)`) → its kind, the user's address, and the span of the reference
    /// (in the user's file).
    locals: HashMap<String, (PolicyKind, String, Span)>,
}

impl Uses {
    fn new<'b>(bodies: impl Iterator<Item = &'b HclBody>) -> Self {
        use crate::model::IdentityScope;
        let mut uses = Uses {
            bucket_policies: HashMap::new(),
            documents: HashMap::new(),
            document_users: HashMap::new(),
            locals: HashMap::new(),
        };
        for s in bodies.flat_map(|b| b.iter()) {
            let Structure::Block(b) = s else {
                continue;
            };
            let first = b.labels.first().map(label);
            if b.ident.as_str() == "resource" && first == Some("aws_s3_bucket_policy") {
                if let Some(e) = Ctx::attribute(b, "bucket") {
                    let address = format!(
                        "aws_s3_bucket_policy.{}",
                        b.labels.get(1).map(label).unwrap_or("")
                    );
                    for bucket in referenced(&e.to_string(), "aws_s3_bucket.") {
                        uses.bucket_policies
                            .entry(bucket.to_string())
                            .or_insert_with(|| address.clone());
                    }
                }
            }
            let (kind, attr) = match first {
                Some("aws_s3_bucket_policy") => (PolicyKind::Bucket, "policy"),
                Some("aws_iam_role") => (PolicyKind::Trust, "assume_role_policy"),
                Some("aws_iam_policy") => (PolicyKind::Identity(IdentityScope::Managed), "policy"),
                Some("aws_iam_user_policy") => {
                    (PolicyKind::Identity(IdentityScope::UserInline), "policy")
                }
                Some("aws_iam_role_policy") => {
                    (PolicyKind::Identity(IdentityScope::RoleInline), "policy")
                }
                Some("aws_iam_group_policy") => {
                    (PolicyKind::Identity(IdentityScope::GroupInline), "policy")
                }
                _ => continue,
            };
            if let Some(e) = Ctx::attribute(b, attr) {
                if let Some((name, at)) = whole_local(e) {
                    let user = format!(
                        "{}.{}",
                        first.unwrap_or(""),
                        b.labels.get(1).map(label).unwrap_or("")
                    );
                    uses.locals.entry(name).or_insert((kind, user, at));
                }
                for doc in referenced(&e.to_string(), "data.aws_iam_policy_document.") {
                    uses.documents.entry(doc.to_string()).or_insert(kind);
                    uses.document_users
                        .entry(doc.to_string())
                        .or_insert_with(|| {
                            format!(
                                "{}.{}",
                                first.unwrap_or(""),
                                b.labels.get(1).map(label).unwrap_or("")
                            )
                        });
                }
            }
        }
        uses
    }
}

/// `local.x` or `jsonencode(local.x)`: the local's name and the reference's span.
fn whole_local(e: &Expression) -> Option<(String, Span)> {
    match e {
        Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
            (Expression::Variable(v), [op]) if v.as_str() == "local" => match op.value() {
                TraversalOperator::GetAttr(name) => {
                    Some((name.as_str().to_string(), Span::of(e.span())))
                }
                _ => None,
            },
            _ => None,
        },
        Expression::FuncCall(f) if f.name.name.as_str() == "jsonencode" => {
            match f.args.iter().collect::<Vec<_>>().as_slice() {
                [arg] => whole_local(arg),
                _ => None,
            }
        }
        Expression::Parenthesis(p) => whole_local(p.inner()),
        _ => None,
    }
}

/// The names `text` refers to with `prefix`: for `aws_s3_bucket.` in
/// `"${aws_s3_bucket.a.id}/${aws_s3_bucket.b.id}"`, `a` and `b` (each followed by a `.`).
fn referenced<'t>(text: &'t str, prefix: &'t str) -> impl Iterator<Item = &'t str> + 't {
    text.match_indices(prefix).filter_map(move |(at, _)| {
        let rest = &text[at + prefix.len()..];
        // the name, without an instance's index or key (`x[0]`, `x["k"]`, `x[*]`)
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let after = &rest[end..];
        (end > 0 && (after.starts_with('.') || after.starts_with('['))).then(|| &rest[..end])
    })
}

/// The bucket an export delivers to, when the configuration creates it (`aws_s3_bucket.x`):
/// the `aws_s3_bucket_policy` for it and whether the export `depends_on` that policy.
fn link(uses: &Uses, export: &Block, ty: &str, name: &str) -> Option<super::Link> {
    fn find_attr<'b>(block: &'b Block, key: &str) -> Option<&'b Expression> {
        block.body.iter().find_map(|s| match s {
            Structure::Attribute(a) if a.key.as_str() == key => Some(&a.value),
            Structure::Block(inner) => find_attr(inner, key),
            _ => None,
        })
    }
    let bucket_expr = find_attr(export, "s3_bucket")?;
    let text = bucket_expr.to_string();
    let bucket = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .find_map(|w| w.strip_prefix("aws_s3_bucket."))?
        .split('.')
        .next()?
        .to_string();
    let policy = uses.bucket_policies.get(&bucket).cloned();
    let ordered = match (&policy, Ctx::attribute(export, "depends_on")) {
        (Some(p), Some(d)) => d.to_string().contains(p.as_str()),
        _ => false,
    };
    Some(super::Link {
        export: format!("{ty}.{name}"),
        at: Span::of(bucket_expr.span()),
        bucket: format!("aws_s3_bucket.{bucket}"),
        policy,
        ordered,
    })
}

/// The policies the platform's user does not get, when the configuration says which user that
/// is (the one an `aws_iam_access_key` is made for): inline policies of other users and of
/// roles, and managed policies attached only to others.
fn not_for_platform(body: &HclBody) -> Vec<String> {
    let resources: Vec<(&str, &str, &Block)> = body
        .iter()
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "resource" && b.labels.len() == 2 => {
                Some((label(&b.labels[0]), label(&b.labels[1]), b))
            }
            _ => None,
        })
        .collect();
    let user_of = |b: &Block| Ctx::attribute(b, "user").map(|e| e.to_string().trim().to_string());
    let Some(platform) = resources
        .iter()
        .find(|(ty, _, _)| *ty == "aws_iam_access_key")
        .and_then(|(_, _, b)| user_of(b))
    else {
        return Vec::new();
    };
    // policy name → whether one of its attachments is to the platform's user
    let mut attached: HashMap<String, bool> = HashMap::new();
    for (_, _, a) in resources
        .iter()
        .filter(|(t, _, _)| t.ends_with("_policy_attachment"))
    {
        let Some(arn) = Ctx::attribute(a, "policy_arn") else {
            continue;
        };
        let to_platform = user_of(a).as_deref() == Some(platform.as_str());
        for policy in referenced(&arn.to_string(), "aws_iam_policy.") {
            *attached.entry(policy.to_string()).or_default() |= to_platform;
        }
    }
    let mut out = Vec::new();
    for (ty, name, b) in &resources {
        let address = format!("{ty}.{name}");
        match *ty {
            "aws_iam_user_policy" if user_of(b).is_some_and(|u| u != platform) => out.push(address),
            "aws_iam_role_policy" | "aws_iam_role" => out.push(address),
            "aws_iam_policy" if attached.get(*name) == Some(&false) => out.push(address),
            _ => {}
        }
    }
    out
}

/// The byte offset of a 1-based line and column (in characters).
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1))
                    .map(|(b, _)| b)
                    .unwrap_or(l.len());
        }
        offset += l.len();
    }
    text.len()
}

/// `--role NAME`: the platform connects as this role (an `aws_iam_role` labelled or named
/// NAME, in the file or a sibling of its module), so the platform's policies are the role's
/// inline policies, the `aws_iam_role_policy` of that role, and the `aws_iam_policy` attached
/// to it; the others are not. A module that does not declare the role is left as read.
pub fn apply_role(text: &str, siblings: &[std::sync::Arc<str>], role: &str, t: &mut Template) {
    let own: std::sync::Arc<str> = std::sync::Arc::from(text);
    let mut bodies: Vec<Rc<HclBody>> = Vec::new();
    bodies.extend(parsed(&own, &own));
    for s in siblings {
        bodies.extend(parsed(s, s));
    }
    let resources: Vec<(&str, &str, &Block)> = bodies
        .iter()
        .flat_map(|b| b.iter())
        .filter_map(|s| match s {
            Structure::Block(b) if b.ident.as_str() == "resource" && b.labels.len() == 2 => {
                Some((label(&b.labels[0]), label(&b.labels[1]), b))
            }
            _ => None,
        })
        .collect();
    let literal = |b: &Block, key: &str| {
        Ctx::attribute(b, key).map(|e| e.to_string().trim().trim_matches('"').to_string())
    };
    let Some((the_role, declared)) = resources
        .iter()
        .find(|(ty, name, b)| {
            *ty == "aws_iam_role" && (*name == role || literal(b, "name").as_deref() == Some(role))
        })
        .map(|(_, name, b)| (*name, literal(b, "name")))
    else {
        return;
    };
    t.role_names.push(the_role.to_string());
    t.role_names.extend(declared.clone());
    // an attribute names the role by reference, by `--role`, or by its declared name
    let literal_name = |s: &str| s == role || Some(s) == declared.as_deref();
    let names_role = |b: &Block, key: &str| {
        Ctx::attribute(b, key).is_some_and(|e| {
            let e = e.to_string();
            referenced(&e, "aws_iam_role.").any(|r| r == the_role)
                || literal_name(e.trim().trim_matches('"'))
        })
    };
    // policies attached to the role: by its `managed_policy_arns`, and by attachments
    let mut attached: std::collections::HashSet<String> = std::collections::HashSet::new();
    if let Some(arns) = resources
        .iter()
        .find(|(ty, name, _)| *ty == "aws_iam_role" && *name == the_role)
        .and_then(|(_, _, b)| Ctx::attribute(b, "managed_policy_arns"))
    {
        let text = arns.to_string();
        attached.extend(referenced(&text, "aws_iam_policy.").map(str::to_string));
        // an ARN that is not a policy of the configuration (AWS-managed, a data source's)
        t.role_policies_outside |= text.contains("arn:") || text.contains("data.");
    }
    for (_, _, a) in resources.iter().filter(|(t, _, _)| {
        *t == "aws_iam_role_policy_attachment" || *t == "aws_iam_policy_attachment"
    }) {
        let to_role = names_role(a, "role")
            || Ctx::attribute(a, "roles").is_some_and(|e| {
                let e = e.to_string();
                referenced(&e, "aws_iam_role.").any(|r| r == the_role)
                    || e.contains(&format!("\"{role}\""))
                    || declared
                        .as_deref()
                        .is_some_and(|n| e.contains(&format!("\"{n}\"")))
            });
        if let (true, Some(arn)) = (to_role, Ctx::attribute(a, "policy_arn")) {
            let text = arn.to_string();
            let ours: Vec<String> = referenced(&text, "aws_iam_policy.")
                .map(str::to_string)
                .collect();
            t.role_policies_outside |= ours.is_empty();
            attached.extend(ours);
        }
    }
    let platform: std::collections::HashSet<String> = resources
        .iter()
        .filter(|(ty, name, b)| match *ty {
            "aws_iam_role" => *name == the_role,
            "aws_iam_role_policy" => names_role(b, "role"),
            "aws_iam_policy" => attached.contains(*name),
            _ => false,
        })
        .map(|(ty, name, _)| format!("{ty}.{name}"))
        .collect();
    let role_address = format!("aws_iam_role.{the_role}");
    for d in &mut t.docs {
        // a policy-document data source or a local: the resource that uses it decides; one
        // no resource is known to use keeps what the file says of it
        let user = if d.resource.starts_with("aws_iam_") {
            Some(d.resource.as_str())
        } else {
            d.used_by.as_deref()
        };
        match (&mut d.body, user) {
            (
                Body::Policy {
                    kind: Some(PolicyKind::Identity(_)),
                    for_platform,
                    ..
                },
                Some(user),
            ) => *for_platform = platform.contains(user),
            // the trust policies of the configuration's other roles are not the platform's
            (
                Body::Policy {
                    kind: Some(PolicyKind::Trust),
                    for_platform,
                    ..
                },
                Some(user),
            ) => *for_platform = user == role_address,
            _ => {}
        }
    }
}
