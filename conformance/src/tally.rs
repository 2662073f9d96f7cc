//! Pass/fail/skip bookkeeping shared by every vector suite.
//!
//! Every suite prints one `FAIL <id>: <what differed>` line per failure and ends with
//! the summary line `N passed, M failed, K skipped`. Records marked `"disputed": true`
//! (RFCs, errata or implementations disagree) are run but never counted as passed or
//! failed: each prints `DISPUTED <id>: <outcome>`, they count among the skipped, and a
//! `disputed: N (<ids>)` line precedes the summary.

use std::process::ExitCode;

/// Counts the outcome of each vector and prints failures as they happen.
#[derive(Debug, Default)]
pub struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    disputed: Vec<String>,
}

impl Tally {
    /// Records a vector that behaved as expected.
    pub fn pass(&mut self) {
        self.passed += 1;
    }

    /// Records a failure and prints `FAIL <id>: <why>` on stdout.
    pub fn fail(&mut self, id: impl std::fmt::Display, why: impl std::fmt::Display) {
        self.failed += 1;
        println!("FAIL {id}: {why}");
    }

    /// Records a vector that this suite does not run.
    pub fn skip(&mut self) {
        self.skipped += 1;
    }

    /// Records `result`: `Ok` is a pass, `Err(why)` a failure of `id`.
    pub fn record(&mut self, id: impl std::fmt::Display, result: Result<(), String>) {
        match result {
            Ok(()) => self.pass(),
            Err(why) => self.fail(id, why),
        }
    }

    /// Records the outcome of a disputed vector: printed as `DISPUTED <id>: …`,
    /// counted as skipped, listed before the summary, never a failure.
    pub fn disputed(&mut self, id: impl std::fmt::Display, result: Result<(), String>) {
        self.skipped += 1;
        match result {
            Ok(()) => println!("DISPUTED {id}: passes"),
            Err(why) => println!("DISPUTED {id}: {why}"),
        }
        self.disputed.push(id.to_string());
    }

    /// Records `result` for `id` as [`record`](Self::record) does, or as
    /// [`disputed`](Self::disputed) when the vector is marked disputed.
    pub fn record_maybe_disputed(
        &mut self,
        id: impl std::fmt::Display,
        disputed: bool,
        result: Result<(), String>,
    ) {
        if disputed {
            self.disputed(id, result);
        } else {
            self.record(id, result);
        }
    }

    /// Number of failures recorded so far.
    pub fn failed(&self) -> usize {
        self.failed
    }

    /// `(passed, failed, skipped)` so far, and the ids of the disputed vectors.
    #[cfg(test)]
    pub fn counts(&self) -> ((usize, usize, usize), &[String]) {
        ((self.passed, self.failed, self.skipped), &self.disputed)
    }

    /// The summary: the `disputed: N (<ids>)` line when there were any, then
    /// `N passed, M failed, K skipped`.
    fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.disputed.is_empty() {
            lines.push(format!(
                "disputed: {} ({})",
                self.disputed.len(),
                self.disputed.join(", ")
            ));
        }
        lines.push(format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        ));
        lines
    }

    /// Prints the summary and returns exit status 1 if anything failed.
    pub fn finish(self) -> ExitCode {
        for line in self.summary() {
            println!("{line}");
        }
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disputed_vectors_are_listed_and_never_fail() {
        let mut tally = Tally::default();
        tally.record("a", Ok(()));
        tally.record_maybe_disputed("b", true, Err("differs".into()));
        tally.record_maybe_disputed("c", true, Ok(()));
        tally.record_maybe_disputed("d", false, Err("differs".into()));
        tally.skip();
        assert_eq!(tally.failed(), 1);
        assert_eq!(
            tally.summary(),
            ["disputed: 2 (b, c)", "1 passed, 1 failed, 3 skipped"]
        );
    }

    #[test]
    fn without_disputed_vectors_the_summary_is_one_line() {
        let mut tally = Tally::default();
        tally.record("a", Ok(()));
        assert_eq!(tally.summary(), ["1 passed, 0 failed, 0 skipped"]);
    }
}
