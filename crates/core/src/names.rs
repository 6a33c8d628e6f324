//! [`named_enum!`]: an enumeration's names written once.

/// Writes the names of a field-less enumeration once and derives from them `ALL` (display order),
/// `ALLOWED` (the error's list, `one of a, b, c`), `name()` and `parse()`, whose error is
/// [`crate::Error::InvalidConfig`] naming `field` and listing `ALLOWED`.
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// enum Side { Left, Right }
/// pruning_playground_core::named_enum!(Side, "side", { Left => "left", Right => "right" });
/// assert_eq!(Side::parse("right").unwrap(), Side::Right);
/// assert_eq!(Side::Left.name(), "left");
/// assert_eq!(Side::ALLOWED, "one of left, right");
/// assert!(Side::parse("up").is_err());
/// ```
#[macro_export]
macro_rules! named_enum {
    ($ty:ident, $field:literal, { $v1:ident => $n1:literal $(, $v:ident => $n:literal)* $(,)? }) => {
        impl $ty {
            /// Every value, in display order.
            pub const ALL: [$ty; [$n1 $(, $n)*].len()] = [$ty::$v1 $(, $ty::$v)*];

            /// The allowed names, as error messages list them.
            pub const ALLOWED: &'static str = concat!("one of ", $n1 $(, ", ", $n)*);

            /// The name used by the CLI, URLs, configs and saved files.
            pub fn name(self) -> &'static str {
                match self {
                    $ty::$v1 => $n1,
                    $($ty::$v => $n,)*
                }
            }

            /// Parses a name.
            ///
            /// # Errors
            /// `Error::InvalidConfig` naming the field and the allowed values.
            pub fn parse(name: &str) -> $crate::Result<Self> {
                match name {
                    $n1 => Ok($ty::$v1),
                    $($n => Ok($ty::$v),)*
                    _ => Err($crate::Error::unknown_name($field, name, &[$n1 $(, $n)*])),
                }
            }
        }
    };
}
