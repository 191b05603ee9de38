//! The Microsoft Graph emulator: serves the subset of Graph and of the Entra token endpoint that
//! guestsync uses, as strictly as Graph itself (see `notes/graph.md`).
