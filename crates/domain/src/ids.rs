//! Typed identifiers that cannot be mixed up.

use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub fn as_uuid(&self) -> uuid::Uuid { self.0 }
            /// The text form (as `Display`: hyphenated, lower case) in one
            /// allocation, without the formatting machinery (bulk writes).
            pub fn to_text(&self) -> String {
                let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
                self.0.hyphenated().encode_lower(&mut buf).to_string()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> { uuid::Uuid::parse_str(s).map(Self) }
        }
    };
}

id_type!(/// A case: one presumed trafficked person as recorded by one agency.
    CaseId);
id_type!(/// An agency (police, NGO, shelter, ...).
    AgencyId);
id_type!(/// A user account.
    UserId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_is_the_display_form() {
        let id = CaseId(uuid::Uuid::from_u128(0x0192_3f6e_8a1b_7c2d_9e0f_a1b2_c3d4_e5f6));
        assert_eq!(id.to_text(), id.to_string());
        assert_eq!(id.to_text().parse::<CaseId>().unwrap(), id);
    }
}
