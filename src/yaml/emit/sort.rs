//! Map keys in go-yaml v2's "natural" order (its `keyList.Less` on string
//! keys): runs of digits compare as numbers (`a9` < `a10`), letters sort
//! after every non-letter (`_u` < `B` < `b`), otherwise code points.

/// go-yaml v2's `keyList.Less` for two string keys.
pub fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
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

/// Sorts like Go's `sort.Sort` with [`key_less`]. Go uses insertion sort for
/// up to 12 elements; doing the same keeps the exact order even for the odd
/// keys on which `Less` is not transitive. Longer maps use a stable sort,
/// which agrees with Go whenever the order is consistent.
pub fn sort_keys<T>(items: &mut [T], key: impl Fn(&T) -> &str) {
    if items.len() <= 12 {
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 && key_less(key(&items[j]), key(&items[j - 1])) {
                items.swap(j, j - 1);
                j -= 1;
            }
        }
    } else {
        items.sort_by(|x, y| {
            if key_less(key(x), key(y)) {
                std::cmp::Ordering::Less
            } else if key_less(key(y), key(x)) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
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
}
