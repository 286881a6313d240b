//! Small helpers shared by the use-case modules: field errors, record ids,
//! JSON bodies of records, and `YYYY-MM-DD` dates in serialised records.

use serde::{Deserialize, Serialize};
use vigia_domain::FieldErrors;
use vigia_store::Record;

use crate::{Result, ServiceError};

/// A one-field validation error.
pub(crate) fn invalid(field: &str, msg: impl Into<String>) -> ServiceError {
    let mut e = FieldErrors::default();
    e.push(field, msg.into());
    ServiceError::Invalid(e)
}

/// A new time-ordered record id.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The JSON body of a record (serialising plain data cannot fail).
pub(crate) fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Parse a record's body; a body that does not parse is corrupt stored data.
pub(crate) fn from_json<T: for<'de> Deserialize<'de>>(r: &Record) -> Result<T> {
    serde_json::from_str(&r.body).map_err(|_| ServiceError::Store(vigia_store::StoreError::Corrupt(format!("{} record", r.kind))))
}

/// `YYYY-MM-DD` (de)serialisation for dates in record bodies.
pub(crate) mod date_fmt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&vigia_domain::case::format_date(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        vigia_domain::case::parse_iso_date(&s).map_err(serde::de::Error::custom)
    }
}
