//! The Numenta Anomaly Benchmark (NAB) as a library: its corpus ([`Corpus`]: 58 series
//! with labelled anomaly windows, and the scoring [`Profile`]s) and its scoring rules,
//! so that a detector's anomaly scores become NAB's three normalised scores.
//!
//! The rules, as NAB's README states them: rows of the probationary period (the first
//! 15 %, at most 750) do not count; a detection in a window earns by how early it is
//! (the scaled sigmoid, [`rows`]), a window counts its earliest detection or costs
//! `fn`, every false positive costs by how far it is after the previous window; the
//! threshold is the one that maximises the sum over the corpus, per profile
//! ([`sweep`]); the result is normalised between the null detector (0) and the perfect
//! one (100).
//!
//! ```no_run
//! use std::path::Path;
//! use tickflow_nab::{results, Corpus};
//!
//! let corpus = Corpus::load(Path::new("../shared/nab"))?;
//! let dir = Path::new("../shared/nab/results/windowedGaussian");
//! let scores = corpus
//!     .files
//!     .iter()
//!     .map(|file| results::read(dir, "windowedGaussian", file))
//!     .collect::<Result<Vec<_>, _>>()?;
//! for outcome in tickflow_nab::score(&corpus, &scores)? {
//!     println!("{} {:.2}", outcome.profile.name, outcome.score.normalised());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod corpus;
pub mod profile;
pub mod results;
pub mod rows;
pub mod sweep;
pub mod testing;
pub mod time;

pub use corpus::{Corpus, CorpusError, DataFile};
pub use profile::Profile;
pub use sweep::ProfileScore;

/// Scores that cannot be scored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    /// A file's scores are not one per row.
    #[error("{file}: {scores} scores for {rows} rows")]
    Length {
        /// The file.
        file: String,
        /// How many scores were given.
        scores: usize,
        /// How many rows it has.
        rows: usize,
    },
    /// A window does not end on a row.
    #[error(transparent)]
    Window(#[from] rows::WindowError),
}

/// One profile's outcome over the corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The profile.
    pub profile: Profile,
    /// The best threshold, the raw score and its bounds.
    pub score: ProfileScore,
    /// Each file's raw score at that threshold, in corpus order.
    pub files: Vec<f64>,
}

/// Scores a detector over `corpus` under every profile, `scores[i]` being its anomaly
/// score for each row of `corpus.files[i]`.
pub fn score(corpus: &Corpus, scores: &[Vec<f64>]) -> Result<Vec<Outcome>, ScoreError> {
    if scores.len() != corpus.files.len() {
        return Err(ScoreError::Length {
            file: "the corpus".into(),
            scores: scores.len(),
            rows: corpus.files.len(),
        });
    }
    let mut outcomes = Vec::with_capacity(corpus.profiles.len());
    for profile in &corpus.profiles {
        let mut files = Vec::with_capacity(corpus.files.len());
        for (file, scores) in corpus.files.iter().zip(scores) {
            if scores.len() != file.times.len() {
                return Err(ScoreError::Length {
                    file: file.name.clone(),
                    scores: scores.len(),
                    rows: file.times.len(),
                });
            }
            files.push(rows::scorable(
                &file.name,
                &file.times,
                scores,
                &file.windows,
                profile,
            )?);
        }
        let score = sweep::optimise(&files, profile);
        outcomes.push(Outcome {
            profile: profile.clone(),
            files: (files.iter())
                .map(|rows| sweep::file_score(rows, score.threshold, profile))
                .collect(),
            score,
        });
    }
    Ok(outcomes)
}
