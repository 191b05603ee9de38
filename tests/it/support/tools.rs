//! External tools some tests drive (headless Chromium, promtool). `.ci/run` installs them;
//! elsewhere a missing tool skips the test loudly, unless `GUESTSYNC_REQUIRE_DB_TESTS=1`,
//! where it is a failure (the same switch as the database tests).

use std::path::PathBuf;

use super::db::required;

/// The first of `names` found on `PATH`, or `None` (after a loud message) when the test must
/// be skipped.
pub fn find(names: &[&str], package: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        let what = names.join(" or ");
        if required() {
            panic!(
                "{what} is not installed (Debian package {package}) but GUESTSYNC_REQUIRE_DB_TESTS=1"
            );
        }
        eprintln!(
            "\n!!! SKIPPED: {what} is not installed (Debian package {package}); this test did not run !!!\n"
        );
    }
    found
}
