//! Prints a YAML file the way `kubectl kustomize` would print it:
//! `cargo run --example emit_file -- file.yaml`. With `EMIT_TIMING=1` it
//! reports how long parsing and emitting took on stderr.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: emit_file <file.yaml>");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let start = Instant::now();
    let docs = overlay::yaml::parse_documents(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    let parsed = Instant::now();
    for doc in &docs {
        if let Err(e) = overlay::yaml::check_json_compatible(doc) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    let out = overlay::yaml::emit_documents(&docs);
    let emitted = Instant::now();
    print!("{out}");
    if std::env::var_os("EMIT_TIMING").is_some() {
        eprintln!("parse {:?}, check+emit {:?}", parsed - start, emitted - parsed);
    }
}
