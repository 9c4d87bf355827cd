//! The Flux layer: a repository's `clusters/<env>` directories read the way
//! Flux's kustomize-controller reads them. Which Kustomizations there are,
//! what each one renders, in which order they apply, what a change prunes,
//! and the mistakes worth pointing out.

pub mod kustomization;
pub mod substitute;
pub mod generate;
pub mod layered;
pub mod order;
pub mod cluster;
pub mod prune;
pub mod lint;
pub mod artifact;
pub mod sourceignore;
