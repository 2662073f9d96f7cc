//! Replays the fuzz corpora on stable Rust, so what the fuzzer found stays fixed:
//!
//! * every file of the reader corpus (`fuzz/corpus/reader/`) through the reader
//!   check (`fuzz/check.rs`);
//! * every file of both corpora (`fuzz/corpus/differential/` and the reader's)
//!   through the differential check (`fuzz/differential.rs`): the fast tokenizer
//!   and the `xmlparser` reference give the same events and errors.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

#[path = "../fuzz/check.rs"]
mod check;
#[path = "../fuzz/differential.rs"]
mod differential;

/// The files of `fuzz/corpus/<name>/`, sorted; at least `min` of them.
fn corpus(name: &str, min: usize) -> Vec<PathBuf> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fuzz", "corpus", name]
        .iter()
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= min,
        "seed corpus {name} missing: {} files",
        files.len()
    );
    files
}

fn replay(files: &[PathBuf], run: fn(&[u8]), what: &str) {
    for path in files {
        let data = std::fs::read(path).expect("corpus file");
        let result = std::panic::catch_unwind(|| run(&data));
        assert!(result.is_ok(), "{} fails the {what}", path.display());
    }
}

#[test]
fn every_corpus_file_passes_the_fuzz_check() {
    replay(&corpus("reader", 40), check::check, "fuzz check");
}

#[test]
fn every_corpus_file_passes_the_differential_check() {
    let mut files = corpus("differential", 60);
    files.extend(corpus("reader", 40));
    replay(&files, differential::check, "differential check");
}
