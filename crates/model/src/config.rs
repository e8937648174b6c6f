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
    #[serde(default)]
    pub prometheus: PrometheusConfig,
    #[serde(default)]
    pub alertmanager: AlertmanagerConfig,
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

/// `[prometheus]`: the form of the rule files.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PrometheusConfig {
    /// `standard` (default): rule files for `rule_files`; `operator`: Prometheus Operator
    /// `PrometheusRule` resources.
    #[serde(default)]
    pub format: RuleFormat,
    /// The `metadata.namespace` of the `PrometheusRule` resources (operator format only).
    pub namespace: Option<String>,
    /// Extra `metadata.labels` of the `PrometheusRule` resources, for the Operator's
    /// `ruleSelector` (operator format only).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RuleFormat {
    #[default]
    Standard,
    Operator,
}

/// `[alertmanager]`: how the generated Alertmanager configuration reaches people.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AlertmanagerConfig {
    /// The SMTP server e-mails are sent through, `host:port`.
    #[serde(default = "default_smarthost")]
    pub smtp_smarthost: String,
    /// The sender of the e-mails.
    #[serde(default = "default_from")]
    pub smtp_from: String,
    /// Whether the SMTP connection must use STARTTLS.
    #[serde(default = "default_true")]
    pub smtp_require_tls: bool,
    /// How `pager` keys of contacts are paged: `pagerduty` (the key is an Events API v2 routing
    /// key) or `webhook` (the key is put into `pager_url` in place of `{key}`).
    #[serde(default)]
    pub pager: PagerKind,
    /// The URL of the paging webhook, with `{key}` where the contact's pager key goes
    /// (`pager = "webhook"` only).
    pub pager_url: Option<String>,
    /// How long Alertmanager waits before repeating a notification still firing.
    #[serde(default = "default_repeat")]
    pub repeat_interval: String,
}

impl Default for AlertmanagerConfig {
    fn default() -> Self {
        AlertmanagerConfig {
            smtp_smarthost: default_smarthost(),
            smtp_from: default_from(),
            smtp_require_tls: true,
            pager: PagerKind::default(),
            pager_url: None,
            repeat_interval: default_repeat(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PagerKind {
    #[default]
    Pagerduty,
    Webhook,
}

fn default_smarthost() -> String {
    "localhost:25".to_string()
}

fn default_from() -> String {
    "slac@localhost".to_string()
}

fn default_true() -> bool {
    true
}

fn default_repeat() -> String {
    "4h".to_string()
}

/// A path that `slac.toml` sets, where it is written: the setting's name as the user reads it,
/// its value, and the byte range of the value in the file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PathSetting {
    pub name: &'static str,
    pub value: String,
    pub span: std::ops::Range<usize>,
}

/// The paths that `text`, a `slac.toml` that deserializes as [`Config`], sets (`out`,
/// `[docs] templates`), with their places in it; the keys left out are not listed.
pub(crate) fn path_settings(text: &str) -> Vec<PathSetting> {
    use toml::Spanned;

    #[derive(Deserialize)]
    struct Paths {
        workspace: Option<WorkspacePaths>,
        docs: Option<DocsPaths>,
    }
    #[derive(Deserialize)]
    struct WorkspacePaths {
        out: Option<Spanned<String>>,
    }
    #[derive(Deserialize)]
    struct DocsPaths {
        templates: Option<Spanned<String>>,
    }

    let Ok(paths) = toml::from_str::<Paths>(text) else {
        return Vec::new();
    };
    let setting = |name, value: Spanned<String>| PathSetting {
        name,
        span: value.span(),
        value: value.into_inner(),
    };
    let mut settings = Vec::new();
    if let Some(out) = paths.workspace.and_then(|w| w.out) {
        settings.push(setting("`out` in slac.toml", out));
    }
    if let Some(templates) = paths.docs.and_then(|d| d.templates) {
        settings.push(setting("`[docs] templates` in slac.toml", templates));
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_settings_are_found_with_their_places() {
        let text = "[workspace]\nout = \"../victim\"\n\n[docs]\ntemplates = 'tpl'\n";
        let settings = path_settings(text);
        let found: Vec<(&str, &str, &str)> = settings
            .iter()
            .map(|s| (s.name, s.value.as_str(), &text[s.span.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                ("`out` in slac.toml", "../victim", "\"../victim\""),
                ("`[docs] templates` in slac.toml", "tpl", "'tpl'"),
            ]
        );
        assert_eq!(path_settings("[workspace]\ninclude = []\n"), []);
    }
}
