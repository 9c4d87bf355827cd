//! The one error type of the engine. Every failure names the file and, where
//! there is one, the line and column, so the page can mark the spot.

use crate::span::Span;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    /// Where the problem is; `None` for errors about no file in particular.
    pub span: Option<Span>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error { message: message.into(), span: None }
    }
    pub fn at(span: &Span, message: impl Into<String>) -> Error {
        Error { message: message.into(), span: Some(span.clone()) }
    }
    pub fn in_file(file: &str, message: impl Into<String>) -> Error {
        Error { message: message.into(), span: Some(Span::file(file)) }
    }
    pub fn file(&self) -> Option<&str> {
        self.span.as_ref().map(|s| &*s.file)
    }
    /// Gives the error a place when it has none yet.
    pub fn or_at(mut self, span: &Span) -> Error {
        if self.span.is_none() {
            self.span = Some(span.clone());
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span {
            Some(span) => write!(f, "{}: {}", span, self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for Error {}

/// An error as the page and the JSON formats show it: `file:line:column:
/// message` as fields. `file`, `line` and `column` are `null` where the
/// engine knows no place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub message: String,
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> ErrorInfo {
        let span = e.span.as_ref();
        let position = span.filter(|s| s.has_position());
        ErrorInfo {
            file: span.map(|s| s.file.to_string()),
            line: position.map(|s| s.line),
            column: position.map(|s| s.col),
            message: e.message.clone(),
        }
    }
}

/// A place without a message (`declaredAt`).
impl From<&Span> for ErrorInfo {
    fn from(span: &Span) -> ErrorInfo {
        ErrorInfo::from(&Error::at(span, String::new()))
    }
}
