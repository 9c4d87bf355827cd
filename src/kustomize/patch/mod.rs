//! The patch engines: strategic merge patch and JSON 6902 patch, with
//! kustomize v5.5.0's semantics, and the merge-key schema they need.

pub mod detect;
pub mod json6902;
pub mod schema;
pub mod smp;

pub use detect::{parse_patch, PatchKind};
pub use schema::Schema;
