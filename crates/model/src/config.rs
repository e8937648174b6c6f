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

/// A value of slac.toml that the targets write as it is, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValueProblem {
    pub span: std::ops::Range<usize>,
    pub message: String,
    pub help: &'static str,
}

/// The values of `text` (a `slac.toml` that deserializes as [`Config`]) that Alertmanager or
/// Kubernetes would refuse, or read as something else than the text: each is checked here so
/// that `slac check` says so at its place, rather than the tool that loads the output.
pub(crate) fn value_problems(text: &str) -> Vec<ValueProblem> {
    use std::collections::BTreeMap;
    use toml::Spanned;

    #[derive(Deserialize)]
    struct Values {
        prometheus: Option<PrometheusValues>,
        alertmanager: Option<AlertmanagerValues>,
    }
    #[derive(Deserialize)]
    struct PrometheusValues {
        namespace: Option<Spanned<String>>,
        #[serde(default)]
        labels: BTreeMap<Spanned<String>, Spanned<String>>,
    }
    #[derive(Deserialize)]
    struct AlertmanagerValues {
        smtp_smarthost: Option<Spanned<String>>,
        smtp_from: Option<Spanned<String>>,
        pager_url: Option<Spanned<String>>,
        repeat_interval: Option<Spanned<String>>,
    }

    let Ok(values) = toml::from_str::<Values>(text) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let mut check = |value: &Spanned<String>, what: &str, valid: fn(&str) -> bool, help| {
        if !valid(value.get_ref()) {
            problems.push(ValueProblem {
                span: value.span(),
                message: format!("{what} in slac.toml is not valid: {:?}", value.get_ref()),
                help,
            });
        }
    };
    if let Some(prometheus) = &values.prometheus {
        if let Some(namespace) = &prometheus.namespace {
            check(
                namespace,
                "`[prometheus] namespace`",
                is_dns_label,
                "a Kubernetes namespace is at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit",
            );
        }
        for (key, value) in &prometheus.labels {
            check(
                key,
                "a `[prometheus] labels` key",
                is_label_key,
                "a Kubernetes label key is an optional DNS prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
            );
            check(
                value,
                "a `[prometheus] labels` value",
                is_label_value,
                "a Kubernetes label value is empty or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit",
            );
        }
    }
    if let Some(alertmanager) = &values.alertmanager {
        if let Some(host) = &alertmanager.smtp_smarthost {
            check(
                host,
                "`[alertmanager] smtp_smarthost`",
                is_host_port,
                "the SMTP server is written `host:port`, e.g. `smtp.example.com:587`",
            );
        }
        if let Some(from) = &alertmanager.smtp_from {
            check(
                from,
                "`[alertmanager] smtp_from`",
                is_one_line,
                "the sender is one line without control characters, e.g. `slac@example.com`",
            );
        }
        if let Some(url) = &alertmanager.pager_url {
            check(
                url,
                "`[alertmanager] pager_url`",
                is_webhook_url,
                "the webhook is an `http://` or `https://` URL without spaces, with `{key}` where the pager key goes",
            );
        }
        if let Some(interval) = &alertmanager.repeat_interval {
            check(
                interval,
                "`[alertmanager] repeat_interval`",
                is_prometheus_duration,
                "a duration as Alertmanager writes it: `4h`, `30m`, `1d12h`",
            );
        }
    }
    problems
}

fn is_one_line(text: &str) -> bool {
    !text.trim().is_empty() && !text.chars().any(char::is_control)
}

fn is_dns_label(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

fn is_label_value(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.is_empty()
        || (bytes.len() <= 63
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && bytes[0].is_ascii_alphanumeric()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric())
}

fn is_label_key(text: &str) -> bool {
    let (prefix, name) = match text.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, text),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(is_dns_label));
    prefix_ok && !name.is_empty() && is_label_value(name)
}

fn is_host_port(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':' | b'_'))
        && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn is_webhook_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with('/')
            && text.bytes().all(|b| {
                b.is_ascii_graphic()
                    && !matches!(b, b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'|')
            })
            && !text.replace("{key}", "").contains(['{', '}'])
    })
}

/// A Prometheus duration: units from years to milliseconds, largest first, each at most once.
fn is_prometheus_duration(text: &str) -> bool {
    let mut rest = text;
    let mut units = ["y", "w", "d", "h", "m", "s", "ms"].as_slice();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        // `ms` before `m`, so that `5ms` is not read as minutes.
        let Some(index) = units
            .iter()
            .position(|unit| rest.starts_with(unit) && !(*unit == "m" && rest.starts_with("ms")))
        else {
            return false;
        };
        rest = &rest[units[index].len()..];
        units = &units[index + 1..];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_the_targets_write_as_they_are_are_checked() {
        let text = r#"
[prometheus]
namespace = "Monitoring!"
labels = { "app.kubernetes.io/part-of" = "slac", "bad key" = "x", team = "a b" }

[alertmanager]
smtp_smarthost = "smtp.example.com"
smtp_from = "slac@example.com\n"
pager_url = "https://pager.example/{key}?x={{ .x }}"
repeat_interval = "1h30m"
"#;
        let problems: Vec<&str> = value_problems(text)
            .iter()
            .map(|p| &text[p.span.clone()])
            .collect();
        assert_eq!(
            problems,
            [
                "\"Monitoring!\"",
                "\"bad key\"",
                "\"a b\"",
                "\"smtp.example.com\"",
                "\"slac@example.com\\n\"",
                "\"https://pager.example/{key}?x={{ .x }}\""
            ]
        );
        assert!(is_prometheus_duration("4h") && is_prometheus_duration("1d12h30m5s10ms"));
        assert!(
            !is_prometheus_duration("h")
                && !is_prometheus_duration("4h1d")
                && !is_prometheus_duration("")
        );
        assert!(is_host_port("[::1]:25") && is_host_port("localhost:25"));
        assert!(value_problems("[alertmanager]\nsmtp_smarthost = \"localhost:25\"\n").is_empty());
    }

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
