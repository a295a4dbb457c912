//! [`Profile`]: a NAB scoring profile, the weights of a true positive, a false positive
//! and a false negative (`config/profiles.json`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// A scoring profile's name and weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `standard`, `reward_low_FP_rate` or `reward_low_FN_rate`.
    pub name: String,
    /// What detecting a window at its first row earns.
    pub tp: f64,
    /// What a false positive far from any window costs.
    pub fp: f64,
    /// What a missed window costs.
    pub fn_: f64,
}

/// The profiles file would not read.
#[derive(Debug, thiserror::Error)]
#[error("bad profiles file: {0}")]
pub struct ProfilesError(#[from] serde_json::Error);

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "CostMatrix")]
    cost: Cost,
}

#[derive(Deserialize)]
struct Cost {
    #[serde(rename = "tpWeight")]
    tp: f64,
    #[serde(rename = "fpWeight")]
    fp: f64,
    #[serde(rename = "fnWeight")]
    fn_: f64,
}

/// NAB's three profiles in the order it reports them: standard, reward low FP rate,
/// reward low FN rate (any others after them, by name).
pub fn parse(json: &str) -> Result<Vec<Profile>, ProfilesError> {
    let entries: BTreeMap<String, Entry> = serde_json::from_str(json)?;
    let mut profiles: Vec<Profile> = entries
        .into_iter()
        .map(|(name, e)| Profile {
            name,
            tp: e.cost.tp,
            fp: e.cost.fp,
            fn_: e.cost.fn_,
        })
        .collect();
    let order = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"];
    profiles.sort_by_key(|p| {
        order
            .iter()
            .position(|o| *o == p.name)
            .unwrap_or(order.len())
    });
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nabs_profiles_in_reporting_order() {
        let json = r#"{"reward_low_FN_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11, "tnWeight": 1.0}},
                       "standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}}}"#;
        let profiles = parse(json).expect("parses");
        assert_eq!(profiles[0].name, "standard");
        assert_eq!((profiles[1].fn_, profiles[1].fp), (2.0, 0.11));
        assert!(parse("[]").is_err());
    }
}
