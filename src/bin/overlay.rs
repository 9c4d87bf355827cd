fn main() {
    eprintln!("overlay: not implemented yet");
    std::process::exit(2);
}
