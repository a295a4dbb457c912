//! [`Users`]: the HTTP API's users when `[auth]` is on: names, bcrypt password hashes,
//! and Kapacitor's user types and permissions (`none`, `api`, `config_api`,
//! `write_points`, `all`; an `admin` has them all). Users come from the configuration's
//! `[[auth.users]]` and from the users API ([`Users::create`], [`Users::update`],
//! [`Users::delete`]).
//!
//! Checking a password runs bcrypt, which is slow on purpose (tens of milliseconds at
//! cost 10). A password that checked is remembered for `cache-expiration` as a keyed
//! hash (std's SipHash with this process's random key, never the password itself), so
//! a client sending the same credentials with every request pays bcrypt once per
//! period. Changing or deleting a user forgets what was remembered for it.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::sync::{Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::config::{AuthSection, UserSection};

/// One of Kapacitor's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Nothing.
    None,
    /// The API, but for the config API and writes.
    Api,
    /// The config API.
    ConfigApi,
    /// `/write`.
    WritePoints,
    /// Everything.
    All,
}

impl Permission {
    /// The permission named `name`.
    pub fn from_name(name: &str) -> Option<Permission> {
        Some(match name {
            "none" => Permission::None,
            "api" => Permission::Api,
            "config_api" => Permission::ConfigApi,
            "write_points" => Permission::WritePoints,
            "all" => Permission::All,
            _ => return None,
        })
    }

    /// Kapacitor's name.
    pub fn name(self) -> &'static str {
        match self {
            Permission::None => "none",
            Permission::Api => "api",
            Permission::ConfigApi => "config_api",
            Permission::WritePoints => "write_points",
            Permission::All => "all",
        }
    }
}

/// A user as the users API shows it (never its password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// The name.
    pub name: String,
    /// `normal` or `admin`.
    #[serde(rename = "type")]
    pub user_type: &'static str,
    /// Its permissions.
    pub permissions: Vec<Permission>,
}

impl User {
    /// Whether the user may do what `needed` allows.
    pub fn may(&self, needed: Permission) -> bool {
        self.user_type == "admin"
            || (self.permissions.iter()).any(|p| *p == needed || *p == Permission::All)
    }
}

/// The body of a create (`name` and `password` required) or update request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserBody {
    /// The name (create only).
    pub name: Option<String>,
    /// The password in clear; stored as a bcrypt hash.
    pub password: Option<String>,
    /// `normal` or `admin`.
    #[serde(rename = "type")]
    pub user_type: Option<String>,
    /// Permission names.
    pub permissions: Option<Vec<String>>,
}

/// Why a user operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    /// The request is invalid.
    #[error("{0}")]
    Invalid(String),
    /// No user has the name.
    #[error("user {0:?} does not exist")]
    NotFound(String),
}

/// A stored user.
struct Stored {
    user: User,
    hash: String,
}

/// The users, and the passwords recently checked.
pub struct Users {
    users: RwLock<BTreeMap<String, Stored>>,
    cost: u32,
    expiration: Duration,
    checked: Mutex<HashMap<String, (u64, Instant)>>,
    key: RandomState,
}

impl Users {
    /// The users of `[auth]`.
    pub fn from_config(section: &AuthSection) -> Result<Users, UserError> {
        let expiration =
            tickflow_model::parse_go_duration(&section.cache_expiration).ok_or_else(|| {
                UserError::Invalid(format!(
                    "invalid auth.cache-expiration {:?}: expected a duration such as \"10m\"",
                    section.cache_expiration
                ))
            })?;
        let mut users = BTreeMap::new();
        for UserSection {
            name,
            password_hash,
            user_type,
            permissions,
        } in &section.users
        {
            let user = user(name, user_type, permissions)?;
            let hash = password_hash.clone();
            users.insert(name.clone(), Stored { user, hash });
        }
        Ok(Users {
            users: RwLock::new(users),
            cost: section.bcrypt_cost,
            expiration,
            checked: Mutex::new(HashMap::new()),
            key: RandomState::new(),
        })
    }

    /// The user `name` when `password` is theirs.
    pub fn authenticate(&self, name: &str, password: &str) -> Option<User> {
        let (user, hash) = {
            let users = self.users.read().unwrap_or_else(|e| e.into_inner());
            let stored = users.get(name)?;
            (stored.user.clone(), stored.hash.clone())
        };
        let fingerprint = self.key.hash_one((name, password));
        let remembered = self.lock_checked().get(name).copied();
        if remembered.is_some_and(|(f, at)| f == fingerprint && at.elapsed() < self.expiration) {
            return Some(user);
        }
        if !bcrypt::verify(password, &hash).unwrap_or(false) {
            return None;
        }
        self.lock_checked()
            .insert(name.to_string(), (fingerprint, Instant::now()));
        Some(user)
    }

    /// Every user, by name.
    pub fn list(&self) -> Vec<User> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.values().map(|s| s.user.clone()).collect()
    }

    /// User `name`.
    pub fn get(&self, name: &str) -> Option<User> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users.get(name).map(|s| s.user.clone())
    }

    /// Adds a user.
    pub fn create(&self, body: UserBody) -> Result<User, UserError> {
        let name = body.name.unwrap_or_default();
        if name.is_empty() {
            return Err(UserError::Invalid("must provide a user name".into()));
        }
        let password = body.password.unwrap_or_default();
        if password.is_empty() {
            return Err(UserError::Invalid("must provide a password".into()));
        }
        let user_type = body.user_type.unwrap_or_else(|| "normal".into());
        let user = user(&name, &user_type, &body.permissions.unwrap_or_default())?;
        let hash = self.hash(&password)?;
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        if users.contains_key(&name) {
            return Err(UserError::Invalid(format!("user {name:?} already exists")));
        }
        users.insert(
            name,
            Stored {
                user: user.clone(),
                hash,
            },
        );
        Ok(user)
    }

    /// Changes user `name`'s password, type or permissions.
    pub fn update(&self, name: &str, body: UserBody) -> Result<User, UserError> {
        let hash = match body.password.as_deref().filter(|p| !p.is_empty()) {
            Some(password) => Some(self.hash(password)?),
            None => None,
        };
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        let stored = (users.get_mut(name)).ok_or_else(|| UserError::NotFound(name.into()))?;
        let user_type = body
            .user_type
            .unwrap_or_else(|| stored.user.user_type.into());
        let permissions = match body.permissions {
            Some(names) => names,
            None => (stored.user.permissions.iter())
                .map(|p| p.name().to_string())
                .collect(),
        };
        stored.user = user(name, &user_type, &permissions)?;
        if let Some(hash) = hash {
            stored.hash = hash;
        }
        self.lock_checked().remove(name);
        Ok(stored.user.clone())
    }

    /// Removes user `name`; an unknown name is not an error.
    pub fn delete(&self, name: &str) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        users.remove(name);
        self.lock_checked().remove(name);
    }

    fn hash(&self, password: &str) -> Result<String, UserError> {
        bcrypt::hash(password, self.cost).map_err(|e| UserError::Invalid(e.to_string()))
    }

    fn lock_checked(&self) -> MutexGuard<'_, HashMap<String, (u64, Instant)>> {
        self.checked.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A user from its type and permission names.
fn user(name: &str, user_type: &str, permissions: &[String]) -> Result<User, UserError> {
    let user_type = match user_type {
        "normal" | "" => "normal",
        "admin" => "admin",
        other => {
            return Err(UserError::Invalid(format!(
                "invalid user type {other:?} for user {name:?}: expected normal or admin"
            )))
        }
    };
    let permissions = (permissions.iter())
        .map(|p| {
            Permission::from_name(p).ok_or_else(|| {
                UserError::Invalid(format!(
                    "unknown permission {p:?} for user {name:?}: expected one of none, api, \
                     config_api, write_points, all"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(User {
        name: name.to_string(),
        user_type,
        permissions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Users {
        let section = AuthSection {
            enabled: true,
            bcrypt_cost: 4,
            users: vec![UserSection {
                name: "telegraf".into(),
                password_hash: bcrypt::hash("secret", 4).expect("hash"),
                user_type: "normal".into(),
                permissions: vec!["write_points".into()],
            }],
            ..AuthSection::default()
        };
        Users::from_config(&section).expect("valid")
    }

    #[test]
    fn passwords_are_checked_against_their_hash() {
        let users = users();
        let telegraf = users
            .authenticate("telegraf", "secret")
            .expect("right password");
        assert!(telegraf.may(Permission::WritePoints));
        assert!(!telegraf.may(Permission::Api));
        assert_eq!(users.authenticate("telegraf", "secret"), Some(telegraf));
        assert_eq!(users.authenticate("telegraf", "wrong"), None);
        assert_eq!(users.authenticate("nobody", "secret"), None);
    }

    #[test]
    fn users_are_created_changed_and_deleted() {
        let users = users();
        let body = |name: &str, password: &str, permissions: &[&str]| UserBody {
            name: Some(name.into()),
            password: Some(password.into()),
            user_type: None,
            permissions: Some(permissions.iter().map(|p| p.to_string()).collect()),
        };
        let bob = users.create(body("bob", "pw", &["api"])).expect("created");
        assert!(bob.may(Permission::Api) && !bob.may(Permission::ConfigApi));
        let err = users.create(body("bob", "pw", &[])).expect_err("exists");
        assert_eq!(err.to_string(), "user \"bob\" already exists");
        let err = users
            .create(body("x", "pw", &["everything"]))
            .expect_err("bad");
        assert!(err
            .to_string()
            .starts_with("unknown permission \"everything\""));
        assert!(users.authenticate("bob", "pw").is_some());
        let admin = UserBody {
            password: Some("new".into()),
            user_type: Some("admin".into()),
            ..UserBody::default()
        };
        let bob = users.update("bob", admin).expect("updated");
        assert!(bob.may(Permission::ConfigApi));
        assert_eq!(users.authenticate("bob", "pw"), None);
        assert!(users.authenticate("bob", "new").is_some());
        users.delete("bob");
        assert_eq!(users.authenticate("bob", "new"), None);
        let err = users.update("bob", UserBody::default()).expect_err("gone");
        assert_eq!(err.to_string(), "user \"bob\" does not exist");
    }
}
