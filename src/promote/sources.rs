//! Where each environment's images come from. Promoting images carries
//! `images:` overrides; when the rendered images differ for another reason
//! (a patch file that sets `image:`, a base each side pins differently),
//! the promotion says so, names the file and line on each side, and says
//! how to promote them instead of claiming there is nothing to do.

use super::change::relative_to;
use super::files::{kustomization_file, read_text};
use crate::diff::matching::{match_stems, Stems};
use crate::fs::{self, Files};
use crate::kustomize::resmap::ResMap;
use crate::yaml::{parse_single, Node};
use serde::Serialize;

/// One container whose image differs between the two environments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageDifference {
    /// `Deployment/simple-deployment`, by the name both sides share.
    pub resource: String,
    pub container: String,
    pub from: ImageSite,
    pub to: ImageSite,
}

/// A container's image on one side and where its text comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageSite {
    pub image: String,
    /// `file:line` relative to the repository: the `image:` text the
    /// render carries, then any `images:` entry of the environment's
    /// kustomizations that names this image.
    pub sources: Vec<String>,
}

/// Lists that hold containers in pod specs of any workload kind.
const CONTAINER_LISTS: [&str; 3] = ["initContainers", "containers", "ephemeralContainers"];

/// The containers whose images differ between build `a` of `from` and
/// build `b` of `to`, resources matched as `overlay diff` matches them.
pub fn image_differences(files: &dyn Files, from: &str, a: &ResMap, to: &str, b: &ResMap, root: &str) -> Vec<ImageDifference> {
    let stems = Stems::of(a, b);
    let (a_nodes, b_nodes) = (a.nodes(), b.nodes());
    let (a_entries, b_entries) = (image_entries(files, from), image_entries(files, to));
    let mut out = Vec::new();
    for pair in match_stems(&a_nodes, &b_nodes, Some(&stems), true) {
        let (Some(x), Some(y)) = (pair.before, pair.after) else { continue };
        let (xs, ys) = (containers(x), containers(y));
        let name = pair.after_index.and_then(|j| stems.after.get(j)).cloned().unwrap_or_default();
        for (container, y_image) in &ys {
            let Some((_, x_image)) = xs.iter().find(|(c, _)| c == container) else { continue };
            let (xi, yi) = (x_image.as_str().unwrap_or(""), y_image.as_str().unwrap_or(""));
            if xi == yi {
                continue;
            }
            let site = |n: &Node, text: &str, entries: &[(String, Node)]| ImageSite {
                image: text.to_string(),
                sources: std::iter::once(place(&n.span.file, n.span.line, root))
                    .chain(entries.iter().filter(|(_, e)| names(e, text)).map(|(f, e)| place(f, e.span.line, root)))
                    .collect(),
            };
            out.push(ImageDifference {
                resource: format!("{}/{}", y.get_str("kind").unwrap_or(""), name),
                container: container.clone(),
                from: site(x_image, xi, &a_entries),
                to: site(y_image, yi, &b_entries),
            });
        }
    }
    out
}

/// What to do about each difference, as notes: the file to edit in `to`,
/// and the promotion that would carry `from`'s image.
pub fn advice(files: &dyn Files, diffs: &[ImageDifference], from: &str, to: &str, root: &str) -> Vec<String> {
    let label = |p: &str| relative_to(p, root);
    let mut out = Vec::new();
    for d in diffs {
        out.push(format!(
            "{} container {} runs {} in {} ({}) and {} in {} ({})",
            d.resource,
            d.container,
            d.from.image,
            label(from),
            d.from.sources.join(", "),
            d.to.image,
            label(to),
            d.to.sources.join(", ")
        ));
        let mut how: Vec<String> = Vec::new();
        let own = |s: &String, dir: &str| fs::is_within(&fs::join(root, file_of(s)), dir);
        if let Some(b_site) = d.to.sources.iter().find(|s| own(s, to)) {
            how.push(format!("edit {}", b_site));
        }
        // A's image set by a file of its overlay that B has too: copy it.
        if let Some(a_site) = d.from.sources.iter().find(|s| own(s, from)) {
            let rel = fs::relative(&fs::join(root, file_of(a_site)), from);
            if files.is_file(&fs::join(to, &rel)) && kustomization_file(files, from).as_deref() != Some(fs::join(from, &rel).as_str()) {
                how.push(format!("promote that file (--file {})", rel));
            }
        }
        how.push("promote everything (--all)".to_string());
        out.push(format!("to promote it: {}", how.join(", or ")));
    }
    out
}

fn file_of(site: &str) -> &str {
    site.rsplit_once(':').map_or(site, |(f, _)| f)
}

fn place(file: &str, line: u32, root: &str) -> String {
    format!("{}:{}", relative_to(file, root), line)
}

/// `(container name, image node)` of every container in a resource.
fn containers(node: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    collect(node, &mut out);
    out
}

fn collect<'a>(node: &'a Node, out: &mut Vec<(String, &'a Node)>) {
    if let Some(entries) = node.as_map() {
        for (k, v) in entries {
            match (k.as_str(), v.as_seq()) {
                (Some(key), Some(items)) if CONTAINER_LISTS.contains(&key) => {
                    for c in items {
                        if let (Some(name), Some(image)) = (c.get_str("name"), c.get("image").filter(|i| i.as_str().is_some())) {
                            out.push((format!("{}{}", if key == "containers" { "" } else { "(init) " }, name), image));
                        }
                    }
                }
                _ => collect(v, out),
            }
        }
    } else if let Some(items) = node.as_seq() {
        for i in items {
            collect(i, out);
        }
    }
}

/// Whether an `images:` entry concerns a rendered image: its `name` or
/// `newName` is the image's repository (kustomize matches `name` before
/// the override, the render shows `newName` after it).
fn names(entry: &Node, image: &str) -> bool {
    let repo = repository(image);
    [entry.get_str("name"), entry.get_str("newName")].into_iter().flatten().any(|n| n == repo)
}

/// `registry/path/name` without `:tag` or `@digest`.
fn repository(image: &str) -> &str {
    let image = image.split_once('@').map_or(image, |(i, _)| i);
    match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => &image[..i],
        _ => image,
    }
}

/// `(kustomization file, entry)` for every `images:` entry of `dir`'s
/// kustomization and the local kustomizations it uses (resources,
/// components), each once.
fn image_entries(files: &dyn Files, dir: &str) -> Vec<(String, Node)> {
    let mut out = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut stack = vec![dir.to_string()];
    while let Some(d) = stack.pop() {
        if seen.contains(&d) || seen.len() > 256 {
            continue;
        }
        seen.push(d.clone());
        let Some(k) = kustomization_file(files, &d) else { continue };
        let Ok(Some(text)) = read_text(files, &k) else { continue };
        let Ok(Some(doc)) = parse_single(&k, &text) else { continue };
        for e in doc.get("images").and_then(Node::as_seq).into_iter().flatten() {
            out.push((k.clone(), e.clone()));
        }
        for field in ["resources", "bases", "components"] {
            for item in doc.get(field).and_then(Node::as_seq).into_iter().flatten() {
                if let Some(r) = item.as_str().filter(|r| !r.contains("://")) {
                    let target = fs::join(&d, r);
                    if files.is_dir(&target) {
                        stack.push(target);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        assert_eq!(repository("docker.io/x/app:2.0"), "docker.io/x/app");
        assert_eq!(repository("localhost:5000/app"), "localhost:5000/app");
        assert_eq!(repository("localhost:5000/app:1@sha256:ab"), "localhost:5000/app");
        assert_eq!(repository("nginx"), "nginx");
    }

    #[test]
    fn each_side_names_the_image_text_and_the_images_entries() {
        use crate::fs::MemFs;
        use crate::kustomize::{build, BuildOptions};
        let mut fs = MemFs::new();
        fs.insert("/base/kustomization.yaml", "resources:\n- d.yaml\n");
        fs.insert("/base/d.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      initContainers:\n      - {name: init, image: busybox:1}\n      containers:\n      - name: app\n        image: ghcr.io/x/app:1.0\n");
        fs.insert("/staging/kustomization.yaml", "namePrefix: stg-\nresources:\n- ../base\npatches:\n- path: v.yaml\n");
        fs.insert("/staging/v.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/x/app:2.0\n");
        fs.insert(
            "/prod/kustomization.yaml",
            "namePrefix: prd-\nresources:\n- ../base\nimages:\n- name: ghcr.io/x/app\n  newTag: \"1.5\"\n",
        );
        let a = build(&fs, "/staging", &BuildOptions::default()).unwrap().resources;
        let b = build(&fs, "/prod", &BuildOptions::default()).unwrap().resources;
        let d = image_differences(&fs, "/staging", &a, "/prod", &b, "/");
        assert_eq!(
            d,
            vec![ImageDifference {
                resource: "Deployment/web".into(),
                container: "app".into(),
                from: ImageSite { image: "ghcr.io/x/app:2.0".into(), sources: vec!["staging/v.yaml:9".into()] },
                to: ImageSite {
                    image: "ghcr.io/x/app:1.5".into(),
                    sources: vec!["base/d.yaml:11".into(), "prod/kustomization.yaml:5".into()]
                },
            }]
        );
        assert_eq!(
            advice(&fs, &d, "/staging", "/prod", "/")[1],
            "to promote it: edit prod/kustomization.yaml:5, or promote everything (--all)"
        );
    }
}
