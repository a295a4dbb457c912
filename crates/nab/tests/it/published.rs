//! The scorer against NAB's published numbers: the windowed-Gaussian detector's committed
//! results give NAB's 39.65 / 20.87 / 47.41, and a detector that never fires 0 / 0 / 0.
//!
//! The corpus is `$NAB_DIR`, or `../shared/nab` relative to the repository. Without it
//! the tests pass with a note, except under `CI=true`, where its absence is a failure.

use std::path::Path;

use tickflow_nab::testing::corpus_dir;
use tickflow_nab::{results, score, Corpus};

fn normalised(corpus: &Corpus, scores: &[Vec<f64>]) -> Vec<String> {
    let outcomes = score(corpus, scores).expect("scores");
    outcomes
        .iter()
        .map(|o| format!("{} {:.2}", o.profile.name, o.score.normalised()))
        .collect()
}

#[test]
fn windowed_gaussian_scores_as_nab_published() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(dir) = corpus_dir(&repository) else {
        return;
    };
    let corpus = Corpus::load(&dir).expect("corpus loads");
    assert_eq!(corpus.files.len(), 58);
    let results_dir = dir.join("results/windowedGaussian");
    let scores: Vec<Vec<f64>> = (corpus.files.iter())
        .map(|file| results::read(&results_dir, "windowedGaussian", file).expect("results"))
        .collect();
    assert_eq!(
        normalised(&corpus, &scores),
        [
            "standard 39.65",
            "reward_low_FP_rate 20.87",
            "reward_low_FN_rate 47.41"
        ]
    );
}

#[test]
fn a_detector_that_never_fires_scores_zero() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let Some(dir) = corpus_dir(&repository) else {
        return;
    };
    let corpus = Corpus::load(&dir).expect("corpus loads");
    let zeros: Vec<Vec<f64>> = (corpus.files.iter())
        .map(|file| vec![0.0; file.times.len()])
        .collect();
    assert_eq!(
        normalised(&corpus, &zeros),
        [
            "standard 0.00",
            "reward_low_FP_rate 0.00",
            "reward_low_FN_rate 0.00"
        ]
    );
}
