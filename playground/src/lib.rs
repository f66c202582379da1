//! The playground's WebAssembly module: the core (`finops-lint` without its command line)
//! behind four functions the page calls with strings. Everything is computed by
//! [`finops_lint::editor`], which the language server uses too.

use finops_lint::editor::{self, Request};
use wasm_bindgen::prelude::*;

fn request(json: &str) -> Result<Request, String> {
    editor::request_from_json(json)
}

/// What the form offers (document kinds, scenarios, platforms, export types) and the versions,
/// as JSON.
#[wasm_bindgen]
pub fn options() -> String {
    editor::choices_json()
}

/// The findings of `text` checked as `request_json` asks (`{"kind": "auto", "bucket": …}`), as
/// JSON; positions are UTF-16 offsets, JavaScript's string indices.
#[wasm_bindgen]
pub fn check(text: &str, request_json: &str) -> String {
    match request(request_json) {
        Ok(r) => r.check_json(text),
        Err(e) => editor::error_json(&e),
    }
}

/// `text` with every safe fix applied, as JSON (`{"text": …, "applied": n}`).
#[wasm_bindgen]
pub fn fix_all(text: &str, request_json: &str) -> String {
    match request(request_json) {
        Ok(r) => r.fix_json(text),
        Err(e) => editor::error_json(&e),
    }
}

/// What the word at the UTF-16 offset `offset` is (an IAM action, a condition key, a rule), as
/// Markdown; "" for nothing.
#[wasm_bindgen]
pub fn hover(text: &str, offset: u32) -> String {
    editor::hover_utf16(text, offset)
}
