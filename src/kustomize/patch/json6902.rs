//! JSON 6902 patches with the semantics kustomize v5.5.0 gets from
//! gopkg.in/evanphx/json-patch.v4: the resource goes through JSON (numbers
//! become float64, timestamps RFC 3339 strings), each operation works on that
//! JSON, and the result comes back. Errors read as that library's, e.g.
//! `replace operation does not apply: doc is missing key: /a/b: missing value`.
//!
//! Quirks kept because they show: `replace` of a missing map key adds it;
//! `copy` from a missing map key writes null; negative array indexes count
//! from the end (for `add`, of the list with the new item); a path without a
//! leading `/` still addresses the root's fields by its last segment.

use crate::error::{Error, Result};
use crate::yaml::parse::{parse_go_int, parse_timestamp, resolve_yaml11};
use crate::yaml::{Kind, Node, Scalar, Style, Value};

/// Applies a list of operations to `target`, in order. On error `target` is
/// left unchanged.
pub fn apply(target: &mut Node, ops: &Node) -> Result<()> {
    let list = ops
        .as_seq()
        .ok_or_else(|| Error::at(&ops.span, format!("json: cannot unmarshal {} into Go value of type jsonpatch.Patch", ops.json_type())))?;
    let mut doc = to_json(target)?;
    for op in list {
        if !op.is_map() {
            return Err(Error::at(
                &op.span,
                format!("json: cannot unmarshal {} into Go value of type jsonpatch.Operation", op.json_type()),
            ));
        }
        apply_op(&mut doc, op).map_err(|e| e.or_at(&op.span))?;
        crate::yaml::check_built_depth(&doc, &op.span, "this JSON patch operation")?;
    }
    restring_annotations(&mut doc);
    *target = doc;
    Ok(())
}

/// Applies operations as kustomize's `patches:` transformer does: before
/// the patch it records the resource's previous id as internal annotations
/// (`internal.config.kubernetes.io/previousKinds`, `previousNames`,
/// `previousNamespaces`), so the operations see a `metadata.annotations`
/// map holding them (`add /metadata/annotations/x` works on a resource
/// without annotations; `copy` from there copies them). Internal
/// annotations are taken out again afterwards, as kustomize's output does.
/// (`patchesJson6902:` stores no previous id: use `apply`.)
pub fn apply_with_internal_annotations(target: &mut Node, ops: &Node, internal: &[(String, String)]) -> Result<()> {
    let mut doc = target.clone();
    if !internal.is_empty() {
        let span = doc.span.clone();
        if let Some(ann) = doc.entry_map("metadata").and_then(|m| m.entry_map("annotations")) {
            for (k, v) in internal {
                ann.set(k, Node::string(v.clone(), span.clone()));
            }
        }
    }
    apply(&mut doc, ops)?;
    drop_internal_annotations(&mut doc);
    *target = doc;
    Ok(())
}

/// Removes kustomize's internal annotations (kioutil's internal prefix and
/// the legacy path/index/id keys), and the annotations map if that empties it.
fn drop_internal_annotations(doc: &mut Node) {
    let Some(meta) = doc.get_mut("metadata") else { return };
    let Some(ann) = meta.get_mut("annotations").and_then(|a| a.as_map_mut()) else { return };
    ann.retain(|(k, _)| {
        let k = k.as_str().unwrap_or("");
        !(k.starts_with("internal.config.kubernetes.io/")
            || k == "config.kubernetes.io/path"
            || k == "config.kubernetes.io/index"
            || k == "config.k8s.io/id")
    });
    if ann.is_empty() {
        meta.remove("annotations");
    }
}

/// kustomize's JSON patch transformers (`patches:` and `patchesJson6902:`)
/// read the annotations back as a string map and set them again: every
/// value becomes the string of its scalar text ("" for a map or list), and
/// annotations that are not a map, or are empty, disappear. Labels are left
/// alone.
pub fn restring_annotations(doc: &mut Node) {
    let Some(meta) = doc.get_mut("metadata").filter(|m| m.is_map()) else { return };
    let Some(ann) = meta.get("annotations") else { return };
    let mut entries: Vec<(Node, Node)> = ann
        .as_map()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let key = Node::string(text_of(k), k.span.clone());
                    (key, Node::string(text_of(v), v.span.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    if entries.is_empty() {
        meta.remove("annotations");
        return;
    }
    entries.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
    let span = ann.span.clone();
    meta.set("annotations", Node::new(Value::Map(entries), span));
}

/// A node's go-yaml `Value`: a scalar's text, "" for a map or list.
fn text_of(n: &Node) -> String {
    n.as_str().unwrap_or("").to_string()
}

fn apply_op(doc: &mut Node, op: &Node) -> Result<()> {
    // An operation that cannot apply is about its path: point there.
    let path_span = op.get("path").map(|p| p.span.clone()).unwrap_or_else(|| op.span.clone());
    apply_op_at(doc, op).map_err(|e| e.or_at(&path_span))
}

fn apply_op_at(doc: &mut Node, op: &Node) -> Result<()> {
    let kind = op.get("op").and_then(|k| k.as_string()).unwrap_or("unknown");
    match kind {
        "add" => {
            let path = op_path(op, "path", || "add operation failed to decode path: missing value".into())?;
            let value = op_value(op)?;
            let (con, key) = find(doc, &path)
                .ok_or_else(|| Error::new(format!("add operation does not apply: doc is missing path: \"{}\": missing value", path)))?;
            add(con, &key, value).map_err(|e| Error::new(format!("error in add for path: '{}': {}", path, e)))
        }
        "remove" => {
            let path = op_path(op, "path", || "remove operation failed to decode path: missing value".into())?;
            let (con, key) = find(doc, &path)
                .ok_or_else(|| Error::new(format!("remove operation does not apply: doc is missing path: \"{}\": missing value", path)))?;
            remove(con, &key).map(|_| ()).map_err(|e| Error::new(format!("error in remove for path: '{}': {}", path, e)))
        }
        "replace" => {
            let path =
                op_path(op, "path", || "replace operation failed to decode path: operation missing path field: missing value".into())?;
            let value = op_value(op)?;
            let (con, key) = find(doc, &path)
                .ok_or_else(|| Error::new(format!("replace operation does not apply: doc is missing path: {}: missing value", path)))?;
            if get(con, &key).is_err() {
                return Err(Error::new(format!("replace operation does not apply: doc is missing key: {}: missing value", path)));
            }
            set(con, &key, value);
            Ok(())
        }
        "move" => {
            let from = op_path(op, "from", || "move operation failed to decode from: operation, missing from field: missing value".into())?;
            let (con, key) = find(doc, &from)
                .ok_or_else(|| Error::new(format!("move operation does not apply: doc is missing from path: {}: missing value", from)))?;
            let wrap = |e: String| Error::new(format!("error in move for path: '{}': {}", key, e));
            get(con, &key).map_err(wrap)?;
            let val = remove(con, &key).map_err(wrap)?;
            let path = op_path(op, "path", || "move operation failed to decode path: operation missing path field: missing value".into())?;
            let (con, key) = find(doc, &path).ok_or_else(|| {
                Error::new(format!("move operation does not apply: doc is missing destination path: {}: missing value", path))
            })?;
            add(con, &key, val).map_err(|e| Error::new(format!("error in move for path: '{}': {}", path, e)))
        }
        "test" => {
            let path = op_path(op, "path", || "test operation failed to decode path: operation missing path field: missing value".into())?;
            let (con, key) = find(doc, &path)
                .ok_or_else(|| Error::new(format!("test operation does not apply: is missing path: {}: missing value", path)))?;
            let val = get(con, &key).map_err(|e| Error::new(format!("error in test for path: '{}': {}", path, e)))?;
            let want = match op.get("value") {
                Some(v) => Some(to_json_value(v)?),
                None => None,
            };
            let ok = match (val, &want) {
                // A missing field passes a test for null.
                (None, w) => w.as_ref().is_none_or(|w| w.is_null()),
                (Some(_), None) => false,
                (Some(v), Some(w)) => json_equal(v, w),
            };
            if ok {
                Ok(())
            } else {
                Err(Error::new(format!("testing value {} failed: test failed", path)))
            }
        }
        "copy" => {
            let from = op_path(op, "from", || "copy operation failed to decode from: operation, missing from field: missing value".into())?;
            let (con, key) = find(doc, &from)
                .ok_or_else(|| Error::new(format!("copy operation does not apply: doc is missing from path: {}: missing value", from)))?;
            let val = get(con, &key).map_err(|e| Error::new(format!("error in copy for from: '{}': {}", from, e)))?;
            // A missing map key copies as null.
            let val = val.cloned().unwrap_or_else(|| Node::null(op.span.clone()));
            let path = op_path(op, "path", || "copy operation failed to decode path: missing value".into())?;
            let (con, key) = find(doc, &path).ok_or_else(|| {
                Error::new(format!("copy operation does not apply: doc is missing destination path: {}: missing value", path))
            })?;
            add(con, &key, val).map_err(|e| Error::new(format!("error while adding value during copy: {}", e)))
        }
        other => Err(Error::new(format!("Unexpected kind: {}", other))),
    }
}

/// The `path` or `from` of an operation; `missing` gives the error when absent.
fn op_path(op: &Node, field: &str, missing: impl Fn() -> String) -> Result<String> {
    match op.get(field) {
        None => Err(Error::at(&op.span, missing())),
        Some(p) if p.is_null() => Err(Error::at(&p.span, missing())),
        Some(p) => match p.as_scalar() {
            Some(s) if matches!(s.kind, Kind::Str | Kind::Timestamp) => Ok(s.text.clone()),
            _ => Err(Error::at(&p.span, format!("json: cannot unmarshal {} into Go value of type string", p.json_type()))),
        },
    }
}

/// The `value` of an operation, in JSON form; an absent value is null.
fn op_value(op: &Node) -> Result<Node> {
    match op.get("value") {
        Some(v) => to_json_value(v),
        None => Ok(Node::null(op.span.clone())),
    }
}

/// An operation value as sigs.k8s.io/yaml turns patch YAML into JSON: plain
/// scalars read with YAML 1.1 rules (`yes` is true, dates stay strings).
fn to_json_value(v: &Node) -> Result<Node> {
    let reread = reresolve_yaml11(v);
    to_json(&reread)
}

fn reresolve_yaml11(n: &Node) -> Node {
    let value = match &n.value {
        Value::Scalar(s) if s.style == Style::Plain => {
            Value::Scalar(Scalar { text: s.text.clone(), kind: resolve_yaml11(&s.text), style: s.style })
        }
        Value::Scalar(s) => Value::Scalar(s.clone()),
        Value::Seq(items) => Value::Seq(items.iter().map(reresolve_yaml11).collect()),
        Value::Map(entries) => Value::Map(entries.iter().map(|(k, v)| (json_key(k), reresolve_yaml11(v))).collect()),
    };
    Node::new(value, n.span.clone())
}

/// A map key of patch YAML as JSON spells it: YAML 1.1 reads a plain `n` or
/// `yes` as a boolean, which becomes the key "false" or "true".
fn json_key(k: &Node) -> Node {
    match k.as_scalar() {
        Some(s) if s.style == Style::Plain && resolve_yaml11(&s.text) == Kind::Bool => Node::string(bool_text(&s.text), k.span.clone()),
        _ => k.clone(),
    }
}

/// A node as it comes back from a JSON round trip.
pub fn to_json(n: &Node) -> Result<Node> {
    let value = match &n.value {
        Value::Scalar(s) => Value::Scalar(json_scalar(s).map_err(|m| Error::at(&n.span, m))?),
        Value::Seq(items) => Value::Seq(items.iter().map(to_json).collect::<Result<_>>()?),
        Value::Map(entries) => Value::Map(entries.iter().map(|(k, v)| Ok((k.clone(), to_json(v)?))).collect::<Result<Vec<_>>>()?),
    };
    Ok(Node::new(value, n.span.clone()))
}

fn json_scalar(s: &Scalar) -> std::result::Result<Scalar, String> {
    let (text, kind) = match s.kind {
        Kind::Str => return Ok(Scalar { text: s.text.clone(), kind: Kind::Str, style: reencoded_style(&s.text) }),
        Kind::Null => ("null".to_string(), Kind::Null),
        Kind::Bool => (bool_text(&s.text).to_string(), Kind::Bool),
        Kind::Int => {
            let plain: String = s.text.chars().filter(|&c| c != '_').collect();
            let f = parse_int_loose(&plain).ok_or_else(|| format!("cannot read {} as a number", s.text))?;
            go_json_number(f)?
        }
        Kind::Float => go_json_number(parse_float(&s.text).ok_or_else(|| format!("cannot read {} as a number", s.text))?)?,
        Kind::Timestamp => (rfc3339(&s.text).unwrap_or_else(|| s.text.clone()), Kind::Str),
    };
    let style = if kind == Kind::Str { reencoded_style(&text) } else { Style::Plain };
    Ok(Scalar { text, kind, style })
}

/// The style go-yaml gives a string when kyaml writes the patched JSON back
/// as YAML: quoted when it would not read back as that string, a literal
/// block when it spans lines, plain otherwise. (A later strategic merge
/// keeps a quoted style on whatever replaces the value.)
fn reencoded_style(text: &str) -> Style {
    if text.contains('\n') {
        return Style::Literal;
    }
    let first = text.chars().next();
    let needs_quotes = text.is_empty()
        || crate::yaml::parse::resolve_plain(text) != Kind::Str
        || resolve_yaml11(text) != Kind::Str
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace)
        || first.is_some_and(|c| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':');
    if needs_quotes {
        Style::Double
    } else {
        Style::Plain
    }
}

/// JSON's spelling of a YAML 1.1 or 1.2 boolean (`yes`, `On`, `TRUE`...).
fn bool_text(t: &str) -> &'static str {
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "on" => "true",
        _ => "false",
    }
}

fn parse_int_loose(s: &str) -> Option<f64> {
    if let Some(i) = parse_go_int(s) {
        return Some(i as f64);
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(b) = body.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()?
    } else if let Some(o) = body.strip_prefix("0o") {
        i128::from_str_radix(o, 8).ok()?
    } else {
        return None;
    };
    Some(if neg { -(v as f64) } else { v as f64 })
}

fn parse_float(s: &str) -> Option<f64> {
    let t: String = s.chars().filter(|&c| c != '_').collect();
    match t.to_ascii_lowercase().as_str() {
        ".inf" | "+.inf" => Some(f64::INFINITY),
        "-.inf" => Some(f64::NEG_INFINITY),
        ".nan" => Some(f64::NAN),
        l => l.parse().ok(),
    }
}

/// A float64 written as Go's encoding/json writes it.
fn go_json_number(f: f64) -> std::result::Result<(String, Kind), String> {
    if f.is_nan() {
        return Err("json: unsupported value: NaN".into());
    }
    if f.is_infinite() {
        return Err(format!("json: unsupported value: {}Inf", if f > 0.0 { "+" } else { "-" }));
    }
    let abs = f.abs();
    let text = if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Go: exponent form with an explicit sign and at least one digit.
        let e = format!("{:e}", f);
        let (mant, exp) = e.split_once('e').unwrap();
        let exp = if exp.starts_with('-') { exp.to_string() } else { format!("+{}", exp) };
        format!("{}e{}", mant, exp)
    } else {
        format!("{}", f)
    };
    let kind = if text.contains(['.', 'e']) { Kind::Float } else { Kind::Int };
    Ok((text, kind))
}

/// A YAML timestamp as Go's time.Time marshals to JSON (RFC 3339, with
/// nanoseconds only when there are any).
fn rfc3339(s: &str) -> Option<String> {
    let (y, mo, d, h, mi, sec, nanos, off) = parse_timestamp(s)?;
    let mut out = format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, mo, d, h, mi, sec);
    if nanos > 0 {
        let frac = format!("{:09}", nanos);
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    if off == 0 {
        out.push('Z');
    } else {
        let sign = if off < 0 { '-' } else { '+' };
        let a = off.abs();
        out.push_str(&format!("{}{:02}:{:02}", sign, a / 3600, (a % 3600) / 60));
    }
    Some(out)
}

/// Decodes one JSON pointer segment (`~1` is `/`, `~0` is `~`, in one pass).
fn decode_key(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut chars = k.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.peek() {
                Some('1') => {
                    chars.next();
                    out.push('/');
                    continue;
                }
                Some('0') => {
                    chars.next();
                    out.push('~');
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// The container holding the pointer's last segment, and that segment, as
/// json-patch's findObject finds them: every segment but the first (always
/// treated as the root) and the last must exist and lead to a map or list.
fn find<'a>(doc: &'a mut Node, path: &str) -> Option<(&'a mut Node, String)> {
    let split: Vec<&str> = path.split('/').collect();
    if split.len() < 2 {
        return None;
    }
    let mut cur = doc;
    for part in &split[1..split.len() - 1] {
        let key = decode_key(part);
        let next = match &mut cur.value {
            Value::Map(entries) => entries.iter_mut().find(|(k, _)| k.as_str() == Some(key.as_str())).map(|(_, v)| v),
            Value::Seq(items) => {
                let i = go_atoi(&key).ok()?;
                let len = items.len();
                items.get_mut(list_index(i, len).ok()?)
            }
            Value::Scalar(_) => None,
        }?;
        if !(next.is_map() || next.is_seq()) {
            return None;
        }
        cur = next;
    }
    Some((cur, decode_key(split[split.len() - 1])))
}

/// strconv.Atoi, with its error text.
fn go_atoi(s: &str) -> std::result::Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {:?}: invalid syntax", s));
    }
    s.parse::<i64>().map_err(|_| format!("strconv.Atoi: parsing {:?}: value out of range", s))
}

fn invalid_index(i: i64) -> String {
    format!("Unable to access invalid index: {}: invalid index referenced", i)
}

/// An index into an existing list; negative ones count from the end.
fn list_index(i: i64, len: usize) -> std::result::Result<usize, String> {
    let len = len as i64;
    let i = if i < 0 {
        if i < -len {
            return Err(invalid_index(i));
        }
        i + len
    } else {
        i
    };
    if i >= len {
        return Err(invalid_index(i));
    }
    Ok(i as usize)
}

/// The value at `key`; `Ok(None)` for a missing map key (not an error for
/// the library), `Err` for a bad list index.
fn get<'a>(con: &'a Node, key: &str) -> std::result::Result<Option<&'a Node>, String> {
    match &con.value {
        Value::Map(_) => Ok(con.get(key)),
        Value::Seq(items) => {
            let i = list_index(go_atoi(key)?, items.len())?;
            Ok(Some(&items[i]))
        }
        Value::Scalar(_) => Err("unknown object type".into()),
    }
}

/// Replaces the value at an existing key (checked by `get` first).
fn set(con: &mut Node, key: &str, value: Node) {
    match &mut con.value {
        Value::Map(_) => con.set(key, value),
        Value::Seq(items) => {
            let len = items.len();
            if let Some(i) = go_atoi(key).ok().and_then(|i| list_index(i, len).ok()) {
                items[i] = value;
            }
        }
        Value::Scalar(_) => {}
    }
}

fn add(con: &mut Node, key: &str, value: Node) -> std::result::Result<(), String> {
    match &mut con.value {
        Value::Map(_) => {
            con.set(key, value);
            Ok(())
        }
        Value::Seq(items) => {
            if key == "-" {
                items.push(value);
                return Ok(());
            }
            let i = go_atoi(key).map_err(|e| format!("value was not a proper array index: '{}': {}", key, e))?;
            // Indexes count in the list as it will be, with the new item.
            let size = items.len() as i64 + 1;
            if i >= size || i < -size {
                return Err(invalid_index(i));
            }
            let at = if i < 0 { i + size } else { i };
            items.insert(at as usize, value);
            Ok(())
        }
        Value::Scalar(_) => Err("unknown object type".into()),
    }
}

fn remove(con: &mut Node, key: &str) -> std::result::Result<Node, String> {
    match &mut con.value {
        Value::Map(_) => con.remove(key).ok_or_else(|| format!("Unable to remove nonexistent key: {}: missing value", key)),
        Value::Seq(items) => {
            let i = go_atoi(key)?;
            let len = items.len() as i64;
            if i >= len || i < -len {
                return Err(invalid_index(i));
            }
            let at = if i < 0 { i + len } else { i };
            Ok(items.remove(at as usize))
        }
        Value::Scalar(_) => Err("unknown object type".into()),
    }
}

/// json-patch's equality for `test`: lists item by item, maps key by key
/// (the same keys on both sides), scalars by their JSON text, so a string
/// never equals a number.
fn json_equal(doc: &Node, want: &Node) -> bool {
    match (&doc.value, &want.value) {
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| k.as_str().and_then(|k| want.get(k)).is_some_and(|w| json_equal(v, w)))
        }
        (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_equal(x, y)),
        (Value::Scalar(a), Value::Scalar(b)) => {
            let is_str = |s: &Scalar| matches!(s.kind, Kind::Str | Kind::Timestamp);
            is_str(a) == is_str(b) && a.text == b.text
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    fn y(text: &str) -> Node {
        parse_single("t.yaml", text).unwrap().unwrap()
    }

    const DOC: &str = "kind: ConfigMap\nmetadata: {name: cm}\ndata: {a: '1', b: two}\nlist: [x, y, z]\nmeta: {a/b: s, t~u: v}\n";

    fn run(ops: &str) -> Result<Node> {
        let mut doc = y(DOC);
        apply(&mut doc, &y(ops)).map(|_| doc)
    }

    fn err(ops: &str) -> String {
        run(ops).unwrap_err().message
    }

    #[test]
    fn add_replace_remove() {
        let out = run("[{op: add, path: /data/c, value: '3'}, {op: replace, path: /data/a, value: 1}, {op: remove, path: /data/b}, {op: add, path: /list/1, value: w}]").unwrap();
        assert_eq!(out.get("data").unwrap(), &y("{a: 1, c: '3'}"));
        assert_eq!(out.get("list").unwrap(), &y("[x, w, y, z]"));
    }

    #[test]
    fn move_copy_and_test() {
        let out = run("[{op: test, path: /data/a, value: '1'}, {op: move, from: /data/a, path: /moved}, {op: copy, from: /list, path: /data/l}, {op: move, from: /list/0, path: /list/-}]").unwrap();
        assert_eq!(out.get("moved").unwrap(), &y("'1'"));
        assert_eq!(out.path(&["data", "l"]).unwrap(), &y("[x, y, z]"));
        assert_eq!(out.get("list").unwrap(), &y("[y, z, x]"));
        assert!(out.path(&["data", "a"]).is_none());
    }

    #[test]
    fn pointer_escapes_append_and_negative_indexes() {
        let out = run("[{op: replace, path: /meta/a~1b, value: S}, {op: remove, path: /meta/t~0u}, {op: add, path: /list/-, value: end}, {op: add, path: /list/-1, value: last}, {op: add, path: /list/-6, value: first}]").unwrap();
        assert_eq!(out.get("meta").unwrap(), &y("{a/b: S}"));
        assert_eq!(out.get("list").unwrap(), &y("[first, x, y, z, end, last]"));
        let out = run("[{op: replace, path: /list/-1, value: Z}, {op: test, path: /list/-3, value: x}]").unwrap();
        assert_eq!(out.get("list").unwrap(), &y("[x, y, Z]"));
    }

    #[test]
    fn library_quirks_are_kept() {
        // replace of a missing map key adds it; copy from one writes null;
        // a missing field passes a test for null.
        let out = run("[{op: replace, path: /data/new, value: v}, {op: copy, from: /data/none, path: /data/n}, {op: test, path: /data/zz, value: null}]").unwrap();
        assert_eq!(out.path(&["data", "new"]).unwrap(), &y("v"));
        assert!(out.path(&["data", "n"]).unwrap().is_null());
    }

    #[test]
    fn the_document_goes_through_json() {
        let mut doc = y("a: 1.0\nb: 1e3\nc: 0x1F\nd: 2024-01-01\ne: 12345678901234567890\n");
        apply(&mut doc, &y("[{op: add, path: /f, value: {x: yes, n: 1}}]")).unwrap();
        let want = y("a: 1\nb: 1000\nc: 31\nd: '2024-01-01T00:00:00Z'\ne: 12345678901234567000\nf: {x: true, 'false': 1}\n");
        assert_eq!(doc, want);
    }

    #[test]
    fn errors_read_like_kustomize() {
        assert_eq!(
            err("[{op: remove, path: /data/zz}]"),
            "error in remove for path: '/data/zz': Unable to remove nonexistent key: zz: missing value"
        );
        assert_eq!(
            err("[{op: add, path: /no/x, value: 1}]"),
            "add operation does not apply: doc is missing path: \"/no/x\": missing value"
        );
        assert_eq!(
            err("[{op: replace, path: /list/7, value: 1}]"),
            "replace operation does not apply: doc is missing key: /list/7: missing value"
        );
        assert_eq!(
            err("[{op: add, path: /list/5, value: 1}]"),
            "error in add for path: '/list/5': Unable to access invalid index: 5: invalid index referenced"
        );
        assert_eq!(err("[{op: test, path: /data/a, value: 1}]"), "testing value /data/a failed: test failed");
        assert_eq!(err("[{op: test, path: /data, value: {a: '1', b: two, c: 3}}]"), "testing value /data failed: test failed");
        assert_eq!(
            err("[{op: move, from: /data/q, path: /data/b}]"),
            "error in move for path: 'q': Unable to remove nonexistent key: q: missing value"
        );
        assert_eq!(err("[{op: bogus, path: /a}]"), "Unexpected kind: bogus");
        assert_eq!(err("[{op: add, path: '', value: 1}]"), "add operation does not apply: doc is missing path: \"\": missing value");
    }

    #[test]
    fn annotations_come_back_as_strings() {
        let out = run("[{op: add, path: /metadata/annotations, value: {a: 1, b: {c: d}, e: null, g: true}}, {op: add, path: /metadata/labels, value: {'n': 1}}]").unwrap();
        assert_eq!(out.path(&["metadata", "annotations"]).unwrap(), &y("{a: '1', b: '', e: 'null', g: 'true'}"));
        assert_eq!(out.path(&["metadata", "labels"]).unwrap(), &y("{n: 1}"));
        let out = run("[{op: add, path: /metadata/annotations, value: {}}]").unwrap();
        assert!(out.path(&["metadata", "annotations"]).is_none());
    }

    #[test]
    fn strings_get_the_style_kyaml_writes_them_back_with() {
        // A later strategic merge keeps a quoted style on a number put in
        // its place, so this decides between `replicas: 3` and `"3"`.
        let out = run("[{op: add, path: /v, value: \"v\"}, {op: add, path: /n, value: \"3\"}]").unwrap();
        let style = |k: &str| out.get(k).unwrap().as_scalar().unwrap().style;
        assert_eq!((style("v"), style("n")), (Style::Plain, Style::Double));
    }

    #[test]
    fn the_patches_transformer_sees_internal_annotations() {
        let ids = [
            ("internal.config.kubernetes.io/previousKinds".to_string(), "ConfigMap".to_string()),
            ("internal.config.kubernetes.io/previousNames".to_string(), "cm".to_string()),
        ];
        let mut doc = y(DOC);
        let ops = y("[{op: add, path: /metadata/annotations/j, value: '1'}, {op: copy, from: /metadata/annotations, path: /copied}]");
        apply_with_internal_annotations(&mut doc, &ops, &ids).unwrap();
        assert_eq!(doc.path(&["metadata", "annotations"]).unwrap(), &y("{j: '1'}"));
        let copied = doc.get("copied").unwrap();
        assert_eq!(copied.get_str("internal.config.kubernetes.io/previousNames"), Some("cm"));
        // Without them (patchesJson6902) the same add fails.
        assert!(run("[{op: add, path: /metadata/annotations/j, value: '1'}]").is_err());
    }

    #[test]
    fn a_failed_patch_leaves_the_target_alone() {
        let mut doc = y(DOC);
        assert!(apply(&mut doc, &y("[{op: add, path: /data/c, value: 1}, {op: remove, path: /nope}]")).is_err());
        assert_eq!(doc, y(DOC));
    }
}
