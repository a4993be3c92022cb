//! A fixed-size set of small integers, one bit each: steps of a plan, cells a step touches.

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Bits {
    words: Box<[u64]>,
}

impl Bits {
    pub(crate) fn new(len: usize) -> Self {
        Bits {
            words: vec![0; len.div_ceil(64).max(1)].into_boxed_slice(),
        }
    }

    pub(crate) fn full(len: usize) -> Self {
        let mut bits = Bits::new(len);
        for i in 0..len {
            bits.insert(i);
        }
        bits
    }

    pub(crate) fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    pub(crate) fn intersects(&self, other: &Bits) -> bool {
        self.words
            .iter()
            .zip(&*other.words)
            .any(|(a, b)| a & b != 0)
    }

    pub(crate) fn words(&self) -> &[u64] {
        &self.words
    }
}

/// The set bits of a word slice, ascending.
pub(crate) fn ones(words: &[u64]) -> impl Iterator<Item = usize> + '_ {
    words.iter().enumerate().flat_map(|(w, &word)| {
        let mut x = word;
        std::iter::from_fn(move || {
            if x == 0 {
                return None;
            }
            let b = x.trailing_zeros() as usize;
            x &= x - 1;
            Some(w * 64 + b)
        })
    })
}
