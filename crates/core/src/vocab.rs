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

/// Declares an enum whose variants become words, written in `$case`
/// ("kebab-case", "lowercase"): strum derives the names (`as_str`,
/// `Display`, `FromStr`) and the lists (`ALL`, `VARIANTS`), and serde
/// serializes through the same names.
macro_rules! words {
    ($case:literal, $(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            strum::IntoStaticStr,
            strum::EnumString,
            strum::Display,
            strum::VariantArray,
            strum::EnumCount,
        )]
        #[serde(into = "&'static str")]
        #[strum(serialize_all = $case)]
        $vis enum $name { $($body)* }

        impl $name {
            pub const ALL: [$name; <$name as strum::EnumCount>::COUNT] =
                $crate::vocab::array(<$name as strum::VariantArray>::VARIANTS);

            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }
    };
}
pub(crate) use words;
