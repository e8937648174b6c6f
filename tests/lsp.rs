#![allow(clippy::unwrap_used)]
//! The language server, `slac lsp`, driven over stdio the way an editor drives it.
//!
//! Fixture cases (`tests/fixtures/lsp/CASE/`) are small workspaces with a `requests.txt`: each
//! request names a method and a position marked `$[NAME]` in a fixture file; its answer, with
//! the workspace root taken off the URIs and ranges written `line:character-line:character`, is
//! snapshotted (`tests/snapshots/lsp__CASE__LABEL.snap`). They cover diagnostics, hover,
//! completion, definition, references, prepareRename and rename, document and workspace
//! symbols, formatting (checked against `slac fmt`), semantic tokens (decoded into a table),
//! folding ranges and code actions, with UTF-16 and UTF-8 positions.
//!
//! Behaviour tests follow: an edit in one file publishes diagnostics for another, a closed
//! buffer falls back to the disk, a file created on disk is noticed, the did-you-mean quick fix
//! clears its diagnostic, and a burst of broken edits neither crashes nor wedges the server.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use support::lsp::{Client, Options};
use support::slac;
use tempfile::TempDir;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/lsp")
}

/// Where the markers of a fixture were: (file, name) → byte offset in the text without them.
type Markers = BTreeMap<(String, String), usize>;

/// Takes the `$[NAME]` markers out of `text`, recording their offsets.
fn strip_markers(file: &str, text: &str, markers: &mut Markers) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("$[") {
        let Some(len) = rest[start..].find(']') else {
            break;
        };
        let name = &rest[start + 2..start + len];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start]);
        let previous = markers.insert((file.to_string(), name.to_string()), out.len());
        assert!(previous.is_none(), "marker `{name}` twice in {file}");
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// A fixture workspace written to a temporary folder, markers taken out.
struct Workspace {
    dir: TempDir,
    /// Relative path → text, as on disk.
    files: BTreeMap<String, String>,
    markers: Markers,
}

impl Workspace {
    fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    fn text(&self, file: &str) -> &str {
        self.files
            .get(file)
            .unwrap_or_else(|| panic!("no fixture file {file}"))
    }

    fn marker(&self, file: &str, name: &str) -> usize {
        *self
            .markers
            .get(&(file.to_string(), name.to_string()))
            .unwrap_or_else(|| panic!("no marker `$[{name}]` in {file}"))
    }
}

fn collect(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = format!("{prefix}{name}");
        if entry.file_type().unwrap().is_dir() {
            collect(&entry.path(), &format!("{relative}/"), out);
        } else if relative != "requests.txt" {
            out.insert(relative, fs::read_to_string(entry.path()).unwrap());
        }
    }
}

/// Writes the files of the fixture cases `cases` (later ones over earlier ones) to a temporary
/// folder.
fn workspace(cases: &[&str]) -> Workspace {
    let mut raw = BTreeMap::new();
    for case in cases {
        collect(&fixtures().join(case), "", &mut raw);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut markers = Markers::new();
    let mut files = BTreeMap::new();
    for (relative, text) in raw {
        let text = strip_markers(&relative, &text, &mut markers);
        let path = dir.path().join(&relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &text).unwrap();
        files.insert(relative, text);
    }
    Workspace {
        dir,
        files,
        markers,
    }
}

// ─── Positions ─────────────────────────────────────────────────────────────────────────────

/// The LSP position of a byte offset, in UTF-8 or UTF-16 code units.
fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let column = &before[line_start..];
    let character = if utf8 {
        column.len()
    } else {
        column.encode_utf16().count()
    };
    json!({ "line": line, "character": character })
}

/// The byte offset of an LSP position; a column past the end of its line is a test failure.
fn offset(text: &str, position: &Value, utf8: bool) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start = if line == 0 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 1)
            .map(|(i, _)| i + 1)
            .unwrap_or_else(|| panic!("line {line} is past the end"))
    };
    let line_text = &text[line_start..];
    let line_text = &line_text[..line_text.find('\n').unwrap_or(line_text.len())];
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units == character {
            return line_start + i;
        }
        assert!(
            units < character,
            "character {character} of line {line} is inside a character"
        );
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    assert_eq!(
        units, character,
        "character {character} is past line {line}"
    );
    line_start + line_text.len()
}

fn range_text(range: &Value) -> String {
    let p = |v: &Value| format!("{}:{}", v["line"], v["character"]);
    format!("{}-{}", p(&range["start"]), p(&range["end"]))
}

fn is_range(value: &Value) -> bool {
    let is_position = |v: &Value| {
        v.as_object()
            .is_some_and(|o| o.len() == 2 && o.contains_key("line") && o.contains_key("character"))
    };
    value.as_object().is_some_and(|o| {
        o.len() == 2
            && o.get("start").is_some_and(is_position)
            && o.get("end").is_some_and(is_position)
    })
}

/// The answer made stable and short: URIs relative to the root, ranges as text.
fn tidy(client: &Client, value: &Value) -> Value {
    match value {
        _ if is_range(value) => Value::String(range_text(value)),
        Value::String(s) => Value::String(client.relative(s).to_string()),
        Value::Array(items) => Value::Array(items.iter().map(|v| tidy(client, v)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (client.relative(k).to_string(), tidy(client, v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn yaml(value: &Value) -> String {
    serde_norway::to_string(value).unwrap()
}

/// Applies LSP text edits to `text`.
fn apply(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"], utf8),
                offset(text, &e["range"]["end"], utf8),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

// ─── Fixture cases ─────────────────────────────────────────────────────────────────────────

struct Request {
    label: String,
    method: String,
    args: Vec<String>,
    line: String,
}

struct Case {
    base: Option<String>,
    encodings: Vec<bool>,
    requests: Vec<Request>,
}

fn read_case(case: &str) -> Case {
    let text = fs::read_to_string(fixtures().join(case).join("requests.txt")).unwrap();
    let mut out = Case {
        base: None,
        encodings: vec![false],
        requests: Vec::new(),
    };
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (label, rest) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{case}/requests.txt: `{line}` has no `LABEL:`"));
        let rest = rest.trim();
        match label {
            "base" => out.base = Some(rest.to_string()),
            "encodings" => {
                out.encodings = rest
                    .split_whitespace()
                    .map(|e| match e {
                        "utf-8" => true,
                        "utf-16" => false,
                        other => panic!("unknown encoding {other}"),
                    })
                    .collect();
            }
            _ => {
                let mut words = rest.split_whitespace().map(str::to_string);
                out.requests.push(Request {
                    label: label.to_string(),
                    method: words.next().unwrap_or_default(),
                    args: words.collect(),
                    line: line.to_string(),
                });
            }
        }
    }
    out
}

/// An open session on a fixture workspace.
struct Session<'w> {
    ws: &'w Workspace,
    client: Client,
    utf8: bool,
    open: Vec<String>,
}

impl Session<'_> {
    fn ensure_open(&mut self, file: &str) {
        if !self.open.iter().any(|f| f == file) {
            let text = self.ws.text(file).to_string();
            self.client.open(file, &text);
            let uri = self.client.uri(file);
            self.client.wait_diagnostics(&uri);
            self.open.push(file.to_string());
        }
    }

    /// `FILE#MARKER` → the file, and `textDocument` and `position` params.
    fn at(&mut self, arg: &str) -> (String, Value) {
        let (file, marker) = arg
            .split_once('#')
            .unwrap_or_else(|| panic!("`{arg}` is not FILE#MARKER"));
        self.ensure_open(file);
        let offset = self.ws.marker(file, marker);
        let params = json!({
            "textDocument": { "uri": self.client.uri(file) },
            "position": position(self.ws.text(file), offset, self.utf8),
        });
        (file.to_string(), params)
    }

    fn document(&mut self, file: &str) -> Value {
        self.ensure_open(file);
        json!({ "textDocument": { "uri": self.client.uri(file) } })
    }

    fn tidy(&self, value: &Value) -> Value {
        tidy(&self.client, value)
    }

    fn answer_or_error(&mut self, method: &str, params: Value) -> String {
        match self.client.request_result(method, params) {
            Ok(result) => yaml(&self.tidy(&result)),
            Err(error) => format!(
                "error {}: {}\n",
                error["code"],
                error["message"].as_str().unwrap_or_default()
            ),
        }
    }

    /// Runs one request and renders its answer for a snapshot.
    fn run(&mut self, request: &Request) -> String {
        let arg = |i: usize| -> &str {
            request
                .args
                .get(i)
                .unwrap_or_else(|| panic!("`{}` lacks an argument", request.line))
        };
        match request.method.as_str() {
            "diagnostics" => {
                let file = arg(0);
                self.ensure_open(file);
                let uri = self.client.uri(file);
                let diagnostics = self.client.latest_diagnostics(&uri).unwrap_or_default();
                yaml(&self.tidy(&Value::Array(diagnostics)))
            }
            "hover" => {
                let (_, params) = self.at(arg(0));
                let hover = self.client.request("textDocument/hover", params);
                if hover.is_null() {
                    return "null\n".to_string();
                }
                let contents = &hover["contents"];
                format!(
                    "range: {}\nkind: {}\n\n{}\n",
                    if hover["range"].is_null() {
                        "none".to_string()
                    } else {
                        range_text(&hover["range"])
                    },
                    contents["kind"].as_str().unwrap_or("?"),
                    contents["value"].as_str().unwrap_or("?")
                )
            }
            "completion" => {
                let (_, params) = self.at(arg(0));
                let answer = self.client.request("textDocument/completion", params);
                let items = answer
                    .as_array()
                    .or_else(|| answer["items"].as_array())
                    .cloned()
                    .unwrap_or_default();
                let mut out = format!("{} item(s)\n", items.len());
                for item in items.iter().take(60) {
                    let edit = &item["textEdit"];
                    let _ = writeln!(
                        out,
                        "{:<32} kind {:<2} edit {} {:?}  {}",
                        item["label"].as_str().unwrap_or("?"),
                        item["kind"],
                        if edit.is_null() {
                            "none".to_string()
                        } else {
                            range_text(&edit["range"])
                        },
                        edit["newText"].as_str().unwrap_or(""),
                        item["detail"].as_str().unwrap_or("")
                    );
                }
                if items.len() > 60 {
                    out.push_str("…\n");
                }
                out
            }
            "definition" => {
                let (_, params) = self.at(arg(0));
                self.answer_or_error("textDocument/definition", params)
            }
            "references" => {
                let (_, mut params) = self.at(arg(0));
                let declaration = request.args.get(1).is_some_and(|a| a == "declaration");
                params["context"] = json!({ "includeDeclaration": declaration });
                self.answer_or_error("textDocument/references", params)
            }
            "prepareRename" => {
                let (_, params) = self.at(arg(0));
                self.answer_or_error("textDocument/prepareRename", params)
            }
            "rename" => {
                let (_, mut params) = self.at(arg(0));
                params["newName"] = json!(arg(1));
                let answer = self.client.request_result("textDocument/rename", params);
                match answer {
                    Ok(edit) => {
                        // The edit, and the files it makes.
                        let mut out = yaml(&self.tidy(&edit));
                        let changes = edit["changes"].as_object().cloned().unwrap_or_default();
                        for (uri, edits) in &changes {
                            let file = self.client.relative(uri).to_string();
                            let after =
                                apply(self.ws.text(&file), edits.as_array().unwrap(), self.utf8);
                            let changed: Vec<&str> = after
                                .lines()
                                .filter(|l| !self.ws.text(&file).lines().any(|o| o == *l))
                                .collect();
                            let _ = write!(out, "\n# {file}, changed lines:\n");
                            for line in changed {
                                let _ = writeln!(out, "{line}");
                            }
                        }
                        out
                    }
                    Err(error) => format!(
                        "error {}: {}\n",
                        error["code"],
                        error["message"].as_str().unwrap_or_default()
                    ),
                }
            }
            "documentSymbol" => {
                let params = self.document(arg(0));
                self.answer_or_error("textDocument/documentSymbol", params)
            }
            "workspaceSymbol" => {
                let query = request.args.first().cloned().unwrap_or_default();
                self.answer_or_error("workspace/symbol", json!({ "query": query }))
            }
            "foldingRange" => {
                let params = self.document(arg(0));
                self.answer_or_error("textDocument/foldingRange", params)
            }
            "codeAction" => {
                let (file, params) = self.at(arg(0));
                let uri = self.client.uri(&file);
                let diagnostics = self.client.latest_diagnostics(&uri).unwrap_or_default();
                let params = json!({
                    "textDocument": params["textDocument"],
                    "range": { "start": params["position"], "end": params["position"] },
                    "context": { "diagnostics": diagnostics },
                });
                self.answer_or_error("textDocument/codeAction", params)
            }
            "formatting" => self.formatting(arg(0)),
            "semanticTokens" => self.semantic_tokens(arg(0)),
            other => panic!("unknown method `{other}` in `{}`", request.line),
        }
    }

    /// The formatting edits, applied, must give what `slac fmt` writes for the same file.
    fn formatting(&mut self, file: &str) -> String {
        let mut params = self.document(file);
        params["options"] = json!({ "tabSize": 2, "insertSpaces": true });
        let answer = self.client.request("textDocument/formatting", params);
        let text = self.ws.text(file);
        let edits = answer.as_array().cloned().unwrap_or_default();
        let formatted = apply(text, &edits, self.utf8);

        let copy = tempfile::tempdir().unwrap();
        fs::write(copy.path().join("copy.sla"), text).unwrap();
        slac(copy.path(), &["fmt", "copy.sla"]).assert_code(0);
        let expected = fs::read_to_string(copy.path().join("copy.sla")).unwrap();
        assert_eq!(
            formatted, expected,
            "formatting {file} through the server differs from `slac fmt`"
        );
        if edits.is_empty() {
            return "no edit: the file is already formatted\n".to_string();
        }
        let ranges: Vec<String> = edits.iter().map(|e| range_text(&e["range"])).collect();
        format!(
            "{} edit(s), replacing {}; the result is `slac fmt`'s:\n\n{formatted}",
            edits.len(),
            ranges.join(", ")
        )
    }

    /// The tokens decoded from their deltas: line, column, length, type, modifiers and text.
    fn semantic_tokens(&mut self, file: &str) -> String {
        let params = self.document(file);
        let answer = self
            .client
            .request("textDocument/semanticTokens/full", params);
        let legend = &self.client.capabilities["capabilities"]["semanticTokensProvider"]["legend"];
        let types: Vec<&str> = legend["tokenTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let modifiers: Vec<&str> = legend["tokenModifiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        let data: Vec<u64> = answer["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(data.len() % 5, 0, "semantic tokens come in fives");
        let text = self.ws.text(file);
        let mut out = String::from("line:col len type            text\n");
        let (mut line, mut column) = (0u64, 0u64);
        for token in data.chunks(5) {
            if token[0] > 0 {
                line += token[0];
                column = token[1];
            } else {
                column += token[1];
            }
            let start = json!({ "line": line, "character": column });
            let end = json!({ "line": line, "character": column + token[2] });
            let slice = &text[offset(text, &start, self.utf8)..offset(text, &end, self.utf8)];
            let mut ty = types[token[3] as usize].to_string();
            for (bit, name) in modifiers.iter().enumerate() {
                if token[4] & (1 << bit) != 0 {
                    let _ = write!(ty, "+{name}");
                }
            }
            let _ = writeln!(
                out,
                "{:>4}:{:<3} {:<3} {:<15} {slice:?}",
                line, column, token[2], ty
            );
        }
        out
    }
}

/// Runs every request of a case and snapshots each answer.
fn run_case(case: &str) {
    let spec = read_case(case);
    let mut layers: Vec<&str> = spec.base.iter().map(String::as_str).collect();
    layers.push(case);
    let ws = workspace(&layers);
    let several = spec.encodings.len() > 1;
    for &utf8 in &spec.encodings {
        let client = Client::start(&ws.root(), Options::default().with_utf8(utf8));
        let announced = client.capabilities["capabilities"]["positionEncoding"].clone();
        assert_eq!(
            announced,
            json!(if utf8 { "utf-8" } else { "utf-16" }),
            "the server announces the encoding it uses"
        );
        let mut session = Session {
            ws: &ws,
            client,
            utf8,
            open: Vec::new(),
        };
        for request in &spec.requests {
            let answer = session.run(request);
            let mut name = format!("{case}__{}", request.label);
            if several {
                name.push_str(if utf8 { "__utf8" } else { "__utf16" });
            }
            insta::with_settings!({
                snapshot_path => "snapshots",
                description => request.line.clone(),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, answer);
            });
        }
        session.client.shutdown_and_exit();
    }
}

trait WithUtf8 {
    fn with_utf8(self, utf8: bool) -> Self;
}

impl WithUtf8 for Options {
    fn with_utf8(mut self, utf8: bool) -> Self {
        self.utf8 = utf8;
        self
    }
}

#[test]
fn workspace_requests() {
    run_case("workspace");
}

#[test]
fn diagnostics_and_code_actions() {
    run_case("diagnostics");
}

#[test]
fn completion_requests() {
    run_case("completion");
}

#[test]
fn utf16_and_utf8_positions() {
    run_case("encoding");
}

// ─── Behaviour ─────────────────────────────────────────────────────────────────────────────

/// How long a file's diagnostics must stay unchanged to count as final.
const QUIET: Duration = Duration::from_millis(300);

fn messages(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn mentions(diagnostics: &[Value], text: &str) -> bool {
    messages(diagnostics).iter().any(|m| m.contains(text))
}

fn start(ws: &Workspace) -> Client {
    Client::start(&ws.root(), Options::default())
}

#[test]
fn the_quick_fix_clears_its_diagnostic() {
    let ws = workspace(&["workspace", "diagnostics"]);
    let mut client = start(&ws);
    let file = "agreements/broken.sla";
    let uri = client.uri(file);
    let text = ws.text(file).to_string();
    client.open(file, &text);
    let diagnostics = client.wait_diagnostics_until(&uri, QUIET, |d| mentions(d, "`standrd`"));
    let typo = diagnostics
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("`standrd`"))
        .unwrap()
        .clone();
    assert_eq!(typo["code"], "E002");
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": typo["range"],
            "context": { "diagnostics": [typo] },
        }),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "one fix for the typo: {actions:#?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["diagnostics"][0]["code"], "E002");
    let edits = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply(&text, edits, false);
    assert!(fixed.contains("  escalation standard\n"), "{fixed}");

    client.change(file, 2, &fixed);
    let after = client.wait_diagnostics_until(&uri, QUIET, |d| !mentions(d, "`standrd`"));
    // The other mistakes of the file are still reported.
    assert_eq!(
        after.len(),
        diagnostics.len() - 1,
        "only the typo is gone: {after:#?}"
    );
    client.shutdown_and_exit();
}

/// E015 points inside the query string, at the UTF-16 column an editor counts (the label
/// value before the mistake holds letters of two UTF-16 units and of several bytes).
#[test]
fn an_invalid_query_is_pointed_at_inside_its_string() {
    let ws = workspace(&["workspace"]);
    let mut client = start(&ws);
    let file = "agreements/promql.sla";
    let uri = client.uri(file);
    let text = "party pq_provider {\n  name \"P\"\n}\n\nparty pq_customer {\n  name \"C\"\n}\n\n\
agreement pq_api {\n  kind customer\n  version 1.0.0\n  effective from 2026-01-01\n  \
provider pq_provider\n  customer pq_customer\n\n  objective availability {\n    sli ratio {\n      \
errors \"sum(rate(x{route=\\\"/café😀\\\"}[$window]) ) )\"\n      \
total \"sum(rate(x[$window]))\"\n    }\n    target 99.9%\n    window 30d\n  }\n}\n";
    fs::write(ws.root().join(file), text).unwrap();
    client.open(file, text);
    let diagnostics =
        client.wait_diagnostics_until(&uri, QUIET, |d| d.iter().any(|d| d["code"] == "E015"));
    let e015 = diagnostics.iter().find(|d| d["code"] == "E015").unwrap();
    // The last `)` of the query closes nothing.
    let at = text.find(") )\"").unwrap() + 2;
    assert_eq!(
        e015["range"]["start"],
        position(text, at, false),
        "{e015:#?}"
    );
    assert_eq!(
        e015["range"]["end"],
        position(text, at + 1, false),
        "{e015:#?}"
    );
    assert!(
        e015["message"].as_str().unwrap().contains("closes nothing"),
        "{e015:#?}"
    );
    client.shutdown_and_exit();
}

#[test]
fn an_edit_in_one_file_publishes_the_diagnostics_of_others() {
    let ws = workspace(&["workspace"]);
    let mut client = start(&ws);
    let printers = client.uri("agreements/printers.sla");
    let ola = client.uri("agreements/field_ola.sla");
    let file = "escalations.sla";
    let text = ws.text(file).to_string();
    client.open(file, &text);
    // Files that are not open get their diagnostics too: none, at first.
    client.wait_diagnostics_until(&printers, QUIET, <[Value]>::is_empty);
    client.wait_diagnostics_until(&ola, QUIET, <[Value]>::is_empty);

    let renamed = text.replace("escalation standard {", "escalation standards {");
    client.change(file, 2, &renamed);
    let unknown = "unknown escalation policy `standard`";
    let printers_now = client.wait_diagnostics_until(&printers, QUIET, |d| mentions(d, unknown));
    let ola_now = client.wait_diagnostics_until(&ola, QUIET, |d| mentions(d, unknown));
    assert!(
        messages(&printers_now)
            .iter()
            .any(|m| m.contains("did you mean `standards`?")),
        "{printers_now:#?}"
    );
    assert_eq!(ola_now.len(), 1, "{ola_now:#?}");

    client.change(file, 3, &text);
    client.wait_diagnostics_until(&printers, QUIET, <[Value]>::is_empty);
    client.wait_diagnostics_until(&ola, QUIET, <[Value]>::is_empty);
    client.shutdown_and_exit();
}

#[test]
fn closing_a_buffer_falls_back_to_the_disk() {
    let ws = workspace(&["workspace"]);
    let mut client = start(&ws);
    let ola = client.uri("agreements/field_ola.sla");
    let file = "parties.sla";
    let text = ws.text(file).to_string();
    client.open(file, &text);
    let start = text.find("party field_team {").unwrap();
    let without = &text[..start];
    client.change(file, 2, without);
    client.wait_diagnostics_until(&ola, QUIET, |d| mentions(d, "unknown party `field_team`"));

    // Closed without saving: the disk, which still has `field_team`, counts again.
    client.close(file);
    client.wait_diagnostics_until(&ola, QUIET, <[Value]>::is_empty);
    let definition = client.request(
        "textDocument/definition",
        json!({
            "textDocument": { "uri": ola },
            "position": position(ws.text("agreements/field_ola.sla"), ws.text("agreements/field_ola.sla").find("field_team").unwrap(), false),
        }),
    );
    assert_eq!(definition["uri"], json!(client.uri(file)), "{definition}");
    client.shutdown_and_exit();
}

#[test]
fn a_file_created_on_disk_is_noticed() {
    let ws = workspace(&["workspace"]);
    let mut client = start(&ws);
    let file = "agreements/weekend.sla";
    let text = "agreement weekend {\n  title \"Weekend support\"\n  kind customer\n  version 1.0.0\n  effective from 2026-01-01\n  provider helpdesk\n  customer acme\n\n  objective response {\n    sli response_time\n    calendar weekend_desk\n    target 90%\n    window month\n    within 4h\n  }\n}\n";
    fs::write(ws.root().join(file), text).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": client.uri(file), "type": 1 }] }),
    );
    let uri = client.uri(file);
    client.wait_diagnostics_until(&uri, QUIET, |d| {
        mentions(d, "unknown calendar `weekend_desk`")
    });
    // The server asked to be told of changes on disk.
    let registered = client.server_requests.iter().any(|r| {
        r["method"] == "client/registerCapability"
            && r["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"
    });
    assert!(registered, "{:#?}", client.server_requests);
    client.open(file, text);

    // A new calendar file appears on disk.
    let calendar = "weekend.sla";
    fs::write(
        ws.root().join(calendar),
        "calendar weekend_desk {\n  timezone \"Europe/Paris\"\n  open sat-sun 09:00-18:00\n}\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": client.uri(calendar), "type": 1 }] }),
    );
    let calendar_uri = client.uri(calendar);
    client.wait_diagnostics_until(&uri, QUIET, <[Value]>::is_empty);
    let published = client.wait_diagnostics_until(&calendar_uri, QUIET, |_| true);
    assert_eq!(published, Vec::<Value>::new());
    let at = text.find("weekend_desk").unwrap();
    let definition = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": uri }, "position": position(text, at, false) }),
    );
    assert_eq!(definition["uri"], json!(calendar_uri), "{definition}");

    // And goes away: the reference is unknown again.
    fs::remove_file(ws.root().join(calendar)).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": calendar_uri, "type": 3 }] }),
    );
    client.wait_diagnostics_until(&uri, QUIET, |d| {
        mentions(d, "unknown calendar `weekend_desk`")
    });
    client.shutdown_and_exit();
}

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn garbage(rng: &mut Rng, len: usize) -> String {
    const PIECES: [&str; 24] = [
        "{",
        "}",
        "\"",
        "\"\"\"",
        "\n",
        " ",
        "  ",
        "agreement",
        "objective",
        "calendar",
        "within",
        "4h",
        "2bd",
        "99.9%",
        "acme.",
        "helpdesk",
        "é",
        "😀",
        "=",
        ",",
        "//",
        "///",
        "x_1",
        "\t",
    ];
    (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

/// The text of edit `i` of the burst: garbage, a truncation, unbalanced braces, a line lost
/// or doubled, or a slice of the file replaced by garbage.
fn broken_edit(rng: &mut Rng, original: &str, i: usize) -> String {
    match i % 5 {
        0 => {
            let len = rng.below(120);
            garbage(rng, len)
        }
        1 => original[..floor_boundary(original, rng.below(original.len()))].to_string(),
        2 => {
            let mut text = original.to_string();
            for _ in 0..1 + rng.below(3) {
                let at = floor_boundary(&text, rng.below(text.len()));
                let brace = if rng.below(2) == 0 { "{" } else { "}" };
                text.insert_str(at, brace);
            }
            text
        }
        3 => {
            let mut lines: Vec<&str> = original.lines().collect();
            let at = rng.below(lines.len());
            if rng.below(2) == 0 {
                lines.remove(at);
            } else {
                lines.insert(at, lines[at]);
            }
            lines.join("\n")
        }
        _ => {
            let a = floor_boundary(original, rng.below(original.len()));
            let b = floor_boundary(original, a + rng.below(80));
            let len = rng.below(20);
            format!("{}{}{}", &original[..a], garbage(rng, len), &original[b..])
        }
    }
}

/// (line, code, first line of the message) of each diagnostic of `file`, as `slac check`
/// reports them for the workspace with `text` in place of the file.
fn check_of(ws: &Workspace, file: &str, text: &str) -> Vec<(u64, String, String)> {
    let copy = tempfile::tempdir().unwrap();
    for (relative, content) in &ws.files {
        let path = copy.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, if relative == file { text } else { content }).unwrap();
    }
    let run = slac(copy.path(), &["check", "--format", "json"]);
    let mut out: Vec<(u64, String, String)> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|d| d["file"] == file)
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn summary(diagnostics: &[Value]) -> Vec<(u64, String, String)> {
    let mut out: Vec<(u64, String, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                d["code"].as_str().unwrap_or_default().to_string(),
                d["message"]
                    .as_str()
                    .unwrap_or_default()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_burst_of_broken_edits_neither_crashes_nor_wedges_the_server() {
    let ws = workspace(&["workspace"]);
    let mut client = start(&ws);
    let file = "agreements/printers.sla";
    let uri = client.uri(file);
    let original = ws.text(file).to_string();
    client.open(file, &original);
    client.wait_diagnostics(&uri);

    let mut rng = Rng(0x5eed_1a7e_0fb0_a7e5);
    let mut last = String::new();
    for i in 0..150 {
        last = broken_edit(&mut rng, &original, i);
        client.change(file, i as i32 + 2, &last);
    }
    // One more, with a known mistake: a truncation inside an objective.
    let cut = original.find("    within 4h").unwrap();
    last.clear();
    last.push_str(&original[..cut]);
    last.push_str("    within 4h for priority\n");
    client.change(file, 152, &last);

    // Still answering, on the last text.
    let hover = client.request(
        "textDocument/hover",
        json!({
            "textDocument": { "uri": uri },
            "position": position(&last, last.find("helpdesk").unwrap(), false),
        }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("**party** `helpdesk`"),
        "{hover}"
    );
    let expected = check_of(&ws, file, &last);
    assert!(!expected.is_empty(), "the last text has mistakes");
    let published = client.wait_diagnostics_until(&uri, QUIET, |d| summary(d) == expected);
    assert_eq!(summary(&published), expected);
    assert!(client.is_running());
    client.shutdown_and_exit();
}

/// The message of a request or notification with params as a client frames them: `Some(null)`
/// writes `"params": null` (as Helix does), `None` leaves the member out.
fn message(id: Option<i64>, method: &str, params: Option<Value>) -> Value {
    let mut message = json!({ "jsonrpc": "2.0", "method": method });
    if let Some(id) = id {
        message["id"] = json!(id);
    }
    if let Some(params) = params {
        message["params"] = params;
    }
    message
}

/// `shutdown`, its answer awaited, then `exit`, each with `params` framed as given: the answer
/// is a null result and the process ends with status 0.
fn shutdown_then_exit(shutdown: Option<Value>, exit: Option<Value>) {
    let ws = workspace(&["workspace"]);
    let mut client = start(&ws);
    client.send_raw(&message(Some(9001), "shutdown", shutdown));
    let answer = client.answer(9001);
    assert_eq!(answer.get("error"), None, "{answer}");
    assert_eq!(answer["result"], Value::Null, "{answer}");
    client.send_raw(&message(None, "exit", exit));
    let status = client.wait_exit();
    assert!(
        status.success(),
        "exit status {status:?} after shutdown and exit"
    );
}

#[test]
fn shutdown_and_exit_with_null_params_as_helix_sends_them_end_with_status_0() {
    shutdown_then_exit(Some(Value::Null), Some(Value::Null));
}

#[test]
fn shutdown_and_exit_without_params_end_with_status_0() {
    shutdown_then_exit(None, None);
}

#[test]
fn shutdown_and_exit_sent_together_still_answer_the_shutdown() {
    for params in [Some(Value::Null), None] {
        let ws = workspace(&["workspace"]);
        let mut client = start(&ws);
        client.send_raw(&message(Some(9002), "shutdown", params.clone()));
        client.send_raw(&message(None, "exit", params.clone()));
        let answer = client.answer(9002);
        assert_eq!(answer["result"], Value::Null, "{params:?}: {answer}");
        assert_eq!(answer.get("error"), None, "{params:?}: {answer}");
        let status = client.wait_exit();
        assert!(status.success(), "{params:?}: exit status {status:?}");
    }
}

#[test]
fn a_client_that_closes_its_end_after_a_request_still_gets_the_answer() {
    let ws = workspace(&["workspace"]);
    let mut client = start(&ws);
    let file = "agreements/printers.sla";
    let uri = client.uri(file);
    let text = ws.text(file).to_string();
    client.open(file, &text);
    client.wait_diagnostics(&uri);
    client.send_raw(&message(
        Some(9003),
        "textDocument/hover",
        Some(json!({
            "textDocument": { "uri": uri },
            "position": position(&text, text.find("helpdesk").unwrap(), false),
        })),
    ));
    client.send_raw(&message(Some(9004), "shutdown", None));
    client.close_stdin();
    let hover = client.answer(9003);
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .contains("**party** `helpdesk`"),
        "{hover}"
    );
    let shutdown = client.answer(9004);
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    // No `exit`: the end of the input stops the server, with the status of an `exit` after
    // `shutdown`.
    let status = client.wait_exit();
    assert!(status.success(), "exit status {status:?}");
}
