//! Tidy checks over the whole source tree: every Rust file opens with a `//!` doc that says
//! what it is for, and no test is switched off with the ignore attribute.

use std::path::{Path, PathBuf};

use crate::root;

/// Every `.rs` file under `crates/`, skipping build output.
fn rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root().join("crates")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read source dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<String> = rust_files()
        .into_iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).expect("read source file");
            !text.trim_start().starts_with("//!")
        })
        .map(|path| relative(&path))
        .collect();
    assert!(missing.is_empty(), "files without a //! doc: {missing:#?}");
}

#[test]
fn no_test_is_ignored() {
    let marker = ["#[", "ignore"].concat();
    let ignored: Vec<String> = rust_files()
        .into_iter()
        .filter(|path| {
            std::fs::read_to_string(path)
                .expect("read source file")
                .contains(&marker)
        })
        .map(|path| relative(&path))
        .collect();
    assert!(ignored.is_empty(), "files with ignored tests: {ignored:#?}");
}
