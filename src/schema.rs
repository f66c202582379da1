//! JSON Schemas of the documents the tool reads (`schemas/`), applied at run time with the
//! `jsonschema` crate; each error is mapped back to the exact key or value in the source, with
//! "did you mean" for misspelled keys and enum values.

use crate::fuzzy;
use crate::parse::json::{Kind, Node};
use crate::source::Span;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    Cur2Export,
    LegacyReport,
    Connection,
    /// `finops-lint.toml`, read as the same tree.
    Config,
}

impl SchemaKind {
    fn text(self) -> &'static str {
        match self {
            SchemaKind::Cur2Export => include_str!("../schemas/cur2-export.schema.json"),
            SchemaKind::LegacyReport => {
                include_str!("../schemas/legacy-report-definition.schema.json")
            }
            SchemaKind::Connection => include_str!("../schemas/connection.schema.json"),
            SchemaKind::Config => include_str!("../schemas/config.schema.json"),
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

struct Compiled {
    schema: Value,
    validator: Option<jsonschema::Validator>,
}

fn compiled(kind: SchemaKind) -> &'static Compiled {
    static CELLS: [OnceLock<Compiled>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    CELLS[kind.index()].get_or_init(|| {
        let schema: Value = serde_json::from_str(kind.text()).unwrap_or(Value::Null);
        let validator = jsonschema::validator_for(&schema).ok();
        Compiled { schema, validator }
    })
}

/// A schema violation, placed on the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaIssue {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// The node as a `serde_json::Value` (numbers keep their text).
pub fn to_value(n: &Node) -> Value {
    match &n.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Number(t) => serde_json::from_str(t).unwrap_or(Value::Null),
        Kind::String(s) => Value::String(s.clone()),
        Kind::Array(a) => Value::Array(a.iter().map(to_value).collect()),
        Kind::Object(m) => Value::Object(
            m.iter()
                .map(|m| (m.key.clone(), to_value(&m.value)))
                .collect(),
        ),
        // an unknown value is left out of the check: errors about it are dropped in `validate`
        Kind::Unknown(_) => Value::Null,
    }
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// The node at a JSON pointer.
fn at<'a>(root: &'a Node, pointer: &str) -> &'a Node {
    let mut n = root;
    for seg in pointer.split('/').skip(1) {
        let seg = unescape(seg);
        let next = match &n.kind {
            Kind::Object(_) => n.get(&seg),
            Kind::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(x) => n = x,
            None => break,
        }
    }
    n
}

/// The schema object at a schema pointer.
fn schema_at<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut v = schema;
    for seg in pointer.split('/').skip(1) {
        let seg = unescape(seg);
        v = match v {
            Value::Object(m) => m.get(&seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

fn what(pointer: &str) -> String {
    let last = pointer.rsplit('/').next().unwrap_or("");
    if last.is_empty() {
        "the object".to_string()
    } else {
        format!("`{}`", unescape(last))
    }
}

/// Validate `node` against the schema of `kind`.
pub fn validate(kind: SchemaKind, node: &Node) -> Vec<SchemaIssue> {
    let c = compiled(kind);
    let Some(validator) = &c.validator else {
        return Vec::new();
    };
    let value = to_value(node);
    let mut out = Vec::new();
    for err in validator.iter_errors(&value) {
        let ipath = err.instance_path().to_string();
        let spath = err.schema_path().to_string();
        let target = at(node, &ipath);
        // a value the template does not determine is never a finding
        let about_unknown = target.is_unknown()
            || (target.has_unknown()
                && !matches!(
                    err.kind(),
                    ValidationErrorKind::Required { .. }
                        | ValidationErrorKind::AdditionalProperties { .. }
                ));
        if about_unknown {
            continue;
        }
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let parent_schema = spath
                    .strip_suffix("/additionalProperties")
                    .and_then(|p| schema_at(&c.schema, p));
                let known: Vec<String> = parent_schema
                    .and_then(|s| s.get("properties"))
                    .and_then(Value::as_object)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                for key in unexpected {
                    let span = target
                        .member(key)
                        .map(|m| m.key_span)
                        .unwrap_or(target.span);
                    let help = fuzzy::suggest(key, known.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .or_else(|| {
                            (!known.is_empty()).then(|| {
                                format!(
                                    "the keys of {} are {}",
                                    what(&ipath),
                                    known
                                        .iter()
                                        .map(|k| format!("`{k}`"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                )
                            })
                        });
                    out.push(SchemaIssue {
                        span,
                        message: format!("unknown key `{key}` in {}", what(&ipath)),
                        help,
                    });
                }
            }
            ValidationErrorKind::Enum { options } => {
                let opts: Vec<String> = options
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|v| {
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let actual = target
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| to_value(target).to_string());
                let help = opts
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(&actual))
                    .map(|o| format!("values are case-sensitive: use `\"{o}\"`"))
                    .or_else(|| {
                        fuzzy::suggest(&actual, opts.iter().map(String::as_str))
                            .map(|s| format!("did you mean `\"{s}\"`?"))
                    })
                    .or_else(|| {
                        Some(format!(
                            "use one of {}",
                            opts.iter()
                                .map(|o| format!("`{o}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    });
                out.push(SchemaIssue {
                    span: target.inner_span(),
                    message: format!(
                        "{} has the value `{actual}`, which AWS does not accept",
                        what(&ipath)
                    ),
                    help,
                });
            }
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or("");
                let span = Span::new(target.span.start, target.span.start + 1);
                out.push(SchemaIssue {
                    span,
                    message: format!("{} has no `{name}`", what(&ipath)),
                    help: Some(format!("add `\"{name}\"`; AWS requires it")),
                });
            }
            _ => {
                let msg = err.to_string();
                out.push(SchemaIssue {
                    span: target.span,
                    message: format!("{}: {msg}", what(&ipath)),
                    help: None,
                });
            }
        }
    }
    out.sort_by_key(|i| i.span);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::json::parse_file;

    #[test]
    fn unknown_keys_and_enum_values_are_placed_with_suggestions() {
        let text = r#"{"ReportName": "r", "TimeUnit": "DAILY", "Format": "textORcsv", "Compression": "GZIP", "AdditionalSchemaElements": ["resources"], "S3Bucket": "b", "S3Prefix": "p", "S3Region": "us-east-1", "RefreshClosedReport": true}"#;
        let root = parse_file(text, None).root.unwrap();
        let issues = validate(SchemaKind::LegacyReport, &root);
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert_eq!(&text[issues[0].span.start..issues[0].span.end], "resources");
        assert_eq!(
            issues[0].help.as_deref(),
            Some("values are case-sensitive: use `\"RESOURCES\"`")
        );
        assert_eq!(
            &text[issues[1].span.start..issues[1].span.end],
            "\"RefreshClosedReport\""
        );
        assert_eq!(
            issues[1].help.as_deref(),
            Some("did you mean `RefreshClosedReports`?")
        );
    }
}
