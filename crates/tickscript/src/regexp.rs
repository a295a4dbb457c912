//! Regex literals are compiled when the script is parsed, as in Kapacitor, where a bad
//! pattern is a parse error: `parser: error parsing regexp: missing closing ): `(``.
//!
//! Kapacitor compiles with Go's RE2 syntax; later stages match with the `regex` crate. This
//! module translates the few RE2 spellings that crate reads differently (a `{` that starts no
//! repeat count is a literal, `[` inside a class is a literal, `\Q…\E` quotes), checks the
//! result with `regex-syntax` (the `regex` crate's parser) plus the RE2 limits it lacks
//! (repeat counts up to 1000, no nested repetition operators, only the `i`, `m`, `s` and
//! `U` flags), and words errors with Go's messages. Patterns the two engines still read
//! apart (Rust's `\<`, `\>` and class set operations such as `[a&&b]`) are rare.

use regex_syntax::ast::{self, Ast, RepetitionKind, RepetitionRange, Visitor};
use regex_syntax::hir;

/// RE2's limit on repeat counts and nesting depth.
const RE2_LIMIT: u32 = 1000;

/// A pattern that does not compile, as Go's `regexp/syntax.Error` prints it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: `{expr}`")]
pub struct RegexError {
    /// What is wrong.
    pub code: RegexErrorCode,
    /// The offending part of the pattern.
    pub expr: String,
}

/// Go's `regexp/syntax.ErrorCode`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegexErrorCode {
    /// `[z-a]`, `[[:foo:]]`, `\p{Foo}`.
    #[error("invalid character class range")]
    InvalidCharRange,
    /// `\q`, `\x{zz}`.
    #[error("invalid escape sequence")]
    InvalidEscape,
    /// `(?P<1>x)`.
    #[error("invalid named capture")]
    InvalidNamedCapture,
    /// `(?=x)`, `(?x)`.
    #[error("invalid or unsupported Perl syntax")]
    InvalidPerlOp,
    /// `a**`.
    #[error("invalid nested repetition operator")]
    InvalidRepeatOp,
    /// `a{1001}`, `a{2,1}`.
    #[error("invalid repeat count")]
    InvalidRepeatSize,
    /// `[a`.
    #[error("missing closing ]")]
    MissingBracket,
    /// `(a`.
    #[error("missing closing )")]
    MissingParen,
    /// `*a`.
    #[error("missing argument to repetition operator")]
    MissingRepeatArgument,
    /// `a\`.
    #[error("trailing backslash at end of expression")]
    TrailingBackslash,
    /// `a)`.
    #[error("unexpected )")]
    UnexpectedParen,
    /// More than 1000 nested groups or repetitions.
    #[error("expression nests too deeply")]
    NestingDepth,
    /// Too many capture groups.
    #[error("expression too large")]
    TooLarge,
}

/// Translates an RE2 `pattern` for the `regex` crate and checks that it compiles.
pub(crate) fn compile(pattern: &str) -> Result<String, RegexError> {
    let pattern = translate(pattern);
    check(&pattern)?;
    Ok(pattern)
}

/// Rewrites the RE2 spellings the `regex` crate reads differently, so both read the same.
fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    let mut in_class = false;
    while let Some(c) = rest.chars().next() {
        let mut len = c.len_utf8();
        match c {
            '\\' => {
                let escape = rest[1..].chars().next().map_or(0, char::len_utf8);
                len += escape;
                match rest.get(1..2) {
                    Some("Q") if !in_class => {
                        let quoted = &rest[2..];
                        let end = quoted.find("\\E").unwrap_or(quoted.len());
                        out.push_str(&regex_syntax::escape(&quoted[..end]));
                        rest = quoted.get(end + 2..).unwrap_or_default();
                        continue;
                    }
                    Some("x" | "p" | "P") if rest[2..].starts_with('{') => {
                        len = rest.find('}').map_or(rest.len(), |close| close + 1);
                    }
                    _ => {}
                }
                out.push_str(&rest[..len]);
            }
            '[' if in_class => match rest.strip_prefix("[:").and_then(|name| name.find(":]")) {
                Some(end) => {
                    len = end + 4;
                    out.push_str(&rest[..len]);
                }
                None => out.push_str("\\["),
            },
            '[' => {
                in_class = true;
                let negated = rest[1..].starts_with('^');
                let body = &rest[1 + usize::from(negated)..];
                len = 1 + usize::from(negated) + usize::from(body.starts_with(']'));
                out.push_str(&rest[..len]);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class && rest[1..].starts_with(c) => {
                len = 2;
                out.push(c);
                out.push('\\');
                out.push(c);
            }
            '{' if !in_class && !starts_repeat(rest) => out.push_str("\\{"),
            c => out.push(c),
        }
        rest = &rest[len..];
    }
    out
}

/// Whether `text` starts with an RE2 repeat count: `{n}`, `{n,}` or `{n,m}`, numbers
/// without leading zeros.
fn starts_repeat(text: &str) -> bool {
    fn number(text: &str) -> Option<&str> {
        let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let leading_zero = digits > 1 && text.starts_with('0');
        (digits > 0 && !leading_zero).then(|| &text[digits..])
    }
    let Some(rest) = text.strip_prefix('{').and_then(number) else {
        return false;
    };
    let rest = match rest.strip_prefix(',') {
        Some(after) if after.starts_with('}') => after,
        Some(after) => match number(after) {
            Some(rest) => rest,
            None => return false,
        },
        None => rest,
    };
    rest.starts_with('}')
}

/// Checks that a pattern in the `regex` crate's syntax compiles under RE2's limits.
fn check(pattern: &str) -> Result<(), RegexError> {
    let ast = ast::parse::ParserBuilder::new()
        .octal(true)
        .nest_limit(RE2_LIMIT)
        .build()
        .parse(pattern)
        .map_err(|error| syntax_error(pattern, &error))?;
    ast::visit(&ast, Re2Limits { pattern })?;
    hir::translate::TranslatorBuilder::new()
        .build()
        .translate(pattern, &ast)
        .map_err(|error| class_error(pattern, &error))?;
    Ok(())
}

fn fragment(pattern: &str, start: usize, end: usize) -> String {
    pattern.get(start..end).unwrap_or(pattern).to_owned()
}

fn syntax_error(pattern: &str, error: &ast::Error) -> RegexError {
    use ast::ErrorKind as K;
    use RegexErrorCode as C;
    let span = error.span();
    let (start, end) = (span.start.offset, span.end.offset);
    let (code, expr) = match error.kind() {
        K::GroupUnclosed => (C::MissingParen, pattern.to_owned()),
        K::GroupUnopened => (C::UnexpectedParen, pattern.to_owned()),
        K::ClassUnclosed => (C::MissingBracket, fragment(pattern, start, pattern.len())),
        K::EscapeUnexpectedEof => (C::TrailingBackslash, String::new()),
        K::RepetitionMissing => {
            let op = pattern.get(start..).unwrap_or_default();
            let len = match op.strip_prefix('{') {
                Some(count) => count.find('}').map_or(op.len(), |close| close + 2),
                None => op.chars().next().map_or(0, char::len_utf8),
            };
            (
                C::MissingRepeatArgument,
                fragment(pattern, start, start + len),
            )
        }
        K::FlagDanglingNegation
        | K::FlagDuplicate { .. }
        | K::FlagRepeatedNegation { .. }
        | K::FlagUnexpectedEof
        | K::FlagUnrecognized
        | K::UnsupportedLookAround => {
            let open = pattern
                .get(..start)
                .and_then(|before| before.rfind("(?"))
                .unwrap_or(start);
            (
                C::InvalidPerlOp,
                fragment(pattern, open, end.max(start + 1)),
            )
        }
        kind => {
            let code = match kind {
                K::ClassRangeInvalid | K::ClassRangeLiteral | K::UnicodeClassInvalid => {
                    C::InvalidCharRange
                }
                K::GroupNameDuplicate { .. }
                | K::GroupNameEmpty
                | K::GroupNameInvalid
                | K::GroupNameUnexpectedEof => C::InvalidNamedCapture,
                K::RepetitionCountInvalid
                | K::RepetitionCountUnclosed
                | K::RepetitionCountDecimalEmpty
                | K::DecimalEmpty
                | K::DecimalInvalid => C::InvalidRepeatSize,
                K::NestLimitExceeded(_) => C::NestingDepth,
                K::CaptureLimitExceeded => C::TooLarge,
                _ => C::InvalidEscape,
            };
            (code, fragment(pattern, start, end))
        }
    };
    RegexError { code, expr }
}

fn class_error(pattern: &str, error: &hir::Error) -> RegexError {
    let code = match error.kind() {
        hir::ErrorKind::UnicodePropertyNotFound
        | hir::ErrorKind::UnicodePropertyValueNotFound
        | hir::ErrorKind::UnicodePerlClassNotFound => RegexErrorCode::InvalidCharRange,
        _ => RegexErrorCode::InvalidEscape,
    };
    let span = error.span();
    RegexError {
        code,
        expr: fragment(pattern, span.start.offset, span.end.offset),
    }
}

/// The RE2 rules `regex-syntax` does not enforce.
struct Re2Limits<'a> {
    pattern: &'a str,
}

impl Re2Limits<'_> {
    fn error(&self, code: RegexErrorCode, start: usize, end: usize) -> RegexError {
        RegexError {
            code,
            expr: fragment(self.pattern, start, end),
        }
    }

    fn check_flags(&self, start: usize, flags: &ast::Flags) -> Result<(), RegexError> {
        for item in &flags.items {
            if let ast::FlagsItemKind::Flag(
                ast::Flag::Unicode | ast::Flag::CRLF | ast::Flag::IgnoreWhitespace,
            ) = item.kind
            {
                return Err(self.error(RegexErrorCode::InvalidPerlOp, start, item.span.end.offset));
            }
        }
        Ok(())
    }
}

impl Visitor for Re2Limits<'_> {
    type Output = ();
    type Err = RegexError;

    fn finish(self) -> Result<(), RegexError> {
        Ok(())
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), RegexError> {
        match ast {
            Ast::Repetition(repetition) => {
                if let Ast::Repetition(inner) = repetition.ast.as_ref() {
                    let (start, end) = (inner.op.span.start.offset, repetition.op.span.end.offset);
                    return Err(self.error(RegexErrorCode::InvalidRepeatOp, start, end));
                }
                if let RepetitionKind::Range(
                    RepetitionRange::Exactly(count)
                    | RepetitionRange::AtLeast(count)
                    | RepetitionRange::Bounded(_, count),
                ) = repetition.op.kind
                {
                    if count > RE2_LIMIT {
                        let span = repetition.op.span;
                        let code = RegexErrorCode::InvalidRepeatSize;
                        return Err(self.error(code, span.start.offset, span.end.offset));
                    }
                }
                Ok(())
            }
            Ast::Flags(set) => self.check_flags(set.span.start.offset, &set.flags),
            Ast::Group(group) => match &group.kind {
                ast::GroupKind::NonCapturing(flags) => {
                    self.check_flags(group.span.start.offset, flags)
                }
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(pattern: &str) -> String {
        compile(pattern).map_or_else(|error| error.to_string(), |_| "ok".to_owned())
    }

    #[test]
    fn errors_read_like_go() {
        assert_eq!(message("("), "missing closing ): `(`");
        assert_eq!(message("a(b"), "missing closing ): `a(b`");
        assert_eq!(message("a)"), "unexpected ): `a)`");
        assert_eq!(message("[a"), "missing closing ]: `[a`");
        assert_eq!(message("*"), "missing argument to repetition operator: `*`");
        assert_eq!(message("a**"), "invalid nested repetition operator: `**`");
        assert_eq!(message("a{1001}"), "invalid repeat count: `{1001}`");
        assert_eq!(
            message("(?x)a"),
            "invalid or unsupported Perl syntax: `(?x`"
        );
        assert_eq!(
            message("(?=a)"),
            "invalid or unsupported Perl syntax: `(?=`"
        );
        assert_eq!(
            message(r"\p{Foo}"),
            "invalid character class range: `\\p{Foo}`"
        );
        assert_eq!(
            message(r"a\"),
            "trailing backslash at end of expression: ``"
        );
        assert_eq!(message(r"\q"), "invalid escape sequence: `\\q`");
        assert_eq!(
            message("{2}"),
            "missing argument to repetition operator: `{2}`"
        );
        assert_eq!(message("(?z)"), "invalid or unsupported Perl syntax: `(?z`");
        assert_eq!(message("a{2,1}"), "invalid repeat count: `{2,1}`");
    }

    #[test]
    fn re2_spellings_are_translated() {
        assert_eq!(translate("a{"), r"a\{");
        assert_eq!(translate("{,5}x{2}y{3,}z{4,5}"), r"\{,5}x{2}y{3,}z{4,5}");
        assert_eq!(translate("a{01}"), r"a\{01}");
        assert_eq!(translate(r"[a[b]{"), r"[a\[b]\{");
        assert_eq!(translate(r"[]a[:alpha:]&&~~]"), r"[]a[:alpha:]&\&~\~]");
        assert_eq!(translate(r"[^]]"), r"[^]]");
        assert_eq!(translate(r"\Qa.{b\Ec\Q*"), r"a\.\{bc\*");
        assert_eq!(translate(r"\x{41}\p{Greek}\{"), r"\x{41}\p{Greek}\{");
    }

    #[test]
    fn re2_patterns_compile() {
        for pattern in [
            r"^web\d+$",
            r"\d+\.\d+",
            r"(?i)cpu",
            r"a{1000}",
            r"\123",
            r"[[:alpha:]]",
            "",
            r"(?P<x>a)|b*?",
        ] {
            assert_eq!(message(pattern), "ok", "{pattern}");
        }
    }
}
