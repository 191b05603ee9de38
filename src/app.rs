//! The composition root: builds pools, adapters and tasks, and shuts them down in order.
