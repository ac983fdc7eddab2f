//! Helpers shared by the unit tests.

/// A small deterministic generator (xorshift64) for generated test inputs.
pub(crate) fn rng(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}
