//! The test harness: fresh databases per test and other shared helpers.

pub mod db;
pub mod json;
pub mod private_pg;
pub mod smtp;
pub mod tools;
pub mod world;
