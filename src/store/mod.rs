//! The state store: the `Store` trait (links, the one-row-per-anchor queue, runs, attempt
//! history) and its adapters.
