//! The content hash kustomize appends to generated names (`app-5tk8mc7m4b`),
//! as api/hasher computes it: a JSON document built from the object, its
//! SHA-256, and the first ten hex digits with five letters swapped so the
//! suffix never reads as a number or a word.
//!
//! Quirk kept on purpose: kustomize looks the name up under a single key
//! `metadata/name`, finds nothing, and hashes an empty name. Two ConfigMaps
//! with equal data therefore get the same suffix.

use super::resmap::ResMap;
use crate::yaml::{Kind, Node, Value};

/// Appends `-<hash>` to every resource a generator marked for it, keeping
/// the old id in `previous` so name references can still find it.
pub fn hash_names(resources: &mut ResMap) {
    for r in resources.iter_mut().filter(|r| r.needs_hash) {
        let suffix = content_hash(&r.node);
        r.store_previous_id();
        let name = format!("{}-{}", r.name(), suffix);
        let span = r.source.clone();
        if let Some(meta) = r.node.entry_map("metadata") {
            meta.set("name", Node::string(name, span));
        }
    }
}

/// The ten-character suffix for a resource.
pub fn content_hash(node: &Node) -> String {
    encode(&sha256_hex(hash_input(node).as_bytes()))
}

/// The JSON text kustomize hashes. Go marshals a map, so keys come sorted.
fn hash_input(node: &Node) -> String {
    let field = |key: &str| match node.get(key) {
        None => "\"\"".to_string(),
        Some(v) => match &v.value {
            Value::Scalar(s) if s.kind == Kind::Null => "\"\"".to_string(),
            Value::Scalar(s) => json_string(&s.text),
            _ => to_json(v),
        },
    };
    let is_map = |key: &str| node.get(key).is_some_and(|v| v.is_map());
    let mut entries: Vec<(&str, String)> = Vec::new();
    match node.get_str("kind") {
        Some("ConfigMap") => {
            entries.push(("kind", json_string("ConfigMap")));
            entries.push(("name", json_string("")));
            entries.push(("data", field("data")));
            if is_map("binaryData") {
                entries.push(("binaryData", field("binaryData")));
            }
        }
        Some("Secret") => {
            entries.push(("kind", json_string("Secret")));
            entries.push(("type", field("type")));
            entries.push(("name", json_string("")));
            entries.push(("data", field("data")));
            if is_map("stringData") {
                entries.push(("stringData", field("stringData")));
            }
        }
        _ => return to_json(node),
    }
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let body: Vec<String> = entries.iter().map(|(k, v)| format!("{}:{}", json_string(k), v)).collect();
    format!("{{{}}}", body.join(","))
}

/// A node as Go's encoding/json prints it after a trip through
/// `map[string]interface{}`: keys sorted, numbers bare.
pub fn to_json(node: &Node) -> String {
    match &node.value {
        Value::Scalar(s) => match s.kind {
            Kind::Str | Kind::Timestamp => json_string(&s.text),
            Kind::Null => "null".to_string(),
            Kind::Bool => s.text.to_ascii_lowercase(),
            Kind::Int | Kind::Float => s.text.clone(),
        },
        Value::Seq(items) => format!("[{}]", items.iter().map(to_json).collect::<Vec<_>>().join(",")),
        Value::Map(entries) => {
            let mut pairs: Vec<(&str, &Node)> = entries.iter().map(|(k, v)| (k.as_str().unwrap_or(""), v)).collect();
            pairs.sort_by(|a, b| a.0.cmp(b.0));
            // A later duplicate key wins in Go's map; keep the last one.
            pairs.dedup_by(|later, earlier| {
                if later.0 == earlier.0 {
                    earlier.1 = later.1;
                    true
                } else {
                    false
                }
            });
            let body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}:{}", json_string(k), to_json(v))).collect();
            format!("{{{}}}", body.join(","))
        }
    }
}

/// A JSON string escaped exactly as Go's encoding/json (1.22+) does,
/// including its HTML-safe escapes of `<`, `>` and `&`.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// kustomize's suffix alphabet: the first ten hex digits with 0, 1, 3, a
/// and e swapped for letters.
fn encode(hex: &str) -> String {
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// SHA-256 (FIPS 180-4) as lowercase hex. Small enough to keep the wasm
/// build free of a crypto crate; only used for name suffixes.
pub fn sha256_hex(data: &[u8]) -> String {
    sha256(data).iter().map(|b| format!("{:02x}", b)).collect()
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
    0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
    0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
    0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    // Padding: a 1 bit, zeros to 56 mod 64, then the bit length big-endian.
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7].wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [t1.wrapping_add(t2), v[0], v[1], v[2], v[3].wrapping_add(t1), v[4], v[5], v[6]];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    let mut out = [0u8; 32];
    for (i, word) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_single;

    fn hash_of(yaml: &str) -> String {
        content_hash(&parse_single("t.yaml", yaml).unwrap().unwrap())
    }

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(sha256_hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        assert_eq!(sha256_hex(&[b'a'; 1000]), "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
    }

    // Expected suffixes below were printed by `kubectl kustomize` (v5.5.0).
    #[test]
    fn configmap_hashes_match_kubectl() {
        assert_eq!(hash_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n"), "hmg6f82fh6");
        // The name does not count.
        assert_eq!(hash_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: \"1\"\n"), "hmg6f82fh6");
        assert_eq!(hash_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: empty\n"), "6ct58987ht");
        assert_eq!(hash_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: h\ndata:\n  k: <a&b>\n  u: \"é\\u2028\"\n"), "ctk2tc99mt");
    }

    #[test]
    fn secret_hashes_match_kubectl() {
        assert_eq!(hash_of("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata:\n  x: MQ==\n"), "bf2648c599");
        assert_eq!(
            hash_of("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s2\ntype: kubernetes.io/tls\ndata:\n  x: MQ==\n"),
            "79cg2k2tfk"
        );
    }

    #[test]
    fn go_json_escapes() {
        assert_eq!(json_string("a\"b\\c\n\u{1}\u{8}<\u{7f}"), "\"a\\\"b\\\\c\\n\\u0001\\b\\u003c\u{7f}\"");
    }
}
