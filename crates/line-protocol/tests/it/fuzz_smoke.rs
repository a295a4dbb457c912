//! The fuzz target's property (`check::check_body`) over deterministic pseudo-random
//! mutations of the golden inputs, so that CI covers it without cargo-fuzz.

use crate::check::check_body;
use crate::golden::inputs;

/// Mutated bodies per golden input.
const MUTATIONS_PER_INPUT: usize = 200;
/// Inputs longer than this (the 64 KiB key-length cases) are left out: they are slow to
/// mutate and parse, and their bytes are all `m`.
const MAX_INPUT_LEN: usize = 4096;
/// Bytes that mean something somewhere in a line.
const INTERESTING: &[u8] = b" ,=\"\\\n\r\t\0#-+.eEiIuntfTF0159";

/// xorshift64*: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        match self.below(3) {
            0 => self.next() as u8,
            _ => INTERESTING[self.below(INTERESTING.len())],
        }
    }
}

/// One to four random edits of `body`, sometimes splicing in a piece of `other`.
fn mutate(rng: &mut Rng, body: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if at < out.len() => out[at] = rng.byte(),
            1 => out.insert(at, rng.byte()),
            2 if at < out.len() => {
                let end = (at + 1 + rng.below(8)).min(out.len());
                out.drain(at..end);
            }
            3 if at < out.len() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
            4 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(32)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn mutated_golden_inputs_parse_and_round_trip() {
    let bodies: Vec<Vec<u8>> = inputs()
        .into_iter()
        .map(|(_, body)| body)
        .filter(|body| body.len() <= MAX_INPUT_LEN)
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut checked, mut round_trips) = (0, 0);
    for (i, body) in bodies.iter().enumerate() {
        let other = &bodies[(i * 7 + 3) % bodies.len()];
        for _ in 0..MUTATIONS_PER_INPUT {
            let mutated = mutate(&mut rng, body, other);
            let outcome = std::panic::catch_unwind(|| check_body(&mutated));
            match outcome {
                Ok(n) => round_trips += n,
                Err(_) => panic!(
                    "failed on {:?} (a mutation of golden input {i})",
                    String::from_utf8_lossy(&mutated)
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 20_000, "only {checked} bodies");
    // Many mutations still hold points that make the round trip.
    assert!(
        round_trips > checked / 2,
        "{round_trips} round trips in {checked} bodies"
    );
}
