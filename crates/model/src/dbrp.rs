//! [`Dbrp`]: a database and retention policy pair, the address tasks subscribe to.

use std::fmt;

use crate::Str;

/// A database and retention policy, as in TICKscript's `dbrp "printer"."autogen"` and
/// the `db`/`rp` parameters of `POST /write`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Dbrp {
    /// The database name.
    pub database: Str,
    /// The retention policy name.
    pub retention_policy: Str,
}

impl Dbrp {
    /// The pair `database`.`retention_policy`.
    pub fn new(database: impl Into<Str>, retention_policy: impl Into<Str>) -> Self {
        Dbrp {
            database: database.into(),
            retention_policy: retention_policy.into(),
        }
    }
}

impl fmt::Display for Dbrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}.{:?}", &*self.database, &*self.retention_policy)
    }
}
