//! `guestsync demo`: the embedded default end to end — a SQLite source with sample partners,
//! the emulator in-process with throttling and faults, the sync engine, and a summary.

pub mod sample;
