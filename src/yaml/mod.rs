//! YAML with source positions: parse text into `Node`s, emit them exactly as
//! kustomize prints them.

pub mod depth;
pub mod emit;
pub mod folded;
pub mod gonum;
pub mod gotime;
pub mod node;
pub mod parse;

pub use depth::check_built_depth;
pub use emit::{check_json_compatible, emit_checked, emit_documents, emit_node};
pub use node::{Kind, Node, Scalar, Span, Style, Value};
pub use parse::{parse_documents, parse_single};
