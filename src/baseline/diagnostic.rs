//! A located finding about a baseline file.

use std::fmt;

use crate::yaml::{display_path, Pos, Seg};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file as named to the user.
    pub file: String,
    pub pos: Option<Pos>,
    /// The key path the finding is about.
    pub path: Vec<Seg>,
    /// Point at the key of the last segment rather than its value.
    pub at_key: bool,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(path: Vec<Seg>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: String::new(),
            pos: None,
            path,
            at_key: false,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(path: Vec<Seg>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Diagnostic {
        self.hint = hint;
        self
    }

    pub fn at_key(mut self) -> Diagnostic {
        self.at_key = true;
        self
    }

    /// The path to show before the message: for a finding about a key, the mapping it is in.
    pub fn shown_path(&self) -> &[Seg] {
        if self.at_key && !self.path.is_empty() {
            &self.path[..self.path.len() - 1]
        } else {
            &self.path
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.pos {
            Some(pos) => write!(f, "{}:{}: {level}: ", self.file, pos)?,
            None => write!(f, "{}: {level}: ", self.file)?,
        }
        let shown = self.shown_path();
        if !shown.is_empty() {
            write!(f, "{}: ", display_path(shown))?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["guardduty", "cloudtrail", "config"];
        assert_eq!(did_you_mean("guarduty", keys), Some("guardduty"));
        assert_eq!(did_you_mean("CloudTrail", keys), Some("cloudtrail"));
        assert_eq!(did_you_mean("banana", keys), None);
    }
}
