//! Reading positive integers from the environment, with the runner heap's fallback rules:
//! a positive integer is honoured; 0, empty, negative, non-numeric or overflowing values
//! fall back to the default with one warning naming the bad value.

/// Why a raw value was not honoured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    Empty,
    Zero,
    Negative,
    NotANumber,
    Overflow,
}

impl Rejected {
    pub fn describe(&self) -> &'static str {
        match self {
            Rejected::Empty => "empty",
            Rejected::Zero => "zero",
            Rejected::Negative => "negative",
            Rejected::NotANumber => "not a number",
            Rejected::Overflow => "too large",
        }
    }
}

/// Parses `raw` as a positive integer no larger than `max`.
pub fn parse_positive(raw: &str, max: u64) -> Result<u64, Rejected> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Rejected::Empty);
    }
    let digits = trimmed.strip_prefix('+').unwrap_or(trimmed);
    if let Some(rest) = digits.strip_prefix('-') {
        return if !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()) {
            if rest.bytes().all(|b| b == b'0') {
                Err(Rejected::Zero)
            } else {
                Err(Rejected::Negative)
            }
        } else {
            Err(Rejected::NotANumber)
        };
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejected::NotANumber);
    }
    match digits.parse::<u64>() {
        Ok(0) => Err(Rejected::Zero),
        Ok(v) if v > max => Err(Rejected::Overflow),
        Ok(v) => Ok(v),
        Err(_) => Err(Rejected::Overflow),
    }
}

/// Resolves one setting: `raw` if it parses, else `default`, warning once about the bad value.
pub fn resolve_positive(var: &str, raw: Option<&str>, default: u64, max: u64) -> (u64, bool) {
    match raw {
        None => (default, false),
        Some(raw) => match parse_positive(raw, max) {
            Ok(v) => (v, true),
            Err(why) => {
                tracing::warn!(
                    var,
                    value = raw,
                    reason = why.describe(),
                    default,
                    "ignoring invalid environment value, using the default"
                );
                (default, false)
            }
        },
    }
}

/// Reads `var` from the process environment (non-UTF-8 counts as not a number).
pub fn read_positive(var: &str, default: u64, max: u64) -> (u64, bool) {
    match std::env::var(var) {
        Ok(v) => resolve_positive(var, Some(&v), default, max),
        Err(std::env::VarError::NotPresent) => (default, false),
        Err(std::env::VarError::NotUnicode(_)) => resolve_positive(var, Some("\u{fffd}"), default, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_positive_classifies_each_bad_value() {
        assert_eq!(parse_positive("64", 100), Ok(64));
        assert_eq!(parse_positive(" +7 ", 100), Ok(7));
        assert_eq!(parse_positive("", 100), Err(Rejected::Empty));
        assert_eq!(parse_positive("   ", 100), Err(Rejected::Empty));
        assert_eq!(parse_positive("0", 100), Err(Rejected::Zero));
        assert_eq!(parse_positive("-0", 100), Err(Rejected::Zero));
        assert_eq!(parse_positive("-5", 100), Err(Rejected::Negative));
        assert_eq!(parse_positive("12MB", 100), Err(Rejected::NotANumber));
        assert_eq!(parse_positive("1.5", 100), Err(Rejected::NotANumber));
        assert_eq!(parse_positive("-", 100), Err(Rejected::NotANumber));
        assert_eq!(parse_positive("101", 100), Err(Rejected::Overflow));
        assert_eq!(parse_positive("99999999999999999999999", u64::MAX), Err(Rejected::Overflow));
    }
}
