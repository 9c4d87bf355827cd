//! A bound on trees that transformers build, where parsing no longer guards.

use super::node::{Node, Span, Value};
use crate::error::{Error, Result};
use crate::limits::MAX_YAML_DEPTH;

/// Fails when a tree built by a transformer nests deeper than
/// `MAX_YAML_DEPTH`. Parsing bounds what comes in, but JSON patches (`copy`,
/// `add`) and replacements can put one deep value inside another, doubling
/// the depth at every step; checking after each step keeps every tree the
/// recursive code sees within twice the limit. Iterative, so it cannot
/// overflow itself.
pub fn check_built_depth(node: &Node, span: &Span, what: &str) -> Result<()> {
    let mut stack: Vec<(&Node, usize)> = vec![(node, 0)];
    while let Some((n, depth)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Node>> = match &n.value {
            Value::Scalar(_) => continue,
            Value::Seq(items) => Box::new(items.iter()),
            Value::Map(entries) => Box::new(entries.iter().flat_map(|(k, v)| [k, v])),
        };
        if depth + 1 > MAX_YAML_DEPTH {
            return Err(Error::at(
                span,
                format!("{} nests the resource deeper than {} levels; refusing to build it", what, MAX_YAML_DEPTH),
            ));
        }
        stack.extend(children.map(|c| (c, depth + 1)));
    }
    Ok(())
}
