//! The worker pool: claims queue items, executes them through the Graph client, settles them.
