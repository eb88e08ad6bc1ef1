//! Whether any of a set of byte strings (the secrets' forms) occurs in a text: one pass that reads
//! a few bytes every `step` bytes, instead of one pass over the whole text per form.
//!
//! Every output is searched for every form of every secret (about sixteen forms for an OAT and its
//! token), and an output is mostly text Docker sent (a page of members is ~40 KB). One memmem pass
//! per form cost about 100 µs of a `list-members` page's ~350 µs in the guest (benchmark,
//! docs/performance.md); this search reads the same text at about a twentieth of its positions.
//!
//! How: needles of at least [`LONG`] bytes are found by a sampled q-gram filter. Let `m` be the
//! shortest of them and `step = m - GRAM + 1`. An occurrence of a needle `n` (`|n| >= m`) at `a`
//! holds a whole gram at each of the positions `a ..= a + |n| - GRAM`, at least `step` of them, so
//! the first multiple of `step` at or after `a`, `p`, is among them, with `p - a < step`: the
//! `GRAM` bytes of the text at `p` are `n[p - a..][..GRAM]`. So the index holds each long needle's
//! grams at offsets `0..step`, hashed into a bitmap; the text is read at `0, step, 2·step, ...`, and
//! only where a gram's bit is set are the needles compared there. Shorter needles (the forms of a
//! short secret) are each searched with memchr's memmem, as before.

use memchr::memmem;

/// Bytes read at each sampled position.
const GRAM: usize = 4;
/// Needles at least this long go through the sampled filter (so `step` is at least 13).
pub const LONG: usize = 16;
/// Bits of the gram hash: a bitmap of 2^16 bits (8 KiB).
const BITS: u32 = 16;

/// A set of needles, indexed for [`AnyOf::find_in`].
#[derive(Debug, Default)]
pub struct AnyOf {
    long: Vec<Vec<u8>>,
    short: Vec<memmem::Finder<'static>>,
    step: usize,
    /// Bit `hash(g)` is set for every gram `g` of a long needle at an offset below `step`.
    bitmap: Vec<u64>,
}

fn gram_at(text: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([text[at], text[at + 1], text[at + 2], text[at + 3]])
}

fn hash(gram: u32) -> usize {
    (gram.wrapping_mul(0x9E37_79B1) >> (32 - BITS)) as usize
}

impl AnyOf {
    /// Indexes `needles` (empty ones are left out: they would match everywhere).
    pub fn new<'n>(needles: impl IntoIterator<Item = &'n [u8]>) -> Self {
        let (long, short): (Vec<&[u8]>, Vec<&[u8]>) =
            needles.into_iter().filter(|n| !n.is_empty()).partition(|n| n.len() >= LONG);
        let short = short.into_iter().map(|n| memmem::Finder::new(n).into_owned()).collect();
        let Some(shortest) = long.iter().map(|n| n.len()).min() else {
            return AnyOf { short, ..AnyOf::default() };
        };
        let step = shortest - GRAM + 1;
        let mut bitmap = vec![0u64; (1 << BITS) / 64];
        for needle in &long {
            for offset in 0..step {
                let bit = hash(gram_at(needle, offset));
                bitmap[bit / 64] |= 1 << (bit % 64);
            }
        }
        AnyOf { long: long.into_iter().map(<[u8]>::to_vec).collect(), short, step, bitmap }
    }

    /// Whether any needle occurs in `text`.
    pub fn find_in(&self, text: &[u8]) -> bool {
        self.short.iter().any(|finder| finder.find(text).is_some()) || self.long_in(text)
    }

    fn long_in(&self, text: &[u8]) -> bool {
        if self.long.is_empty() {
            return false;
        }
        let mut at = 0;
        while at + GRAM <= text.len() {
            let gram = gram_at(text, at);
            let bit = hash(gram);
            if self.bitmap[bit / 64] & (1 << (bit % 64)) != 0 && self.long_at(text, at, gram) {
                return true;
            }
            at += self.step;
        }
        false
    }

    /// Whether a long needle occurs at `at - offset` for an offset below `step` where the needle
    /// holds `gram`.
    fn long_at(&self, text: &[u8], at: usize, gram: u32) -> bool {
        self.long.iter().any(|needle| {
            (0..self.step.min(at + 1))
                .any(|offset| gram_at(needle, offset) == gram && text[at - offset..].starts_with(needle))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small xorshift generator: reproducible inputs without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        /// Bytes from a small alphabet, so needles share grams with each other and with the text.
        fn text(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| b"abcd"[self.below(4)]).collect()
        }
    }

    fn naive(needles: &[Vec<u8>], text: &[u8]) -> bool {
        needles.iter().filter(|n| !n.is_empty()).any(|n| text.windows(n.len()).any(|w| w == n.as_slice()))
    }

    #[test]
    fn finds_what_a_plain_search_finds_at_every_position_and_length() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for round in 0..3000 {
            let needles: Vec<Vec<u8>> = (0..1 + rng.below(5))
                .map(|_| {
                    let len = rng.below(60);
                    rng.text(len)
                })
                .collect();
            let len = rng.below(400);
            let mut text = rng.text(len);
            // Half the rounds plant a needle at a random position, its end at the text's end too.
            if round % 2 == 0 && !text.is_empty() {
                let needle = &needles[rng.below(needles.len())];
                let at = rng.below(text.len() + 1);
                let at = if round % 6 == 0 { text.len() } else { at };
                text.splice(at..at, needle.iter().copied());
            }
            let index = AnyOf::new(needles.iter().map(Vec::as_slice));
            assert_eq!(index.find_in(&text), naive(&needles, &text), "round {round}: {needles:?} in {text:?}");
        }
    }

    #[test]
    fn a_needle_is_found_at_the_start_the_end_and_across_a_sampled_position() {
        let needle = b"dckr_oat_7Hq/x+Z~ab.c*d-e_f?g".to_vec();
        let other = b"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.payload.signature".to_vec();
        let index = AnyOf::new([needle.as_slice(), other.as_slice()]);
        for before in 0..80 {
            for after in [0, 1, 3, 50] {
                let mut text = vec![b'x'; before];
                text.extend_from_slice(&needle);
                text.extend(std::iter::repeat_n(b'y', after));
                assert!(index.find_in(&text), "{before} before, {after} after");
                // One byte changed anywhere in the needle: not found.
                for flip in [0, needle.len() / 2, needle.len() - 1] {
                    let mut changed = text.clone();
                    changed[before + flip] = b'#';
                    assert!(!index.find_in(&changed), "{before} before, {flip} changed");
                }
            }
        }
    }

    #[test]
    fn empty_needles_and_texts_shorter_than_a_gram_find_nothing() {
        assert!(!AnyOf::new([&b""[..]]).find_in(b"anything"));
        assert!(!AnyOf::new(std::iter::empty()).find_in(b"anything"));
        let index = AnyOf::new([&b"0123456789abcdefXYZ"[..], &b"zz"[..]]);
        assert!(!index.find_in(b"z"));
        assert!(index.find_in(b"xzz"));
        assert!(!index.find_in(b"0123456789abcdefXY"));
    }
}
