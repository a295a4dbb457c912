//! Paths of the repository's test data and the listing of golden cases.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One `.tick` file of a golden folder.
pub struct Case {
    /// The file name, for failure messages.
    pub name: String,
    pub path: PathBuf,
}

impl Case {
    pub fn source(&self) -> String {
        fs::read_to_string(&self.path).unwrap_or_else(|err| panic!("{}: {err}", self.name))
    }

    /// The expectation file beside the script, with extension `ext`.
    pub fn sibling(&self, ext: &str) -> PathBuf {
        self.path.with_extension(ext)
    }
}

/// The `.tick` files of `testdata/tickscript/<folder>`, sorted by name.
pub fn cases(folder: &str) -> Vec<Case> {
    let dir = root().join("testdata/tickscript").join(folder);
    let entries = fs::read_dir(&dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display()));
    let mut cases: Vec<Case> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "tick"))
        .map(|path| Case {
            name: format!("{folder}/{}", file_name(&path)),
            path,
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!cases.is_empty(), "no .tick files in {}", dir.display());
    cases
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
