#![allow(clippy::unwrap_used)]
//! The Neovim plugin of `editors/nvim`, in a real Neovim: headless, with a fresh configuration
//! that only adds the plugin to the runtimepath and calls `require('slac').setup()` with the
//! `slac` binary under test. It opens an agreement of a small workspace, waits for the E002
//! that `slac lsp` publishes for a misspelled escalation policy, and writes what it saw (the
//! buffer's filetype and settings, the attached clients, the diagnostics) as JSON, which the
//! test then checks. The test fails (it is not skipped) when `nvim` is missing: run
//! `scripts/install-test-tools`.

mod support;

use std::fs;
use std::io::ErrorKind;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long Neovim may take, server start and check included, before it counts as hung and is
/// killed. The Lua side gives up waiting for the diagnostic sooner (`WAIT_MS`), so that a
/// missing diagnostic is reported with what Neovim did see.
const NVIM_DEADLINE: Duration = Duration::from_secs(30);

/// How long the server's processes may outlive Neovim's exit.
const EXIT_GRACE: Duration = Duration::from_secs(5);

/// The configuration Neovim starts with (`-u`). Paths come from the environment, so that no
/// path has to be quoted in Lua. The report is written on every outcome, an error included, and
/// Neovim then quits: with status 0 once the E002 arrived, else 1 (`cquit`).
const INIT_LUA: &str = r#"
local report_path = os.getenv('SLAC_TEST_REPORT')
local wait_ms = tonumber(os.getenv('SLAC_TEST_WAIT_MS'))

local function write_report(report)
  local file = assert(io.open(report_path, 'w'))
  file:write(vim.fn.json_encode(report))
  file:close()
end

vim.opt.runtimepath:prepend(os.getenv('SLAC_TEST_PLUGIN'))
local setup_ok, setup_error = pcall(function()
  require('slac').setup({ cmd = { os.getenv('SLAC_TEST_BIN'), 'lsp' } })
end)

local function code_of(diagnostic)
  local lsp = diagnostic.user_data and diagnostic.user_data.lsp
  return diagnostic.code or (lsp and lsp.code) or vim.NIL
end

local function has_e002()
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    if code_of(diagnostic) == 'E002' then
      return true
    end
  end
  return false
end

-- The clients attached to the current buffer: vim.lsp.get_clients() from Neovim 0.10,
-- vim.lsp.get_active_clients() before.
local function attached_clients()
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local attached = {}
  for _, client in pairs(all) do
    if vim.lsp.buf_is_attached(0, client.id) then
      table.insert(attached, { name = client.name, root_dir = client.config.root_dir or vim.NIL })
    end
  end
  return attached
end

-- The titles of the code actions the server offers over the diagnostic's range.
local function code_actions(diagnostic)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    range = {
      start = { line = diagnostic.lnum, character = diagnostic.col },
      ['end'] = { line = diagnostic.end_lnum, character = diagnostic.end_col },
    },
    context = { diagnostics = {} },
  }
  local titles = {}
  local responses = vim.lsp.buf_request_sync(0, 'textDocument/codeAction', params, 5000) or {}
  for _, response in pairs(responses) do
    for _, action in ipairs(response.result or {}) do
      table.insert(titles, action.title)
    end
  end
  return titles
end

local function run()
  local received = vim.wait(wait_ms, has_e002, 20)
  local diagnostics = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    table.insert(diagnostics, {
      code = code_of(diagnostic),
      message = diagnostic.message,
      line = diagnostic.lnum,
      col = diagnostic.col,
      source = diagnostic.source or vim.NIL,
      severity = diagnostic.severity,
      code_actions = code_actions(diagnostic),
    })
  end
  local version = vim.version()
  write_report({
    received = received,
    nvim = string.format('%d.%d.%d', version.major, version.minor, version.patch),
    setup_error = setup_ok and vim.NIL or tostring(setup_error),
    file = vim.api.nvim_buf_get_name(0),
    filetype = vim.bo.filetype,
    syntax = vim.b.current_syntax or vim.NIL,
    commentstring = vim.bo.commentstring,
    shiftwidth = vim.bo.shiftwidth,
    expandtab = vim.bo.expandtab,
    clients = attached_clients(),
    diagnostics = diagnostics,
  })
  return received
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    local ok, received = pcall(run)
    if not ok then
      pcall(write_report, { error = tostring(received) })
    end
    vim.cmd(ok and received and 'qall!' or 'cquit')
  end,
})
"#;

/// The agreement opened in Neovim: its escalation policy is misspelled (`standrd`), and
/// `standard` is declared in another file of the workspace, which the server only sees when the
/// plugin gave it the workspace's root (the folder of slac.toml, above the agreement's).
const AGREEMENT: &str = r#"// Printer support, with a misspelled escalation policy.

party acme {
  name "Acme Industries SA"
  kind external
}

party helpdesk {
  name "Service Desk"
  kind internal
  contact oncall "oncall@provider.example"
}

service printers {
  name "Printer support"
  owner helpdesk
}

agreement acme_printers {
  title "Printer support for Acme"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme
  services printers
  escalation standrd

  objective response {
    sli response_time
    target 95%
    window month
    within 4h
  }
}
"#;

const ESCALATIONS: &str = r#"escalation standard {
  level 1 at 50% notify helpdesk.oncall
}
"#;

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

/// Opens `file` in a headless Neovim started with [`INIT_LUA`] in `workspace`, and waits for it
/// to quit, within [`NVIM_DEADLINE`]; then checks that the server it started quits too.
fn run_nvim(workspace: &Path, file: &Path) -> NvimRun {
    let scratch = tempfile::tempdir().unwrap();
    let init = scratch.path().join("init.lua");
    fs::write(&init, INIT_LUA).unwrap();
    let report_path = scratch.path().join("report.json");
    let log_path = scratch.path().join("nvim.log");
    let log = fs::File::create(&log_path).unwrap();
    let plugin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../editors/nvim");
    let plugin = plugin.canonicalize().unwrap();
    let xdg = |name: &str| scratch.path().join(name);
    let wait_ms = (NVIM_DEADLINE - Duration::from_secs(10)).as_millis();

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
        .env("SLAC_TEST_REPORT", &report_path)
        .env("SLAC_TEST_PLUGIN", &plugin)
        .env("SLAC_TEST_BIN", env!("CARGO_BIN_EXE_slac"))
        .env("SLAC_TEST_WAIT_MS", wait_ms.to_string())
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

/// A workspace with slac.toml at its root, the escalation policies beside it, and the
/// agreement one folder down; returns the root (without symbolic links, as Neovim names it)
/// and the agreement's path.
fn workspace(dir: &Path) -> (PathBuf, PathBuf) {
    let root = dir.canonicalize().unwrap();
    fs::write(root.join("slac.toml"), "[workspace]\n").unwrap();
    fs::write(root.join("escalations.sla"), ESCALATIONS).unwrap();
    fs::create_dir(root.join("agreements")).unwrap();
    let agreement = root.join("agreements/acme.sla");
    fs::write(&agreement, AGREEMENT).unwrap();
    (root, agreement)
}

#[test]
fn neovim_shows_the_servers_e002_with_its_hint_in_an_sla_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let (root, agreement) = workspace(dir.path());
    let run = run_nvim(&root, &agreement);
    let context = run.describe();
    let report = run
        .report
        .as_ref()
        .unwrap_or_else(|| panic!("Neovim wrote no report\n{context}"));
    assert!(report.get("error").is_none(), "init.lua failed\n{context}");
    assert_eq!(report["setup_error"], Value::Null, "{context}");
    assert!(run.status.success(), "{context}");
    assert_eq!(report["received"], true, "{context}");

    // The plugin's ftdetect, ftplugin and syntax.
    assert_eq!(report["file"], agreement.to_str().unwrap(), "{context}");
    assert_eq!(report["filetype"], "sla", "{context}");
    assert_eq!(report["syntax"], "sla", "{context}");
    assert_eq!(report["commentstring"], "// %s", "{context}");
    assert_eq!(report["shiftwidth"], 2, "{context}");
    assert_eq!(report["expandtab"], true, "{context}");

    // One client, named slac, rooted at the folder of slac.toml (not the agreement's).
    let clients = report["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{context}");
    assert_eq!(clients[0]["name"], "slac", "{context}");
    assert_eq!(clients[0]["root_dir"], root.to_str().unwrap(), "{context}");

    // The one diagnostic of the buffer: E002 on `standrd`, with the suggestion the server can
    // only make when it loaded the whole workspace.
    let (line, text) = AGREEMENT
        .lines()
        .enumerate()
        .find(|(_, text)| text.contains("escalation standrd"))
        .unwrap();
    let col = text.find("standrd").unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{context}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "E002", "{context}");
    assert_eq!(diagnostic["source"], "slac", "{context}");
    assert_eq!(diagnostic["line"], line, "{context}");
    assert_eq!(diagnostic["col"], col, "{context}");
    // vim.diagnostic.severity.ERROR
    assert_eq!(diagnostic["severity"], 1, "{context}");
    let message = diagnostic["message"].as_str().unwrap();
    assert!(
        message.starts_with("unknown escalation policy `standrd`"),
        "{context}"
    );
    assert!(message.contains("did you mean `standard`?"), "{context}");
    // The quick fix that goes with the suggestion.
    assert_eq!(
        diagnostic["code_actions"],
        serde_json::json!(["Replace with `standard`"]),
        "{context}"
    );
}
