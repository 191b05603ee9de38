//! Tests of the store_conformance part.
