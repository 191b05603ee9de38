//! The test harness: fresh databases per test and other shared helpers.

#[allow(dead_code)]
pub mod db;
