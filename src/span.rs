//! A place in a source file: the one position type of the engine. It sits
//! at the bottom of the house because errors, YAML nodes and every report
//! above them carry it.

use std::fmt;
use std::sync::Arc;

/// A position in a source file. Lines and columns are 1-based, as editors
/// show them. A node made by a transformer carries the span of what caused it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: Arc<str>,
    pub line: u32,
    pub col: u32,
}

impl Span {
    pub fn new(file: &Arc<str>, line: u32, col: u32) -> Span {
        Span { file: file.clone(), line, col }
    }
    /// A span for a whole file, with no position inside it.
    pub fn file(file: &str) -> Span {
        Span { file: Arc::from(file), line: 0, col: 0 }
    }
    pub fn has_position(&self) -> bool {
        self.line > 0
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.has_position() {
            write!(f, "{}:{}:{}", self.file, self.line, self.col)
        } else {
            write!(f, "{}", self.file)
        }
    }
}
