#![allow(clippy::unwrap_used)]
//! The Neovim plugin of `editors/nvim`, in a real Neovim, as the client of every feature of
//! `slac lsp`. Neovim runs headless, with a fresh configuration that only adds the plugin to the
//! runtimepath and calls `require('slac').setup()` with the `slac` binary under test, in a
//! workspace of several files that the test writes. It opens an agreement, then drives the
//! server through its own LSP client (`vim.lsp.buf_request_sync` on the buffers the plugin
//! attached, `vim.lsp.util.apply_*` for the edits): diagnostics of the open file and of a file
//! never opened, the did-you-mean quick fix, hover, completion, definition, references,
//! document and workspace symbols, folding ranges, semantic tokens, formatting, and rename
//! (refused, then applied to every file). It writes what it received as JSON, which the test
//! then checks. One Neovim process does it all, within a deadline; a failing step is recorded
//! with its error and the others still run. The test fails (it is not skipped) when `nvim` is
//! missing: run `scripts/install-test-tools`.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long Neovim may take, server start and every request included, before it counts as
/// hung and is killed. The Lua side stops sooner (`LUA_BUDGET`), so that a step that does not
/// finish is reported with what Neovim did see.
const NVIM_DEADLINE: Duration = Duration::from_secs(30);

/// The global deadline of the Lua side, from Neovim's start: no step starts a request or a
/// wait after it.
const LUA_BUDGET: Duration = Duration::from_secs(20);

/// How long one request may wait for its answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the diagnostics must stay unchanged, after the rename, to count as final.
const QUIET: Duration = Duration::from_millis(300);

/// How long the server's processes may outlive Neovim's exit.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// The configuration Neovim starts with (`-u`). What it needs (the paths, the positions to ask
/// about) comes from the JSON plan named by `SLAC_TEST_PLAN`, so that nothing has to be quoted
/// in Lua. Each step runs under `xpcall`: its result goes into the report under its name, its
/// error into `errors`. The report is written on every outcome, and Neovim then quits: with
/// status 0 when no step failed, else 1 (`cquit`).
const INIT_LUA: &str = r#"
local plan = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('SLAC_TEST_PLAN')), '\n'))
local started = vim.loop.now()
local deadline = started + plan.budget_ms
local report = { errors = {} }

local function write_report()
  local file = assert(io.open(plan.report, 'w'))
  file:write(vim.fn.json_encode(report))
  file:close()
end

-- Every publishDiagnostics the client receives, whatever its file: URI → number of diagnostics
-- in the latest one.
-- And when the last one came.
local published = {}
local last_published = vim.loop.now()
local publish_diagnostics = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result and result.uri then
    published[result.uri] = #(result.diagnostics or {})
    last_published = vim.loop.now()
  end
  return publish_diagnostics(err, result, ctx, config)
end

vim.opt.runtimepath:prepend(plan.plugin)
local setup_ok, setup_error = pcall(function()
  require('slac').setup({ cmd = { plan.slac, 'lsp' } })
end)
report.setup_error = setup_ok and vim.NIL or tostring(setup_error)

local function remaining()
  return math.max(0, deadline - vim.loop.now())
end

local function path(relative)
  return plan.root .. '/' .. relative
end

local function uri(relative)
  return vim.uri_from_fname(path(relative))
end

-- The buffer of a workspace file (created, not loaded, when there was none).
local function buf(relative)
  return vim.fn.bufadd(path(relative))
end

local function all_clients()
  return vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
end

-- The slac client attached to the buffer.
local function client_of(bufnr)
  for _, client in pairs(all_clients()) do
    if client.name == 'slac' and vim.lsp.buf_is_attached(bufnr, client.id) then
      return client
    end
  end
  error('no slac client is attached to ' .. vim.api.nvim_buf_get_name(bufnr), 0)
end

-- Loads a workspace file into a buffer without showing it, as Neovim loads the files that an
-- edit reaches; the plugin must attach the client to it.
local function open(relative)
  local bufnr = buf(relative)
  vim.fn.bufload(bufnr)
  client_of(bufnr)
  return bufnr
end

local function text_of(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  return table.concat(lines, '\n') .. (vim.bo[bufnr].eol and '\n' or '')
end

-- Sends a request through the client of the buffer and waits for its answer, within the
-- request timeout and the global deadline: { result = …, error = … }, null for a missing one.
local function request(bufnr, method, params)
  local client = client_of(bufnr)
  local timeout = math.min(plan.request_ms, remaining())
  if timeout <= 0 then
    error('the global deadline passed before ' .. method, 0)
  end
  local responses, reason = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  if not responses then
    error(string.format('%s: no answer within %d ms (%s)', method, timeout, tostring(reason)), 0)
  end
  local response = responses[client.id]
  if not response then
    error(method .. ': the slac client gave no response', 0)
  end
  return {
    result = response.result == nil and vim.NIL or response.result,
    error = response.error or vim.NIL,
  }
end

-- The buffer and the textDocument/position params of a position of the plan.
local function at(name)
  local position = plan.positions[name]
  local bufnr = open(position.file)
  return bufnr, {
    textDocument = { uri = uri(position.file) },
    position = { line = position.line, character = position.character },
  }
end

local function code_of(diagnostic)
  local lsp = diagnostic.user_data and diagnostic.user_data.lsp
  return diagnostic.code or (lsp and lsp.code) or vim.NIL
end

local function has_code(bufnr, code)
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    if code_of(diagnostic) == code then
      return true
    end
  end
  return false
end

-- The titles of the code actions the server offers over the diagnostic's range.
local function code_actions(bufnr, diagnostic)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = {
      start = { line = diagnostic.lnum, character = diagnostic.col },
      ['end'] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
    },
    context = { diagnostics = {} },
  }
  local response = request(bufnr, 'textDocument/codeAction', params)
  local titles = {}
  for _, action in ipairs(response.result ~= vim.NIL and response.result or {}) do
    table.insert(titles, action.title)
  end
  return titles
end

local function diagnostics_of(bufnr, with_actions)
  local out = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(out, {
      code = code_of(diagnostic),
      message = diagnostic.message,
      line = diagnostic.lnum,
      col = diagnostic.col,
      source = diagnostic.source or vim.NIL,
      severity = diagnostic.severity,
      code_actions = with_actions and code_actions(bufnr, diagnostic) or vim.NIL,
    })
  end
  return out
end

-- The labels and kinds of a completion answer (a list, or a CompletionList).
local function completion_items(response)
  local result = response.result ~= vim.NIL and response.result or {}
  local items = result.items or result
  local out = {}
  for _, item in ipairs(items) do
    table.insert(out, { label = item.label, kind = item.kind or vim.NIL })
  end
  return { error = response.error, items = out }
end

local function step(name, fn)
  local ok, result = xpcall(fn, debug.traceback)
  if ok then
    report[name] = result == nil and vim.NIL or result
  else
    table.insert(report.errors, { step = name, error = tostring(result) })
  end
end

local function run()
  local agreement = plan.opened
  local not_opened = plan.not_opened

  -- The opened agreement's E002, and the diagnostics of a file that no buffer shows, which the
  -- server publishes too.
  step('diagnostics', function()
    local opened = buf(agreement)
    local other = buf(not_opened)
    local received = vim.wait(remaining(), function()
      return has_code(opened, 'E002')
        and published[uri(not_opened)] ~= nil
        and #vim.diagnostic.get(other) > 0
    end, 20)
    return {
      received = received,
      opened = diagnostics_of(opened, true),
      not_opened = diagnostics_of(other, false),
      not_opened_loaded = vim.api.nvim_buf_is_loaded(other),
      published = vim.deepcopy(published),
    }
  end)

  -- Once the client is running (Neovim 0.7 lists it from then on).
  step('buffer', function()
    local version = vim.version()
    local clients = {}
    for _, client in pairs(all_clients()) do
      if vim.lsp.buf_is_attached(0, client.id) then
        table.insert(clients, {
          name = client.name,
          root_dir = client.config.root_dir or vim.NIL,
          offset_encoding = client.offset_encoding or vim.NIL,
        })
      end
    end
    return {
      nvim = string.format('%d.%d.%d', version.major, version.minor, version.patch),
      file = vim.api.nvim_buf_get_name(0),
      filetype = vim.bo.filetype,
      syntax = vim.b.current_syntax or vim.NIL,
      commentstring = vim.bo.commentstring,
      shiftwidth = vim.bo.shiftwidth,
      expandtab = vim.bo.expandtab,
      clients = clients,
    }
  end)

  for _, name in ipairs({ 'supports', 'calendar', 'duration' }) do
    step('hover_' .. name, function()
      local bufnr, params = at(name)
      return request(bufnr, 'textDocument/hover', params)
    end)
  end

  -- Two lines typed into an objective (sent by the client as a didChange), a completion at
  -- the start of the first and after `calendar ` on the second, then the lines taken out.
  step('completion', function()
    local bufnr = open(plan.completion.file)
    local line = plan.completion.line
    local document = { uri = uri(plan.completion.file) }
    vim.api.nvim_buf_set_lines(bufnr, line, line, false, { '    ', '    calendar ' })
    local ok, out = pcall(function()
      return {
        keywords = completion_items(request(bufnr, 'textDocument/completion', {
          textDocument = document,
          position = { line = line, character = 4 },
        })),
        calendar = completion_items(request(bufnr, 'textDocument/completion', {
          textDocument = document,
          position = { line = line + 1, character = 13 },
        })),
      }
    end)
    vim.api.nvim_buf_set_lines(bufnr, line, line + 2, false, {})
    if not ok then
      error(out, 0)
    end
    out.text_after = text_of(bufnr)
    return out
  end)

  step('definition', function()
    local bufnr, params = at('provider')
    return request(bufnr, 'textDocument/definition', params)
  end)

  step('references', function()
    local bufnr, params = at('provider')
    params.context = { includeDeclaration = true }
    return request(bufnr, 'textDocument/references', params)
  end)

  step('document_symbols', function()
    local bufnr = open(agreement)
    return request(bufnr, 'textDocument/documentSymbol', { textDocument = { uri = uri(agreement) } })
  end)

  step('workspace_symbols', function()
    return request(open(agreement), 'workspace/symbol', { query = plan.symbol_query })
  end)

  step('folding_ranges', function()
    local bufnr = open(agreement)
    return request(bufnr, 'textDocument/foldingRange', { textDocument = { uri = uri(agreement) } })
  end)

  step('semantic_tokens', function()
    local bufnr = open(agreement)
    local response = request(bufnr, 'textDocument/semanticTokens/full', {
      textDocument = { uri = uri(agreement) },
    })
    local provider = client_of(bufnr).server_capabilities.semanticTokensProvider
    response.legend = provider and provider.legend or vim.NIL
    return response
  end)

  -- The badly laid-out file, formatted by the edits of the answer.
  step('formatting', function()
    local bufnr = open(plan.badly_laid_out)
    local response = request(bufnr, 'textDocument/formatting', {
      textDocument = { uri = uri(plan.badly_laid_out) },
      options = { tabSize = 2, insertSpaces = true },
    })
    local before = text_of(bufnr)
    if response.result ~= vim.NIL then
      -- A copy: Neovim 0.7 marks the edits it applies (`_index`), and the report shows the answer.
      local edits = vim.deepcopy(response.result)
      vim.lsp.util.apply_text_edits(edits, bufnr, client_of(bufnr).offset_encoding)
    end
    return { response = response, before = before, after = text_of(bufnr) }
  end)

  step('rename_refused', function()
    local bufnr, params = at('customer_acme')
    params.newName = plan.invalid_name
    return request(bufnr, 'textDocument/rename', params)
  end)

  -- The WorkspaceEdit applied as Neovim applies it: files without a buffer are loaded.
  step('rename', function()
    local bufnr, params = at('customer_acme')
    params.newName = plan.new_name
    local response = request(bufnr, 'textDocument/rename', params)
    local texts = {}
    local outlines = {}
    if response.result ~= vim.NIL then
      local edit = vim.deepcopy(response.result)
      vim.lsp.util.apply_workspace_edit(edit, client_of(bufnr).offset_encoding)
      -- Neovim 0.7 sends a buffer's didChange 150 ms later (debounce_text_changes), or when a
      -- request is made on that buffer: a request on each edited buffer, its outline, sends
      -- them all now, so that the server has the whole rename before the next steps.
      for changed_uri, _ in pairs(edit.changes or {}) do
        local names = {}
        local outline = request(vim.uri_to_bufnr(changed_uri), 'textDocument/documentSymbol', {
          textDocument = { uri = changed_uri },
        })
        for _, symbol in ipairs(outline.result ~= vim.NIL and outline.result or {}) do
          table.insert(names, symbol.name)
        end
        outlines[changed_uri] = names
      end
      for _, relative in ipairs(plan.files) do
        local other = buf(relative)
        local loaded = vim.api.nvim_buf_is_loaded(other)
        texts[relative] = {
          loaded = loaded,
          attached = loaded and pcall(client_of, other),
          text = loaded and text_of(other) or vim.NIL,
        }
      end
    end
    return { response = response, texts = texts, outlines = outlines }
  end)

  -- The server saw the edits of every buffer: the renamed reference is the renamed party.
  step('hover_after_rename', function()
    local bufnr, params = at('customer_acme')
    return request(bufnr, 'textDocument/hover', params)
  end)

  -- Once the server answered on the renamed workspace, and published nothing for a while: the
  -- diagnostics of the files the rename reached.
  step('diagnostics_after_rename', function()
    local settled = vim.wait(math.min(remaining(), plan.request_ms), function()
      return vim.loop.now() - last_published >= plan.quiet_ms
    end, 20)
    local out = { settled = settled, files = {} }
    for _, relative in ipairs(plan.files) do
      out.files[relative] = diagnostics_of(buf(relative), false)
    end
    return out
  end)
end

-- Run from the main loop, not inside the VimEnter autocommand: there, did_filetype() is true
-- and `setfiletype` does nothing, so that the files that run() loads would get no filetype,
-- and no client.
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, error_text = xpcall(run, debug.traceback)
      if not ok then
        table.insert(report.errors, { step = 'run', error = tostring(error_text) })
      end
      report.elapsed_ms = vim.loop.now() - started
      local written = pcall(write_report)
      vim.cmd((written and #report.errors == 0) and 'qall!' or 'cquit')
    end)
  end,
})
"#;

const SLAC_TOML: &str = "[workspace]\n";

const PARTIES: &str = r#"// Parties: who provides, who receives, and whom to call.

/// The customer: a printer fleet in three offices.
party acme {
  name "Acme Industries SA"
  kind external
  contact account_manager {
    name "Marie Dupont"
    email "marie.dupont@acme.example"
  }
  contact support "support@acme.example"
}

/// The service desk of the provider.
party helpdesk {
  name "Service Desk"
  kind internal
  /// Answers the pager at night.
  contact oncall {
    email "oncall@provider.example"
    pager "helpdesk-primary"
  }
  contact manager "it-manager@provider.example"
}

party field_team {
  name "Field technicians"
  kind internal
  contact dispatch "dispatch@provider.example"
  contact lead "lead@provider.example"
}
"#;

const CALENDARS: &str = r#"/// French public holidays.
holidays france {
  annual 01-01 "Jour de l'an"
  annual 05-01 "Fête du travail"
  annual 12-25 "Noël"
  easter +1 "Lundi de Pâques"
  date 2026-12-24 "Veille de Noël" from 12:00
}

/// The Paris office: weekdays, 8 to 17.
calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
  closed france
}

calendar night_desk {
  timezone "America/New_York"
  open mon-fri 22:00-06:00 // Mon 22:00 → Tue 06:00
}
"#;

const ESCALATIONS: &str = r#"/// Who is told, and when.
escalation standard {
  level 1 at 50% notify helpdesk.oncall
  level 2 at 75% notify helpdesk.manager
  level 3 at breach notify helpdesk.manager, acme.account_manager
}
"#;

/// Valid, but not laid out as `slac fmt` writes it: the file that Neovim formats.
const SERVICES: &str = r#"/// Printers, toner and repairs.
service   printers {
      name    "Printer support"
  owner helpdesk
    }
"#;

/// The agreement Neovim opens: its escalation policy is misspelled (`standrd`), and `standard`
/// is declared in another file of the workspace, which the server only sees when the plugin
/// gave it the workspace's root (the folder of slac.toml, above the agreement's).
const PRINTERS: &str = r#"// Printer support, with a misspelled escalation policy.

/// Printer support for Acme, as negotiated in 2025.
agreement acme_printers {
  title "Printer support"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme
  services printers
  escalation standrd
  review quarterly with acme.account_manager, helpdesk.manager

  /// Share of print jobs that succeed.
  objective print_success {
    title "Print success"
    sli ratio {
      errors """sum(rate(print_jobs_failed_total[$window]))"""
      total """sum(rate(print_jobs_total[$window]))"""
    }
    target 99.5%
    window 30d
  }

  objective portal_latency {
    sli latency {
      histogram """http_request_duration_seconds_bucket{job="portal"}"""
      threshold 300ms
    }
    target 99%
    window month
    calendar office
  }

  /// Tickets are answered within these delays.
  objective response {
    title "Response time"
    sli response_time
    calendar office
    target 95%
    window month
    within 1h for priority = P1
    within 2bd for priority = P3
    within 4h
    owner helpdesk.manager
  }

  credit {
    when response below 95% refund 5%
    cap 20%
  }
}
"#;

const FIELD_OLA: &str = r#"/// The field technicians underpin the printer response.
agreement field_ola {
  title "OLA field technicians"
  kind operational
  version 1.0.0
  effective from 2026-01-01
  provider field_team
  customer helpdesk
  escalation standard

  objective onsite {
    sli response_time
    calendar always
    target 97%
    window month
    within 30m
    supports acme_printers.response
    owner field_team.lead
  }
}
"#;

const PRINTERS_PLUS: &str = r#"/// Premium printer support: the same objectives, a newer version.
agreement acme_printers_plus {
  extends acme_printers
  title "Printer support, premium"
  version 1.1.0
}
"#;

/// Never opened in Neovim: its calendar is declared nowhere.
const WEEKEND: &str = r#"/// Weekend support, on a calendar that nobody declared yet.
agreement weekend {
  title "Weekend support"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme

  objective response {
    sli response_time
    calendar weekend_desk
    target 90%
    window month
    within 4h
  }
}
"#;

const OPENED: &str = "agreements/printers.sla";
const NOT_OPENED: &str = "agreements/weekend.sla";
const BADLY_LAID_OUT: &str = "services.sla";

/// The files of the workspace, relative to its root.
const FILES: [(&str, &str); 9] = [
    ("slac.toml", SLAC_TOML),
    ("parties.sla", PARTIES),
    ("calendars.sla", CALENDARS),
    ("escalations.sla", ESCALATIONS),
    ("services.sla", SERVICES),
    ("agreements/printers.sla", PRINTERS),
    ("agreements/field_ola.sla", FIELD_OLA),
    ("agreements/printers_plus.sla", PRINTERS_PLUS),
    ("agreements/weekend.sla", WEEKEND),
];

/// The new name of the party `acme` (renamed at `customer acme` in the opened agreement), and
/// a name the server refuses.
const NEW_NAME: &str = "acme_corp";
const INVALID_NAME: &str = "Bad-Name";

fn text(file: &str) -> &'static str {
    FILES
        .iter()
        .find(|(name, _)| *name == file)
        .unwrap_or_else(|| panic!("no workspace file {file}"))
        .1
}

/// The LSP position (0-based line, UTF-16 column) of `word` in the only occurrence of
/// `context` in `file`, with the file's name, as the plan gives it to Neovim.
fn position(file: &str, context: &str, word: &str) -> Value {
    let text = text(file);
    assert_eq!(
        text.matches(context).count(),
        1,
        "`{context}` is not once in {file}"
    );
    let offset = text.find(context).unwrap()
        + context
            .find(word)
            .unwrap_or_else(|| panic!("no `{word}` in `{context}`"));
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .encode_utf16()
        .count();
    json!({ "file": file, "line": line, "character": column })
}

/// The 0-based line of the only line of `file` that starts with `start`.
fn line_of(file: &str, start: &str) -> usize {
    let lines: Vec<usize> = text(file)
        .lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with(start))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "`{start}` does not start one line of {file}"
    );
    lines[0]
}

/// Writes the workspace to `dir`; returns its root, without symbolic links, as Neovim names it.
fn write_workspace(dir: &Path) -> PathBuf {
    let root = dir.canonicalize().unwrap();
    for (file, text) in FILES {
        let path = root.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    root
}

/// What Neovim is asked about: the files, and the positions of the requests.
fn plan(root: &Path) -> Value {
    let sla: Vec<&str> = FILES
        .iter()
        .map(|(file, _)| *file)
        .filter(|file| file.ends_with(".sla"))
        .collect();
    json!({
        "root": root,
        "opened": OPENED,
        "not_opened": NOT_OPENED,
        "files": sla,
        "positions": {
            "supports": position("agreements/field_ola.sla", "supports acme_printers.response", "acme_printers.response"),
            "calendar": position(OPENED, "calendar office\n    target 95%", "office"),
            "duration": position(OPENED, "within 2bd", "2bd"),
            "provider": position(OPENED, "provider helpdesk", "helpdesk"),
            "customer_acme": position(OPENED, "customer acme\n", "acme"),
        },
        // The lines are typed after `window 30d`, in the objective `print_success`.
        "completion": { "file": OPENED, "line": line_of(OPENED, "    window 30d") + 1 },
        "symbol_query": "resp",
        "badly_laid_out": BADLY_LAID_OUT,
        "invalid_name": INVALID_NAME,
        "new_name": NEW_NAME,
    })
}

/// What one run of Neovim did.
struct NvimRun {
    status: ExitStatus,
    elapsed: Duration,
    /// What Neovim printed (errors of the configuration, for instance).
    output: String,
    /// The JSON that init.lua wrote, if any.
    report: Option<Value>,
    /// Neovim's LSP log, if it wrote one.
    lsp_log: String,
}

impl NvimRun {
    fn describe(&self) -> String {
        format!(
            "Neovim exited with {} after {:?}\nreport: {}\nNeovim's output:\n{}\nlsp.log:\n{}",
            self.status,
            self.elapsed,
            self.report
                .as_ref()
                .map_or_else(|| "(none)".to_string(), |report| format!("{report:#}")),
            support::tail(&self.output),
            support::tail(&self.lsp_log),
        )
    }
}

/// Opens `file` in a headless Neovim started with [`INIT_LUA`] in `workspace`, with `plan`
/// (completed with the paths of the plugin, of `slac` and of the report, and the deadlines), and
/// waits for it to quit, within [`NVIM_DEADLINE`]; then checks that the server it started quits
/// too.
fn run_nvim(workspace: &Path, file: &Path, mut plan: Value) -> NvimRun {
    let scratch = tempfile::tempdir().unwrap();
    let init = scratch.path().join("init.lua");
    fs::write(&init, INIT_LUA).unwrap();
    let report_path = scratch.path().join("report.json");
    let log_path = scratch.path().join("nvim.log");
    let log = fs::File::create(&log_path).unwrap();
    let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/nvim");
    let plugin = plugin.canonicalize().unwrap();
    let xdg = |name: &str| scratch.path().join(name);
    plan["plugin"] = json!(plugin);
    plan["slac"] = json!(env!("CARGO_BIN_EXE_slac"));
    plan["report"] = json!(report_path);
    plan["budget_ms"] = json!(LUA_BUDGET.as_millis() as u64);
    plan["request_ms"] = json!(REQUEST_TIMEOUT.as_millis() as u64);
    plan["quiet_ms"] = json!(QUIET.as_millis() as u64);
    let plan_path = scratch.path().join("plan.json");
    fs::write(&plan_path, serde_json::to_string(&plan).unwrap()).unwrap();

    let mut command = Command::new("nvim");
    command
        // `--clean`: no user configuration, plugins or shada; `-u` then names the only
        // configuration read. Filetype detection, filetype plugins and syntax are still
        // enabled after it, as for a user's init.lua.
        .arg("--headless")
        .arg("--clean")
        .arg("-u")
        .arg(&init)
        .arg(file)
        .current_dir(workspace)
        .env("SLAC_TEST_PLAN", &plan_path)
        // Inherited by the server, which Neovim starts.
        .env("SLAC_TODAY", support::TODAY)
        .env("NO_COLOR", "1")
        // Logs, caches and state stay in the scratch folder.
        .env("XDG_CONFIG_HOME", xdg("config"))
        .env("XDG_DATA_HOME", xdg("data"))
        .env("XDG_STATE_HOME", xdg("state"))
        .env("XDG_CACHE_HOME", xdg("cache"))
        .env("NVIM_LOG_FILE", xdg("nvim-internal.log"))
        // A Neovim that runs the tests (from its terminal) must not be talked to instead.
        .env_remove("NVIM")
        .env_remove("NVIM_LISTEN_ADDRESS")
        .env_remove("NVIM_APPNAME")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        // Its own process group, which the server joins (Neovim 0.7 does not detach it): a hung
        // run is killed with its server.
        .process_group(0);
    let started = Instant::now();
    let mut child = command.spawn().unwrap_or_else(|error| {
        if error.kind() == ErrorKind::NotFound {
            panic!(
                "nvim is not on PATH: this test opens a .sla file in a headless Neovim with the \
                 editors/nvim plugin, as a client of `slac lsp`. Run scripts/install-test-tools \
                 (it installs Debian's `neovim` package), then run the tests again."
            )
        }
        panic!("cannot start nvim: {error}")
    });
    let group = format!("-{}", child.id());
    let status = loop {
        match child.try_wait().unwrap() {
            Some(status) => break status,
            None if started.elapsed() > NVIM_DEADLINE => {
                // The leader is not reaped yet, so its group id cannot have been reused.
                kill_group(&group, "-KILL");
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "nvim took more than {NVIM_DEADLINE:?} to open {} and quit: killed\n\
                     Neovim's output:\n{}",
                    file.display(),
                    support::tail(&fs::read_to_string(&log_path).unwrap_or_default())
                );
            }
            None => thread::sleep(Duration::from_millis(20)),
        }
    };
    let elapsed = started.elapsed();

    // Neovim stops its language servers when it quits. While a process is left in the group,
    // the group id stays in use, so that checking and killing it cannot reach another group.
    let quit = Instant::now();
    while kill_group(&group, "-0") {
        if quit.elapsed() > EXIT_GRACE {
            kill_group(&group, "-KILL");
            panic!(
                "a process that Neovim started (the language server) was still running \
                 {EXIT_GRACE:?} after Neovim quit: killed"
            );
        }
        thread::sleep(Duration::from_millis(20));
    }

    let lsp_log = ["cache", "state"]
        .iter()
        .map(|dir| xdg(dir).join("nvim/lsp.log"))
        .filter_map(|path| fs::read_to_string(path).ok())
        .collect::<Vec<_>>()
        .join("\n");
    NvimRun {
        status,
        elapsed,
        output: fs::read_to_string(&log_path).unwrap_or_default(),
        report: fs::read_to_string(&report_path)
            .ok()
            .map(|text| serde_json::from_str(&text).unwrap()),
        lsp_log,
    }
}

/// Sends `signal` to the process group `group` (`-PGID`); whether some process received it.
fn kill_group(group: &str, signal: &str) -> bool {
    Command::new("kill")
        .args([signal, "--", group])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The report of a run, with the workspace it ran in, for the checks.
struct Seen<'a> {
    report: &'a Value,
    root: PathBuf,
}

impl Seen<'_> {
    /// What a step received; a step missing from the report fails with the report's errors.
    fn step(&self, name: &str) -> &Value {
        let value = &self.report[name];
        assert!(
            !value.is_null(),
            "Neovim reported nothing for `{name}`; its errors: {:#}",
            self.report["errors"]
        );
        value
    }

    fn uri(&self, file: &str) -> String {
        support::lsp::uri_of(&self.root.join(file))
    }

    /// The workspace file of a URI, or the URI itself when it is outside the workspace.
    fn file(&self, uri: &Value) -> String {
        let uri = uri.as_str().unwrap_or_default();
        let prefix = format!("{}/", support::lsp::uri_of(&self.root));
        uri.strip_prefix(&prefix).unwrap_or(uri).to_string()
    }
}

/// The (line, character) where an LSP range starts.
fn start_of(range: &Value) -> (u64, u64) {
    (
        range["start"]["line"].as_u64().unwrap_or(u64::MAX),
        range["start"]["character"].as_u64().unwrap_or(u64::MAX),
    )
}

/// The (line, character) of an LSP position, or of a position of the plan.
fn line_character(position: &Value) -> (u64, u64) {
    (
        position["line"].as_u64().unwrap(),
        position["character"].as_u64().unwrap(),
    )
}

/// The markdown of a hover answer, checked to be one.
fn hover_markdown<'v>(what: &str, answer: &'v Value) -> &'v str {
    assert_eq!(
        answer["error"],
        Value::Null,
        "{what}: Neovim received an error: {answer:#}"
    );
    assert_eq!(
        answer["result"]["contents"]["kind"], "markdown",
        "{what}: Neovim received {answer:#}"
    );
    answer["result"]["contents"]["value"].as_str().unwrap()
}

fn labels(answer: &Value) -> Vec<&str> {
    answer["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["label"].as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// The result of a request that must have succeeded.
fn result_of<'v>(what: &str, answer: &'v Value) -> &'v Value {
    assert_eq!(
        answer["error"],
        Value::Null,
        "{what}: Neovim received an error: {answer:#}"
    );
    &answer["result"]
}

#[test]
fn neovims_own_client_gets_every_feature_of_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = write_workspace(dir.path());
    let opened = root.join(OPENED);
    let run = run_nvim(&root, &opened, plan(&root));
    let context = run.describe();
    let report = run
        .report
        .as_ref()
        .unwrap_or_else(|| panic!("Neovim wrote no report\n{context}"));
    assert_eq!(
        report["errors"],
        json!([]),
        "steps failed in Neovim\n{context}"
    );
    assert_eq!(report["setup_error"], Value::Null, "{context}");
    assert!(run.status.success(), "{context}");
    let seen = Seen {
        report,
        root: root.clone(),
    };

    check_buffer(&seen);
    check_diagnostics(&seen);
    check_hover(&seen);
    check_completion(&seen);
    check_definition_and_references(&seen);
    check_symbols(&seen);
    check_folding_and_semantic_tokens(&seen);
    check_formatting(&seen);
    check_rename(&seen);
}

/// The plugin's ftdetect, ftplugin and syntax; one client, named slac, rooted at the folder
/// of slac.toml (not the agreement's), and talking UTF-16.
fn check_buffer(seen: &Seen) {
    let buffer = seen.step("buffer");
    let shown = format!("the opened buffer: Neovim reported {buffer:#}");
    assert_eq!(
        buffer["file"],
        seen.root.join(OPENED).to_str().unwrap(),
        "{shown}"
    );
    assert_eq!(buffer["filetype"], "sla", "{shown}");
    assert_eq!(buffer["syntax"], "sla", "{shown}");
    assert_eq!(buffer["commentstring"], "// %s", "{shown}");
    assert_eq!(buffer["shiftwidth"], 2, "{shown}");
    assert_eq!(buffer["expandtab"], true, "{shown}");
    let clients = buffer["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{shown}");
    assert_eq!(clients[0]["name"], "slac", "{shown}");
    assert_eq!(
        clients[0]["root_dir"],
        seen.root.to_str().unwrap(),
        "{shown}"
    );
    assert_eq!(clients[0]["offset_encoding"], "utf-16", "{shown}");
}

/// The opened agreement's one diagnostic, E002 on `standrd` with the suggestion (which the
/// server can only make when it loaded the whole workspace) and its quick fix; and the E002 of a
/// file that no buffer shows, published all the same.
fn check_diagnostics(seen: &Seen) {
    let diagnostics = seen.step("diagnostics");
    let shown = format!("diagnostics: Neovim received {diagnostics:#}");
    assert_eq!(diagnostics["received"], true, "{shown}");

    let (line, character) = line_character(&position(OPENED, "escalation standrd", "standrd"));
    let opened = diagnostics["opened"].as_array().unwrap();
    assert_eq!(opened.len(), 1, "{shown}");
    let diagnostic = &opened[0];
    assert_eq!(diagnostic["code"], "E002", "{shown}");
    assert_eq!(diagnostic["source"], "slac", "{shown}");
    assert_eq!(diagnostic["line"], line, "{shown}");
    assert_eq!(diagnostic["col"], character, "{shown}");
    // vim.diagnostic.severity.ERROR
    assert_eq!(diagnostic["severity"], 1, "{shown}");
    let message = diagnostic["message"].as_str().unwrap();
    assert!(
        message.starts_with("unknown escalation policy `standrd`"),
        "{shown}"
    );
    assert!(message.contains("did you mean `standard`?"), "{shown}");
    assert_eq!(
        diagnostic["code_actions"],
        json!(["Replace with `standard`"]),
        "the quick fix of the E002: {shown}"
    );

    assert_eq!(
        diagnostics["not_opened_loaded"], false,
        "{NOT_OPENED} was never loaded in Neovim: {shown}"
    );
    let (line, character) = line_character(&position(
        NOT_OPENED,
        "calendar weekend_desk",
        "weekend_desk",
    ));
    let other = diagnostics["not_opened"].as_array().unwrap();
    assert_eq!(other.len(), 1, "{NOT_OPENED}: {shown}");
    assert_eq!(other[0]["code"], "E002", "{NOT_OPENED}: {shown}");
    assert_eq!(other[0]["line"], line, "{NOT_OPENED}: {shown}");
    assert_eq!(other[0]["col"], character, "{NOT_OPENED}: {shown}");
    assert!(
        other[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("unknown calendar `weekend_desk`"),
        "{NOT_OPENED}: {shown}"
    );
    // The handler saw both files' publishDiagnostics.
    let published = &diagnostics["published"];
    assert_eq!(published[seen.uri(OPENED)], 1, "{shown}");
    assert_eq!(published[seen.uri(NOT_OPENED)], 1, "{shown}");
}

/// Hover on an objective reference, a calendar reference and a business-days duration: the
/// markdown of each, with the range of the word hovered.
fn check_hover(seen: &Seen) {
    let cases = [
        (
            "hover_supports",
            position(
                "agreements/field_ola.sla",
                "supports acme_printers.response",
                "acme_printers.response",
            ),
            vec![
                "**objective** `acme_printers.response` — Response time",
                "- calendar: `office`",
                "| priority = P3 | 2\u{a0}business days |",
            ],
        ),
        (
            "hover_calendar",
            position(OPENED, "calendar office\n    target 95%", "office"),
            vec![
                "**calendar** `office` — time zone `Europe/Paris`",
                "- open Monday to Friday, 08:00–17:00",
            ],
        ),
        (
            "hover_duration",
            position(OPENED, "within 2bd", "2bd"),
            vec!["**`2bd`**: 2 business days of the objective's calendar."],
        ),
    ];
    for (step, at, expected) in cases {
        let answer = seen.step(step);
        let what = format!("{step} at {at}");
        let markdown = hover_markdown(&what, answer);
        for part in expected {
            assert!(
                markdown.contains(part),
                "{what}: no `{part}` in what Neovim received: {answer:#}"
            );
        }
        assert_eq!(
            start_of(&answer["result"]["range"]),
            line_character(&at),
            "{what}: the range starts at the word: Neovim received {answer:#}"
        );
    }
}

/// Completion on lines typed in Neovim (which its client sends as didChange): the keywords of
/// an objective at the start of a line, and after `calendar ` the built-in calendar and the
/// workspace's. The lines taken out again, the buffer is the file.
fn check_completion(seen: &Seen) {
    let completion = seen.step("completion");
    let shown = format!("completion: Neovim received {completion:#}");
    let keywords = labels(&completion["keywords"]);
    for keyword in [
        "title", "sli", "target", "window", "calendar", "within", "owner",
    ] {
        assert!(keywords.contains(&keyword), "no `{keyword}`: {shown}");
    }
    // CompletionItemKind.Keyword
    assert!(
        completion["keywords"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["kind"] == 14),
        "{shown}"
    );
    let calendars: BTreeSet<&str> = labels(&completion["calendar"]).into_iter().collect();
    assert_eq!(
        calendars,
        BTreeSet::from(["always", "night_desk", "office"]),
        "{shown}"
    );
    assert_eq!(completion["text_after"], PRINTERS, "{shown}");
}

/// Definition of a party reference: the party's id in parties.sla. References of that party,
/// its declaration included: ten places in five files, opened or not, five of them the party
/// part of a `helpdesk.contact` reference.
fn check_definition_and_references(seen: &Seen) {
    let answer = seen.step("definition");
    let shown = format!("definition of `provider helpdesk`: Neovim received {answer:#}");
    let result = result_of("definition", answer);
    // A Location, or a list of them.
    let locations = result
        .as_array()
        .cloned()
        .unwrap_or_else(|| vec![result.clone()]);
    assert_eq!(locations.len(), 1, "{shown}");
    assert_eq!(seen.file(&locations[0]["uri"]), "parties.sla", "{shown}");
    assert_eq!(
        start_of(&locations[0]["range"]),
        line_character(&position("parties.sla", "party helpdesk {", "helpdesk")),
        "{shown}"
    );

    let answer = seen.step("references");
    let shown = format!("references of `helpdesk`: Neovim received {answer:#}");
    let found: BTreeSet<(String, (u64, u64))> = result_of("references", answer)
        .as_array()
        .unwrap_or_else(|| panic!("{shown}"))
        .iter()
        .map(|location| (seen.file(&location["uri"]), start_of(&location["range"])))
        .collect();
    let expected: BTreeSet<(String, (u64, u64))> = [
        ("parties.sla", "party helpdesk {"),
        ("agreements/field_ola.sla", "customer helpdesk"),
        ("agreements/printers.sla", "provider helpdesk"),
        ("services.sla", "owner helpdesk"),
        ("agreements/weekend.sla", "provider helpdesk"),
        // The party part of `party.contact` uses, as rename edits them.
        ("escalations.sla", "50% notify helpdesk.oncall"),
        ("escalations.sla", "75% notify helpdesk.manager"),
        ("escalations.sla", "breach notify helpdesk.manager"),
        (
            "agreements/printers.sla",
            "account_manager, helpdesk.manager",
        ),
        ("agreements/printers.sla", "owner helpdesk.manager"),
    ]
    .into_iter()
    .map(|(file, context)| {
        (
            file.to_string(),
            line_character(&position(file, context, "helpdesk")),
        )
    })
    .collect();
    assert_eq!(
        result_of("references", answer).as_array().unwrap().len(),
        10,
        "{shown}"
    );
    assert_eq!(found, expected, "{shown}");
}

/// The outline of the agreement nests its objectives; workspace/symbol finds the objective
/// `response` by a part of its name.
fn check_symbols(seen: &Seen) {
    let answer = seen.step("document_symbols");
    let shown = format!("documentSymbol of {OPENED}: Neovim received {answer:#}");
    let symbols = result_of("documentSymbol", answer)
        .as_array()
        .unwrap_or_else(|| panic!("{shown}"));
    assert_eq!(symbols.len(), 1, "{shown}");
    let agreement = &symbols[0];
    assert_eq!(agreement["name"], "acme_printers", "{shown}");
    // SymbolKind 5 (Class) for the agreement, 6 (Method) for its objectives.
    assert_eq!(agreement["kind"], 5, "{shown}");
    assert_eq!(
        start_of(&agreement["selectionRange"]),
        line_character(&position(
            OPENED,
            "agreement acme_printers {",
            "acme_printers"
        )),
        "{shown}"
    );
    let children: Vec<(&str, &Value)> = agreement["children"]
        .as_array()
        .unwrap_or_else(|| panic!("{shown}"))
        .iter()
        .map(|child| (child["name"].as_str().unwrap_or("?"), &child["kind"]))
        .collect();
    assert_eq!(
        children,
        [
            ("print_success", &json!(6)),
            ("portal_latency", &json!(6)),
            ("response", &json!(6)),
        ],
        "{shown}"
    );

    let answer = seen.step("workspace_symbols");
    let shown = format!("workspace/symbol `resp`: Neovim received {answer:#}");
    let symbols = result_of("workspace/symbol", answer)
        .as_array()
        .unwrap_or_else(|| panic!("{shown}"));
    let response = symbols
        .iter()
        .find(|symbol| symbol["name"] == "acme_printers.response")
        .unwrap_or_else(|| panic!("no acme_printers.response: {shown}"));
    assert_eq!(seen.file(&response["location"]["uri"]), OPENED, "{shown}");
    assert_eq!(
        start_of(&response["location"]["range"]),
        line_character(&position(OPENED, "objective response {", "response")),
        "{shown}"
    );
}

/// Folding ranges and semantic tokens, which Neovim 0.7 does not ask for itself but whose
/// requests go through its client: the agreement folds up to its closing brace, and the tokens,
/// decoded with the legend the server announced, mark its keyword.
fn check_folding_and_semantic_tokens(seen: &Seen) {
    let answer = seen.step("folding_ranges");
    let shown = format!("foldingRange of {OPENED}: Neovim received {answer:#}");
    let ranges = result_of("foldingRange", answer)
        .as_array()
        .unwrap_or_else(|| panic!("{shown}"));
    let agreement = line_of(OPENED, "agreement acme_printers {");
    // The range stops before the line of the closing `}`, which stays visible when folded.
    let last = PRINTERS.lines().count() - 2;
    assert!(
        ranges
            .iter()
            .any(|range| range["startLine"] == agreement && range["endLine"] == last),
        "no range {agreement}–{last}: {shown}"
    );

    let answer = seen.step("semantic_tokens");
    let shown = format!("semanticTokens/full of {OPENED}: Neovim received {answer:#}");
    let data: Vec<u64> = result_of("semanticTokens/full", answer)["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{shown}"))
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    assert!(!data.is_empty() && data.len() % 5 == 0, "{shown}");
    let types = answer["legend"]["tokenTypes"]
        .as_array()
        .unwrap_or_else(|| panic!("no legend: {shown}"));
    // Decoded from the deltas; the file is ASCII, so UTF-16 columns are byte columns.
    let lines: Vec<&str> = PRINTERS.lines().collect();
    let (mut line, mut column) = (0, 0);
    let mut tokens = Vec::new();
    for token in data.chunks(5) {
        if token[0] > 0 {
            line += token[0] as usize;
            column = token[1] as usize;
        } else {
            column += token[1] as usize;
        }
        let text = lines
            .get(line)
            .and_then(|l| l.get(column..column + token[2] as usize))
            .unwrap_or_else(|| panic!("token {token:?} outside the file: {shown}"));
        let kind = types
            .get(token[3] as usize)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("token {token:?} of no type of the legend: {shown}"));
        tokens.push((line, text, kind));
    }
    assert!(
        tokens.contains(&(agreement, "agreement", "keyword")),
        "no keyword `agreement` among {tokens:?}: {shown}"
    );
}

/// Formatting the badly laid-out file: its edits, applied by Neovim, give `slac fmt`'s output.
fn check_formatting(seen: &Seen) {
    let answer = seen.step("formatting");
    let shown = format!("formatting of {BADLY_LAID_OUT}: Neovim received {answer:#}");
    let edits = result_of("formatting", &answer["response"])
        .as_array()
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(!edits.is_empty(), "{shown}");
    assert_eq!(answer["before"], SERVICES, "{shown}");

    let copy = tempfile::tempdir().unwrap();
    fs::write(copy.path().join("copy.sla"), SERVICES).unwrap();
    support::slac(copy.path(), &["fmt", "copy.sla"]).assert_code(0);
    let expected = fs::read_to_string(copy.path().join("copy.sla")).unwrap();
    assert_ne!(expected, SERVICES, "the file is badly laid out");
    assert_eq!(answer["after"], expected, "{shown}");
}

/// Rename: refused with the server's reason for an invalid id; else a WorkspaceEdit that,
/// applied by Neovim, renames the party in each of the four files that name it (loading those
/// no buffer showed, to which the plugin attaches the client), and that the server then sees.
fn check_rename(seen: &Seen) {
    let answer = seen.step("rename_refused");
    let shown = format!("rename to `{INVALID_NAME}`: Neovim received {answer:#}");
    assert_eq!(answer["result"], Value::Null, "{shown}");
    // InvalidParams
    assert_eq!(answer["error"]["code"], -32602, "{shown}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("`Bad-Name` is not a valid id"),
        "{shown}"
    );

    let answer = seen.step("rename");
    let shown = format!("rename of `acme` to `{NEW_NAME}`: Neovim received {answer:#}");
    let edit = result_of("rename", &answer["response"]);
    let changed: BTreeSet<String> = edit["changes"]
        .as_object()
        .unwrap_or_else(|| panic!("no changes: {shown}"))
        .keys()
        .map(|uri| seen.file(&json!(uri)))
        .collect();
    let renamed = [
        ("parties.sla", vec![("party acme {", "party acme_corp {")]),
        (
            OPENED,
            vec![
                ("customer acme\n", "customer acme_corp\n"),
                (
                    "with acme.account_manager",
                    "with acme_corp.account_manager",
                ),
            ],
        ),
        (
            "escalations.sla",
            vec![("acme.account_manager", "acme_corp.account_manager")],
        ),
        (
            NOT_OPENED,
            vec![("customer acme\n", "customer acme_corp\n")],
        ),
    ];
    assert_eq!(
        changed,
        renamed.iter().map(|(file, _)| file.to_string()).collect(),
        "{shown}"
    );
    for (file, replacements) in renamed {
        let mut expected = text(file).to_string();
        for (from, to) in replacements {
            assert_eq!(expected.matches(from).count(), 1, "{from} in {file}");
            expected = expected.replace(from, to);
        }
        let buffer = &answer["texts"][file];
        assert_eq!(buffer["loaded"], true, "{file}: {shown}");
        assert_eq!(buffer["attached"], true, "{file}: {shown}");
        assert_eq!(buffer["text"], expected, "{file}: {shown}");
    }
    // A buffer the edit does not reach is left as it was.
    let untouched = &answer["texts"]["agreements/field_ola.sla"];
    assert_eq!(untouched["text"], FIELD_OLA, "{shown}");
    // The server has the edited buffers: the outline of parties.sla names the new party.
    assert_eq!(
        answer["outlines"][seen.uri("parties.sla")],
        json!(["acme_corp", "helpdesk", "field_team"]),
        "{shown}"
    );

    // The diagnostics, once settled, are those of before: nothing names the old party, nor
    // misses the new one.
    let answer = seen.step("diagnostics_after_rename");
    let shown = format!("diagnostics after the rename: Neovim received {answer:#}");
    assert_eq!(answer["settled"], true, "{shown}");
    for (file, diagnostics) in answer["files"].as_object().unwrap() {
        let messages: Vec<&str> = diagnostics
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap_or_default())
            .collect();
        let expected = match file.as_str() {
            OPENED => vec!["unknown escalation policy `standrd`"],
            NOT_OPENED => vec!["unknown calendar `weekend_desk`"],
            _ => vec![],
        };
        assert_eq!(messages.len(), expected.len(), "{file}: {shown}");
        for (message, start) in messages.iter().zip(expected) {
            assert!(message.starts_with(start), "{file}: {shown}");
        }
    }

    let answer = seen.step("hover_after_rename");
    let markdown = hover_markdown("hover on `customer acme_corp` after the rename", answer);
    assert!(
        markdown.starts_with("**party** `acme_corp` — Acme Industries SA"),
        "hover on `customer acme_corp` after the rename: Neovim received {answer:#}"
    );
}
