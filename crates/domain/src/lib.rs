//! Vigia's domain core.
//!
//! Everything here is pure: types that can only hold valid values (parsed at the
//! boundary), the taxonomies with their stable codes, the access policy and the
//! audit hash chain. No I/O, no clock, no randomness: callers pass "today" and
//! identifiers in.

pub mod audit;
pub mod case;
pub mod error;
pub mod geo;
pub mod ids;
pub mod indicators;
pub mod input;
pub mod knowledge;
pub mod national;
pub mod plans;
pub mod policy;
pub mod rounds;
pub mod nrm;
pub mod screening;
pub mod taxonomy;

pub use error::{FieldError, FieldErrors};
