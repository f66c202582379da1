//! Parsers: bytes in, one spanned [`json::Node`] tree out; syntax problems become issues with
//! their positions, never errors that stop the run.

pub mod embedded;
pub mod json;
pub mod yaml;

pub use budget::{weight, Budget, Exceeded, MAX_EXPANSION_BYTES, MAX_EXPANSION_STEPS};

mod budget {
    use std::cell::Cell;

    /// What expanding one file may build beyond its own text, in bytes of text (strings and
    /// keys): YAML aliases, Terraform references, templates and functions. A small file that
    /// fans out (a "billion laughs") stops here with a finding on that file.
    pub const MAX_EXPANSION_BYTES: usize = 16 * 1024 * 1024;
    /// How many values expanding one file may build (for Terraform: evaluation steps it may
    /// take), aliases and references included.
    pub const MAX_EXPANSION_STEPS: usize = 2_000_000;

    /// What is left of a file's expansion budget. Once either count runs out, every further
    /// spending fails: the file is reported, not half read.
    #[derive(Debug)]
    pub struct Budget {
        limits: (usize, usize),
        steps: Cell<usize>,
        bytes: Cell<usize>,
        over: Cell<Option<Exceeded>>,
    }

    /// Which count of a [`Budget`] ran out, with its limit.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Exceeded {
        Steps(usize),
        Bytes(usize),
    }

    impl Exceeded {
        /// `more than 2000000 values` (with `unit` = `values`), `more than 16 MiB of text`.
        pub fn describe(self, unit: &str) -> String {
            match self {
                Exceeded::Steps(n) => format!("more than {n} {unit}"),
                Exceeded::Bytes(n) if n % (1024 * 1024) == 0 => {
                    format!("more than {} MiB of text", n / (1024 * 1024))
                }
                Exceeded::Bytes(n) if n >= 1024 * 1024 => {
                    format!("more than {:.1} MiB of text", n as f64 / (1024.0 * 1024.0))
                }
                Exceeded::Bytes(n) => format!("more than {n} bytes of text"),
            }
        }
    }

    impl Budget {
        pub fn new(steps: usize, bytes: usize) -> Self {
            Budget {
                limits: (steps, bytes),
                steps: Cell::new(steps),
                bytes: Cell::new(bytes),
                over: Cell::new(None),
            }
        }
        /// Take `steps` and `bytes` from the budget; false when that is more than is left (and
        /// for every call after).
        pub fn spend(&self, steps: usize, bytes: usize) -> bool {
            if self.over.get().is_some() {
                return false;
            }
            match (
                self.steps.get().checked_sub(steps),
                self.bytes.get().checked_sub(bytes),
            ) {
                (Some(s), Some(b)) => {
                    self.steps.set(s);
                    self.bytes.set(b);
                    true
                }
                (None, _) => {
                    self.over.set(Some(Exceeded::Steps(self.limits.0)));
                    false
                }
                (_, None) => {
                    self.over.set(Some(Exceeded::Bytes(self.limits.1)));
                    false
                }
            }
        }
        /// The budget of evaluating a template of `text_len` bytes (Terraform references,
        /// CloudFormation intrinsic functions): the fixed allowance for what it expands to,
        /// plus, for a large file, what its own evaluation needs (a value may be read two or
        /// three times): a step per byte of its text and four bytes of text per byte. (The
        /// templates of the test corpora take at most a quarter step and two bytes per byte.)
        pub fn for_template(text_len: usize) -> Self {
            Budget::new(
                MAX_EXPANSION_STEPS.saturating_add(text_len),
                MAX_EXPANSION_BYTES.saturating_add(text_len.saturating_mul(4)),
            )
        }
        /// Which count ran out, if one did.
        pub fn exceeded(&self) -> Option<Exceeded> {
            self.over.get()
        }
    }

    /// The nodes of a tree and the bytes of its text (strings, numbers and keys): what
    /// copying it costs.
    pub fn weight(n: &crate::parse::json::Node) -> (usize, usize) {
        use crate::parse::json::Kind;
        let mut nodes = 1;
        let mut bytes = 0;
        match &n.kind {
            Kind::String(s) | Kind::Number(s) | Kind::Unknown(s) => bytes += s.len(),
            Kind::Array(a) => {
                for i in a {
                    let (n, b) = weight(i);
                    nodes += n;
                    bytes += b;
                }
            }
            Kind::Object(m) => {
                for m in m {
                    let (n, b) = weight(&m.value);
                    nodes += n;
                    bytes += b + m.key.len();
                }
            }
            Kind::Null | Kind::Bool(_) => {}
        }
        (nodes, bytes)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_budget_runs_out_once_and_for_good() {
            let b = Budget::new(3, 10);
            assert!(b.spend(1, 4));
            assert!(b.spend(2, 6));
            assert_eq!(b.exceeded(), None);
            assert!(!b.spend(0, 1));
            assert_eq!(b.exceeded(), Some(Exceeded::Bytes(10)));
            assert!(!b.spend(0, 0));
            assert_eq!(
                Exceeded::Bytes(16 << 20).describe("values"),
                "more than 16 MiB of text"
            );
            assert_eq!(Exceeded::Steps(5).describe("values"), "more than 5 values");
            assert_eq!(
                Exceeded::Bytes((16 << 20) + 7000).describe("values"),
                "more than 16.0 MiB of text"
            );
        }
    }
}
