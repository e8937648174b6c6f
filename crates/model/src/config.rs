//! `slac.toml`: the workspace's settings.

use serde::Deserialize;

/// The contents of `slac.toml`; every key is optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub workspace: WorkspaceConfig,
    #[serde(default)]
    pub docs: DocsConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// Globs, relative to the root, of the `.sla` files of the workspace.
    #[serde(default = "default_include")]
    pub include: Vec<String>,
    /// The output folder of `slac build`.
    #[serde(default = "default_out")]
    pub out: String,
}

impl Default for WorkspaceConfig {
    fn default() -> Self {
        WorkspaceConfig {
            include: default_include(),
            out: default_out(),
        }
    }
}

fn default_include() -> Vec<String> {
    vec!["**/*.sla".to_string()]
}

fn default_out() -> String {
    "build".to_string()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DocsConfig {
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    pub templates: Option<String>,
}

impl Default for DocsConfig {
    fn default() -> Self {
        DocsConfig {
            languages: default_languages(),
            templates: None,
        }
    }
}

fn default_languages() -> Vec<String> {
    vec!["en".to_string()]
}
