//! The HTTP surface: health probes, metrics, admin API and status page.
