//! Tests of the source part.
