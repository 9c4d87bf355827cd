//! How a build reads its files: the options of `kustomize build`.

/// Which files a kustomization may read (kustomize's `--load-restrictor`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// Files must lie inside the kustomization's own directory.
    #[default]
    RootOnly,
    None,
}

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub load_restrictor: LoadRestrictor,
}
