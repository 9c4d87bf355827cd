//! Overlay Playground's engine: a Kustomize-compatible overlay builder over a
//! virtual file system. Plain Rust; `wasm.rs` and the CLI are thin faces on it.

pub mod diff;
pub mod env;
pub mod error;
pub mod explain;
pub mod fs;
#[doc(hidden)]
pub mod fuzzing;
pub mod kustomize;
pub mod lesson;
pub mod limits;
pub mod memo;
pub mod promote;
pub mod review;
pub mod span;
pub mod yaml;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use fs::{DiskFs, Files, MemFs};
pub use kustomize::{build, render, BuildOptions, LoadRestrictor};
pub mod flux;
