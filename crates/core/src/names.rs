//! [`named_enum!`]: an enumeration's names written once.

/// Writes the names of a field-less enumeration once and derives from them `ALL` (display order),
/// `ALLOWED` (the error's list, `one of a, b, c`), `name()` and `parse()`, whose error is
/// [`crate::Error::InvalidConfig`] naming `field` and listing `ALLOWED`, and serde's `Serialize`
/// and `Deserialize` through those two (the names are the serialized form).
///
/// ```
/// #[derive(Debug, Clone, Copy, PartialEq)]
/// enum Side { Left, Right }
/// pruning_playground_core::named_enum!(Side, "side", { Left => "left", Right => "right" });
/// assert_eq!(Side::parse("right").unwrap(), Side::Right);
/// assert_eq!(Side::Left.name(), "left");
/// assert_eq!(serde_json::to_string(&Side::Left).unwrap(), "\"left\"");
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

        /// Serialized as its name, so saved files, JSON output and the CLI spell it one way.
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        /// Read by [`Self::parse`], so a wrong name gets the message listing the allowed ones.
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let name = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $ty::parse(&name).map_err(::serde::de::Error::custom)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::data::DatasetKind;
    use crate::model::{Activation, Init};
    use crate::train::Loss;

    /// Every value serializes as its name and reads back; a wrong name is refused with the list.
    fn round_trips<T>(all: &[T], allowed: &str)
    where
        T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
    {
        for &v in all {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
        }
        let err = serde_json::from_str::<T>("\"no-such-name\"").unwrap_err();
        assert!(err.to_string().contains(allowed), "{err}");
    }

    #[test]
    fn names_are_the_serialized_form() {
        assert_eq!(
            serde_json::to_string(&Init::KaimingNormal).unwrap(),
            "\"kaiming-normal\""
        );
        assert_eq!(
            serde_json::to_string(&Loss::CrossEntropy).unwrap(),
            "\"cross-entropy\""
        );
        round_trips(&Init::ALL, Init::ALLOWED);
        round_trips(&Activation::ALL, Activation::ALLOWED);
        round_trips(&Loss::ALL, Loss::ALLOWED);
        round_trips(&DatasetKind::ALL, DatasetKind::ALLOWED);
    }
}
