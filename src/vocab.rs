//! The enums that become words — causes, finding kinds, severities, loop
//! outcomes, event kinds — derive their names, parsing and variant lists
//! with strum, so each list is written once: in the enum. Serde serializes
//! them through the same names (`#[serde(into = "&'static str")]`), and
//! `tests/it/vocabulary.rs` checks the schema and docs/tables.md against
//! them.
//!
//! A leaf, like `present`: any stage may use it.

/// The variants as a fixed-size array, for the `ALL` constants callers
/// iterate and `map` over (strum gives a slice).
pub const fn array<T: Copy, const N: usize>(variants: &[T]) -> [T; N] {
    assert!(variants.len() == N, "the variant count is the array length");
    let mut out = [variants[0]; N];
    let mut i = 1;
    while i < N {
        out[i] = variants[i];
        i += 1;
    }
    out
}
