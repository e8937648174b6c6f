// End-to-end test of the packaged VS Code extension: installs the .vsix into the VS Code of
// code-server, opens a copy of ./workspace in it, drives the web client with Chromium through
// playwright-core, and checks that what VS Code shows comes from `slac lsp` through the
// extension. What is expected is asked of `slac` itself first (`slac check`, `slac fmt`, and
// `slac lsp` over stdio), never written down here.
//
// Usage: node e2e.mjs --slac BIN --vsix FILE --tmp DIR [--chromium BIN] [--budget SECONDS]
// Everything it writes goes under --tmp (the workspace copy, code-server's folders and log,
// Chromium's profile, a screenshot on failure), and code-server's process id into
// --tmp/code-server.pid, so that the caller can stop it even when this script is killed.
// Within --budget seconds (default 180) it is done, passed or failed, and it stops code-server
// and Chromium whatever happens (also on SIGTERM and SIGINT).
// Run by scripts/test-vscode-e2e, which prepares code-server.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs(process.argv.slice(2));
const slac = path.resolve(need(args, 'slac'));
const vsix = path.resolve(need(args, 'vsix'));
const tmp = path.resolve(need(args, 'tmp'));
const chromiumPath = args.chromium ?? '/usr/bin/chromium';
const budgetMs = Number(args.budget ?? 180) * 1000;
const codeServer = path.join(here, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** How long one thing shown by VS Code may take to appear. */
const UI_TIMEOUT = 30_000;

const started = Date.now();
const ws = path.join(tmp, 'workspace');
const logFile = path.join(tmp, 'code-server.log');
const dataDir = path.join(tmp, 'data');
const extDir = path.join(tmp, 'extensions');
const home = path.join(tmp, 'home');

let server; // the code-server process (leader of its own process group)
let browser; // Chromium's browser context (persistent: its profile is under tmp)
let page;
let step = 'start';
const checked = [];
let failed = false; // fail() has run

const deadline = setTimeout(() => {
  fail(new Error(`timed out after ${budgetMs / 1000}s`)).finally(() => process.exit(1));
}, budgetMs);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    fail(new Error(`stopped by ${signal}`)).finally(() => process.exit(1));
  });
}

try {
  await main();
  clearTimeout(deadline);
  await cleanup();
  console.log('e2e: checked, in VS Code (code-server) with the packaged extension:');
  for (const line of checked) console.log(`  - ${line}`);
  process.exit(0);
} catch (err) {
  clearTimeout(deadline);
  await fail(err);
  process.exit(1);
}

async function main() {
  // The workspace, copied so that the test may edit and save it.
  fs.rmSync(ws, { recursive: true, force: true });
  fs.cpSync(path.join(here, 'workspace'), ws, { recursive: true });
  const agreementFile = path.join(ws, 'agreement.sla');
  const agreementText = fs.readFileSync(agreementFile, 'utf8');

  // --- What slac says.
  step = 'ask slac check';
  const diagnostics = slacCheck(ws);
  if (diagnostics.length !== 1 || diagnostics[0].code !== 'E002') {
    throw new Error(
      'the fixture workspace should have exactly one diagnostic, an E002; slac check says:\n' +
        JSON.stringify(diagnostics, null, 2),
    );
  }
  const e002 = diagnostics[0];
  if (path.basename(e002.file) !== 'agreement.sla') {
    throw new Error(`the E002 should be in agreement.sla, slac check puts it in ${e002.file}`);
  }

  step = 'ask slac fmt';
  const unformattedFile = path.join(ws, 'holidays.sla');
  const unformatted = fs.readFileSync(unformattedFile, 'utf8');
  const oracleDir = path.join(tmp, 'fmt');
  fs.mkdirSync(oracleDir, { recursive: true });
  const oracleFile = path.join(oracleDir, 'holidays.sla');
  fs.writeFileSync(oracleFile, unformatted);
  run(slac, ['fmt', oracleFile]);
  const formatted = fs.readFileSync(oracleFile, 'utf8');
  if (formatted === unformatted) {
    throw new Error('holidays.sla should not be formatted yet, but slac fmt leaves it as it is');
  }

  // The reference to ask about: the calendar named in the objective of agreement.sla.
  const lines = agreementText.split('\n');
  const refLine = lines.findIndex((l) => /^\s*calendar\s+\w+/.test(l));
  if (refLine < 0) throw new Error('agreement.sla has no `calendar <name>` line');
  const refName = /^\s*calendar\s+(\w+)/.exec(lines[refLine])[1];
  const refStart = lines[refLine].indexOf(refName, lines[refLine].indexOf('calendar') + 'calendar'.length);
  const inRef = { line: refLine, character: refStart + 1 };

  step = 'ask slac lsp';
  const lsp = await startLsp(slac, ws);
  let oracle;
  try {
    const textDocument = { uri: pathToFileURL(agreementFile).href };
    await lsp.notify('textDocument/didOpen', {
      textDocument: { ...textDocument, languageId: 'sla', version: 1, text: agreementText },
    });
    oracle = {
      hover: await lsp.request('textDocument/hover', { textDocument, position: inRef }),
      completion: await lsp.request('textDocument/completion', {
        textDocument,
        position: { line: refLine, character: refStart },
      }),
      definition: await lsp.request('textDocument/definition', { textDocument, position: inRef }),
    };
  } finally {
    await lsp.stop();
  }
  const hoverMarkdown = markupText(oracle.hover?.contents);
  if (!hoverMarkdown) {
    throw new Error(`slac lsp has no hover on \`${refName}\`: ${JSON.stringify(oracle.hover)}`);
  }
  const hoverLines = plainLines(hoverMarkdown);
  const completionItems = Array.isArray(oracle.completion)
    ? oracle.completion
    : (oracle.completion?.items ?? []);
  const completionLabels = completionItems.map((i) => i.label).sort();
  if (completionLabels.length === 0) throw new Error(`slac lsp offers no completion at \`${refName}\``);
  const definition = [oracle.definition].flat()[0];
  if (!definition) throw new Error(`slac lsp has no definition for \`${refName}\``);
  const defUri = definition.targetUri ?? definition.uri;
  const defRange = definition.targetSelectionRange ?? definition.range;
  const defFile = path.basename(fileURLToPath(defUri));

  // --- code-server, with the packaged extension.
  step = 'install the extension';
  fs.mkdirSync(path.join(dataDir, 'User'), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const configFile = path.join(tmp, 'code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  const installed = run(process.execPath, [
    codeServer,
    '--config', configFile,
    '--user-data-dir', dataDir,
    '--extensions-dir', extDir,
    '--install-extension', vsix,
  ], { env: serverEnv() });
  const manifest = installedManifest();
  if (!manifest) throw new Error(`code-server did not install ${vsix}:\n${installed}`);
  const languageName = manifest.contributes.languages.find((l) => l.id === 'sla').aliases[0];

  fs.writeFileSync(
    path.join(dataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'slac.path': slac,
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'update.mode': 'none',
        'workbench.startupEditor': 'none',
        'workbench.enableExperiments': false,
        'workbench.tips.enabled': false,
        'chat.commandCenter.enabled': false,
        // Nothing pops up unless the test asks for it.
        'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
        'editor.suggestOnTriggerCharacters': false,
        'files.autoSave': 'off',
      },
      null,
      2,
    ),
  );

  step = 'start code-server';
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  server = spawn(
    process.execPath,
    [
      codeServer,
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--user-data-dir', dataDir,
      '--extensions-dir', extDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--disable-proxy',
      '--ignore-last-opened',
    ],
    { env: serverEnv(), stdio: ['ignore', log, log], detached: true },
  );
  fs.closeSync(log);
  fs.writeFileSync(path.join(tmp, 'code-server.pid'), `${server.pid}\n`);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('code-server to answer /healthz', async () => {
    if (server.exitCode !== null) throw new Error(`code-server exited with status ${server.exitCode}`);
    try {
      return (await fetch(`${base}/healthz`)).ok;
    } catch {
      return false;
    }
  }, 60_000);

  step = 'start chromium';
  // A persistent context, for its profile folder: it is under tmp, where the caller finds
  // Chromium's processes by it should this script be killed before it closes them.
  browser = await chromium.launchPersistentContext(path.join(tmp, 'chromium-profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  page = browser.pages()[0] ?? (await browser.newPage());

  step = 'open the workspace';
  await page.goto(`${base}/?${new URLSearchParams({ folder: ws })}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const explorerItem = (name) =>
    page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
  await explorerItem('agreement.sla').waitFor({ timeout: 60_000 });

  step = 'open agreement.sla';
  await openFromExplorer(explorerItem, 'agreement.sla');

  step = 'language mode';
  const mode = page.locator('[id="status.editor.mode"]');
  await waitFor(
    `the status bar to show the language ${languageName}`,
    async () => (await textOf(mode)) === languageName,
  );
  checked.push(`agreement.sla opens in the extension's language: the status bar says "${languageName}"`);

  step = 'diagnostics in the Problems panel';
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel');
  const where = `[Ln ${e002.line}, Col ${e002.column}]`;
  await waitFor(`the Problems panel to show ${e002.code} ${e002.message} ${where}`, async () => {
    const text = await textOf(problems);
    return text.includes(e002.code) && text.includes(e002.message) && text.includes(where);
  });
  const errorsShown = await page.locator('.markers-panel .monaco-list-row .codicon-error').count();
  if (errorsShown !== 1) {
    throw new Error(`the Problems panel shows ${errorsShown} errors, slac check reports 1`);
  }
  checked.push(`Problems panel: ${e002.code} "${e002.message}" at ${where}, as \`slac check\` reports it`);
  await page.keyboard.press('Control+Shift+M'); // hides the panel again
  await focusEditor();

  step = 'hover';
  await goTo(inRef);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hovers = page.locator('.monaco-editor .monaco-hover:not(.hidden)');
  let hoverShown = [];
  await waitFor(`the hover on \`${refName}\` to show ${JSON.stringify(hoverLines)}`, async () => {
    hoverShown = (await hovers.allInnerTexts()).map(normalize);
    return hoverShown.some((text) => hoverLines.every((l) => text.includes(l)));
  }, UI_TIMEOUT, () => `hovers shown: ${JSON.stringify(hoverShown)}`);
  checked.push(
    `hover on \`${refName}\` (line ${inRef.line + 1}): ` +
      `${hoverLines.map((l) => `"${l}"`).join(', ')}, as \`slac lsp\` answers`,
  );
  await page.keyboard.press('Escape');

  step = 'completion';
  await goTo({ line: refLine, character: refStart });
  await page.keyboard.press('Control+Space');
  const rows = page.locator('.suggest-widget.visible .monaco-list-row .label-name');
  let shown = [];
  await waitFor(`the suggestions to be ${completionLabels.join(', ')}`, async () => {
    shown = (await rows.allInnerTexts()).map((s) => s.trim()).sort();
    return JSON.stringify(shown) === JSON.stringify(completionLabels);
  }, UI_TIMEOUT, () => `shown: ${shown.join(', ') || 'nothing'}`);
  checked.push(`completion at \`${refName}\`: ${completionLabels.join(', ')}, as \`slac lsp\` offers`);
  await page.keyboard.press('Escape');

  step = 'go to definition';
  await goTo(inRef);
  await page.keyboard.press('F12');
  const activeTab = page.locator('.tabs-container .tab.active');
  const selection = page.locator('[id="status.editor.selection"]');
  const at = `Ln ${defRange.start.line + 1}, Col ${defRange.start.character + 1}`;
  await waitFor(`F12 to open ${defFile} at ${at}`, async () => {
    const tab = await activeTab.getAttribute('aria-label', { timeout: 1000 }).catch(() => '');
    return (tab ?? '').startsWith(defFile) && (await textOf(selection)).startsWith(at);
  });
  checked.push(`go to definition (F12) on \`${refName}\`: ${defFile} at ${at}, as \`slac lsp\` answers`);

  step = 'format holidays.sla';
  await openFromExplorer(explorerItem, 'holidays.sla');
  await runCommand('Format Document');
  // The edits of the server arrive asynchronously: save once the editor holds them.
  await page.locator('.tabs-container .tab.active.dirty').waitFor({ timeout: UI_TIMEOUT });
  await page.keyboard.press('Control+S');
  let onDisk = '';
  await waitFor('holidays.sla, formatted and saved, to equal the output of slac fmt', async () => {
    onDisk = fs.readFileSync(unformattedFile, 'utf8');
    return onDisk === formatted;
  }, UI_TIMEOUT, () => `on disk now:\n${onDisk}\nslac fmt writes:\n${formatted}`);
  checked.push('Format Document on holidays.sla, then save: the file equals what `slac fmt` writes');

  step = 'a wrong slac.path';
  // In the Settings editor, as a user would: changing slac.path restarts the server
  // (extension.js), and a binary that does not exist makes the extension say so.
  const missing = path.join(tmp, 'no-such-slac');
  await runCommand('Preferences: Open Settings (UI)');
  const search = page.locator('.settings-editor .settings-header .monaco-editor textarea').first();
  await search.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await search.focus();
  await page.keyboard.type('slac.path');
  // slac.path is machine-overridable: in a remote window (code-server's is one), VS Code lists
  // it under the Remote tab, where it is set for the machine that runs the server.
  await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).click();
  const pathInput = page
    .locator('.settings-editor .settings-tree-container .setting-item-contents', { hasText: 'Path' })
    .locator('input');
  await pathInput.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await pathInput.fill(missing);
  await pathInput.press('Enter');
  const toasts = page.locator('.notifications-toasts .notification-toast');
  const expected = `could not start the language server with \`${missing} lsp\``;
  let toastTexts = [];
  await waitFor(`a notification saying "${expected}"`, async () => {
    toastTexts = (await toasts.allInnerTexts()).map(normalize);
    return toastTexts.some((t) => t.includes(expected));
  }, UI_TIMEOUT, () => `notifications: ${JSON.stringify(toastTexts)}`);
  checked.push(`slac.path set to a missing binary: the server restarts and the extension says "${expected}"`);
}

// --- VS Code, through the page.

async function openFromExplorer(explorerItem, name) {
  const item = explorerItem(name);
  await item.waitFor({ timeout: UI_TIMEOUT });
  await item.dblclick();
  const activeTab = page.locator('.tabs-container .tab.active');
  await waitFor(`${name} to be the active editor`, async () => {
    const tab = await activeTab.getAttribute('aria-label', { timeout: 1000 }).catch(() => '');
    return (tab ?? '').startsWith(name);
  });
  await focusEditor();
}

async function focusEditor() {
  await page
    .locator('.editor-group-container.active .monaco-editor .view-lines')
    .first()
    .click({ position: { x: 5, y: 5 } });
}

/** Moves the cursor with Go to Line/Column (Ctrl+G); `position` is 0-based, as in LSP. */
async function goTo(position) {
  await focusEditor();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await input.fill(`:${position.line + 1}:${position.character + 1}`);
  await page.keyboard.press('Enter');
  const at = `Ln ${position.line + 1}, Col ${position.character + 1}`;
  const selection = page.locator('[id="status.editor.selection"]');
  await waitFor(`the cursor to be at ${at}`, async () => (await textOf(selection)) === at);
}

/** Runs a command by its title through the command palette (F1). */
async function runCommand(title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await input.fill(`>${title}`);
  const first = page.locator('.quick-input-widget .monaco-list-row').first();
  await waitFor(`the command palette to offer "${title}" first`, async () => {
    const label = await first.getAttribute('aria-label', { timeout: 1000 }).catch(() => '');
    return (label ?? '').startsWith(title) && !(label ?? '').startsWith(`${title} `);
  });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

async function textOf(locator) {
  try {
    return (await locator.innerText({ timeout: 1000 })).trim();
  } catch {
    return '';
  }
}

// --- slac itself.

function slacCheck(folder) {
  const out = spawnSync(slac, ['check', folder, '--format', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (out.error) throw out.error;
  return out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

/** A minimal LSP client of `slac lsp` over stdio: the oracle of what VS Code should show. */
async function startLsp(binary, root) {
  const proc = spawn(binary, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map();
  const send = (message) => {
    const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...message }));
    proc.stdin.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]));
  };
  proc.stdout.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString());
      buffer = buffer.subarray(end + 4 + length);
      if (message.method && message.id !== undefined) {
        send({ id: message.id, result: null }); // a request of the server (registerCapability)
      } else if (message.id !== undefined && pending.has(message.id)) {
        pending.get(message.id)(message);
        pending.delete(message.id);
      }
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const request = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(
        () => reject(new Error(`slac lsp did not answer ${method} in 10s\n${stderr}`)),
        10_000,
      );
      pending.set(id, (m) => {
        clearTimeout(timer);
        if (m.error) reject(new Error(`slac lsp: ${method}: ${JSON.stringify(m.error)}`));
        else resolve(m.result);
      });
      send({ id, method, params });
    });
  const notify = async (method, params) => send({ method, params });
  const rootUri = pathToFileURL(root).href;
  await request('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(root) }],
    capabilities: { textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } } },
  });
  await notify('initialized', {});
  return {
    request,
    notify,
    stop: async () => {
      try {
        await request('shutdown');
        await notify('exit');
      } catch {
        proc.kill('SIGKILL');
      }
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The text of hover contents (MarkupContent, MarkedString or an array of them). */
function markupText(contents) {
  if (!contents) return '';
  if (typeof contents === 'string') return contents;
  if (Array.isArray(contents)) return contents.map(markupText).join('\n\n');
  return contents.value ?? '';
}

/**
 * The lines of a Markdown hover as VS Code renders them in text: emphasis and code marks and
 * list bullets dropped. Table rows are left out (rendered as cells, their text is not one line).
 */
function plainLines(markdown) {
  return markdown
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('|'))
    .map((l) => normalize(l.replace(/^[-*]\s+/, '').replace(/\*\*|`/g, '')));
}

function normalize(text) {
  return text.replace(/\s+/g, ' ').trim();
}

// --- Plumbing.

function serverEnv() {
  // code-server writes its default config and logs under the XDG folders of $HOME, and VS Code
  // its sockets in $TMPDIR: keep them all in the temporary folder.
  fs.mkdirSync(path.join(home, 'tmp'), { recursive: true });
  return {
    ...process.env,
    HOME: home,
    TMPDIR: path.join(home, 'tmp'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
  };
}

function installedManifest() {
  if (!fs.existsSync(extDir)) return undefined;
  const dir = fs.readdirSync(extDir).find((d) => d.startsWith('slac-dev.slac-'));
  return dir && JSON.parse(fs.readFileSync(path.join(extDir, dir, 'package.json'), 'utf8'));
}

function run(command, argv, options = {}) {
  const out = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000, ...options });
  if (out.error) throw out.error;
  if (out.status !== 0) {
    const what = `${path.basename(command)} ${argv.join(' ')}`;
    throw new Error(`${what} exited with ${out.status}:\n${out.stdout}${out.stderr}`);
  }
  return out.stdout + out.stderr;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(what, condition, timeout = UI_TIMEOUT, detail = () => '') {
  const until = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > until) {
      const more = detail();
      throw new Error(`waited ${timeout / 1000}s for ${what}${more ? `\n${more}` : ''}`);
    }
    await sleep(200);
  }
}

async function fail(err) {
  if (failed) return;
  failed = true;
  const after = Math.round((Date.now() - started) / 1000);
  console.error(`e2e: FAILED at step "${step}" after ${after}s: ${err?.stack ?? err}`);
  if (checked.length) {
    console.error('e2e: checked before the failure:');
    for (const line of checked) console.error(`  - ${line}`);
  }
  if (page) {
    const shot = path.join(tmp, 'failure.png');
    try {
      await page.screenshot({ path: shot, timeout: 10_000 });
      console.error(`e2e: screenshot: ${shot}`);
    } catch (e) {
      console.error(`e2e: no screenshot: ${e.message}`);
    }
  }
  for (const file of [logFile, ...findLogs(path.join(dataDir, 'logs'), /slac|exthost/i)]) {
    if (!fs.existsSync(file)) continue;
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    console.error(`e2e: last lines of ${file}:`);
    console.error(lines.slice(-30).map((l) => `  ${l}`).join('\n'));
  }
  await cleanup();
}

function findLogs(dir, pattern) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map((f) => path.join(dir, String(f)))
    .filter((f) => f.endsWith('.log') && pattern.test(path.basename(f)) && fs.statSync(f).isFile());
}

async function cleanup() {
  if (browser) {
    const b = browser;
    browser = undefined;
    await Promise.race([b.close().catch(() => {}), sleep(5000)]);
  }
  if (server) {
    // code-server leads its own process group, with VS Code's server, the extension host and
    // the `slac lsp` it started: SIGTERM to the group, then SIGKILL to what is left of it.
    const group = -server.pid;
    const gone = new Promise((r) => server.once('exit', r));
    const signal = (name) => {
      try {
        process.kill(group, name);
      } catch {
        // already gone
      }
    };
    if (server.exitCode === null && server.signalCode === null) {
      signal('SIGTERM');
      await Promise.race([gone, sleep(5000)]);
    }
    signal('SIGKILL');
    server = undefined;
    fs.rmSync(path.join(tmp, 'code-server.pid'), { force: true });
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      console.error(`e2e: bad arguments: ${argv.join(' ')}`);
      process.exit(2);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

function need(options, name) {
  if (!options[name]) {
    console.error(`e2e: --${name} is needed`);
    process.exit(2);
  }
  return options[name];
}
