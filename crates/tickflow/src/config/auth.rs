//! The `[auth]` section: whether the HTTP API asks for credentials, and the users the
//! configuration defines (`[[auth.users]]`, each with a bcrypt hash of its password, a
//! type and Kapacitor's permission names). Kapacitor's `[http] auth-enabled = true`
//! turns authentication on as well.
//!
//! ```toml
//! [auth]
//!   enabled = true
//!   cache-expiration = "10m"
//!   [[auth.users]]
//!     name = "admin"
//!     password-hash = "$2b$10$…"   # htpasswd -nbBC 10 admin PASSWORD, or `tickflow` hash
//!     type = "admin"
//!   [[auth.users]]
//!     name = "telegraf"
//!     password-hash = "$2b$10$…"
//!     permissions = ["write_points"]
//! ```

use serde::{Deserialize, Serialize};

/// `[auth]` as written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct AuthSection {
    /// Whether every request must authenticate.
    pub enabled: bool,
    /// How long a checked password is remembered, so that bcrypt runs once per user
    /// and period rather than once per request (Kapacitor's key and default).
    pub cache_expiration: String,
    /// The bcrypt cost of passwords set over the users API.
    pub bcrypt_cost: u32,
    /// The users defined here (more can be added over the users API).
    pub users: Vec<UserSection>,
}

impl Default for AuthSection {
    fn default() -> Self {
        AuthSection {
            enabled: false,
            cache_expiration: "10m".into(),
            bcrypt_cost: 10,
            users: Vec::new(),
        }
    }
}

/// `[[auth.users]]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct UserSection {
    /// The user name.
    pub name: String,
    /// The bcrypt hash of the password.
    pub password_hash: String,
    /// `normal` (the default) or `admin`.
    #[serde(rename = "type", default = "normal")]
    pub user_type: String,
    /// Kapacitor's permission names: `none`, `api`, `config_api`, `write_points`, `all`.
    #[serde(default)]
    pub permissions: Vec<String>,
}

fn normal() -> String {
    "normal".into()
}
