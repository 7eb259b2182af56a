//! A map from names to values that adds no B-tree code of its own to the wasm builds.
//!
//! Every `BTreeMap<K, V>` is a separate copy of the standard library's B-tree code, 4–12 KB
//! of wasm for each key and value type (measured with twiggy on a build with
//! `-C symbol-mangling-version=v0`), and the browser builds are held to a download budget
//! (issue #14). [`NameMap`] keeps its values in a vector and finds them through a
//! `BTreeMap<String, usize>` (the JSON parser's object index) or `BTreeMap<&str, usize>` (the
//! tools-list check's name count) of positions, so each new value type costs only the
//! vector's code.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::borrow::Borrow;

/// Key → `V`, iterated in key order (as `BTreeMap<K, V>`). Keys are names: `String`, or `&str`
/// borrowed from a document being checked. Each value keeps its position while the map only
/// grows (`find`, `positions`), so a caller can keep per-entry marks in a vector of its own.
/// Equal maps compare equal whatever order they were built in.
#[derive(Clone, Debug)]
pub(crate) struct NameMap<K, V> {
    /// Key → position in `values`.
    index: BTreeMap<K, usize>,
    /// Each value with its key, so that a removal can re-point the value it moves.
    values: Vec<(K, V)>,
}

impl<K, V> Default for NameMap<K, V> {
    fn default() -> Self {
        NameMap {
            index: BTreeMap::new(),
            values: Vec::new(),
        }
    }
}

impl<K: Ord + Clone, V: PartialEq> PartialEq for NameMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<K: Ord + Clone, V: Eq> Eq for NameMap<K, V> {}

impl<K: Ord + Clone, V> NameMap<K, V> {
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    pub(crate) fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).map(|(_, v)| v)
    }

    /// `key`'s position and value.
    pub(crate) fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(usize, &V)>
    where
        K: Borrow<Q>,
    {
        let at = *self.index.get(key)?;
        self.values.get(at).map(|(_, v)| (at, v))
    }

    pub(crate) fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let at = *self.index.get(key)?;
        self.values.get_mut(at).map(|(_, v)| v)
    }

    /// Sets `key`'s value, replacing and returning the one it had.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        if let Some(slot) = self.get_mut(&key) {
            return Some(core::mem::replace(slot, value));
        }
        self.index.insert(key.clone(), self.values.len());
        self.values.push((key, value));
        None
    }

    /// Adds `key` unless it is there: `false`, and no change, when it is (the first stays).
    pub(crate) fn insert_new(&mut self, key: K, value: V) -> bool {
        if self.index.contains_key(&key) {
            return false;
        }
        self.insert(key, value);
        true
    }

    /// `key`'s value, a default one added first if it had none. Always `Some` (every key in
    /// the index has a value); an `Option` because the core never indexes unchecked.
    pub(crate) fn get_or_default(&mut self, key: K) -> Option<&mut V>
    where
        V: Default,
    {
        if !self.index.contains_key(&key) {
            self.insert(key.clone(), V::default());
        }
        self.get_mut(&key)
    }

    /// Removes `key` and returns its value: O(log n), the last value moving into its place.
    pub(crate) fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let at = self.index.remove(key)?;
        if at >= self.values.len() {
            return None;
        }
        let (_, value) = self.values.swap_remove(at);
        if let Some((moved, _)) = self.values.get(at) {
            if let Some(position) = self.index.get_mut::<K>(moved) {
                *position = at;
            }
        }
        Some(value)
    }

    /// Keeps the entries `keep` accepts: O(n), the values compacted in place and the
    /// positions of the kept ones renumbered.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        // Each value's new position, or None when it goes.
        let mut next = 0;
        let moved: Vec<Option<usize>> = self
            .values
            .iter()
            .map(|(key, v)| {
                keep(key, v).then(|| {
                    next += 1;
                    next - 1
                })
            })
            .collect();
        self.index
            .retain(|_, at| match moved.get(*at).copied().flatten() {
                Some(to) => {
                    *at = to;
                    true
                }
                None => false,
            });
        let mut i = 0;
        self.values.retain(|_| {
            i += 1;
            moved.get(i - 1).is_some_and(Option::is_some)
        });
    }

    /// (key, value), in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.positions().map(|(key, _, v)| (key, v))
    }

    /// (key, position, value), in key order.
    pub(crate) fn positions(&self) -> impl Iterator<Item = (&K, usize, &V)> {
        self.index.iter().filter_map(|(key, at)| {
            let (_, v) = self.values.get(*at)?;
            Some((key, *at, v))
        })
    }

    /// The entries, taken out in key order.
    pub(crate) fn into_sorted(self) -> impl Iterator<Item = (K, V)> {
        let mut slots: Vec<Option<(K, V)>> = self.values.into_iter().map(Some).collect();
        self.index
            .into_values()
            .filter_map(move |at| slots.get_mut(at)?.take())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    /// Checks every name against a reference `BTreeMap` after each step of a mixed sequence.
    #[test]
    fn behaves_as_a_btreemap_through_inserts_replacements_removals_and_retain() {
        let mut ours: NameMap<String, u32> = NameMap::default();
        let mut reference: BTreeMap<String, u32> = BTreeMap::new();
        let names = ["d", "a", "c", "b", "e", "aa", ""];
        let mut step = 0u32;
        let check = |ours: &NameMap<String, u32>, reference: &BTreeMap<String, u32>| {
            let got: Vec<(&str, u32)> = ours.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            let want: Vec<(&str, u32)> = reference.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            assert_eq!(got, want);
            assert_eq!(ours.len(), reference.len());
            for n in names.iter().chain(["zz"].iter()) {
                assert_eq!(ours.get(*n), reference.get(*n), "{n:?}");
            }
        };
        for round in 0..3u32 {
            for (i, n) in names.iter().enumerate() {
                step += 1;
                assert_eq!(
                    ours.insert(String::from(*n), step),
                    reference.insert(String::from(*n), step)
                );
                check(&ours, &reference);
                if (i as u32 + round) % 3 == 0 {
                    let gone = names[(i * 5 + round as usize) % names.len()];
                    assert_eq!(ours.remove(gone), reference.remove(gone));
                    check(&ours, &reference);
                }
            }
            ours.retain(|n, v| n.len() != 1 || v % 2 == 0);
            reference.retain(|n, v| n.len() != 1 || *v % 2 == 0);
            check(&ours, &reference);
        }
        *ours.get_or_default(String::from("new")).unwrap() += 7;
        *reference.entry(String::from("new")).or_default() += 7;
        check(&ours, &reference);
        assert_eq!(ours.remove("absent"), None);
        // Positions name the values `find` returns, and taking the entries out keeps key order.
        for (name, at, v) in ours.positions() {
            assert_eq!(ours.find(name.as_str()), Some((at, v)));
        }
        assert!(!ours.insert_new(String::from("new"), 0));
        assert_eq!(ours.get("new"), reference.get("new"));
        let taken: Vec<(String, u32)> = ours.into_sorted().collect();
        assert_eq!(taken, reference.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn equality_ignores_the_order_of_insertion() {
        let mut a: NameMap<String, u8> = NameMap::default();
        let mut b: NameMap<String, u8> = NameMap::default();
        for (n, v) in [("x", 1), ("y", 2), ("z", 3)] {
            a.insert(String::from(n), v);
        }
        for (n, v) in [("z", 3), ("x", 1), ("y", 2)] {
            b.insert(String::from(n), v);
        }
        assert_eq!(a, b);
        b.insert(String::from("y"), 9);
        assert_ne!(a, b);
        b.insert(String::from("y"), 2);
        b.remove("z");
        assert_ne!(a, b);
    }
}
