//! Tracing subscriber set-up: human-readable on a terminal, JSON when asked.
