//! The whole build, from a small file tree decoded out of the fuzz bytes
//! (src/fuzzing.rs): it must never panic, its output must parse back, and
//! its errors must name a file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = overlay::fuzzing::check(data) {
        panic!("{}", problem);
    }
});
