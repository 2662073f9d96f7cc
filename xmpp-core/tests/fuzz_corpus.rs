//! Replays every file of the reader fuzz corpus (`fuzz/corpus/reader/`) through the
//! fuzz check on stable Rust, so what the fuzzer found stays fixed.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

#[path = "../fuzz/check.rs"]
mod check;

#[test]
fn every_corpus_file_passes_the_fuzz_check() {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fuzz", "corpus", "reader"]
        .iter()
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "seed corpus missing: {} files",
        files.len()
    );
    for path in files {
        let data = std::fs::read(&path).expect("corpus file");
        let result = std::panic::catch_unwind(|| check::check(&data));
        assert!(result.is_ok(), "{} fails the fuzz check", path.display());
    }
}
