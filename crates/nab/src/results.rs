//! NAB's results files: `<detector>/<category>/<detector>_<name>.csv` with columns
//! `timestamp,value,anomaly_score,label`, read (a published detector's scores) and
//! written (`tickflow score --write-results`).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::corpus::{read_columns, CorpusError, DataFile};

/// The path of `file`'s results for `detector` under `dir` (the folder holding the
/// detector's category folders).
pub fn path(dir: &Path, detector: &str, file: &DataFile) -> PathBuf {
    dir.join(file.category())
        .join(format!("{detector}_{}", file.file_name()))
}

/// The `anomaly_score` column of `file`'s results for `detector` in `dir`; it must have
/// one row per row of the data file.
pub fn read(dir: &Path, detector: &str, file: &DataFile) -> Result<Vec<f64>, CorpusError> {
    let path = path(dir, detector, file);
    let (timestamps, scores) = read_columns(&path, "anomaly_score")?;
    if timestamps != file.timestamps {
        return Err(CorpusError::Row {
            path,
            row: timestamps.len().min(file.timestamps.len()),
            problem: format!(
                "the results' {} rows are not the data file's {}",
                timestamps.len(),
                file.timestamps.len()
            ),
        });
    }
    Ok(scores)
}

/// Writes `file`'s results with `scores` (one per row) for `detector` under `dir`,
/// creating the folders.
pub fn write(
    dir: &Path,
    detector: &str,
    file: &DataFile,
    scores: &[f64],
) -> Result<(), CorpusError> {
    let path = path(dir, detector, file);
    let io = |source| CorpusError::Io {
        path: path.clone(),
        source,
    };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io)?;
    }
    let mut text = String::from("timestamp,value,anomaly_score,label\n");
    for (i, (timestamp, score)) in file.timestamps.iter().zip(scores).enumerate() {
        let label = u8::from(file.label(i));
        text.push_str(&format!("{timestamp},{},{score},{label}\n", file.values[i]));
    }
    fs::File::create(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_results_read_back() {
        let dir = std::env::temp_dir().join(format!("nab-results-{}", std::process::id()));
        let file = DataFile {
            name: "realTest/series.csv".into(),
            timestamps: vec!["2014-01-01 00:00:00".into(), "2014-01-01 00:05:00".into()],
            times: vec![1_388_534_400, 1_388_534_700],
            values: vec![1.5, 2.0],
            windows: vec![(1_388_534_700, 1_388_534_700)],
        };
        write(&dir.join("det"), "det", &file, &[0.25, 1.0]).expect("writes");
        let text = fs::read_to_string(dir.join("det/realTest/det_series.csv")).expect("reads");
        assert_eq!(
            text,
            "timestamp,value,anomaly_score,label\n\
             2014-01-01 00:00:00,1.5,0.25,0\n2014-01-01 00:05:00,2,1,1\n"
        );
        let scores = read(&dir.join("det"), "det", &file).expect("reads back");
        assert_eq!(scores, [0.25, 1.0]);
        let _ = fs::remove_dir_all(&dir);
    }
}
