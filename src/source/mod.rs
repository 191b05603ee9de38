//! The source reader: runs the operator's read-only SQL query and turns rows into identities.
