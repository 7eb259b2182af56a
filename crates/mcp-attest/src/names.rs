//! A map from names to values that adds no B-tree code of its own to the wasm builds.
//!
//! Every `BTreeMap<K, V>` is a separate copy of the standard library's B-tree code, 4–12 KB
//! of wasm for each key and value type (measured with twiggy on a build with
//! `-C symbol-mangling-version=v0`), and the browser builds are held to a download budget
//! (issue #14). [`NameMap`] keeps its values in a vector and finds them through a
//! `BTreeMap<String, usize>` of positions, the type the JSON parser's object index already
//! uses, so each new value type costs only the vector's code.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// Name → `V`, iterated in name order (byte order, as `BTreeMap<String, V>`). Equal maps
/// compare equal whatever order they were built in.
#[derive(Clone, Debug)]
pub(crate) struct NameMap<V> {
    /// Name → position in `values`.
    index: BTreeMap<String, usize>,
    /// Each value with its name, so that a removal can re-point the value it moves.
    values: Vec<(String, V)>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        NameMap {
            index: BTreeMap::new(),
            values: Vec::new(),
        }
    }
}

impl<V: PartialEq> PartialEq for NameMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<V: Eq> Eq for NameMap<V> {}

impl<V> NameMap<V> {
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    pub(crate) fn get(&self, name: &str) -> Option<&V> {
        let at = *self.index.get(name)?;
        self.values.get(at).map(|(_, v)| v)
    }

    pub(crate) fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        let at = *self.index.get(name)?;
        self.values.get_mut(at).map(|(_, v)| v)
    }

    /// Sets `name`'s value, replacing and returning the one it had.
    pub(crate) fn insert(&mut self, name: &str, value: V) -> Option<V> {
        if let Some(slot) = self.get_mut(name) {
            return Some(core::mem::replace(slot, value));
        }
        self.index.insert(String::from(name), self.values.len());
        self.values.push((String::from(name), value));
        None
    }

    /// `name`'s value, a default one added first if it had none. Always `Some` (every name
    /// in the index has a value); an `Option` because the core never indexes unchecked.
    pub(crate) fn get_or_default(&mut self, name: &str) -> Option<&mut V>
    where
        V: Default,
    {
        if self.get(name).is_none() {
            self.insert(name, V::default());
        }
        self.get_mut(name)
    }

    /// Removes `name` and returns its value: O(log n), the last value moving into its place.
    pub(crate) fn remove(&mut self, name: &str) -> Option<V> {
        let at = self.index.remove(name)?;
        if at >= self.values.len() {
            return None;
        }
        let (_, value) = self.values.swap_remove(at);
        if let Some((moved, _)) = self.values.get(at) {
            if let Some(position) = self.index.get_mut(moved.as_str()) {
                *position = at;
            }
        }
        Some(value)
    }

    /// Keeps the entries `keep` accepts: O(n), the values compacted in place and the
    /// positions of the kept ones renumbered.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        // Each value's new position, or None when it goes.
        let mut next = 0;
        let moved: Vec<Option<usize>> = self
            .values
            .iter()
            .map(|(name, v)| {
                keep(name, v).then(|| {
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

    /// (name, value), in name order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.index.iter().filter_map(|(name, at)| {
            let (_, v) = self.values.get(*at)?;
            Some((name.as_str(), v))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks every name against a reference `BTreeMap` after each step of a mixed sequence.
    #[test]
    fn behaves_as_a_btreemap_through_inserts_replacements_removals_and_retain() {
        let mut ours: NameMap<u32> = NameMap::default();
        let mut reference: BTreeMap<String, u32> = BTreeMap::new();
        let names = ["d", "a", "c", "b", "e", "aa", ""];
        let mut step = 0u32;
        let check = |ours: &NameMap<u32>, reference: &BTreeMap<String, u32>| {
            let got: Vec<(&str, u32)> = ours.iter().map(|(n, v)| (n, *v)).collect();
            let want: Vec<(&str, u32)> = reference.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            assert_eq!(got, want);
            assert_eq!(ours.len(), reference.len());
            for n in names.iter().chain(["zz"].iter()) {
                assert_eq!(ours.get(n), reference.get(*n), "{n:?}");
            }
        };
        for round in 0..3u32 {
            for (i, n) in names.iter().enumerate() {
                step += 1;
                assert_eq!(
                    ours.insert(n, step),
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
        *ours.get_or_default("new").unwrap() += 7;
        *reference.entry(String::from("new")).or_default() += 7;
        check(&ours, &reference);
        assert_eq!(ours.remove("absent"), None);
    }

    #[test]
    fn equality_ignores_the_order_of_insertion() {
        let mut a: NameMap<u8> = NameMap::default();
        let mut b: NameMap<u8> = NameMap::default();
        for (n, v) in [("x", 1), ("y", 2), ("z", 3)] {
            a.insert(n, v);
        }
        for (n, v) in [("z", 3), ("x", 1), ("y", 2)] {
            b.insert(n, v);
        }
        assert_eq!(a, b);
        b.insert("y", 9);
        assert_ne!(a, b);
        b.insert("y", 2);
        b.remove("z");
        assert_ne!(a, b);
    }
}
