//! The start-up error for bad configuration: every problem, each naming its key.

use std::fmt;

/// One or more configuration problems; start-up stops with exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    problems: Vec<(String, String)>,
}

impl SettingsError {
    /// One problem with `key`.
    pub fn single(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            problems: vec![(key.into(), message.into())],
        }
    }

    /// Several problems.
    pub fn many(problems: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            problems: problems.into_iter().collect(),
        }
    }

    /// The keys named, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.problems.iter().map(|(key, _)| key.as_str())
    }

    /// The exit code for a configuration error.
    pub const EXIT_CODE: i32 = 2;
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid configuration:")?;
        for (key, message) in &self.problems {
            write!(f, "\n  {key}: {message}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsError {}

/// Collects problems while a section is parsed.
#[derive(Debug, Default)]
pub struct Problems(Vec<(String, String)>);

impl Problems {
    /// Records a problem with `key`.
    pub fn add(&mut self, key: &str, message: impl Into<String>) {
        self.0.push((key.to_string(), message.into()));
    }

    /// Records the error of `result` under `key`, or returns the value.
    pub fn check<T>(&mut self, key: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(key, message);
                None
            }
        }
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self) -> Result<(), SettingsError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(SettingsError::many(self.0))
        }
    }
}
