//! [`Corpus`]: NAB's series, their anomaly windows and the scoring profiles, read from a
//! NAB folder (`data/<category>/<name>.csv`, `labels/combined_windows.json`,
//! `config/profiles.json`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::profile::{self, Profile, ProfilesError};
use crate::time::{self, TimestampError};

/// A NAB folder that would not read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A CSV file is not NAB's `timestamp,value,...`.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// Why.
        source: csv::Error,
    },
    /// A row has no timestamp or a bad one, or a bad value.
    #[error("{path}: row {row}: {problem}")]
    Row {
        /// The file.
        path: PathBuf,
        /// The row (1 for the first after the header).
        row: usize,
        /// What is wrong.
        problem: String,
    },
    /// The labels file is not a map of file names to windows.
    #[error("{path}: {source}")]
    Labels {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// A window's start or end is not a timestamp.
    #[error("{path}: {source}")]
    WindowTime {
        /// The labels file.
        path: PathBuf,
        /// Why.
        source: TimestampError,
    },
    /// The profiles file is bad.
    #[error("{path}: {source}")]
    Profiles {
        /// The file.
        path: PathBuf,
        /// Why.
        source: ProfilesError,
    },
    /// The folder has no data files.
    #[error("{0} holds no data/<category>/<name>.csv files: is it a NAB folder?")]
    Empty(PathBuf),
}

/// One series of the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct DataFile {
    /// `category/name.csv`, as the labels name it.
    pub name: String,
    /// Each row's timestamp as written.
    pub timestamps: Vec<String>,
    /// Each row's time in seconds (the timestamp read as UTC), in file order.
    pub times: Vec<i64>,
    /// Each row's value.
    pub values: Vec<f64>,
    /// The labelled anomaly windows, start and end in seconds, in order.
    pub windows: Vec<(i64, i64)>,
}

impl DataFile {
    /// The category folder (`realKnownCause`).
    pub fn category(&self) -> &str {
        self.name
            .split_once('/')
            .map_or("", |(category, _)| category)
    }

    /// The file name (`nyc_taxi.csv`).
    pub fn file_name(&self) -> &str {
        self.name
            .split_once('/')
            .map_or(&self.name, |(_, file)| file)
    }

    /// The series' name: the file name without `.csv` (`nyc_taxi`).
    pub fn series(&self) -> &str {
        let file = self.file_name();
        file.strip_suffix(".csv").unwrap_or(file)
    }

    /// Whether row `row` lies in a labelled window (NAB's `label` column).
    pub fn label(&self, row: usize) -> bool {
        let time = self.times[row];
        self.windows
            .iter()
            .any(|&(start, end)| start <= time && time <= end)
    }
}

/// NAB's series with their windows, and the profiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Corpus {
    /// The series, ordered by name.
    pub files: Vec<DataFile>,
    /// The scoring profiles: standard, reward low FP rate, reward low FN rate.
    pub profiles: Vec<Profile>,
}

impl Corpus {
    /// Reads the NAB folder `dir`.
    pub fn load(dir: &Path) -> Result<Corpus, CorpusError> {
        let windows = windows(&dir.join("labels/combined_windows.json"))?;
        let profiles_path = dir.join("config/profiles.json");
        let profiles =
            profile::parse(&read(&profiles_path)?).map_err(|source| CorpusError::Profiles {
                path: profiles_path,
                source,
            })?;
        let mut files = Vec::new();
        for path in data_paths(&dir.join("data"))? {
            let name = relative_name(&dir.join("data"), &path);
            let mut file = read_series(&path, name)?;
            file.windows = windows.get(&file.name).cloned().unwrap_or_default();
            files.push(file);
        }
        if files.is_empty() {
            return Err(CorpusError::Empty(dir.to_path_buf()));
        }
        Ok(Corpus { files, profiles })
    }
}

fn read(path: &Path) -> Result<String, CorpusError> {
    fs::read_to_string(path).map_err(|source| CorpusError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Every window of the labels file, in seconds, by file name.
fn windows(path: &Path) -> Result<BTreeMap<String, Vec<(i64, i64)>>, CorpusError> {
    let labels: BTreeMap<String, Vec<(String, String)>> = serde_json::from_str(&read(path)?)
        .map_err(|source| CorpusError::Labels {
            path: path.to_path_buf(),
            source,
        })?;
    let bad = |source| CorpusError::WindowTime {
        path: path.to_path_buf(),
        source,
    };
    labels
        .into_iter()
        .map(|(file, windows)| {
            let windows = (windows.iter())
                .map(|(start, end)| Ok((time::parse(start)?, time::parse(end)?)))
                .collect::<Result<Vec<_>, TimestampError>>()
                .map_err(bad)?;
            Ok((file, windows))
        })
        .collect()
}

/// The `.csv` files one folder below `data`, sorted.
fn data_paths(data: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let list = |dir: &Path| -> Result<Vec<PathBuf>, CorpusError> {
        let entries = fs::read_dir(dir).map_err(|source| CorpusError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(entries.filter_map(Result::ok).map(|e| e.path()).collect())
    };
    let mut paths = Vec::new();
    for category in list(data)?.into_iter().filter(|p| p.is_dir()) {
        let csvs = list(&category)?.into_iter();
        paths.extend(csvs.filter(|p| p.extension().is_some_and(|e| e == "csv")));
    }
    paths.sort();
    Ok(paths)
}

/// `category/name.csv` of a path under `data`.
fn relative_name(data: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(data).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// The rows of a NAB CSV file: its timestamps and the column `column` as numbers.
pub(crate) fn read_columns(
    path: &Path,
    column: &str,
) -> Result<(Vec<String>, Vec<f64>), CorpusError> {
    let csv_error = |source| CorpusError::Csv {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_error)?;
    let headers = reader.headers().map_err(csv_error)?.clone();
    let row_error = |row, problem: String| CorpusError::Row {
        path: path.to_path_buf(),
        row,
        problem,
    };
    let at = |name: &str| {
        (headers.iter().position(|h| h == name))
            .ok_or_else(|| row_error(0, format!("no column {name:?} in {headers:?}")))
    };
    let (time_at, value_at) = (at("timestamp")?, at(column)?);
    let (mut timestamps, mut values) = (Vec::new(), Vec::new());
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(csv_error)?;
        let field = |at: usize| record.get(at).unwrap_or("");
        let value = field(value_at);
        let number = value
            .parse::<f64>()
            .map_err(|_| row_error(i + 1, format!("{column} {value:?} is not a number")))?;
        timestamps.push(field(time_at).to_string());
        values.push(number);
    }
    Ok((timestamps, values))
}

/// A data file's rows.
fn read_series(path: &Path, name: String) -> Result<DataFile, CorpusError> {
    let (timestamps, values) = read_columns(path, "value")?;
    let times = (timestamps.iter().enumerate())
        .map(|(i, text)| {
            time::parse(text).map_err(|e| CorpusError::Row {
                path: path.to_path_buf(),
                row: i + 1,
                problem: e.to_string(),
            })
        })
        .collect::<Result<Vec<i64>, CorpusError>>()?;
    Ok(DataFile {
        name,
        timestamps,
        times,
        values,
        windows: Vec::new(),
    })
}
