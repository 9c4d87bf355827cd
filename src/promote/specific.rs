//! Changes a promotion of everything would make that look specific to the
//! environment it lands in, so they need an explicit confirmation (`--force`,
//! a second click) before anything is written. Each check says WHY it
//! looks environment-specific; none of them is certain, which is why they
//! ask instead of refusing.
//!
//! - **Switched or dropped references** (`components`, `resources`,
//!   `bases` of B's kustomization): the components and bases an overlay
//!   picks are its variant (`variants/prod` or `variants/non-prod`), chosen
//!   per environment; a promotion that swaps them changes what kind of
//!   environment B is, not which version it runs. A reference only added
//!   is a new app coming along, unless its path names a stage.
//! - **Replica counts** (`replicas`, `minReplicas`, `maxReplicas`, in any
//!   kind): sized for each environment's traffic; staging's 3 replacing
//!   production's 8 is an outage waiting, not a release.
//! - **Values that name a stage** (`production.paypal.com` →
//!   `staging2.paypal.com`, `prod_username` → `non-prod-user`): a value
//!   whose stage words differ before and after (see `stages`) points B at
//!   another environment's hosts, accounts or settings.
//!
//! Not checked, on purpose: images and resource requests/limits, which
//! follow the code being promoted; values without stage words (a feature
//! flag turning on is what promotions are for).

use crate::diff::format::change_values;
use crate::diff::value::inline;
use crate::diff::{Diff, Segment, Status};
use crate::fs;
use crate::yaml::{parse_single, Node};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// One change that looks environment-specific.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Specific {
    /// Which check: `reference`, `replicas` or `stage`.
    pub check: &'static str,
    /// Where: `envs/prod-eu/kustomization.yml:11 components`, or
    /// `Deployment/prod-eu-web spec.replicas`.
    pub at: String,
    /// The change, `before → after` (`- x` removed, `+ x` added).
    pub change: String,
}

impl fmt::Display for Specific {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.check, self.at, self.change)
    }
}

/// Fields whose entries pick other kustomizations.
const REFERENCE_FIELDS: [&str; 3] = ["resources", "bases", "components"];

/// Field names that hold a replica count.
const REPLICA_FIELDS: [&str; 3] = ["replicas", "minReplicas", "maxReplicas"];

/// Swapped or dropped references in B's kustomization, `before` → `after`
/// (texts of `file`, labelled `label`).
pub fn references(file: &str, label: &str, before: &str, after: &str) -> Vec<Specific> {
    let refs = |text: &str| -> Vec<(&'static str, String, u32)> {
        let Ok(Some(doc)) = parse_single(file, text) else { return Vec::new() };
        let mut out = Vec::new();
        for field in REFERENCE_FIELDS {
            for item in doc.get(field).and_then(Node::as_seq).into_iter().flatten() {
                if let Some(s) = item.as_str() {
                    out.push((field, s.trim_end_matches('/').to_string(), item.span.line));
                }
            }
        }
        out
    };
    let (old, new) = (refs(before), refs(after));
    let mut out = Vec::new();
    for field in REFERENCE_FIELDS {
        let gone: Vec<_> = old.iter().filter(|(f, r, _)| *f == field && !new.iter().any(|(g, s, _)| g == f && s == r)).collect();
        let came: Vec<_> = new.iter().filter(|(f, r, _)| *f == field && !old.iter().any(|(g, s, _)| g == f && s == r)).collect();
        for (i, (_, r, line)) in gone.iter().enumerate() {
            let change = match came.get(i) {
                Some((_, s, _)) => format!("{} → {}", r, s),
                None => format!("- {}", r),
            };
            out.push(Specific { check: "reference", at: format!("{}:{} {}", label, line, field), change });
        }
        for (_, s, line) in came.iter().skip(gone.len()) {
            if !stages(fs::file_name(s)).is_empty() || !stages(s).is_empty() {
                out.push(Specific { check: "reference", at: format!("{}:{} {}", label, line, field), change: format!("+ {}", s) });
            }
        }
    }
    out
}

/// Replica counts and stage-naming values that B's render would change.
pub fn rendered(diff: &Diff) -> Vec<Specific> {
    let mut out = Vec::new();
    for r in diff.resources.iter().filter(|r| r.status == Status::Changed) {
        for c in &r.changes {
            let field = match c.path.0.last() {
                Some(Segment::Key(k)) => k.as_str(),
                _ => "",
            };
            // An added or removed item counts by its whole text (`{name: TYPE, value: production}`).
            let words = |n: &Option<Node>| n.as_ref().map(|n| stages(&inline(n))).unwrap_or_default();
            let check = if REPLICA_FIELDS.contains(&field) {
                "replicas"
            } else if words(&c.before) != words(&c.after) {
                "stage"
            } else {
                continue;
            };
            out.push(Specific { check, at: format!("{} {}", r.id(), c.path), change: change_values(c) });
        }
    }
    out
}

/// The stages a text names, as words people use for them in hostnames,
/// accounts and settings. Words are runs of letters and digits with
/// trailing digits dropped (`staging2` is `staging`); `non-prod` (and
/// `non_prod`, `nonprod`, `non-production`) is its own stage, not `prod`.
/// Short or ambiguous words (`live`, `int`) are left out: they show up in
/// paths like `/healthz/live` without naming a stage.
pub fn stages(text: &str) -> BTreeSet<&'static str> {
    let lower = text.to_ascii_lowercase();
    let mut text = lower.clone();
    for spelling in ["non-production", "non_production", "nonproduction", "non-prod", "non_prod"] {
        text = text.replace(spelling, "nonprod");
    }
    let mut out = BTreeSet::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let word = word.trim_end_matches(|c: char| c.is_ascii_digit());
        let stage = match word {
            "prod" | "production" | "prd" => "production",
            "nonprod" => "non-production",
            "staging" | "stage" | "stg" | "preprod" | "uat" => "staging",
            "dev" | "develop" | "development" => "development",
            "test" | "testing" | "qa" => "test",
            _ => continue,
        };
        out.insert(stage);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    #[test]
    fn stage_words() {
        let s = |t: &str| stages(t).into_iter().collect::<Vec<_>>();
        assert_eq!(s("production.paypal.com"), vec!["production"]);
        assert_eq!(s("staging2.paypal.com"), vec!["staging"]);
        assert_eq!(s("non-prod-user"), vec!["non-production"]);
        assert_eq!(s("prod_username"), vec!["production"]);
        assert_eq!(s("api.example.com"), Vec::<&str>::new());
        assert_eq!(s("/healthz/live"), Vec::<&str>::new());
        assert_eq!(s("products-db"), Vec::<&str>::new(), "a word containing `prod` is not `prod`");
    }

    #[test]
    fn swapped_and_dropped_references() {
        let before = "resources:\n- ../../base\n- extra\ncomponents:\n  - ../../variants/prod\n  - ../../variants/eu\n";
        let after = "resources:\n- ../../base\n- new-app\ncomponents:\n  - ../../variants/non-prod\n  - ../../variants/eu\n  - ../../variants/debug-staging\n";
        let got: Vec<String> = references("k.yaml", "envs/prod/k.yaml", before, after).iter().map(|s| s.to_string()).collect();
        assert_eq!(
            got,
            vec![
                "reference: envs/prod/k.yaml:3 resources: extra → new-app",
                "reference: envs/prod/k.yaml:5 components: ../../variants/prod → ../../variants/non-prod",
                "reference: envs/prod/k.yaml:7 components: + ../../variants/debug-staging",
            ]
        );
        assert!(references("k.yaml", "k", before, before).is_empty());
    }

    #[test]
    fn replicas_and_stage_values_but_not_images_or_flags() {
        let before = parse_documents(
            "b",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 8\n  template:\n    spec:\n      containers:\n      - name: web\n        image: app:3.0\n        env:\n        - {name: URL, value: production.paypal.com}\n        - {name: FLAG, value: 'false'}\n        - {name: TYPE, value: production}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {minReplicas: 4}\n",
        )
        .unwrap();
        let after = parse_documents(
            "a",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: web\n        image: app:2.0\n        env:\n        - {name: URL, value: staging2.paypal.com}\n        - {name: FLAG, value: 'true'}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {minReplicas: 2}\n",
        )
        .unwrap();
        let d = crate::diff::diff(&before, &after, &Default::default());
        let got: Vec<String> = rendered(&d).iter().map(|s| s.to_string()).collect();
        assert_eq!(
            got,
            vec![
                "replicas: Deployment/web spec.replicas: 8 → 3",
                "stage: Deployment/web spec.template.spec.containers[name=web].env[name=URL].value: production.paypal.com → staging2.paypal.com",
                "stage: Deployment/web spec.template.spec.containers[name=web].env[name=TYPE]: - {name: TYPE, value: production}",
                "replicas: HorizontalPodAutoscaler/web spec.minReplicas: 4 → 2",
            ]
        );
    }
}
