//! Colour on a terminal: errors red, warnings yellow, added lines green and
//! removed lines red. Never when the stream is not a terminal (a pipe, a file,
//! CI logs), never with `NO_COLOR` set to anything (https://no-color.org);
//! `CLICOLOR_FORCE` set to anything but `0` forces it (for pagers such as
//! `less -R`), and `NO_COLOR` still wins.

use std::io::IsTerminal;

#[derive(Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

pub fn enabled(stream: Stream) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("NO_COLOR") {
        return false;
    }
    if set("CLICOLOR_FORCE") && std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        return true;
    }
    match stream {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    }
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
const BOLD_RED: &str = "\x1b[1;31m";
const BOLD_YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// `Error: `, for a message on stderr.
pub fn error() -> String {
    label("Error:", BOLD_RED)
}

/// `Warning: ` (or `warning: `, as `word` says), for a message on stderr.
pub fn warning(word: &str) -> String {
    label(word, BOLD_YELLOW)
}

fn label(word: &str, colour: &str) -> String {
    if enabled(Stream::Stderr) {
        format!("{}{}{} ", colour, word, RESET)
    } else {
        format!("{} ", word)
    }
}

/// A diff or patch for stdout: `+` lines green, `-` lines red, `@@` hunk
/// headers cyan, and the text format's `► Kind/name (…) added|removed|changed`
/// headings green, red or yellow; the text unchanged when colour is off.
pub fn diff(text: &str) -> String {
    if !enabled(Stream::Stdout) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let colour = if body.starts_with("+++") || body.starts_with("---") {
            Some(YELLOW)
        } else if body.starts_with('+') {
            Some(GREEN)
        } else if body.starts_with('-') {
            Some(RED)
        } else if body.starts_with("@@") {
            Some(CYAN)
        } else if body.starts_with("► ") {
            Some(if body.ends_with(" added") {
                GREEN
            } else if body.ends_with(" removed") {
                RED
            } else {
                YELLOW
            })
        } else {
            None
        };
        match colour {
            Some(c) => out.push_str(&format!("{}{}{}{}", c, body, RESET, nl)),
            None => out.push_str(line),
        }
    }
    out
}
