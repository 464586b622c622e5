//! Ordered maps and sets built by inserting one entry at a time.
//!
//! `collect()` into a `BTreeMap` or `BTreeSet` first sorts its input with the standard
//! library's stable sort, and every key type gets its own copy of that sort: several KB of
//! wasm each, in the chunk of every lab that does it. Inserting gives the same map (a later
//! value for the same key wins in both) with code the map needs anyway.

use std::collections::{BTreeMap, BTreeSet};

/// The map of these pairs; a later value for a repeated key wins, as with `collect()`.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in pairs {
        map.insert(key, value);
    }
    map
}

/// The set of these values.
pub fn set_of<T: Ord>(values: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for value in values {
        set.insert(value);
    }
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_as_collect_with_repeated_keys() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        assert_eq!(map_of(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        assert_eq!(map_of(pairs)[&3], 'c');
        let values = [5, 1, 5, 3];
        assert_eq!(set_of(values), values.into_iter().collect::<BTreeSet<_>>());
    }
}
