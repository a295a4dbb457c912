//! [`corpus_dir`]: where tests find the NAB corpus.

use std::path::{Path, PathBuf};

/// The NAB folder for tests of the repository at `repository`: `$NAB_DIR`, or
/// `../shared/nab` beside the repository. `None`, with a loud note on stderr, when it is
/// missing; under `CI=true` a missing corpus panics instead, so CI cannot skip the
/// tests that need it.
pub fn corpus_dir(repository: &Path) -> Option<PathBuf> {
    let dir = match std::env::var_os("NAB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repository.join("../shared/nab"),
    };
    if dir.join("data").is_dir() {
        return Some(dir);
    }
    let message = format!(
        "the NAB corpus is missing at {}: the NAB score tests cannot run",
        dir.display()
    );
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
    eprintln!("SKIPPED: {message}");
    None
}
