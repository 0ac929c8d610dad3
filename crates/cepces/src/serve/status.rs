//! `[service] status_listen`: `GET /health` and `GET /metrics`
//! (Prometheus text format 0.0.4) over plain HTTP, for a load balancer and
//! a monitoring system: requests by outcome, their latency, and the
//! records by state.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use cepces_server::Server as App;

/// The outcomes counted, by the first word of the request log's outcome;
/// `refused` is an answer before the service (not found, method, content
/// type, size, time, framing, Negotiate).
const OUTCOMES: [&str; 6] = ["policy", "issued", "pending", "status", "fault", "refused"];

/// The latency histogram's upper bounds, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Counters of the HTTPS requests, shared by every connection.
#[derive(Debug, Default)]
pub struct Metrics {
    outcomes: [AtomicU64; OUTCOMES.len()],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Counts a request that came to `outcome` (the log's) in `elapsed`.
    pub fn record(&self, outcome: &str, elapsed: Duration) {
        let word = outcome.split(' ').next().unwrap_or_default();
        let kind = OUTCOMES
            .iter()
            .position(|o| *o == word)
            .unwrap_or(OUTCOMES.len() - 1);
        self.outcomes[kind].fetch_add(1, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        for (bound, n) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                n.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The Prometheus text of these counters and of `app`'s records
    /// (left out when the store does not answer).
    pub fn render(&self, app: &App) -> String {
        let mut out = String::with_capacity(2048);
        out.push_str(
            "# HELP cepces_requests_total HTTPS requests answered, by outcome.\n\
             # TYPE cepces_requests_total counter\n",
        );
        for (name, n) in OUTCOMES.iter().zip(&self.outcomes) {
            let _ = writeln!(
                out,
                "cepces_requests_total{{outcome=\"{name}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP cepces_request_duration_seconds Time from a request's head to its answer.\n\
             # TYPE cepces_request_duration_seconds histogram\n",
        );
        for (bound, n) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "cepces_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "cepces_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             cepces_request_duration_seconds_sum {}\n\
             cepces_request_duration_seconds_count {count}",
            // Whole microseconds: exact in an f64 for centuries of requests.
            std::time::Duration::from_micros(self.sum_micros.load(Ordering::Relaxed)).as_secs_f64()
        );
        if let Ok(c) = app.counts() {
            out.push_str(
                "# HELP cepces_records Requests on record, by state.\n\
                 # TYPE cepces_records gauge\n",
            );
            let _ = writeln!(
                out,
                "cepces_records{{state=\"pending\"}} {}\n\
                 cepces_records{{state=\"issued\"}} {}\n\
                 cepces_records{{state=\"denied\"}} {}",
                c.pending, c.issued, c.denied
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_counted_by_their_first_word_and_latency_cumulatively() {
        let m = Metrics::default();
        m.record("issued 7", Duration::from_micros(1500));
        m.record("fault FailedAuthentication", Duration::from_millis(30));
        m.record("not found", Duration::from_secs(20));
        let n = |i: usize| m.outcomes[i].load(Ordering::Relaxed);
        assert_eq!((n(1), n(4), n(5)), (1, 1, 1));
        let b = |i: usize| m.buckets[i].load(Ordering::Relaxed);
        // le=0.001: none; le=0.0025: the 1.5 ms one; le=0.05: and the
        // 30 ms one; le=10: not the 20 s one (only +Inf has it).
        assert_eq!((b(0), b(1), b(5), b(11)), (0, 1, 2, 2));
        assert_eq!(m.count.load(Ordering::Relaxed), 3);
        assert_eq!(m.sum_micros.load(Ordering::Relaxed), 20_031_500);
    }
}
