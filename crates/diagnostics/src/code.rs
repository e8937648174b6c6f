use std::fmt;

/// How bad a diagnostic is: errors fail `slac check`, warnings only with `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The registry of diagnostic codes. Codes are stable: a code, once published, keeps its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    E001,
    E002,
    E003,
    E004,
    E005,
    E006,
    E007,
    E008,
    E009,
    E010,
    E011,
    E012,
    E013,
    E014,
    E015,
    W001,
    W002,
    W003,
    W004,
    W005,
    W006,
}

impl Code {
    pub const ALL: [Code; 21] = [
        Code::E001,
        Code::E002,
        Code::E003,
        Code::E004,
        Code::E005,
        Code::E006,
        Code::E007,
        Code::E008,
        Code::E009,
        Code::E010,
        Code::E011,
        Code::E012,
        Code::E013,
        Code::E014,
        Code::E015,
        Code::W001,
        Code::W002,
        Code::W003,
        Code::W004,
        Code::W005,
        Code::W006,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::E001 => "E001",
            Code::E002 => "E002",
            Code::E003 => "E003",
            Code::E004 => "E004",
            Code::E005 => "E005",
            Code::E006 => "E006",
            Code::E007 => "E007",
            Code::E008 => "E008",
            Code::E009 => "E009",
            Code::E010 => "E010",
            Code::E011 => "E011",
            Code::E012 => "E012",
            Code::E013 => "E013",
            Code::E014 => "E014",
            Code::E015 => "E015",
            Code::W001 => "W001",
            Code::W002 => "W002",
            Code::W003 => "W003",
            Code::W004 => "W004",
            Code::W005 => "W005",
            Code::W006 => "W006",
        }
    }

    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('E') {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    /// A one-line description of what the code means, for `--explain`-style listings and docs.
    pub fn title(self) -> &'static str {
        match self {
            Code::E001 => "syntax error",
            Code::E002 => "unknown reference",
            Code::E003 => "duplicate declaration or field",
            Code::E004 => "unknown time zone",
            Code::E005 => "invalid value",
            Code::E006 => "overlapping open ranges in a calendar",
            Code::E007 => "escalation levels out of order",
            Code::E008 => "supporting objective weaker than the objective it supports",
            Code::E009 => "`extends` or import cycle",
            Code::E010 => "path outside the workspace root (an import, a path in slac.toml)",
            Code::E011 => "field not allowed here",
            Code::E012 => "two `within` cases with the same conditions",
            Code::E013 => "error in a contract-document template",
            Code::E014 => "input beyond a limit of slac (file size, nesting depth)",
            Code::E015 => "invalid PromQL query or selector",
            Code::W001 => "target of 100% leaves no error budget",
            Code::W002 => "calendar with no open time",
            Code::W003 => "agreement expired or review overdue",
            Code::W004 => "child agreement weaker than its parent",
            Code::W005 => "calendar days on a business calendar",
            Code::W006 => "ticket objective without a default case",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
