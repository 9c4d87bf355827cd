//! `overlay review` end to end on the fleet-infra preset: every format
//! against its golden (byte for byte), the exit codes, the HTML checked for
//! well-formedness by python3's html.parser, the comment split, git mode on
//! a temporary repository with two commits; and the engine's verdicts
//! (starts failing, added, removed, pruned, Secrets masked).
//!
//! `REVIEW_GOLDEN_UPDATE=1` rewrites the goldens.

use overlay::review::{self, markdown, Kind, Options, Outcome};
use overlay::MemFs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn preset() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("www/presets/fleet-infra")
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/review").join(name)
}

fn overlay(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_overlay")).args(args).current_dir(cwd).output().expect("run overlay");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// A scratch directory, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("overlay-review-{}-{}", name, std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
    fn edit(&self, file: &str, from: &str, to: &str) {
        let p = self.0.join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{} does not contain {:?}", file, from);
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The change every golden shows: a new base image (both app environments,
/// both clusters) and more production replicas.
fn the_change(s: &Scratch) {
    s.edit("new/apps/base/my-app/deployment.yaml", "my-app:1.0.0", "my-app:1.1.0");
    s.edit("new/apps/production/my-app-patch.yaml", "replicas: 5", "replicas: 6");
}

fn fleet_pair(name: &str) -> Scratch {
    let s = Scratch::new(name);
    copy_dir(&preset(), &s.0.join("old"));
    copy_dir(&preset(), &s.0.join("new"));
    s
}

fn check_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var("REVIEW_GOLDEN_UPDATE").is_ok() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing: REVIEW_GOLDEN_UPDATE=1 writes it", path.display()));
    assert!(want == actual, "{} differs from the golden; REVIEW_GOLDEN_UPDATE=1 rewrites it\n--- actual ---\n{}", name, actual);
}

#[test]
fn every_format_matches_its_golden() {
    let s = fleet_pair("formats");
    the_change(&s);
    for (format, file) in
        [("text", "fleet-infra.txt"), ("markdown", "fleet-infra.md"), ("json", "fleet-infra.json"), ("html", "fleet-infra.html")]
    {
        let (code, out, err) = overlay(&["review", "old", "new", "--format", format], &s.0);
        assert_eq!(code, 1, "{}: changes exit 1 ({})", format, err);
        assert_eq!(err, "", "{}", format);
        check_golden(file, &out);
    }
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden("fleet-infra.json")).unwrap()).unwrap();
    let outcomes: Vec<(&str, &str)> =
        json["targets"].as_array().unwrap().iter().map(|t| (t["path"].as_str().unwrap(), t["outcome"].as_str().unwrap())).collect();
    assert_eq!(
        outcomes,
        [
            ("apps/staging", "changed"),
            ("apps/production", "changed"),
            ("infrastructure/staging", "unchanged"),
            ("infrastructure/production", "unchanged"),
            ("clusters/staging", "changed"),
            ("clusters/production", "changed"),
        ]
    );
}

#[test]
fn exit_codes() {
    let s = fleet_pair("exit");
    let (code, out, _) = overlay(&["review", "old", "new"], &s.0);
    assert_eq!(code, 0, "nothing changed: {}", out);
    assert!(out.starts_with("No changes in 4 environments and 2 clusters.\n"), "{}", out);
    let (code, _, err) = overlay(&["review", "old", "missing"], &s.0);
    assert_eq!(code, 2);
    assert!(err.contains("'") && err.contains("missing' is not a directory"), "{}", err);
    let (code, _, err) = overlay(&["review", "old"], &s.0);
    assert_eq!(code, 2);
    assert!(err.contains("review needs OLD_ROOT NEW_ROOT"), "{}", err);
    let (code, _, err) = overlay(&["review", "old", "new", "--format=yaml"], &s.0);
    assert_eq!(code, 2);
    assert!(err.contains("unknown --format 'yaml'"), "{}", err);
}

/// python3's html.parser, made strict: every element closed in order
/// (void elements aside), ids unique, every `#fragment` link resolves, no
/// script and no URL leaving the file.
const HTML_CHECK: &str = r##"
import sys
from html.parser import HTMLParser
VOID = {"meta", "link", "br", "hr", "img", "input", "col", "wbr", "source", "area", "base", "embed", "track"}
class Check(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.links, self.errors = [], set(), [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script": self.errors.append("a script element")
        for k, v in attrs:
            if k.startswith("on"): self.errors.append("an event handler attribute: " + k)
            if k in ("href", "src", "action") and v and not v.startswith("#"): self.errors.append("a URL: " + v)
            if k == "style": self.errors.append("a style attribute")
        if "id" in a:
            if a["id"] in self.ids: self.errors.append("duplicate id " + a["id"])
            self.ids.add(a["id"])
        if a.get("href", "").startswith("#"): self.links.append(a["href"][1:])
        if tag not in VOID: self.stack.append((tag, self.getpos()))
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID: self.stack.pop()
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append("</%s> at %s closes %s" % (tag, self.getpos(), self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
c = Check()
c.feed(sys.stdin.read())
c.close()
if c.stack: c.errors.append("left open: %s" % c.stack)
for l in c.links:
    if l not in c.ids: c.errors.append("a link to a missing #" + l)
print("\n".join(c.errors))
"##;

fn html_problems(html: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("python3")
        .args(["-c", HTML_CHECK])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child.stdin.take().unwrap().write_all(html.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the checker ran");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_html_report_is_well_formed_and_escapes_everything() {
    let s = fleet_pair("html");
    the_change(&s);
    // Markup where the repository has text: in a value, a key and a name.
    s.edit(
        "new/apps/base/my-app/deployment.yaml",
        "  name: my-app\n",
        "  name: my-app\n  annotations:\n    \"<b>key</b>\": \"</td></tr></table><script>alert('x')</script>&amp;\"\n",
    );
    let (code, html, err) = overlay(&["review", "old", "new", "--format", "html"], &s.0);
    assert_eq!(code, 1, "{}", err);
    assert_eq!(html_problems(&html), "");
    assert!(
        html.contains("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;"),
        "escaped once, shown as text"
    );
    assert!(html.contains("&lt;b&gt;key&lt;/b&gt;"));
    for env in [
        "apps/staging",
        "apps/production",
        "infrastructure/staging",
        "infrastructure/production",
        "clusters/staging",
        "clusters/production",
    ] {
        assert!(html.contains(&format!(">{}</a>", env)), "{} in the navigation", env);
    }
    // The checker finds what it is for.
    assert!(html_problems("<div><span></div>").contains("</div>"));
    assert!(html_problems("<a href=\"https://x\">x</a><script></script>").contains("a URL: https://x"));
}

fn mem(dir: &Path) -> MemFs {
    fn walk(dir: &Path, rel: &str, fs: &mut MemFs) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let child = format!("{}/{}", rel, name);
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &child, fs);
            } else {
                fs.insert(&child, std::fs::read(e.path()).unwrap());
            }
        }
    }
    let mut fs = MemFs::new();
    walk(dir, "", &mut fs);
    fs
}

fn target<'a>(r: &'a review::Review, path: &str) -> &'a review::Target {
    r.targets.iter().find(|t| t.path == path).unwrap_or_else(|| panic!("{} is not reviewed", path))
}

#[test]
fn an_environment_that_starts_failing_says_why_and_where() {
    let old = mem(&preset());
    let mut new = old.clone();
    new.insert("apps/production/kustomization.yaml", "resources:\n- ../base/my-app\npatches:\n- path: missing-patch.yaml\n");
    let r = review::review(&old, &new, &Options::default());
    let t = target(&r, "apps/production");
    assert_eq!(t.outcome, Outcome::StartsFailing);
    let error = t.after.error.as_deref().unwrap();
    assert!(error.contains("missing-patch.yaml"), "{}", error);
    assert!(t.summary.starts_with("starts failing: "), "{}", t.summary);
    assert!(t.diff.is_empty(), "a failing side lists no resources as removed");
    assert_eq!(target(&r, "apps/staging").outcome, Outcome::Unchanged);
    // Every face says it, the HTML still well-formed.
    let html = overlay::review::html::render(&r, "t", 3);
    assert_eq!(html_problems(&html), "");
    assert!(html.contains("After the change, it fails to build:"), "{}", html);
    assert!(markdown::render(&r, 3).contains("**After the change it fails to build:**\n\n````text\n"));
    assert!(overlay::review::text::render(&r).contains("  error after: "));
    // And back.
    let back = review::review(&new, &old, &Options::default());
    assert_eq!(target(&back, "apps/production").outcome, Outcome::StopsFailing);
    // The cluster that applies it fails in the same change.
    let c = target(&r, "clusters/production");
    assert_eq!(c.kind, Kind::Cluster);
    assert_eq!(c.outcome, Outcome::StartsFailing, "{}", c.summary);
}

#[test]
fn environments_on_one_side_only_are_added_or_removed() {
    let old = mem(&preset());
    let mut new = old.clone();
    new.insert("apps/qa/kustomization.yaml", "namespace: qa\nresources:\n- ../base/my-app\n");
    let r = review::review(&old, &new, &Options::default());
    let qa = target(&r, "apps/qa");
    assert_eq!(qa.outcome, Outcome::Added);
    assert_eq!(qa.diff.summary().added, 2);
    assert_eq!(qa.summary, "new: 2 resources");
    let back = review::review(&new, &old, &Options::default());
    let qa = target(&back, "apps/qa");
    assert_eq!(qa.outcome, Outcome::Removed);
    assert_eq!(qa.diff.summary().removed, 2);
    assert_eq!(r.targets.iter().filter(|t| !t.is_unchanged()).count(), 1, "{}", overlay::review::text::render(&r));
}

#[test]
fn a_resource_left_out_is_pruned_by_flux() {
    let old = mem(&preset());
    let mut new = old.clone();
    new.insert(
        "apps/base/my-app/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n",
    );
    let r = review::review(&old, &new, &Options::default());
    let c = target(&r, "clusters/staging");
    assert_eq!(c.outcome, Outcome::Changed);
    let pruned: Vec<(&str, &str, &str)> = c.prune.iter().map(|p| (p.owner.as_str(), p.object.as_str(), p.action)).collect();
    assert_eq!(pruned, [("flux-system/apps", "Service/staging/my-app", "delete")]);
    assert_eq!(c.summary, "0 changed, 0 added, 1 removed; Flux prunes 1 object");
    assert!(target(&r, "apps/staging").prune.is_empty(), "environments are no Flux inventories");
    let text = overlay::review::text::render(&r);
    assert!(text.contains("  prune: flux-system/apps: Service/staging/my-app deleted\n"), "{}", text);
}

#[test]
fn secret_values_never_reach_a_report() {
    let mut old = mem(&preset());
    let secret = |v: &str| format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  token: {}\n", v);
    old.insert("apps/base/my-app/kustomization.yaml", "resources:\n- deployment.yaml\n- service.yaml\n- secret.yaml\n");
    old.insert("apps/base/my-app/secret.yaml", secret("b2xkLXNlY3JldA=="));
    let mut new = old.clone();
    new.insert("apps/base/my-app/secret.yaml", secret("bmV3LXNlY3JldA=="));
    let r = review::review(&old, &new, &Options::default());
    assert_eq!(target(&r, "apps/staging").outcome, Outcome::Changed);
    let all = [
        overlay::review::text::render(&r),
        overlay::review::json::render(&r),
        markdown::render(&r, 3),
        overlay::review::html::render(&r, "t", 3),
    ];
    for out in &all {
        assert!(!out.contains("b2xkLXNlY3JldA") && !out.contains("bmV3LXNlY3JldA"), "a Secret value leaked:\n{}", out);
        assert!(out.contains("*** (after)"));
    }
}

#[test]
fn the_comment_splits_under_the_limit_with_every_section_closed() {
    let old = mem(&preset());
    let mut new = old.clone();
    // A change big enough for several comments: many new resources.
    let mut many = String::new();
    for i in 0..150 {
        many.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-{}\ndata:\n  value: \"{}\"\n",
            i,
            "x".repeat(200)
        ));
    }
    new.insert("apps/base/my-app/many.yaml", many);
    new.insert("apps/base/my-app/kustomization.yaml", "resources:\n- deployment.yaml\n- service.yaml\n- many.yaml\n");
    let r = review::review(&old, &new, &Options::default());
    let limit = 20_000;
    let parts = markdown::render_parts(&r, 3, limit);
    assert!(parts.len() > 3, "{} parts", parts.len());
    for (i, p) in parts.iter().enumerate() {
        assert!(p.len() <= limit, "part {} has {} bytes", i + 1, p.len());
        assert!(p.starts_with(markdown::MARKER), "each part carries the marker CI finds");
        assert!(p.contains(&format!("_Part {} of {}_", i + 1, parts.len())));
        assert_eq!(p.matches("<details>").count(), p.matches("</details>").count(), "part {} closes what it opens", i + 1);
    }
    assert!(parts[1].contains("(continued)"), "an environment cut in two is reopened");
    for i in [0, 75, 149] {
        let name = format!("<code>ConfigMap/staging/config-{}</code> added", i);
        // Once in the environment, once in its cluster; never twice in one.
        assert_eq!(parts.concat().matches(&name).count(), 2, "{}", name);
        assert!(parts.iter().all(|p| p.matches(&name).count() <= 1), "{}", name);
    }
    // One part when it fits.
    let whole = markdown::render_parts(&r, 3, usize::MAX / 2);
    assert_eq!(whole.len(), 1);
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {:?}: {}", args, String::from_utf8_lossy(&out.stderr));
}

#[test]
fn git_mode_reviews_two_commits_and_the_work_tree() {
    let s = Scratch::new("git");
    let repo = s.0.join("repo");
    copy_dir(&preset(), &repo);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    let (code, out, err) = overlay(&["review", "--git", "HEAD"], &repo);
    assert_eq!((code, err.as_str()), (0, ""), "a clean work tree changes nothing: {}", out);
    s.edit("repo/apps/base/my-app/deployment.yaml", "my-app:1.0.0", "my-app:1.1.0");
    std::fs::create_dir_all(repo.join("target")).unwrap();
    std::fs::write(repo.join(".gitignore"), "target/\n").unwrap();
    std::fs::write(repo.join("target/kustomization.yaml"), "resources: [missing.yaml]\n").unwrap();
    // The work tree: the edit counts, the ignored directory does not.
    let (code, out, err) = overlay(&["review", "--git", "HEAD"], &repo);
    assert_eq!(code, 1, "{}", err);
    assert!(out.starts_with("The change reaches 2 of 4 environments and 2 of 2 clusters.\n"), "{}", out);
    assert!(!out.contains("target"), "{}", out);
    git(&repo, &["commit", "-q", "-am", "two"]);
    s.edit("repo/apps/production/my-app-patch.yaml", "replicas: 5", "replicas: 6");
    // Two commits, from a subdirectory: the work tree's edit is left out.
    let (code, between, err) = overlay(&["review", "--git", "HEAD~1..HEAD", "--format", "json"], &repo.join("apps"));
    assert_eq!(code, 1, "{}", err);
    let v: serde_json::Value = serde_json::from_str(&between).unwrap();
    let production = v["targets"].as_array().unwrap().iter().find(|t| t["path"] == "apps/production").unwrap();
    let paths: Vec<&str> = production["resources"][0]["changes"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["spec.template.spec.containers[name=app].image"]);
    // A part of the repository, re-rooted: `apps` alone holds two environments.
    let (code, out, err) = overlay(&["review", "--git", "HEAD~1..HEAD", "--dir", "apps"], &repo);
    assert_eq!(code, 1, "{}", err);
    assert!(out.starts_with("The change reaches 2 of 2 environments.\n\nenvironment staging: 1 changed"), "{}", out);
    let (code, out, _) = overlay(&["review", "--git", "HEAD..HEAD"], &repo);
    assert_eq!(code, 0, "{}", out);
    let (code, _, err) = overlay(&["review", "--git", "no-such-rev"], &repo);
    assert_eq!(code, 2);
    assert!(err.contains("git ls-tree"), "{}", err);
    let (code, _, err) = overlay(&["review", "--git", "HEAD"], &s.0);
    assert_eq!(code, 2, "outside a repository");
    assert!(err.contains("git rev-parse"), "{}", err);
}

#[test]
fn both_sides_share_the_parse_of_every_file_the_change_leaves_alone() {
    use overlay::yaml::parse::ParseCache;
    let old = mem(&preset());
    let mut same = ParseCache::default();
    review::review_cached(&old, &old, &Options::default(), &mut same);
    assert!(same.len() > 10, "{} parses", same.len());
    let mut new = old.clone();
    let path = "/apps/production/my-app-patch.yaml";
    let text = String::from_utf8(new.get(path).unwrap().to_vec()).unwrap();
    new.insert(path, text.replace("replicas: 5", "replicas: 6"));
    let mut changed = ParseCache::default();
    let r = review::review_cached(&old, &new, &Options::default(), &mut changed);
    assert_eq!(target(&r, "apps/production").outcome, Outcome::Changed);
    // The one edited file is parsed twice (its two texts); every other file once.
    assert_eq!(changed.len(), same.len() + 1);
}
