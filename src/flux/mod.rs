//! The Flux layer: a repository's `clusters/<env>` directories read the way
//! Flux's kustomize-controller reads them. Which Kustomizations there are,
//! what each one renders, in which order they apply, what a change prunes,
//! and the mistakes worth pointing out.
//!
//! - `kustomization`: the Flux Kustomization object and its fields;
//! - `generate`: the kustomization.yaml the controller writes (generated or
//!   overridden), shown over the repository through `layered`;
//! - `sourceignore`, `artifact`: what the source artifact holds (the
//!   repository minus its exclusions, or the part an ArtifactGenerator copies);
//! - `substitute`: `postBuild` variable substitution, Flux's envsubst dialect;
//! - `order`: `dependsOn` order and the staged apply order;
//! - `discover`: where reconciliation starts (the clusters) and which source
//!   is the repository itself;
//! - `cluster`: the cluster model, each Kustomization built like the controller;
//! - `prune`: what a change deletes or leaves behind;
//! - `lint`: findings with file, line and fix;
//! - `report`: a cluster as the page and the CLI show it (JSON, YAML, graph).

pub mod artifact;
pub mod cluster;
pub mod discover;
pub mod generate;
pub mod kustomization;
pub mod lint;
pub mod order;
pub mod prune;
pub mod report;
pub mod sourceignore;
pub mod substitute;
