//! Strategic merge patch, with the semantics of kustomize v5.5.0: kyaml's
//! `merge2.Merge` walking the target ("dest") and the patch ("origin")
//! together, lists prepended (`MergeOptionsListPrepend`).
//!
//! The walk is a close port of kyaml's rules because its quirks show in the
//! output: merged list items come in patch order followed by the target's
//! remaining items; lists keyed by several keys (ports) move target items to
//! the end; `$patch: replace` on a list item keeps the target's item; keys
//! with an empty null value (`key:`) disappear; a number patched over a
//! quoted string stays a string. kyaml knows only `$patch`;
//! `$setElementOrder/…`, `$retainKeys` and `$deleteFromPrimitiveList/…` are
//! ordinary fields to it, and so they are here.
//!
//! kyaml mutates shared nodes; when a map or list is added from the patch it
//! walks the patch against itself ("same" below), so a directive removed from
//! the patch is gone from the result too. Here the patch side is the one
//! edited and the target side re-copied from it whenever they are the same.

use super::schema::{At, Schema};
use crate::error::{Error, Result};
use crate::yaml::parse::resolve_plain;
use crate::yaml::{Kind, Node, Style, Value};

/// Merges `patch` into `target`. `None` means the patch deletes the resource
/// (`$patch: delete`). The result is what kyaml's merge gives; kustomize's
/// restoring of kind, name and namespace is `apply_sm_patch`.
pub fn merge(target: &Node, patch: &Node, schema: &Schema) -> Result<Option<Node>> {
    let w = Walker { schema };
    let out = w.walk(Some(target.clone()), Some(patch.clone()), false, None)?;
    // kustomize keeps the resource node it handed to the merge and only sees
    // in-place edits of it: a top-level `$patch: replace`, which hands back
    // the patch instead, leaves the resource as it was.
    match out.node {
        None => Ok(None),
        Some(n) if is_empty_map(Some(&n)) => Ok(None),
        Some(_) if !out.in_place => Ok(Some(target.clone())),
        Some(n) => Ok(Some(n)),
    }
}

/// Applies a strategic merge patch as kustomize's `Resource.ApplySmPatch`
/// does: the merge cannot rename the resource, change its kind (unless the
/// patch's options allow it) or move it to another namespace.
pub fn apply_sm_patch(
    target: &Node,
    patch: &Node,
    schema: &Schema,
    allow_name_change: bool,
    allow_kind_change: bool,
) -> Result<Option<Node>> {
    let Some(mut out) = merge(target, patch, schema)? else { return Ok(None) };
    if !allow_kind_change {
        restore(&mut out, target, &["kind"]);
    }
    if !allow_name_change {
        restore(&mut out, target, &["metadata", "name"]);
    }
    restore(&mut out, target, &["metadata", "namespace"]);
    Ok(Some(out))
}

/// Puts back the target's value at `path` (or removes it when the target had
/// none), as kustomize's SetKind/SetName/SetNamespace do.
fn restore(out: &mut Node, target: &Node, path: &[&str]) {
    let (last, parents) = path.split_last().unwrap();
    let want = target.path(path).cloned();
    let mut node = out;
    for p in parents {
        if want.is_none() && node.get(p).is_none() {
            return;
        }
        node = match node.entry_map(p) {
            Some(n) => n,
            None => return,
        };
    }
    match want {
        Some(v) => node.set(last, v),
        None => {
            // kustomize sets an empty string, which then prints as absent.
            node.remove(last);
        }
    }
}

/// The patch directive of a map or list (`$patch`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Directive {
    Unknown,
    Replace,
    Delete,
    Merge,
}

/// The result of walking one node: the node (`None` clears the field), and
/// whether it is the target's own node, merged in place, as kyaml's
/// `VisitMap` returning `Dest` means.
struct Outcome {
    node: Option<Node>,
    in_place: bool,
    /// A null kept from the target (kyaml's persistent null node).
    keep_null: bool,
    /// The patch node as kyaml leaves it: its directives consumed and, when
    /// it was walked against itself, merged. Lists read it again.
    origin: Option<Node>,
}

impl Outcome {
    fn of(node: Option<Node>, origin: Option<Node>) -> Outcome {
        Outcome { node, in_place: false, keep_null: false, origin }
    }
}

struct Walker<'s> {
    schema: &'s Schema,
}

fn is_missing_or_null(n: Option<&Node>) -> bool {
    n.is_none_or(|n| n.is_null())
}

fn is_empty_map(n: Option<&Node>) -> bool {
    is_missing_or_null(n) || n.and_then(|n| n.as_map()).is_some_and(|m| m.is_empty())
}

/// A node's `Value` as go-yaml holds it: the text of a scalar, "" otherwise.
fn text(n: &Node) -> &str {
    n.as_str().unwrap_or("")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Map,
    Seq,
    Scalar,
}

fn shape(n: &Node) -> Shape {
    match n.value {
        Value::Map(_) => Shape::Map,
        Value::Seq(_) => Shape::Seq,
        Value::Scalar(_) => Shape::Scalar,
    }
}

fn shape_name(s: Shape) -> &'static str {
    match s {
        Shape::Map => "MappingNode",
        Shape::Seq => "SequenceNode",
        Shape::Scalar => "ScalarNode",
    }
}

/// kyaml's ErrorIfInvalid: a node that is present and not null must have the
/// expected shape.
fn check_shape(n: Option<&Node>, want: Shape) -> Result<()> {
    match n {
        Some(n) if !n.is_null() && shape(n) != want => {
            Err(Error::at(&n.span, format!("wrong node kind: expected {} but got {}", shape_name(want), shape_name(shape(n)))))
        }
        _ => Ok(()),
    }
}

impl<'s> Walker<'s> {
    /// Walks a pair of nodes. `same` says the target side is a copy of the
    /// patch side (kyaml walking one node against itself).
    fn walk(&self, dest: Option<Node>, origin: Option<Node>, same: bool, at: Option<At<'s>>) -> Result<Outcome> {
        let at = at.or_else(|| self.schema_of(dest.as_ref()).or_else(|| self.schema_of(origin.as_ref())));
        let first = [dest.as_ref(), origin.as_ref()].into_iter().flatten().find(|n| !n.is_null()).map(shape);
        match first {
            Some(Shape::Map) | None => {
                check_shape(dest.as_ref(), Shape::Map)?;
                check_shape(origin.as_ref(), Shape::Map)?;
                self.walk_map(dest, origin, same, at)
            }
            Some(Shape::Seq) => {
                check_shape(dest.as_ref(), Shape::Seq)?;
                check_shape(origin.as_ref(), Shape::Seq)?;
                if self.is_associative(at) {
                    self.walk_associative(dest, origin, same, at)
                } else {
                    // A list merged as a whole: the patch's list wins.
                    Ok(Outcome::of(origin.clone().or(dest), origin))
                }
            }
            Some(Shape::Scalar) => {
                check_shape(dest.as_ref(), Shape::Scalar)?;
                check_shape(origin.as_ref(), Shape::Scalar)?;
                Ok(Outcome::of(origin.clone().or(dest), origin))
            }
        }
    }

    /// The schema of a resource found by its own apiVersion and kind: how
    /// kyaml finds a schema where the parent's schema has none.
    fn schema_of(&self, n: Option<&Node>) -> Option<At<'s>> {
        let n = n.filter(|n| n.is_map())?;
        let (api, kind) = (n.get_str("apiVersion")?, n.get_str("kind")?);
        if api.is_empty() || kind.is_empty() {
            return None;
        }
        self.schema.for_gvk(api, kind)
    }

    /// Without a schema kyaml (not inferring) replaces lists as a whole; with
    /// one, only a strategy including "merge" merges them by key.
    fn is_associative(&self, at: Option<At<'s>>) -> bool {
        at.is_some_and(|at| self.schema.strategy_and_keys(at).0.split(',').any(|s| s == "merge"))
    }

    fn walk_map(&self, dest: Option<Node>, origin: Option<Node>, same: bool, at: Option<At<'s>>) -> Result<Outcome> {
        let mut origin = origin;
        let (dest, same, in_place) = if is_missing_or_null(dest.as_ref()) {
            let directive = directive(origin.as_mut()).unwrap_or(Directive::Unknown);
            if directive == Directive::Delete {
                return Ok(Outcome::of(None, origin));
            }
            // A null the target wrote out (`null`, `~`) survives when the
            // patch does not mention the field; an empty one (`key:`) not.
            if origin.is_none() {
                if let Some(d) = dest.filter(|d| !text(d).is_empty()) {
                    return Ok(Outcome { node: Some(d), in_place: false, keep_null: true, origin: None });
                }
                return Ok(Outcome::of(None, None));
            }
            (origin.clone(), true, false)
        } else if origin.as_ref().is_some_and(|o| o.is_null()) {
            return Ok(Outcome::of(None, origin));
        } else {
            // When the target side is the patch's own node, whatever is
            // returned is that node, edited in place.
            match directive(origin.as_mut())? {
                Directive::Delete => return Ok(Outcome::of(None, origin)),
                Directive::Replace => (origin.clone(), true, same),
                _ if same => (origin.clone(), true, true),
                _ => (dest, false, true),
            }
        };
        let Some(mut dest) = dest else { return Ok(Outcome::of(None, origin)) };
        for key in field_names(&dest, origin.as_ref()) {
            let field_at = at.and_then(|a| self.schema.field(a, &key));
            let d = dest.get(&key).cloned();
            let o = origin.as_ref().and_then(|o| o.get(&key)).cloned();
            let old_style = dest.get(&key).and_then(|n| n.as_scalar()).map(|s| s.style);
            let mut val = self.walk(d, o, same, field_at)?;
            if let Some(style) = old_style {
                // kyaml's FieldSetter gives the new value (the patch's own
                // node, when it came from the patch) the old value's style.
                adopt_style(val.node.as_mut(), style);
                adopt_style(val.origin.as_mut().filter(|o| o.as_scalar().is_some()), style);
            }
            if let (Some(o), Some(after)) = (origin.as_mut(), val.origin.take()) {
                o.set(&key, after);
            }
            set_field(&mut dest, &key, val);
        }
        // Walking the patch against itself edited the patch node.
        let origin = if same { Some(dest.clone()) } else { origin };
        Ok(Outcome { node: Some(dest), in_place, keep_null: false, origin })
    }

    fn walk_associative(&self, dest: Option<Node>, origin: Option<Node>, same: bool, at: Option<At<'s>>) -> Result<Outcome> {
        let mut origin = origin;
        let (dest, same) = if is_missing_or_null(dest.as_ref()) {
            (origin.clone(), true)
        } else if origin.as_ref().is_some_and(|o| o.is_null()) {
            return Ok(Outcome::of(None, origin));
        } else {
            match directive(origin.as_mut())? {
                Directive::Delete => return Ok(Outcome::of(None, origin)),
                Directive::Replace => (origin.clone(), true),
                _ if same => (origin.clone(), true),
                _ => (dest, false),
            }
        };
        let Some(dest) = dest else { return Ok(Outcome::of(None, origin)) };
        let keys: Vec<String> = at.map(|a| self.schema.strategy_and_keys(a).1.to_vec()).unwrap_or_default();
        let mut list = ListMerge { walker: self, dest, origin, same, elem_at: at.and_then(|a| self.schema.elements(a)) };
        let values = list.element_values(&keys);
        let out = if !values.is_empty() || !keys.is_empty() {
            list.set_elements(values, &keys)?
        } else {
            // A list of scalars merged as a set (finalizers).
            let values = list.primitive_values();
            list.set_elements(values, &[String::new()])?
        };
        // The patch's list as kyaml leaves it: when walked against itself,
        // the list whose items were merged and deleted in place.
        let origin = if list.same { Some(list.dest) } else { list.origin };
        Ok(Outcome::of(Some(out), origin))
    }
}

/// The sorted union of the field names of the map sources.
fn field_names(dest: &Node, origin: Option<&Node>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in [Some(dest), origin].into_iter().flatten() {
        for (k, _) in n.as_map().map(|m| m.as_slice()).unwrap_or(&[]) {
            names.push(text(k).to_string());
        }
    }
    names.sort();
    names.dedup();
    names
}

/// kyaml's FieldSetter: no value or a plain null clears the field; a value
/// replaces the old one in place or is appended.
fn set_field(dest: &mut Node, key: &str, val: Outcome) {
    match val.node {
        Some(n) if !n.is_null() || val.keep_null => dest.set(key, n),
        _ => {
            dest.remove(key);
        }
    }
}

/// kyaml gives a new field value the style of the scalar it replaces; a
/// number or boolean written into a quoted (or block) scalar is then printed
/// quoted, and so reads back as a string.
fn adopt_style(new: Option<&mut Node>, style: Style) {
    if let Some(Value::Scalar(s)) = new.map(|n| &mut n.value) {
        s.style = style;
        if style != Style::Plain && !matches!(s.kind, Kind::Str | Kind::Null) {
            s.kind = Kind::Str;
        }
    }
}

/// Reads and removes the `$patch` directive of a patch map or list.
fn directive(patch: Option<&mut Node>) -> Result<Directive> {
    let Some(patch) = patch else { return Ok(Directive::Merge) };
    match &patch.value {
        Value::Map(_) => {
            let Some(v) = patch.get("$patch") else { return Ok(Directive::Merge) };
            let d = parse_directive(v)?;
            patch.remove("$patch");
            Ok(d)
        }
        Value::Seq(items) => {
            // The first map item holding `$patch`; it directs the list only
            // when it holds nothing else.
            let item = items.iter().find(|i| i.is_map() && i.get("$patch").is_some());
            let Some(item) = item else { return Ok(Directive::Merge) };
            if item.as_map().unwrap().len() > 1 {
                return Ok(Directive::Merge);
            }
            let v = item.get("$patch").unwrap().clone();
            let d = parse_directive(&v)?;
            let value = text(&v).to_string();
            element_set(patch.as_seq_mut().unwrap(), None, &["$patch".to_string()], &[value])?;
            Ok(d)
        }
        Value::Scalar(_) => Err(Error::at(&patch.span, format!("no implemented strategic merge patch strategy for '{}'", text(patch)))),
    }
}

fn parse_directive(v: &Node) -> Result<Directive> {
    match text(v) {
        "delete" => Ok(Directive::Delete),
        "replace" => Ok(Directive::Replace),
        "merge" => Ok(Directive::Merge),
        other => Err(Error::at(&v.span, format!("unknown patch strategy '{}'", other))),
    }
}

/// The merge of one associative list.
struct ListMerge<'w, 's> {
    walker: &'w Walker<'s>,
    dest: Node,
    origin: Option<Node>,
    same: bool,
    elem_at: Option<At<'s>>,
}

impl<'w, 's> ListMerge<'w, 's> {
    fn dest_items(&self) -> &Vec<Node> {
        self.dest.as_seq().expect("checked to be a list")
    }

    /// Sources in prepend order: the patch's items first, then the target's.
    fn sources_patch_first(&self) -> Vec<&Node> {
        [self.origin.as_ref(), Some(&self.dest)].into_iter().flatten().filter(|n| n.is_seq()).collect()
    }

    /// The merge key values of every item of both lists, without repeats,
    /// patch items first. A missing or empty key value reads as "".
    fn element_values(&self, keys: &[String]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for src in self.sources_patch_first() {
            for item in src.as_seq().unwrap() {
                let values: Vec<String> = keys.iter().map(|k| key_value(item, k)).collect();
                if !values.is_empty() && !out.contains(&values) {
                    out.push(values);
                }
            }
        }
        out
    }

    /// The distinct scalar texts of both lists, patch items first.
    fn primitive_values(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = Vec::new();
        for src in self.sources_patch_first() {
            for item in src.as_seq().unwrap() {
                let v = vec![text(item).to_string()];
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
        out
    }

    /// kyaml's setAssociativeSequenceElements: merges item by item into a new
    /// list, then lays the target's items over it.
    fn set_elements(&mut self, mut values_list: Vec<Vec<String>>, keys: &[String]) -> Result<Node> {
        let mut items: Vec<Node> = Vec::new();
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        let mut valid_keys: Vec<String> = Vec::new();
        for values in &values_list {
            if values.is_empty() {
                continue;
            }
            let (vk, vv) = validate_keys(&values_list, values, keys);
            valid_keys = vk;
            if let Some(val) = self.merge_item(&valid_keys, &vv)? {
                element_set(&mut items, Some(val), &valid_keys, &vv)?;
            }
        }
        if values_list.is_empty() {
            return Ok(self.dest.clone());
        }
        append_list(&mut items, self.dest_items(), &valid_keys)?;
        Ok(Node::seq(items, self.dest.span.clone()))
    }

    /// Merges the items matching one set of key values; returns what to add
    /// to the new list, or `None` when the item is deleted.
    fn merge_item(&mut self, valid_keys: &[String], valid_values: &[String]) -> Result<Option<Node>> {
        let (mk, mv) = validate_keys(&[valid_values.to_vec()], valid_values, valid_keys);
        let dest_index = element_match(self.dest_items(), &mk, &mv);
        let d = dest_index.map(|i| self.dest_items()[i].clone());
        let origin_items = self.origin.as_mut().and_then(|o| o.as_seq_mut());
        let origin_index = origin_items.as_ref().and_then(|items| element_match(items, &mk, &mv));
        let o = origin_index.and_then(|i| origin_items.map(|items| items[i].clone()));
        let mut out = self.walker.walk(d, o, self.same, self.elem_at)?;
        // The patch's item, its directives consumed, stays so for later
        // lookups; walked against itself, it is the target's item too.
        if let Some(after) = out.origin.take() {
            if let (Some(i), Some(items)) = (origin_index, self.origin.as_mut().and_then(|o| o.as_seq_mut())) {
                items[i] = after.clone();
            }
            if let (true, Some(i)) = (self.same, dest_index) {
                self.dest.as_seq_mut().unwrap()[i] = after;
            }
        }
        if is_missing_or_null(out.node.as_ref()) || is_empty_map(out.node.as_ref()) {
            let items = self.dest.as_seq_mut().unwrap();
            element_set(items, None, valid_keys, valid_values)?;
            return Ok(None);
        }
        let mut val = out.node.unwrap();
        for (key, value) in valid_keys.iter().zip(valid_values) {
            if !key.is_empty() && val.get(key).is_none() && !value.is_empty() {
                // kyaml puts the key back on an item that lost it.
                let kind = resolve_plain(value);
                val.set(key, Node::scalar(value.clone(), kind, val.span.clone()));
            }
        }
        // The target's item was merged in place: the target list sees it.
        if out.in_place || self.same {
            if let Some(i) = dest_index {
                self.dest.as_seq_mut().unwrap()[i] = val.clone();
            }
        }
        Ok(Some(val))
    }
}

/// The text of an item's key field; "" when missing, null or empty.
fn key_value(item: &Node, key: &str) -> String {
    match item.get(key) {
        Some(v) if !v.is_null() => match &v.value {
            Value::Scalar(s) => s.text.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    }
}

/// kyaml's validateKeys: drops the secondary keys that no item sets.
fn validate_keys(values_list: &[Vec<String>], values: &[String], keys: &[String]) -> (Vec<String>, Vec<String>) {
    let mut valid: Vec<&String> = Vec::new();
    for vs in values_list {
        for (i, v) in vs.iter().enumerate() {
            if !v.is_empty() && !valid.contains(&&keys[i]) {
                valid.push(&keys[i]);
            }
        }
    }
    if valid.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let vk: Vec<String> = keys.iter().filter(|k| valid.contains(k)).cloned().collect();
    let vv: Vec<String> =
        values.iter().enumerate().filter(|(i, v)| !v.is_empty() || valid.contains(&&keys[*i])).map(|(_, v)| v.clone()).collect();
    (vk, vv)
}

/// kyaml's mergeValues: key tuples that differ only where one is empty are
/// the same item (a port with and without `protocol`).
fn merge_values(values_list: &mut [Vec<String>]) {
    for i in 0..values_list.len() {
        // As in kyaml's range loop, the outer tuple is read once per row
        // while the inner ones see the updates.
        let outer = values_list[i].clone();
        for j in 0..values_list.len() {
            if let Some(merged) = match_values(&outer, &values_list[j]) {
                values_list[i] = merged.clone();
                values_list[j] = merged;
            }
        }
    }
}

fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::new();
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if !x.is_empty() {
            out.push(x.clone());
        } else {
            out.push(y.clone());
        }
    }
    common.then_some(out)
}

/// kyaml's ElementMatcher: the first item whose fields `keys` have the texts
/// `values` (for scalar lists, key "": the item's own text).
fn element_match(items: &[Node], keys: &[String], values: &[String]) -> Option<usize> {
    let first_value = values.first().map(String::as_str).unwrap_or("");
    if keys.is_empty() || keys[0].is_empty() {
        return items.iter().position(|i| text(i) == first_value);
    }
    if keys.len() != values.len() {
        return None;
    }
    items.iter().position(|item| item.is_map() && keys.iter().zip(values).all(|(k, v)| item.get(k).is_some_and(|f| text(f) == v)))
}

/// kyaml's FieldMatcher with a string value: does `item` match `key` =
/// `value`? An empty `value` matches any value of a present field.
fn field_match(item: &Node, key: &str, value: &str) -> Result<bool> {
    if item.is_null() {
        return Ok(false);
    }
    if key.is_empty() {
        check_shape(Some(item), Shape::Scalar)?;
        return Ok(text(item) == value);
    }
    check_shape(Some(item), Shape::Map)?;
    Ok(item.get(key).is_some_and(|f| value.is_empty() || text(f) == value))
}

/// kyaml's ElementSetter: replaces the items matching the key values with
/// `element` (or removes them when `element` is `None`), appending it when
/// nothing matched. Null and empty items are dropped on the way, as kyaml
/// drops them.
fn element_set(items: &mut Vec<Node>, element: Option<Node>, keys: &[String], values: &[String]) -> Result<()> {
    let blank = [String::new()];
    let keys = if keys.is_empty() { &blank[..] } else { keys };
    let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut kept = Vec::with_capacity(items.len());
    let mut matched = false;
    for item in items.drain(..) {
        if is_empty_map(Some(&item)) {
            continue;
        }
        if !item.is_map() && mapping_setter {
            kept.push(item);
            continue;
        }
        // As in kyaml, a key without a value reuses the previous key's
        // match result.
        let mut last = false;
        let mut found = true;
        for (j, key) in keys.iter().enumerate() {
            if j < values.len() {
                last = field_match(&item, key, &values[j])?;
            }
            if !last {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                kept.push(item);
            }
            continue;
        }
        matched = true;
        if let Some(e) = &element {
            kept.push(e.clone());
        }
    }
    *items = kept;
    if let Some(e) = element.filter(|e| !e.is_null()) {
        if !matched {
            items.push(e);
        }
    }
    Ok(())
}

/// kyaml's appendListNode: lays each target item over the merged list, by
/// its key values; an item lacking a key is appended as is.
fn append_list(dst: &mut Vec<Node>, src: &[Node], keys: &[String]) -> Result<()> {
    for elem in src {
        if keys.first().is_none_or(|k| k.is_empty()) {
            element_set(dst, Some(elem.clone()), &[String::new()], &[text(elem).to_string()])?;
            continue;
        }
        let mut v = Vec::new();
        for key in keys {
            let value = if elem.is_null() {
                None
            } else {
                check_shape(Some(elem), Shape::Map)?;
                elem.get(key)
            };
            match value {
                Some(val) => v.push(text(val).to_string()),
                None => dst.push(elem.clone()),
            }
        }
        if keys.len() > 1 {
            element_set(dst, None, keys, &v)?;
        }
        element_set(dst, Some(elem.clone()), keys, &v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    fn y(text: &str) -> Node {
        parse_single("t.yaml", text).unwrap().unwrap()
    }

    /// Equality with map keys in any order (lists in exact order).
    fn same(a: &Node, b: &Node) -> bool {
        match (&a.value, &b.value) {
            (Value::Scalar(x), Value::Scalar(y)) => x == y || (a.is_null() && b.is_null()),
            (Value::Seq(x), Value::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
            (Value::Map(x), Value::Map(y)) => x.len() == y.len() && x.iter().all(|(k, v)| b.get(text(k)).is_some_and(|w| same(v, w))),
            _ => false,
        }
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n";

    /// Merges a patch body into a Deployment body (both under DEPLOY's header).
    fn merge_deploy(target: &str, patch: &str) -> Result<Option<Node>> {
        let t = y(&format!("{}{}", DEPLOY, target));
        let p = y(&format!("{}{}", DEPLOY, patch));
        merge(&t, &p, Schema::shared())
    }

    fn check(target: &str, patch: &str, expected: &str) {
        let got = merge_deploy(target, patch).unwrap().expect("resource kept");
        let want = y(&format!("{}{}", DEPLOY, expected));
        assert!(same(&got, &want), "got {:#?}\nwant {:#?}", got, want);
    }

    /// The `name` values of the items of the list at `path`.
    fn names(n: &Node, path: &[&str], key: &str) -> Vec<String> {
        n.path(path).unwrap().as_seq().unwrap().iter().map(|i| i.get_str(key).unwrap().to_string()).collect()
    }

    const CONTAINERS: &str = "spec:\n  template:\n    spec:\n      containers:\n";

    #[test]
    fn maps_merge_recursively_and_scalars_are_replaced() {
        check(
            "spec:\n  replicas: 1\n  selector: {matchLabels: {a: b}}\n",
            "spec:\n  replicas: 3\n  selector: {matchLabels: {c: d}}\n",
            "spec:\n  replicas: 3\n  selector: {matchLabels: {a: b, c: d}}\n",
        );
    }

    #[test]
    fn null_deletes_and_empty_nulls_of_the_target_vanish() {
        check(
            "spec:\n  replicas: 1\n  paused: null\n  revisionHistoryLimit:\n  selector: {a: b}\n",
            "spec:\n  replicas: null\n  selector: null\n",
            "spec:\n  paused: null\n",
        );
    }

    #[test]
    fn containers_merge_by_name_with_patch_items_first() {
        let t = format!("{}      - {{name: a, image: a1}}\n      - {{name: b, image: b1}}\n", CONTAINERS);
        let p = format!("{}      - {{name: b, image: b2}}\n      - {{name: c, image: c1}}\n", CONTAINERS);
        let out = merge_deploy(&t, &p).unwrap().unwrap();
        let path = ["spec", "template", "spec", "containers"];
        assert_eq!(names(&out, &path, "name"), ["b", "c", "a"]);
        assert_eq!(names(&out, &path, "image"), ["b2", "c1", "a1"]);
    }

    #[test]
    fn env_keeps_kustomize_order() {
        let t = format!("{}      - name: main\n        env: [{{name: POD_NAME, value: p}}, {{name: MODE, value: old}}]\n", CONTAINERS);
        let p = format!("{}      - name: main\n        env: [{{name: MODE, value: new}}, {{name: EXTRA_1, value: e}}]\n", CONTAINERS);
        let out = merge_deploy(&t, &p).unwrap().unwrap();
        let env = ["spec", "template", "spec", "containers"];
        let main = &out.path(&env).unwrap().as_seq().unwrap()[0];
        assert_eq!(names(main, &["env"], "name"), ["MODE", "EXTRA_1", "POD_NAME"]);
        assert_eq!(names(main, &["env"], "value"), ["new", "e", "p"]);
    }

    #[test]
    fn ports_merge_by_port_and_protocol_moving_target_items_last() {
        let t = format!("{}      - name: main\n        ports: [{{containerPort: 80}}, {{containerPort: 90, protocol: UDP}}]\n", CONTAINERS);
        let p =
            format!("{}      - name: main\n        ports: [{{containerPort: 80, protocol: TCP}}, {{containerPort: 100}}]\n", CONTAINERS);
        let out = merge_deploy(&t, &p).unwrap().unwrap();
        let main = &out.path(&["spec", "template", "spec", "containers"]).unwrap().as_seq().unwrap()[0];
        assert!(same(main.get("ports").unwrap(), &y("[{containerPort: 100}, {containerPort: 80}, {containerPort: 90, protocol: UDP}]")));
    }

    #[test]
    fn volumes_by_name_and_mounts_by_mount_path() {
        let t = "spec:\n  template:\n    spec:\n      volumes: [{name: a, emptyDir: {}}]\n      containers:\n      - name: c\n        volumeMounts: [{name: a, mountPath: /a}]\n";
        let p = "spec:\n  template:\n    spec:\n      volumes: [{name: a, configMap: {name: x}}]\n      containers:\n      - name: c\n        volumeMounts: [{name: b, mountPath: /a}]\n";
        check(
            t,
            p,
            "spec:\n  template:\n    spec:\n      volumes: [{name: a, emptyDir: {}, configMap: {name: x}}]\n      containers:\n      - name: c\n        volumeMounts: [{name: b, mountPath: /a}]\n",
        );
    }

    #[test]
    fn lists_without_merge_strategy_are_replaced() {
        let t = format!("{}      - {{name: c, args: [a, b]}}\n      tolerations: [{{key: x}}]\n", CONTAINERS);
        let p = format!("{}      - {{name: c, args: [z]}}\n      tolerations: [{{key: y}}]\n", CONTAINERS);
        let e = format!("{}      - {{name: c, args: [z]}}\n      tolerations: [{{key: y}}]\n", CONTAINERS);
        check(&t, &p, &e);
    }

    #[test]
    fn patch_delete_removes_items_maps_and_whole_resources() {
        let t = format!("{}      - {{name: a}}\n      - {{name: b}}\n  strategy: {{type: Recreate}}\n", CONTAINERS);
        let p = format!("{}      - {{name: a, $patch: delete}}\n  strategy: {{$patch: delete}}\n", CONTAINERS);
        check(&t, &p, &format!("{}      - {{name: b}}\n", CONTAINERS));
        assert_eq!(merge_deploy("spec: {}\n", "$patch: delete\n").unwrap(), None);
    }

    #[test]
    fn patch_replace_on_maps_and_lists() {
        check(
            "spec:\n  selector: {matchLabels: {a: b}}\n",
            "spec:\n  selector: {$patch: replace, matchExpressions: []}\n",
            "spec:\n  selector: {matchExpressions: []}\n",
        );
        let t = format!("{}      - {{name: a}}\n      - {{name: b}}\n", CONTAINERS);
        let p = format!("{}      - {{$patch: replace}}\n      - {{name: c}}\n", CONTAINERS);
        check(&t, &p, &format!("{}      - {{name: c}}\n", CONTAINERS));
    }

    #[test]
    fn patch_replace_on_an_item_or_the_resource_keeps_the_target() {
        // kustomize's quirks: the target's item is laid back over the list,
        // and a replaced top-level node is not the one kustomize keeps.
        let t = format!("{}      - {{name: a, image: old, args: [x]}}\n", CONTAINERS);
        let p = format!("{}      - {{name: a, image: new, $patch: replace}}\n", CONTAINERS);
        check(&t, &p, &t);
        check("spec: {replicas: 1}\n", "$patch: replace\nspec: {paused: true}\n", "spec: {replicas: 1}\n");
    }

    #[test]
    fn other_smp_directives_are_plain_fields_to_kyaml() {
        let t = format!("{}      - {{name: a, args: [x, y]}}\n", CONTAINERS);
        let p = "spec:\n  template:\n    spec:\n      $setElementOrder/containers: [{name: a}]\n      containers:\n      - {name: a, $deleteFromPrimitiveList/args: [x], $retainKeys: [name]}\n";
        let e = "spec:\n  template:\n    spec:\n      $setElementOrder/containers: [{name: a}]\n      containers:\n      - {name: a, args: [x, y], $deleteFromPrimitiveList/args: [x], $retainKeys: [name]}\n";
        check(&t, p, e);
    }

    #[test]
    fn finalizers_merge_as_a_set_patch_first() {
        let out = merge_deploy("  finalizers: [a, b, a]\n", "  finalizers: [c, a]\n").unwrap().unwrap();
        assert!(same(out.path(&["metadata", "finalizers"]).unwrap(), &y("[c, a, b]")));
    }

    #[test]
    fn kinds_without_schema_replace_lists_but_nested_resources_find_theirs() {
        let t = y("apiVersion: x/v1\nkind: W\nmetadata: {name: w}\nparts: [{name: a}, {name: b}]\npod: {apiVersion: v1, kind: Pod, spec: {containers: [{name: c1}]}}\n");
        let p = y("apiVersion: x/v1\nkind: W\nmetadata: {name: w}\nparts: [{name: b, size: 2}]\npod: {apiVersion: v1, kind: Pod, spec: {containers: [{name: c2}]}}\n");
        let out = merge(&t, &p, Schema::shared()).unwrap().unwrap();
        assert!(same(out.get("parts").unwrap(), &y("[{name: b, size: 2}]")));
        assert!(same(out.path(&["pod", "spec", "containers"]).unwrap(), &y("[{name: c2}, {name: c1}]")));
    }

    #[test]
    fn shape_mismatches_and_unknown_directives_fail() {
        let e = merge_deploy("spec: {replicas: 1}\n", "spec: {replicas: {n: 1}}\n").unwrap_err();
        assert!(e.message.contains("wrong node kind: expected ScalarNode but got MappingNode"), "{}", e.message);
        let e = merge_deploy("spec: {}\n", "spec: {$patch: frob}\n").unwrap_err();
        assert_eq!(e.message, "unknown patch strategy 'frob'");
    }

    #[test]
    fn apply_sm_patch_keeps_kind_name_and_namespace() {
        let t = y("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\n");
        let p = y("apiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: m, labels: {x: y}}\n");
        let out = apply_sm_patch(&t, &p, Schema::shared(), false, false).unwrap().unwrap();
        assert!(same(&out, &y("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n, labels: {x: y}}\n")));
        let renamed = apply_sm_patch(&t, &p, Schema::shared(), true, true).unwrap().unwrap();
        assert_eq!(renamed.get_str("kind"), Some("Secret"));
        assert_eq!(renamed.path(&["metadata", "name"]).and_then(|n| n.as_str()), Some("b"));
        assert_eq!(renamed.path(&["metadata", "namespace"]).and_then(|n| n.as_str()), Some("n"));
    }
}
