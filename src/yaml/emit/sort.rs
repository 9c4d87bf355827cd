//! Map keys in go-yaml v2's "natural" order (its `keyList.Less` on string
//! keys): runs of digits compare as numbers (`a9` < `a10`), letters sort
//! after every non-letter (`_u` < `B` < `b`), otherwise code points.

/// go-yaml v2's `keyList.Less` for two string keys (as chars).
pub fn key_less(ar: &[char], br: &[char]) -> bool {
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = is_letter(ar[i]);
        let bl = is_letter(br[i]);
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        // Compare the digit runs starting here as numbers. A run starting
        // with '0' continues a number begun earlier when a non-zero digit
        // precedes it, which go-yaml models by starting both at 1.
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            for j in (0..i).rev() {
                if !ar[j].is_ascii_digit() {
                    break;
                }
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Go's `unicode.IsLetter` (categories L*). Rust's `is_alphabetic` also
/// counts letter-like numbers, which `is_numeric` removes again; combining
/// marks with the Alphabetic property remain a (rare) difference.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        c.is_alphabetic() && !c.is_numeric()
    }
}

/// Sorts with `key_less`, as go-yaml's `sort.Sort(keyList)` does.
///
/// `Less` is not transitive on some key sets (`1e3` < `2` < `10` < `1e3`);
/// Go then sorts keys that arrive in random map order, so kustomize's own
/// output varies from run to run and no order can match it. For all other
/// key sets every correct sort agrees. A plain merge sort is used because it
/// stays well-behaved (no panic, deterministic) on an inconsistent `Less`.
pub fn sort_keys<T>(items: &mut Vec<T>, key: impl Fn(&T) -> &str) {
    if items.len() <= 1 {
        return;
    }
    let keys: Vec<Vec<char>> = items.iter().map(|item| key(item).chars().collect()).collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    merge_sort(&mut order, &|a, b| key_less(&keys[a], &keys[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().map(|i| slots[i].take().expect("each index once")));
}

fn merge_sort(v: &mut [usize], less: &dyn Fn(usize, usize) -> bool) {
    if v.len() <= 1 {
        return;
    }
    let mid = v.len() / 2;
    merge_sort(&mut v[..mid], less);
    merge_sort(&mut v[mid..], less);
    let (left, right) = (v[..mid].to_vec(), v[mid..].to_vec());
    let (mut i, mut j) = (0, 0);
    for slot in v.iter_mut() {
        // Take from the right only when strictly less: stable.
        if j < right.len() && (i == left.len() || less(right[j], left[i])) {
            *slot = right[j];
            j += 1;
        } else {
            *slot = left[i];
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        sort_keys(&mut v, |s| s.as_str());
        v
    }

    #[test]
    fn natural_order() {
        assert_eq!(sorted(&["e", "big", "b", "B", "_u"]), ["_u", "B", "b", "big", "e"]);
        assert_eq!(sorted(&["a010", "a9", "a10"]), ["a9", "a10", "a010"]);
        assert_eq!(sorted(&["10", "1_", "11", "2"]), ["1_", "2", "10", "11"]);
        assert_eq!(sorted(&["05", "6", "5"]), ["5", "05", "6"]);
        assert_eq!(sorted(&["a0", "a_", "a-"]), ["a-", "a_", "a0"]);
        assert_eq!(sorted(&["ab", "a", ""]), ["", "a", "ab"]);
    }

    #[test]
    fn survives_intransitive_keys() {
        // `1e3` < `2` < `10` < `1e3`: any order will do, but no panic.
        let v = sorted(&["10", "1e3", "2", "1_", "a01", "a9", "a10", "a1b2", "a1b10"]);
        assert_eq!(v.len(), 9);
    }
}
