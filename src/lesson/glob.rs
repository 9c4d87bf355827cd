//! The globs of `editable:` and `changed_files:`: `*` and `?` within one
//! path segment, `**` across any number of them.

pub fn matches(glob: &str, path: &str) -> bool {
    let g: Vec<&str> = glob.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    segments(&g, &p)
}

fn segments(g: &[&str], p: &[&str]) -> bool {
    match g.first() {
        None => p.is_empty(),
        Some(&"**") => (0..=p.len()).any(|i| segments(&g[1..], &p[i..])),
        Some(s) => !p.is_empty() && segment(s.as_bytes(), p[0].as_bytes()) && segments(&g[1..], &p[1..]),
    }
}

fn segment(g: &[u8], s: &[u8]) -> bool {
    match g.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| segment(&g[1..], &s[i..])),
        Some(b'?') => !s.is_empty() && segment(&g[1..], &s[1..]),
        Some(c) => s.first() == Some(c) && segment(&g[1..], &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_stay_in_a_segment_and_double_stars_cross() {
        assert!(matches("overlays/production/**", "overlays/production/kustomization.yaml"));
        assert!(matches("overlays/production/**", "overlays/production/patches/a.yaml"));
        assert!(!matches("overlays/production/**", "overlays/staging/kustomization.yaml"));
        assert!(matches("overlays/*/kustomization.yaml", "overlays/qa/kustomization.yaml"));
        assert!(!matches("overlays/*.yaml", "overlays/qa/kustomization.yaml"));
        assert!(matches("**/*.yaml", "a.yaml"));
        assert!(matches("base/deploy?.yaml", "base/deploy1.yaml"));
        assert!(!matches("base/deploy?.yaml", "base/deploy12.yaml"));
    }
}
