//! Tests of the emulator part.
