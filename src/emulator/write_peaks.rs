//! The most writes the emulator saw in any sliding window of one and of ten seconds: evidence
//! that the clients, together, kept to a write budget in every window and not only on average.
//! Throttled writes count too: it is what arrived, not what was admitted.

use std::collections::VecDeque;
use tokio::time::{Duration, Instant};

/// The window lengths tracked, in seconds.
pub(crate) const WINDOWS_SECONDS: [u64; 2] = [1, 10];

/// Arrivals inside each window ending now, and the largest count seen so far.
#[derive(Debug, Default)]
pub(crate) struct WritePeaks {
    recent: [VecDeque<Instant>; 2],
    peaks: [u64; 2],
}

impl WritePeaks {
    /// Records a write arriving `at` (arrivals come in order: stamped under the state lock).
    pub fn record(&mut self, at: Instant) {
        for (i, seconds) in WINDOWS_SECONDS.iter().enumerate() {
            let window = Duration::from_secs(*seconds);
            let recent = &mut self.recent[i];
            recent.push_back(at);
            while recent
                .front()
                .is_some_and(|first| at.saturating_duration_since(*first) >= window)
            {
                recent.pop_front();
            }
            self.peaks[i] = self.peaks[i].max(recent.len() as u64);
        }
    }

    /// The most writes in any window of [`WINDOWS_SECONDS`]`[i]` seconds, in that order.
    pub fn peaks(&self) -> [u64; 2] {
        self.peaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_busiest_half_open_window() {
        let start = Instant::now();
        let mut peaks = WritePeaks::default();
        // 20 writes 50 ms apart fill one second; the 21st lands exactly 1 s after the first,
        // which has left the window by then.
        for n in 0..=20 {
            peaks.record(start + Duration::from_millis(50 * n));
        }
        assert_eq!(peaks.peaks(), [20, 21]);
        // A burst of 5 within a millisecond, 30 s later, is the new one-second peak only if
        // it beats 20; it does not.
        for n in 0..5 {
            peaks.record(start + Duration::from_secs(30) + Duration::from_micros(n));
        }
        assert_eq!(peaks.peaks(), [20, 21]);
        for n in 0..25 {
            peaks.record(start + Duration::from_secs(60) + Duration::from_micros(n));
        }
        assert_eq!(peaks.peaks(), [25, 25]);
    }
}
