//! The `-dbrp` flag's value: `db.rp` or `"db"."rp"`, the quotes optional and `\"`
//! escaping a quote inside them, as Kapacitor's CLI reads it.

use super::go_fmt::Dbrp;

/// Why a `-dbrp` value was refused (Kapacitor's messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DbrpError {
    /// `-dbrp ""`.
    #[error("dbrp cannot be empty")]
    Empty,
    /// No dot at all.
    #[error(
        "does not contain a '.', it must be in the form \"dbname\".\"rpname\" where the quotes are optional."
    )]
    NoDot,
    /// Something other than a dot after the database.
    #[error("dbrp must specify retention policy, do you have a missing or extra '.'?")]
    NoRetentionPolicy,
}

/// Parses one `-dbrp` value.
pub(crate) fn parse(value: &str) -> Result<Dbrp, DbrpError> {
    if value.is_empty() {
        return Err(DbrpError::Empty);
    }
    let (db, rest) = if value.starts_with('"') {
        quoted(value)
    } else {
        let dot = value.find('.').ok_or(DbrpError::NoDot)?;
        (value[..dot].to_string(), &value[dot..])
    };
    let rp = rest.strip_prefix('.').ok_or(DbrpError::NoRetentionPolicy)?;
    let rp = if rp.starts_with('"') {
        quoted(rp).0
    } else {
        rp.to_string()
    };
    Ok(Dbrp { db, rp })
}

/// The unescaped text of the quoted string `text` starts with, and what follows its
/// closing quote (an unterminated string runs to the end).
fn quoted(text: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|(_, next)| *next == '"') => {
                out.push('"');
                chars.next();
            }
            '"' => return (out, &text[index + 1..]),
            c => out.push(c),
        }
    }
    (out, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(db: &str, rp: &str) -> Dbrp {
        Dbrp {
            db: db.into(),
            rp: rp.into(),
        }
    }

    #[test]
    fn reads_bare_and_quoted_pairs() {
        assert_eq!(parse("telegraf.autogen"), Ok(pair("telegraf", "autogen")));
        assert_eq!(
            parse(r#""tele.graf"."auto""#),
            Ok(pair("tele.graf", "auto"))
        );
        assert_eq!(parse(r#""a\"b".rp"#), Ok(pair("a\"b", "rp")));
        assert_eq!(parse("db.rp.x"), Ok(pair("db", "rp.x")));
    }

    #[test]
    fn refuses_what_kapacitor_refuses() {
        assert_eq!(parse(""), Err(DbrpError::Empty));
        assert_eq!(parse("telegraf"), Err(DbrpError::NoDot));
        assert_eq!(parse(r#""db"rp"#), Err(DbrpError::NoRetentionPolicy));
    }
}
