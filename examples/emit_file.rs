//! Prints a YAML file the way `kubectl kustomize` would print it:
//! `cargo run --example emit_file -- file.yaml`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: emit_file <file.yaml>");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let docs = overlay::yaml::parse_documents(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    for doc in &docs {
        if let Err(e) = overlay::yaml::check_json_compatible(doc) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    print!("{}", overlay::yaml::emit_documents(&docs));
}
