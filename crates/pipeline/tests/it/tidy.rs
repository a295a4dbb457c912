//! House rules: every Rust file of the crate starts with a `//!` doc, and no test is
//! ignored.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

#[test]
fn every_file_is_documented_and_no_test_is_ignored() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches"] {
        rust_files(&crate_dir.join(dir), &mut files);
    }
    for file in files {
        let text =
            fs::read_to_string(&file).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        assert!(
            text.starts_with("//!"),
            "{} does not start with a //! doc",
            file.display()
        );
        assert!(
            !text.contains(concat!("#[", "ignore")),
            "{} ignores a test",
            file.display()
        );
    }
}
