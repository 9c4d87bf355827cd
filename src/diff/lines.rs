//! Line diff (Myers' O(ND) algorithm in linear space) and the unified format
//! `diff -u` and `git apply` read.

use std::collections::HashMap;
use std::ops::Range;

/// One line of an edit script, by line index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    Same(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// Lines with their terminators, so that a missing final newline is a
/// difference like any other.
pub fn split_lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The shortest edit script turning `a` into `b`.
pub fn diff_lines<'s>(a: &[&'s str], b: &[&'s str]) -> Vec<Edit> {
    // Compare small integers, not strings.
    let mut ids: HashMap<&'s str, u32> = HashMap::with_capacity(a.len() + b.len());
    let mut intern = |s: &'s str| -> u32 {
        let next = ids.len() as u32;
        *ids.entry(s).or_insert(next)
    };
    let a_ids: Vec<u32> = a.iter().map(|s| intern(s)).collect();
    let b_ids: Vec<u32> = b.iter().map(|s| intern(s)).collect();

    // A line found on one side only can never match: leave such lines out
    // of the search (GNU diff does the same). The script stays minimal and
    // the search gets much smaller when many lines changed.
    let mut in_a = vec![false; ids.len()];
    let mut in_b = vec![false; ids.len()];
    a_ids.iter().for_each(|&i| in_a[i as usize] = true);
    b_ids.iter().for_each(|&i| in_b[i as usize] = true);
    let a_keep: Vec<usize> = (0..a.len()).filter(|&i| in_b[a_ids[i] as usize]).collect();
    let b_keep: Vec<usize> = (0..b.len()).filter(|&j| in_a[b_ids[j] as usize]).collect();
    let a_red: Vec<u32> = a_keep.iter().map(|&i| a_ids[i]).collect();
    let b_red: Vec<u32> = b_keep.iter().map(|&j| b_ids[j]).collect();

    let mut reduced = Vec::with_capacity(a_red.len().max(b_red.len()));
    let max = a_red.len() + b_red.len() + 2;
    let mut vf = vec![0usize; 2 * max + 2];
    let mut vb = vec![0usize; 2 * max + 2];
    conquer(&a_red, 0..a_red.len(), &b_red, 0..b_red.len(), &mut vf, &mut vb, &mut reduced);

    // Back to the full sequences: the left-out lines are edits where they stand.
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let (mut ai, mut bi) = (0, 0);
    for e in reduced {
        let (upto_a, upto_b) = match e {
            Edit::Same(x, y) => (Some(a_keep[x]), Some(b_keep[y])),
            Edit::Delete(x) => (Some(a_keep[x]), None),
            Edit::Insert(y) => (None, Some(b_keep[y])),
        };
        if let Some(i) = upto_a {
            out.extend((ai..i).map(Edit::Delete));
            ai = i + 1;
        }
        if let Some(j) = upto_b {
            out.extend((bi..j).map(Edit::Insert));
            bi = j + 1;
        }
        out.push(match (upto_a, upto_b) {
            (Some(i), Some(j)) => Edit::Same(i, j),
            (Some(i), None) => Edit::Delete(i),
            (_, Some(j)) => Edit::Insert(j),
            (None, None) => unreachable!("every edit names a line"),
        });
    }
    out.extend((ai..a.len()).map(Edit::Delete));
    out.extend((bi..b.len()).map(Edit::Insert));
    deletions_first(&mut out);
    out
}

/// Within each run of changed lines, removals before additions, as people
/// (and `diff -u`) write them.
fn deletions_first(edits: &mut [Edit]) {
    let mut start = 0;
    while start < edits.len() {
        if matches!(edits[start], Edit::Same(..)) {
            start += 1;
            continue;
        }
        let end = edits[start..].iter().position(|e| matches!(e, Edit::Same(..))).map_or(edits.len(), |n| start + n);
        // A stable sort keeps each side's lines in order.
        edits[start..end].sort_by_key(|e| matches!(e, Edit::Insert(_)));
        start = end;
    }
}

fn prefix_len(a: &[u32], ar: Range<usize>, b: &[u32], br: Range<usize>) -> usize {
    a[ar].iter().zip(&b[br]).take_while(|(x, y)| x == y).count()
}

fn suffix_len(a: &[u32], ar: Range<usize>, b: &[u32], br: Range<usize>) -> usize {
    a[ar].iter().rev().zip(b[br].iter().rev()).take_while(|(x, y)| x == y).count()
}

/// V arrays indexed by diagonal k in -max..=max.
struct V<'a> {
    v: &'a mut [usize],
    offset: isize,
}
impl V<'_> {
    fn get(&self, k: isize) -> usize {
        self.v[(k + self.offset) as usize]
    }
    fn set(&mut self, k: isize, x: usize) {
        self.v[(k + self.offset) as usize] = x;
    }
}

const MAX_EDIT_COST: isize = 4096;

/// The start of the middle snake of an optimal path (Myers 1986, §4b).
fn middle_snake(a: &[u32], ar: Range<usize>, b: &[u32], br: Range<usize>, vf: &mut [usize], vb: &mut [usize]) -> Option<(usize, usize)> {
    let n = ar.len();
    let m = br.len();
    let delta = n as isize - m as isize;
    let odd = delta & 1 == 1;
    let offset = (vf.len() / 2) as isize;
    let mut vf = V { v: vf, offset };
    let mut vb = V { v: vb, offset };
    vf.set(1, 0);
    vb.set(1, 0);
    // Past this many edits the exact search costs more than it is worth:
    // the caller then takes the rest as one replaced block (still a
    // correct diff, just not the smallest).
    let d_max = ((n + m).div_ceil(2) as isize).min(MAX_EDIT_COST);
    for d in 0..=d_max {
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && vf.get(k - 1) < vf.get(k + 1)) { vf.get(k + 1) } else { vf.get(k - 1) + 1 };
            let y = (x as isize - k) as usize;
            let (x0, y0) = (x, y);
            if x < n && y < m {
                x += prefix_len(a, ar.start + x..ar.end, b, br.start + y..br.end);
            }
            vf.set(k, x);
            if odd && (k - delta).abs() < d && vf.get(k) + vb.get(delta - k) >= n {
                return Some((ar.start + x0, br.start + y0));
            }
            k += 2;
        }
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && vb.get(k - 1) < vb.get(k + 1)) { vb.get(k + 1) } else { vb.get(k - 1) + 1 };
            let mut y = (x as isize - k) as usize;
            if x < n && y < m {
                let s = suffix_len(a, ar.start..ar.start + n - x, b, br.start..br.start + m - y);
                x += s;
                y += s;
            }
            vb.set(k, x);
            if !odd && (k - delta).abs() <= d && vb.get(k) + vf.get(delta - k) >= n {
                return Some((ar.start + n - x, br.start + m - y));
            }
            k += 2;
        }
    }
    None
}

fn conquer(a: &[u32], mut ar: Range<usize>, b: &[u32], mut br: Range<usize>, vf: &mut [usize], vb: &mut [usize], out: &mut Vec<Edit>) {
    let pre = prefix_len(a, ar.clone(), b, br.clone());
    for i in 0..pre {
        out.push(Edit::Same(ar.start + i, br.start + i));
    }
    ar.start += pre;
    br.start += pre;
    let suf = suffix_len(a, ar.clone(), b, br.clone());
    ar.end -= suf;
    br.end -= suf;
    let whole = |out: &mut Vec<Edit>| {
        out.extend(ar.clone().map(Edit::Delete));
        out.extend(br.clone().map(Edit::Insert));
    };
    if ar.is_empty() || br.is_empty() {
        whole(out);
    } else {
        match middle_snake(a, ar.clone(), b, br.clone(), vf, vb) {
            // A split at either corner would recurse on the same problem.
            Some((x, y)) if (x, y) != (ar.start, br.start) && (x, y) != (ar.end, br.end) => {
                conquer(a, ar.start..x, b, br.start..y, vf, vb, out);
                conquer(a, x..ar.end, b, y..br.end, vf, vb, out);
            }
            _ => whole(out),
        }
    }
    for i in 0..suf {
        out.push(Edit::Same(ar.end + i, br.end + i));
    }
}

/// A unified diff body (the `@@` hunks) of `a` → `b` with `context` lines
/// around each change; empty when the texts are equal.
pub fn unified_hunks(a: &str, b: &str, context: usize) -> String {
    let al = split_lines(a);
    let bl = split_lines(b);
    let edits = diff_lines(&al, &bl);
    let changed: Vec<usize> = edits.iter().enumerate().filter(|(_, e)| !matches!(e, Edit::Same(..))).map(|(i, _)| i).collect();
    let mut out = String::new();
    let mut i = 0;
    while i < changed.len() {
        // Group changes whose contexts touch.
        let mut j = i;
        while j + 1 < changed.len() && changed[j + 1] - changed[j] <= 2 * context + 1 {
            j += 1;
        }
        let start = changed[i].saturating_sub(context);
        let end = (changed[j] + context + 1).min(edits.len());
        let (a_pos, b_pos) = edits[..start].iter().fold((0, 0), |(x, y), e| match e {
            Edit::Same(..) => (x + 1, y + 1),
            Edit::Delete(_) => (x + 1, y),
            Edit::Insert(_) => (x, y + 1),
        });
        hunk(&edits[start..end], (a_pos, b_pos), &al, &bl, &mut out);
        i = j + 1;
    }
    out
}

/// One hunk; `pos` is how many lines of each side come before it.
fn hunk(edits: &[Edit], pos: (usize, usize), a: &[&str], b: &[&str], out: &mut String) {
    let count_a = edits.iter().filter(|e| !matches!(e, Edit::Insert(_))).count();
    let count_b = edits.iter().filter(|e| !matches!(e, Edit::Delete(_))).count();
    out.push_str(&format!("@@ -{} +{} @@\n", range(pos.0, count_a), range(pos.1, count_b)));
    for e in edits {
        let (mark, line) = match *e {
            Edit::Same(i, _) => (' ', a[i]),
            Edit::Delete(i) => ('-', a[i]),
            Edit::Insert(j) => ('+', b[j]),
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// `start,count` as unified diffs write it: an empty range names the line
/// before it, a one-line range drops the count.
fn range(before: usize, count: usize) -> String {
    match count {
        0 => format!("{},0", before),
        1 => (before + 1).to_string(),
        _ => format!("{},{}", before + 1, count),
    }
}

/// A complete unified diff with `---`/`+++` headers; empty when equal.
pub fn unified(a: &str, b: &str, a_name: &str, b_name: &str, context: usize) -> String {
    let hunks = unified_hunks(a, b, context);
    if hunks.is_empty() {
        return hunks;
    }
    format!("--- {}\n+++ {}\n{}", a_name, b_name, hunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(a: &[&str], b: &[&str], edits: &[Edit]) -> Vec<String> {
        let mut out = Vec::new();
        for e in edits {
            match *e {
                Edit::Same(i, j) => {
                    assert_eq!(a[i], b[j]);
                    out.push(a[i].to_string());
                }
                Edit::Insert(j) => out.push(b[j].to_string()),
                Edit::Delete(_) => {}
            }
        }
        out
    }

    #[test]
    fn edit_scripts_rebuild_the_target_and_are_minimal() {
        let cases =
            [("abcabba", "cbabac", 5), ("", "abc", 3), ("abc", "", 3), ("abc", "abc", 0), ("axbxc", "aybyc", 4), ("kitten", "sitting", 5)];
        for (a, b, d) in cases {
            let al: Vec<&str> = a.split("").filter(|s| !s.is_empty()).collect();
            let bl: Vec<&str> = b.split("").filter(|s| !s.is_empty()).collect();
            let edits = diff_lines(&al, &bl);
            assert_eq!(apply(&al, &bl, &edits), bl.iter().map(|s| s.to_string()).collect::<Vec<_>>(), "{a} → {b}");
            let cost = edits.iter().filter(|e| !matches!(e, Edit::Same(..))).count();
            assert_eq!(cost, d, "{a} → {b}");
            // Deletions and insertions come in order on each side.
            let del: Vec<usize> =
                edits.iter().filter_map(|e| if let Edit::Delete(i) | Edit::Same(i, _) = e { Some(*i) } else { None }).collect();
            assert_eq!(del, (0..al.len()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn pseudo_random_inputs_round_trip() {
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        // Overlapping vocabularies: some lines exist on one side only.
        let words = ["a\n", "b\n", "c\n", "d\n", "e\n", "f\n"];
        for _ in 0..500 {
            let a: Vec<&str> = (0..next() % 30).map(|_| words[next() % 4]).collect();
            let b: Vec<&str> = (0..next() % 30).map(|_| words[2 + next() % 4]).collect();
            let edits = diff_lines(&a, &b);
            assert_eq!(apply(&a, &b, &edits), b.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            let old: Vec<usize> =
                edits.iter().filter_map(|e| if let Edit::Delete(i) | Edit::Same(i, _) = e { Some(*i) } else { None }).collect();
            assert_eq!(old, (0..a.len()).collect::<Vec<_>>());
            // As short as the longest common subsequence allows.
            let cost = edits.iter().filter(|e| !matches!(e, Edit::Same(..))).count();
            assert_eq!(cost, a.len() + b.len() - 2 * lcs(&a, &b));
        }
    }

    fn lcs(a: &[&str], b: &[&str]) -> usize {
        let mut t = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                t[i][j] = if a[i] == b[j] { t[i + 1][j + 1] + 1 } else { t[i + 1][j].max(t[i][j + 1]) };
            }
        }
        t[0][0]
    }

    #[test]
    fn unified_format() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
        let b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n";
        let d = unified(a, b, "a/x", "b/x", 3);
        // Changes 6 lines apart share a hunk, as in `diff -u`.
        assert_eq!(d, "--- a/x\n+++ b/x\n@@ -2,9 +2,10 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n+11\n");
        let long_a: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let long_b = long_a.replacen("2\n", "two\n", 1).replace("19\n", "nineteen\n");
        assert_eq!(
            unified(&long_a, &long_b, "a", "b", 1),
            "--- a\n+++ b\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n@@ -18,3 +18,3 @@\n 18\n-19\n+nineteen\n 20\n"
        );
        assert_eq!(unified("x\n", "x\n", "a", "b", 3), "");
        assert_eq!(unified("", "a\nb\n", "a", "b", 3), "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n");
        assert_eq!(unified("a\n", "", "a", "b", 3), "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n");
        assert_eq!(unified("a\n", "a", "a", "b", 3), "--- a\n+++ b\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n");
    }
}
