//! Tests of the settings part.
