//! The generator behind `rand()`: a three-lag multiply-with-carry generator with 64-bit
//! lags, the one Kapacitor's tests install (Go's `github.com/zeebo/mwc`), so that a seeded
//! `rand()` gives the numbers Kapacitor gives.
//!
//! Each step multiplies the oldest lag by [`MULTIPLIER`] as a 128-bit product, adds the
//! carry to its low half (the new lag) and keeps the high half plus the overflow as the
//! next carry. The output mixes the three lags with the product's high half. Bounded
//! draws use the multiply-high method (the top 64 bits of `draw * n`), redrawing the rare
//! values that would bias it, as Go's `math/rand/v2` does.

/// The generator's multiplier.
const MULTIPLIER: u64 = 0xfeb3_4465_7c0a_f413;

/// The fixed constants a seed is mixed with.
const SEED_MIX: u64 = 0xcafe_f00d_d15e_a5e5;
const SEED_CARRY: u64 = 0x1405_7b7e_f767_814f;

/// The generator's state: three lags, newest first, and the carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Mwc {
    lags: [u64; 3],
    carry: u64,
}

/// `a * b` as (high, low) halves.
fn wide_mul(a: u64, b: u64) -> (u64, u64) {
    let product = u128::from(a) * u128::from(b);
    ((product >> 64) as u64, product as u64)
}

/// `a + b + carry_in` as (sum, carry out).
fn add_carry(a: u64, b: u64, carry_in: bool) -> (u64, bool) {
    let (sum, first) = a.overflowing_add(b);
    let (sum, second) = sum.overflowing_add(u64::from(carry_in));
    (sum, first || second)
}

impl Mwc {
    /// The generator seeded with two keys. The keys and the fixed constants are laid out as
    /// one multi-word number and multiplied through, so that every key bit reaches every
    /// lag.
    pub(super) fn seeded(k1: u64, k2: u64) -> Self {
        let (mix_high, mix_low) = wide_mul(SEED_MIX, MULTIPLIER);
        let base = mix_low.wrapping_add(SEED_CARRY);
        let (base_high, base_low) = wide_mul(base, MULTIPLIER);
        let (k2_high, k2_low) = wide_mul(k2, MULTIPLIER);
        let (k1_high, k1_low) = wide_mul(k1, MULTIPLIER);

        let (x2, c) = add_carry(k2_low, mix_high, false);
        let (x1, c) = add_carry(k1_low, k2_high, c);
        let (x2_high, x2_low) = wide_mul(x2, MULTIPLIER);
        let (x1_high, x1_low) = wide_mul(x1, MULTIPLIER);
        let (x3, c) = add_carry(base_low, k1_high, c);
        let (x2, c) = add_carry(x2_low, base_high, c);
        let (x1, c) = add_carry(x1_low, x2_high, c);
        Mwc {
            lags: [x1, x2, x3],
            carry: x1_high.wrapping_add(u64::from(c)),
        }
    }

    /// The next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        let [x1, x2, x3] = self.lags;
        let (high, low) = wide_mul(x3, MULTIPLIER);
        let out = (x3 ^ x2).wrapping_add(x1 ^ high);
        let (newest, c) = add_carry(low, self.carry, false);
        self.lags = [newest, x1, x2];
        self.carry = high.wrapping_add(u64::from(c));
        out
    }

    /// A non-negative `i64`: the next draw without its top bit.
    pub(super) fn next_i63(&mut self) -> i64 {
        (self.next_u64() & (u64::MAX >> 1)) as i64
    }

    /// Uniform in `[0, n)`; 0 when `n <= 0`. A power of two masks one draw; any other
    /// bound takes the high half of `draw * n`, redrawing while the low half falls in the
    /// biased zone.
    pub(super) fn below(&mut self, n: i64) -> i64 {
        let Ok(n) = u64::try_from(n) else { return 0 };
        if n == 0 {
            return 0;
        }
        if n.is_power_of_two() {
            return (self.next_u64() & (n - 1)) as i64;
        }
        let (mut high, mut low) = wide_mul(self.next_u64(), n);
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                (high, low) = wide_mul(self.next_u64(), n);
            }
        }
        high as i64
    }

    /// The state as four numbers: the lags, newest first, then the carry.
    pub(super) fn words(&self) -> [u64; 4] {
        let [x1, x2, x3] = self.lags;
        [x1, x2, x3, self.carry]
    }

    /// The generator [`Mwc::words`] described.
    pub(super) fn from_words([x1, x2, x3, carry]: [u64; 4]) -> Self {
        Mwc {
            lags: [x1, x2, x3],
            carry,
        }
    }
}

impl Default for Mwc {
    /// Seeded with zero, as Kapacitor's tests seed it, so replays are repeatable.
    fn default() -> Self {
        Mwc::seeded(0, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first draws of the zero-seeded generator, as Kapacitor's `TestStream_EvalRand`
    /// observes them: `rand()` 3131420824542495944 and `rand(20)` 3.
    #[test]
    fn the_zero_seed_gives_kapacitors_numbers() {
        let mut rng = Mwc::default();
        assert_eq!(rng.next_u64(), 0x2b75_0aa6_211d_c4c8);
        assert_eq!(rng.next_u64(), 0x6107_943f_5b94_95ba);
        assert_eq!(Mwc::default().next_i63(), 3_131_420_824_542_495_944);
        assert_eq!(Mwc::default().below(20), 3);
        assert_eq!(Mwc::default().below(1), 0);
    }

    #[test]
    fn bounded_draws_stay_in_range_and_reach_every_value() {
        let mut rng = Mwc::default();
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = rng.below(7);
            assert!((0..7).contains(&v), "{v}");
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(-5), 0);
    }

    #[test]
    fn words_round_trip() {
        let mut rng = Mwc::seeded(7, 9);
        rng.next_u64();
        let mut back = Mwc::from_words(rng.words());
        assert_eq!(back.next_u64(), rng.next_u64());
    }
}
