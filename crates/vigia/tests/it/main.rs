//! Integration tests of the real binary and the real router against real
//! databases (SQLite always; PostgreSQL when `VIGIA_TEST_POSTGRES_URL` is set,
//! which `.ci/run` does). One test binary, many modules.

mod access;
mod audit_tamper;
mod bad_input;
mod cli;
mod common;
mod crash;
mod estimates;
mod import;
mod maps;
mod national;
mod nrm;
mod plans;
mod rounds;
mod secrets;
