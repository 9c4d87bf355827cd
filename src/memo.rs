//! Renders of every environment, remembered between keystrokes. A keystroke
//! changes one file; an environment whose build never looked at that file
//! (nor at a directory listing it changes) renders exactly as before. Each
//! remembered render keeps what its build asked of the tree and the answers
//! (`fs::Reads`, compared by content), and is reused only when the tree
//! still answers the same: never stale, whatever changed.

use crate::env::{self, Environment};
use crate::fs::{Files, Reads, Recorder};
use crate::yaml::parse::{with_parse_cache, ParseCache};
use crate::{BuildOptions, Result};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct RenderCache {
    /// The environments, for the pinned directories they were found with.
    environments: Option<(Vec<String>, Reads, Vec<Environment>)>,
    renders: BTreeMap<String, (Reads, Result<String>)>,
    /// The files those builds parsed, for the builds that must run again.
    parses: ParseCache,
}

impl RenderCache {
    pub fn new() -> RenderCache {
        RenderCache::default()
    }

    /// The environments of the whole tree with the `pinned` directories
    /// (`env::environments_with`), reused while the scan's reads hold.
    pub fn environments(&mut self, files: &dyn Files, pinned: &[String]) -> Vec<Environment> {
        if let Some((pins, reads, envs)) = &self.environments {
            if pins == pinned && reads.unchanged(files) {
                return envs.clone();
            }
        }
        let recorder = Recorder::new(files);
        let options = env::Options { pinned: pinned.to_vec(), ..Default::default() };
        let envs = env::environments_with(&recorder, "/", &options);
        self.environments = Some((pinned.to_vec(), recorder.into_reads(), envs.clone()));
        envs
    }

    /// `crate::render(files, dir, options)`, reused while the build's reads
    /// hold. `options` must be the same on every call (the workspace's).
    pub fn render(&mut self, files: &dyn Files, dir: &str, options: &BuildOptions) -> Result<String> {
        if let Some((reads, result)) = self.renders.get(dir) {
            if reads.unchanged(files) {
                return result.clone();
            }
        }
        let recorder = Recorder::new(files);
        let result = crate::render(&recorder, dir, options);
        self.renders.insert(dir.to_string(), (recorder.into_reads(), result.clone()));
        result
    }

    /// Every environment (the pinned directories included) and its render,
    /// as the page shows them; forgets the renders of directories that are
    /// no longer environments.
    pub fn render_all(&mut self, files: &dyn Files, options: &BuildOptions, pinned: &[String]) -> Vec<(Environment, Result<String>)> {
        let mut parses = std::mem::take(&mut self.parses);
        let all = with_parse_cache(&mut parses, || {
            let envs = self.environments(files, pinned);
            self.renders.retain(|dir, _| envs.iter().any(|e| e.path == *dir));
            envs.into_iter()
                .map(|e| {
                    let r = self.render(files, &e.path, options);
                    (e, r)
                })
                .collect()
        });
        // Parses that no build asked for this time are of replaced text.
        // (A build served from its render keeps its files' parses only
        // until then: they are cheap to redo when its files change.)
        parses.sweep();
        self.parses = parses;
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::environments;
    use crate::MemFs;

    const K: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

    fn fresh(fs: &MemFs) -> Vec<(Environment, Result<String>)> {
        environments(fs)
            .into_iter()
            .map(|e| {
                let r = crate::render(fs, &e.path, &BuildOptions::default());
                (e, r)
            })
            .collect()
    }

    fn repo() -> MemFs {
        let mut fs = MemFs::new();
        fs.insert("/base/kustomization.yaml", format!("{K}resources:\n- cm.yaml\n"));
        fs.insert("/base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: '1'\n");
        fs.insert("/envs/dev/kustomization.yaml", format!("{K}resources:\n- ../../base\nnamePrefix: dev-\n"));
        fs.insert("/envs/prod/kustomization.yaml", format!("{K}resources:\n- ../../base\nnamePrefix: prod-\n"));
        fs
    }

    #[test]
    fn every_edit_renders_as_a_fresh_build() {
        let mut fs = repo();
        let mut cache = RenderCache::new();
        let o = BuildOptions::default();
        let edits: Vec<(&str, Option<String>)> = vec![
            ("/envs/prod/kustomization.yaml", Some(format!("{K}resources:\n- ../../base\nnamePrefix: live-\n"))),
            ("/base/cm.yaml", Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: '2'\n".into())),
            // A half-typed file: an error, then fixed again.
            ("/base/cm.yaml", Some("apiVersion: v1\nkind: ConfigMap\nmetadata: [\n".into())),
            ("/base/cm.yaml", Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n".into())),
            // A file the build did not read yet: a new resource it now lists.
            ("/base/extra.yaml", Some("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n".into())),
            ("/base/kustomization.yaml", Some(format!("{K}resources:\n- cm.yaml\n- extra.yaml\n"))),
            ("/base/extra.yaml", Some("apiVersion: v1\nkind: Secret\nmetadata:\n  name: t\n".into())),
            ("/base/extra.yaml", None),
            // A new environment, and one that stops being one.
            ("/envs/qa/kustomization.yaml", Some(format!("{K}resources:\n- ../dev\n"))),
            ("/envs/qa/kustomization.yaml", None),
            ("/envs/dev/kustomization.yaml", None),
        ];
        assert_eq!(cache.render_all(&fs, &o, &[]), fresh(&fs));
        for (path, text) in edits {
            match text {
                Some(t) => fs.insert(path, t),
                None => {
                    fs.remove(path);
                }
            }
            assert_eq!(cache.render_all(&fs, &o, &[]), fresh(&fs), "after editing {path}");
            assert_eq!(cache.render_all(&fs, &o, &[]), fresh(&fs), "again after editing {path}");
        }
    }

    #[test]
    fn an_edit_rebuilds_only_what_read_the_file() {
        let mut fs = repo();
        let mut cache = RenderCache::new();
        let o = BuildOptions::default();
        cache.render_all(&fs, &o, &[]);
        let dev = cache.renders["/envs/dev"].1.clone();
        fs.insert("/envs/prod/kustomization.yaml", format!("{K}resources:\n- ../../base\nnamePrefix: live-\n"));
        assert!(cache.renders["/envs/dev"].0.unchanged(&fs));
        assert!(!cache.renders["/envs/prod"].0.unchanged(&fs));
        let all = cache.render_all(&fs, &o, &[]);
        assert_eq!(all[0].1, dev);
        assert!(all[1].1.as_ref().unwrap().contains("name: live-c"));
    }

    #[test]
    fn pins_change_the_environments_and_unpinning_restores_them() {
        let fs = repo();
        let mut cache = RenderCache::new();
        let o = BuildOptions::default();
        let paths = |all: &[(Environment, Result<String>)]| all.iter().map(|(e, _)| e.path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&cache.render_all(&fs, &o, &[])), ["/envs/dev", "/envs/prod"]);
        let pinned = cache.render_all(&fs, &o, &["base".to_string()]);
        assert_eq!(paths(&pinned), ["/base", "/envs/dev", "/envs/prod"]);
        assert_eq!(pinned[0].1, crate::render(&fs, "/base", &o));
        assert_eq!(paths(&cache.render_all(&fs, &o, &[])), ["/envs/dev", "/envs/prod"]);
        assert!(!cache.renders.contains_key("/base"), "the unpinned base's render is forgotten");
    }

    #[test]
    fn the_same_text_again_is_no_change_other_text_is() {
        let mut fs = repo();
        let reads = {
            let r = Recorder::new(&fs);
            let _ = crate::render(&r, "/envs/dev", &BuildOptions::default());
            r.into_reads()
        };
        assert!(!reads.is_empty());
        fs.insert("/base/cm.yaml", fs.get("/base/cm.yaml").unwrap().to_vec());
        assert!(reads.unchanged(&fs));
        let mut text = fs.get("/base/cm.yaml").unwrap().to_vec();
        text.push(b' ');
        fs.insert("/base/cm.yaml", text);
        assert!(!reads.unchanged(&fs));
    }
}
