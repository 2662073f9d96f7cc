//! Pass/fail/skip bookkeeping shared by every vector suite.
//!
//! Every suite prints one `FAIL <id>: <what differed>` line per failure and
//! ends with the summary line `N passed, M failed, K skipped`.

use std::process::ExitCode;

/// Counts the outcome of each vector and prints failures as they happen.
#[derive(Debug, Default)]
pub struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
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

    /// Records a vector that this suite does not run (for example a disputed one).
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

    /// Number of failures recorded so far.
    pub fn failed(&self) -> usize {
        self.failed
    }

    /// Prints the summary line and returns exit status 1 if anything failed.
    pub fn finish(self) -> ExitCode {
        println!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        );
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}
