//! Parsers: bytes in, one spanned [`json::Node`] tree out; syntax problems become issues with
//! their positions, never errors that stop the run.

pub mod embedded;
pub mod json;
pub mod yaml;
