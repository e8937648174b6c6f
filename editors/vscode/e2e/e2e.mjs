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
let oracle; // `slac lsp`, asked over stdio what VS Code should show
let step = 'start';
let uiSeconds = 0; // how long the checks in the workbench took
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
  const total = Math.round((Date.now() - started) / 1000);
  console.log(`e2e: ${checked.length} checks in ${Math.round(uiSeconds)}s, ${total}s in all`);
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
  const original = Object.fromEntries(slaFiles().map((name) => [name, readWs(name)]));
  const agreementText = original['agreement.sla'];
  const agreementLines = agreementText.split('\n');

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
  // The faulty reference, and where it starts in UTF-16 code units (what VS Code counts in):
  // `slac check` counts columns in characters. The fixture puts accented and non-BMP
  // characters before it on its line, so that the three ways of counting differ.
  const fault = { line: e002.line - 1 };
  const faultText = agreementLines[fault.line];
  const faultChars = [...faultText];
  const faultName = faultChars.slice(e002.column - 1, e002.end_column - 1).join('');
  fault.character = faultChars.slice(0, e002.column - 1).join('').length;
  const faultBytes = Buffer.byteLength(faultChars.slice(0, e002.column - 1).join(''));
  if (new Set([fault.character, e002.column - 1, faultBytes]).size !== 3) {
    throw new Error(
      `line ${e002.line} of agreement.sla should have non-BMP and accented characters before ` +
        `\`${faultName}\`, so that its UTF-16, character and byte columns differ`,
    );
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
  const refLine = agreementLines.findIndex((l) => /^\s*calendar\s+\w+/.test(l));
  if (refLine < 0) throw new Error('agreement.sla has no `calendar <name>` line');
  const refName = /^\s*calendar\s+(\w+)/.exec(agreementLines[refLine])[1];
  const refStart = agreementLines[refLine].indexOf(
    refName,
    agreementLines[refLine].indexOf('calendar') + 'calendar'.length,
  );
  const inRef = { line: refLine, character: refStart + 1 };

  // `slac lsp` itself, over stdio, on the same folder as VS Code: it runs until the end of the
  // test, and is told of every change VS Code makes, so that each check compares VS Code with
  // what the server answers in the same state.
  step = 'ask slac lsp';
  oracle = await startLsp(slac, ws);
  const agreement = docOf('agreement.sla');
  await oracle.round(() => oracle.open('agreement.sla', agreementText));
  const initialProblems = oracle.problems();
  const served = oracle.diagnosticsOf('agreement.sla').find((d) => d.code === 'E002');
  if (
    !served ||
    served.range.start.line !== fault.line ||
    !served.message.startsWith(e002.message)
  ) {
    throw new Error(
      `slac lsp and slac check disagree on the E002:\n${JSON.stringify(served)}\n${JSON.stringify(e002)}`,
    );
  }

  const hover = await oracle.request('textDocument/hover', { textDocument: agreement, position: inRef });
  const hoverMarkdown = markupText(hover?.contents);
  if (!hoverMarkdown) {
    throw new Error(`slac lsp has no hover on \`${refName}\`: ${JSON.stringify(hover)}`);
  }
  const hoverLines = plainLines(hoverMarkdown);
  const completion = await oracle.request('textDocument/completion', {
    textDocument: agreement,
    position: { line: refLine, character: refStart },
  });
  const completionItems = Array.isArray(completion) ? completion : (completion?.items ?? []);
  const completionLabels = completionItems.map((i) => i.label).sort();
  if (completionLabels.length === 0) throw new Error(`slac lsp offers no completion at \`${refName}\``);
  const definition = [
    await oracle.request('textDocument/definition', { textDocument: agreement, position: inRef }),
  ].flat()[0];
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
        // Nothing covers the editor's first line, where the test clicks to focus it.
        'editor.stickyScroll.enabled': false,
        // Semantic tokens are drawn whatever the theme says.
        'editor.semanticHighlighting.enabled': true,
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
  await explorerItem('agreement.sla').waitFor({ timeout: 60_000 });
  const startedUi = Date.now();

  await check('language mode', async () => {
    await openFromExplorer('agreement.sla');
    const mode = page.locator('[id="status.editor.mode"]');
    await waitFor(
      `the status bar to show the language ${languageName}`,
      async () => (await textOf(mode)) === languageName,
    );
    return `agreement.sla opens in the extension's language: the status bar says "${languageName}"`;
  });

  await check('diagnostics in the Problems panel', async () => {
    // The panel stays open from now on: every later check of diagnostics reads it.
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel').waitFor({ timeout: UI_TIMEOUT });
    await waitForProblems('the diagnostics of slac lsp', initialProblems);
    await focusEditor();
    return (
      `Problems panel: ${initialProblems.join('; ')}, as \`slac lsp\` publishes it ` +
      '(code, message and line as `slac check` reports them), and nothing else'
    );
  });

  await check('positions in UTF-16', async () => {
    const col = served.range.start.character + 1;
    const encoding = oracle.capabilities.positionEncoding ?? 'utf-16';
    if (encoding !== 'utf-16') {
      throw new Error(`slac lsp chose the position encoding ${encoding}, VS Code offers none`);
    }
    if (served.range.start.character !== fault.character) {
      throw new Error(
        `slac lsp puts the E002 at character ${served.range.start.character} of line ${fault.line + 1}; ` +
          `\`${faultName}\` starts at UTF-16 column ${fault.character} ` +
          `(character ${e002.column - 1}, byte ${faultBytes})`,
      );
    }
    // The Problems panel shows it there (checked above), and VS Code draws its squiggle under
    // exactly the faulty reference: VS Code's columns are UTF-16 ones.
    await goTo({ line: fault.line, character: 0 });
    let geometry;
    await waitFor(`the squiggle of the E002 to be under \`${faultName}\``, async () => {
      geometry = await squiggleUnder(faultName);
      const { text, squiggles } = geometry;
      return text && squiggles.some(
        (r) => Math.abs(r.left - text.left) < 1.5 && Math.abs(r.right - text.right) < 1.5,
      );
    }, UI_TIMEOUT, () => `text and squiggles: ${JSON.stringify(geometry)}`);
    return (
      `UTF-16 positions: on line ${fault.line + 1}, after accented and non-BMP characters, the E002 on ` +
      `\`${faultName}\` is at Col ${col} in the Problems panel, and its squiggle is under it ` +
      `(\`slac check\`: character ${e002.column}; UTF-8 byte ${faultBytes + 1})`
    );
  });

  await check('hover', async () => {
    await goTo(inRef);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hovers = page.locator('.monaco-editor .monaco-hover:not(.hidden)');
    let hoverShown = [];
    await waitFor(`the hover on \`${refName}\` to show ${JSON.stringify(hoverLines)}`, async () => {
      hoverShown = (await hovers.allInnerTexts()).map(normalize);
      return hoverShown.some((text) => hoverLines.every((l) => text.includes(l)));
    }, UI_TIMEOUT, () => `hovers shown: ${JSON.stringify(hoverShown)}`);
    await page.keyboard.press('Escape');
    return (
      `hover on \`${refName}\` (line ${inRef.line + 1}): ` +
      `${hoverLines.map((l) => `"${l}"`).join(', ')}, as \`slac lsp\` answers`
    );
  });

  await check('completion', async () => {
    await goTo({ line: refLine, character: refStart });
    await page.keyboard.press('Control+Space');
    const rows = page.locator('.suggest-widget.visible .monaco-list-row .label-name');
    let shown = [];
    await waitFor(`the suggestions to be ${completionLabels.join(', ')}`, async () => {
      shown = (await rows.allInnerTexts()).map((s) => s.trim()).sort();
      return same(shown, completionLabels);
    }, UI_TIMEOUT, () => `shown: ${shown.join(', ') || 'nothing'}`);
    await page.keyboard.press('Escape');
    return `completion at \`${refName}\`: ${completionLabels.join(', ')}, as \`slac lsp\` offers`;
  });

  await check('semantic tokens', async () => {
    const tokens = await oracle.request('textDocument/semanticTokens/full', { textDocument: agreement });
    const legend = oracle.capabilities.semanticTokensProvider.legend;
    const seen = [];
    // The calendar reference, and the faulty reference after the non-BMP characters (whose
    // token is only there if the server counts in UTF-16 too).
    const places = [
      [refName, inRef],
      [faultName, { line: fault.line, character: fault.character + 1 }],
    ];
    for (const [what, at] of places) {
      const token = semanticTokenAt(tokens.data, legend, at);
      if (!token) throw new Error(`slac lsp has no semantic token at \`${what}\``);
      // The text the server's token covers, its columns counted in UTF-16 as JavaScript does.
      token.text = agreementLines[at.line].slice(token.start, token.start + token.length);
      if (token.text !== what) {
        throw new Error(`slac lsp's semantic token at \`${what}\` covers \`${token.text}\``);
      }
      await goTo(at, agreementLines[at.line]);
      await runCommand('Developer: Inspect Editor Tokens and Scopes');
      const widget = page.locator('.token-inspect-widget');
      let shown = {};
      const wanted = `the token inspector to show the semantic token type ${token.type} on \`${what}\``;
      await waitFor(wanted, async () => {
        // The rows of its tables, and its title: the text of the semantic token under the cursor.
        shown = await widget.evaluate((w) => ({
          ...Object.fromEntries([...w.querySelectorAll('tr')]
            .map((r) => [...r.querySelectorAll('td')].map((td) => td.innerText.trim()))
            .filter((cells) => cells.length === 2)),
          token: w.querySelector('h2.tiw-token')?.firstChild?.textContent ?? '',
        }), undefined, { timeout: 1000 }).catch(() => ({}));
        return shown['semantic token type'] === token.type &&
          (shown.modifiers ?? '') === token.modifiers.join(' ') &&
          shown.token === token.text;
      }, UI_TIMEOUT, () => `inspector: ${JSON.stringify(shown)}`);
      await page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: UI_TIMEOUT }).catch(() => {});
      seen.push(`\`${what}\` (line ${at.line + 1}) is a \`${token.type}\` over \`${token.text}\``);
    }
    return (
      `semantic tokens (Developer: Inspect Editor Tokens and Scopes): ${seen.join(', ')}, ` +
      "as the server's tokens and legend say"
    );
  });

  await check('document symbols', async () => {
    const symbols = await oracle.request('textDocument/documentSymbol', { textDocument: agreement });
    const expected = flattenSymbols(symbols);
    if (!expected.some((s) => s.container)) {
      throw new Error(`slac lsp nests no symbol in agreement.sla: ${JSON.stringify(symbols)}`);
    }
    await focusEditor();
    await page.keyboard.press('Control+Shift+O');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    let shown = [];
    const listed = expected.map(describeSymbol).join(', ');
    await waitFor(`Go to Symbol in Editor to list ${listed}`, async () => {
      shown = await quickPickRows(rows);
      return same(shown.map(describeSymbol), expected.map(describeSymbol));
    }, UI_TIMEOUT, () => `listed: ${shown.map(describeSymbol).join(', ') || 'nothing'}`);
    await page.keyboard.press('Escape');
    return `document symbols (Ctrl+Shift+O) of agreement.sla: ${listed}, as \`slac lsp\` nests them`;
  });

  await check('folding', async () => {
    const ranges = await oracle.request('textDocument/foldingRange', { textDocument: agreement });
    const declLine = agreementLines.findIndex((l) => /^agreement\s/.test(l));
    const block = ranges.find((r) => r.startLine === declLine);
    if (!block) throw new Error(`slac lsp has no folding range at the agreement: ${JSON.stringify(ranges)}`);
    // VS Code hides the lines after the first one of a range, up to its last one included.
    // (VS Code numbers the empty line after the last newline too.)
    const all = Array.from({ length: agreementLines.length }, (_, i) => i + 1);
    const hidden = all.filter((n) => n - 1 > block.startLine && n - 1 <= block.endLine);
    const visible = all.filter((n) => !hidden.includes(n));
    await goTo({ line: 0, character: 0 }); // the editor shows the whole file from its top
    await waitForLineNumbers(all, 'all the lines of agreement.sla');
    await goTo({ line: declLine, character: 0 });
    await page.keyboard.press('Control+Shift+BracketLeft');
    await waitForLineNumbers(visible, `lines ${hidden[0]}-${hidden.at(-1)} to be folded away`);
    await page.keyboard.press('Control+Shift+BracketRight');
    await waitForLineNumbers(all, 'all the lines of agreement.sla after unfolding');
    return (
      `folding (Ctrl+Shift+[ at line ${declLine + 1}): lines ${hidden[0]}-${hidden.at(-1)} hidden, ` +
      `as the server's range ${block.startLine}-${block.endLine} says; Ctrl+Shift+] shows them again`
    );
  });

  await check('go to definition', async () => {
    await goTo(inRef);
    await page.keyboard.press('F12');
    const at = `Ln ${defRange.start.line + 1}, Col ${defRange.start.character + 1}`;
    await waitForEditor(defFile, at);
    return `go to definition (F12) on \`${refName}\`: ${defFile} at ${at}, as \`slac lsp\` answers`;
  });

  // In the file of the definition now: calendars.sla.
  const calendarsFile = path.join(ws, defFile);
  const calendars = docOf(defFile);
  const declared = { line: defRange.start.line, character: defRange.start.character };

  await check('cross-file diagnostics of unsaved text', async () => {
    // Types one letter into the declaration's id, without saving: the references in the other
    // files break.
    const edited = insertAt(original[defFile], declared, 'x');
    await oracle.round(() => oracle.open(defFile, edited));
    const broken = oracle.problems();
    if (!broken.some((p) => !p.startsWith(`${defFile} `) && !initialProblems.includes(p))) {
      throw new Error(`slac lsp reports no new error in another file: ${JSON.stringify(broken)}`);
    }
    await goTo(declared);
    await page.keyboard.type('x');
    await page.locator('.tabs-container .tab.active.dirty').waitFor({ timeout: UI_TIMEOUT });
    await waitForProblems('the errors of the unsaved edit in the other files', broken);
    if (fs.readFileSync(calendarsFile, 'utf8') !== original[defFile]) {
      throw new Error(`${defFile} changed on disk: the edit should be unsaved`);
    }
    await page.keyboard.press('Control+Z');
    await page.locator('.tabs-container .tab.active:not(.dirty)').waitFor({ timeout: UI_TIMEOUT });
    await oracle.round(() => oracle.change(defFile, original[defFile]));
    await waitForProblems('the errors of the edit to clear after undo', initialProblems);
    const added = broken.filter((p) => !initialProblems.includes(p));
    return (
      `unsaved edit of ${defFile} (\`${refName}\` → \`x${refName}\`): the Problems panel shows ` +
      `${added.join('; ')}, as \`slac lsp\` publishes; undo clears them`
    );
  });

  await check('find references', async () => {
    const at = { line: declared.line, character: declared.character + 1 };
    const locations = await oracle.request('textDocument/references', {
      textDocument: calendars,
      position: at,
      context: { includeDeclaration: true },
    });
    const expected = locations.map(describeLocation).sort();
    if (new Set(locations.map((l) => l.uri)).size < 3) {
      throw new Error(`slac lsp should find \`${refName}\` in three files: ${JSON.stringify(locations)}`);
    }
    await goTo(at);
    await page.keyboard.press('Shift+F12');
    const tree = page.locator('.reference-zone-widget .ref-tree');
    let shown = [];
    await waitFor(`the references peek view to list ${expected.join(', ')}`, async () => {
      shown = await peekReferences(tree);
      return same(shown, expected);
    }, UI_TIMEOUT, () => `listed: ${shown.join(', ') || 'nothing'}`);
    await page.keyboard.press('Escape');
    await page.locator('.reference-zone-widget').waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
    return `find references (Shift+F12) on \`${refName}\`: ${expected.join(', ')}, as \`slac lsp\` answers`;
  });

  await check('rename refused', async () => {
    const at = { line: declared.line, character: declared.character + 1 };
    const taken = /^calendar\s+(\w+)/m.exec(original[defFile].replace(/^calendar\s+\w+/m, ''))?.[1];
    if (!taken) throw new Error(`${defFile} should declare a second calendar`);
    const seen = [];
    for (const newName of ['Paris-Office', taken]) {
      const message = await oracle.refusal('textDocument/rename', {
        textDocument: calendars,
        position: at,
        newName,
      });
      if (!message) throw new Error(`slac lsp accepts to rename \`${refName}\` to \`${newName}\``);
      await goTo(at);
      await rename(newName);
      const shown = page.locator('.monaco-editor-overlaymessage, .notifications-toasts .notification-toast');
      let texts = [];
      await waitFor(`VS Code to say "${message}"`, async () => {
        texts = (await shown.allInnerTexts()).map(normalize);
        return texts.some((t) => t.includes(normalize(message)));
      }, UI_TIMEOUT, () => `messages shown: ${JSON.stringify(texts)}`);
      await page.keyboard.press('Escape');
      await clearNotifications();
      seen.push(`\`${newName}\`: "${message}"`);
    }
    if (fs.readFileSync(calendarsFile, 'utf8') !== original[defFile]) {
      throw new Error(`${defFile} changed after a refused rename`);
    }
    return `rename (F2) of \`${refName}\` refused with the server's message: ${seen.join('; ')}`;
  });

  let renamed;
  await check('rename', async () => {
    const at = { line: declared.line, character: declared.character + 1 };
    const newName = `${refName}_hours`;
    const edit = await oracle.request('textDocument/rename', {
      textDocument: calendars,
      position: at,
      newName,
    });
    renamed = applyWorkspaceEdit(edit);
    const files = Object.keys(renamed).sort();
    if (files.length < 3) throw new Error(`slac lsp renames in fewer than three files: ${JSON.stringify(edit)}`);
    await goTo(at);
    await rename(newName);
    // Once the edit is in the editor, save: VS Code saves the files of a refactoring itself
    // (files.refactoring.autoSave), maybe before the test sees them modified; Save All Files
    // saves whatever it left.
    await waitForLine(renamed[defFile].split('\n')[declared.line]);
    await runCommand('File: Save All Files');
    let differ = [];
    await waitFor(`${files.join(', ')} to be saved as the server's edit makes them`, async () => {
      differ = files.filter((f) => readWs(f) !== renamed[f]);
      return differ.length === 0;
    }, UI_TIMEOUT, () =>
      differ.map((f) => `${f} on disk:\n${readWs(f)}\nexpected:\n${renamed[f]}`).join('\n'));
    const untouched = slaFiles().filter((f) => !files.includes(f) && readWs(f) !== original[f]);
    if (untouched.length) throw new Error(`the rename changed ${untouched.join(', ')} too`);
    // The server hears of the saved files; nothing breaks.
    await oracle.round(async () => {
      await oracle.change(defFile, renamed[defFile]);
      await oracle.change('agreement.sla', renamed['agreement.sla']);
      await oracle.filesChanged(files.map((f) => ({ name: f, type: 2 })));
    });
    await waitForProblems('the diagnostics after the rename', oracle.problems());
    const count = Object.values(edit.changes ?? {}).flat().length;
    return (
      `rename (F2) \`${refName}\` → \`${newName}\`, then Save All Files: ${files.join(', ')} ` +
      `as the server's WorkspaceEdit (${count} edits) makes them`
    );
  });

  await check('workspace symbols', async () => {
    const query = 'acme';
    const symbols = await oracle.request('workspace/symbol', { query });
    const expected = symbols.map((s) => describeSymbol({
      name: s.name,
      kind: s.kind,
      container: path.basename(fileURLToPath(s.location.uri)),
    })).sort();
    if (expected.length < 2) throw new Error(`slac lsp finds fewer than two symbols for "${query}"`);
    await focusEditor();
    await page.keyboard.press('Control+T');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await input.fill(`#${query}`);
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    let shown = [];
    await waitFor(`Go to Symbol in Workspace to list ${expected.join(', ')}`, async () => {
      shown = (await quickPickRows(rows)).map(describeSymbol).sort();
      return same(shown, expected);
    }, UI_TIMEOUT, () => `listed: ${shown.join(', ') || 'nothing'}`);
    await page.keyboard.press('Escape');
    return `workspace symbols (Ctrl+T "${query}"): ${expected.join(', ')}, as \`slac lsp\` answers`;
  });

  await check('a file created, changed and deleted on disk', async () => {
    const name = 'broken.sla';
    const file = path.join(ws, name);
    const text =
      '/// Written on disk by the test while VS Code runs, never opened, then deleted.\n' +
      'party broken {\n  name "Broken"\n  kind internal\n  contact lead "lead@provider.example"\n}\n\n' +
      '/// Its escalation names a contact that does not exist.\n' +
      'escalation broken_escalation {\n  level 1 at 1h notify broken.nobody\n}\n';
    const before = oracle.problems();
    fs.writeFileSync(file, text);
    await oracle.round(() => oracle.filesChanged([{ name, type: 1 }]));
    const withFile = oracle.problems();
    const added = withFile.filter((p) => p.startsWith(`${name} `));
    if (added.length === 0) throw new Error(`slac lsp reports nothing in ${name}: ${JSON.stringify(withFile)}`);
    await waitForProblems(`the diagnostics of ${name}, created on disk`, withFile);
    // Changed on disk: another contact that does not exist.
    fs.writeFileSync(file, text.replace('broken.nobody', 'broken.somebody'));
    await oracle.round(() => oracle.filesChanged([{ name, type: 2 }]));
    const changed = oracle.problems();
    if (same(changed, withFile)) throw new Error(`slac lsp reports the same after ${name} changed`);
    await waitForProblems(`the diagnostics of ${name}, changed on disk`, changed);
    fs.rmSync(file);
    await oracle.round(() => oracle.filesChanged([{ name, type: 3 }]));
    if (!same(oracle.problems(), before)) {
      throw new Error(`slac lsp still reports ${JSON.stringify(oracle.problems())} after ${name} is deleted`);
    }
    await waitForProblems(`the diagnostics of ${name} to go once it is deleted`, before);
    return (
      `${name} written on disk (not opened): the Problems panel shows ${added.join('; ')}, ` +
      'as `slac lsp` publishes; changed on disk: the new message; deleted: gone'
    );
  });

  await check('quick fix', async () => {
    const current = renamed['agreement.sla'];
    const problem = oracle.diagnosticsOf('agreement.sla').find((d) => d.code === 'E002');
    const at = { line: problem.range.start.line, character: problem.range.start.character + 1 };
    const actions = await oracle.request('textDocument/codeAction', {
      textDocument: agreement,
      range: { start: at, end: at },
      context: { diagnostics: [problem], triggerKind: 1 },
    });
    const titles = actions.map((a) => a.title);
    if (titles.length === 0) throw new Error(`slac lsp offers no code action at \`${faultName}\``);
    const fixed = applyWorkspaceEdit(actions[0].edit)['agreement.sla'];
    await openFromExplorer('agreement.sla');
    await goTo(at, current.split('\n')[at.line]);
    await page.keyboard.press('Control+Period');
    const items = page.locator('.action-widget .monaco-list-row.action');
    let shown = [];
    await waitFor(`Ctrl+. to offer ${titles.map((t) => `"${t}"`).join(', ')}`, async () => {
      shown = await items
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? r.innerText))
        .then((labels) => labels.map(normalize), () => []);
      return same(shown, titles);
    }, UI_TIMEOUT, () => `offered: ${JSON.stringify(shown)}`);
    await page.keyboard.press('Enter');
    await waitForLine(fixed.split('\n')[at.line]);
    await page.keyboard.press('Control+S');
    let onDisk = '';
    await waitFor('agreement.sla, fixed and saved, to be as the server\'s edit makes it', async () => {
      onDisk = readWs('agreement.sla');
      return onDisk === fixed;
    }, UI_TIMEOUT, () => `on disk:\n${onDisk}\nexpected:\n${fixed}`);
    await oracle.round(async () => {
      await oracle.change('agreement.sla', fixed);
      await oracle.filesChanged([{ name: 'agreement.sla', type: 2 }]);
    });
    const after = oracle.problems();
    if (after.length !== 0) throw new Error(`slac lsp still reports ${JSON.stringify(after)} after the fix`);
    await waitForProblems('no problem left', after);
    await page.locator('.markers-panel', { hasText: 'No problems have been detected in the workspace.' })
      .waitFor({ timeout: UI_TIMEOUT });
    return (
      `quick fix (Ctrl+.) on \`${faultName}\`: "${titles.join('", "')}" offered, as \`slac lsp\` ` +
      "answers; applied and saved, the file is as the server's edit makes it and the Problems " +
      'panel is empty'
    );
  });

  await check('format holidays.sla', async () => {
    await openFromExplorer('holidays.sla');
    await runCommand('Format Document');
    // The edits of the server arrive asynchronously: save once the editor holds them.
    await page.locator('.tabs-container .tab.active.dirty').waitFor({ timeout: UI_TIMEOUT });
    await page.keyboard.press('Control+S');
    let onDisk = '';
    await waitFor('holidays.sla, formatted and saved, to equal the output of slac fmt', async () => {
      onDisk = fs.readFileSync(unformattedFile, 'utf8');
      return onDisk === formatted;
    }, UI_TIMEOUT, () => `on disk now:\n${onDisk}\nslac fmt writes:\n${formatted}`);
    return 'Format Document on holidays.sla, then save: the file equals what `slac fmt` writes';
  });

  await check('a wrong slac.path', async () => {
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
    return `slac.path set to a missing binary: the server restarts and the extension says "${expected}"`;
  });
  uiSeconds = (Date.now() - startedUi) / 1000;
}

// --- VS Code, through the page.

/** Runs one check: `fn` returns what it checked, printed at the end with the time it took. */
async function check(name, fn) {
  step = name;
  const t0 = Date.now();
  const what = await fn();
  checked.push(`${what} [${((Date.now() - t0) / 1000).toFixed(1)}s]`);
}

function explorerItem(name) {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
}

async function openFromExplorer(name) {
  const item = explorerItem(name);
  await item.waitFor({ timeout: UI_TIMEOUT });
  await item.dblclick();
  await waitForEditor(name);
  await focusEditor();
}

/** Waits for `name` to be the active editor, and for the cursor to be `at` ("Ln 2, Col 10"). */
async function waitForEditor(name, at) {
  const activeTab = page.locator('.tabs-container .tab.active');
  const selection = page.locator('[id="status.editor.selection"]');
  await waitFor(`${name} to be the active editor${at ? ` at ${at}` : ''}`, async () => {
    const tab = await activeTab.getAttribute('aria-label', { timeout: 1000 }).catch(() => '');
    return (tab ?? '').startsWith(name) && (!at || (await textOf(selection)).startsWith(at));
  });
}

async function focusEditor() {
  // A click in the editor's viewport (not on its lines, which may be scrolled out of it).
  const viewport = page.locator('.editor-group-container.active .monaco-editor .editor-scrollable').first();
  const box = await viewport.boundingBox({ timeout: UI_TIMEOUT });
  await viewport.click({ position: { x: Math.round(box.width / 2), y: 8 } });
}

/**
 * Moves the cursor with Go to Line/Column (Ctrl+G); `position` is 0-based, as in LSP. The
 * status bar's column is a visible one (an emoji counts twice): when `lineText` has other than
 * ASCII before the position, only the line is checked there.
 */
async function goTo(position, lineText = '') {
  await focusEditor();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await input.fill(`:${position.line + 1}:${position.character + 1}`);
  await page.keyboard.press('Enter');
  const exact = /^[\x20-\x7e]*$/.test(lineText.slice(0, position.character));
  const at = `Ln ${position.line + 1}, ${exact ? `Col ${position.character + 1}` : ''}`;
  const selection = page.locator('[id="status.editor.selection"]');
  await waitFor(`the cursor to be at ${at}`, async () => {
    const shown = await textOf(selection);
    return exact ? shown === at : shown.startsWith(at);
  });
}

/**
 * Where, on screen, the active editor shows `text` (in the one line that holds it) and the
 * error squiggles of that line: their left and right edges in pixels.
 */
async function squiggleUnder(text) {
  return page.evaluate((wanted) => {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    const line = [...editor.querySelectorAll('.view-lines .view-line')]
      .find((l) => l.textContent.includes(wanted));
    if (!line) return { squiggles: [] };
    // The text nodes of the line, to make a DOM range over the characters of `wanted`.
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    const nodes = [];
    let all = '';
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      nodes.push({ node, from: all.length });
      all += node.textContent;
    }
    const start = all.indexOf(wanted);
    const end = start + wanted.length;
    const at = (offset) => {
      const n = nodes.findLast((x) => x.from <= offset);
      return [n.node, offset - n.from];
    };
    const range = document.createRange();
    range.setStart(...at(start));
    range.setEnd(...at(end));
    const box = range.getBoundingClientRect();
    const lineBox = line.getBoundingClientRect();
    const squiggles = [...editor.querySelectorAll('.view-overlays .squiggly-error')]
      .map((e) => e.getBoundingClientRect())
      .filter((r) => r.top < lineBox.bottom && r.bottom > lineBox.top)
      .map((r) => ({ left: r.left, right: r.right }));
    return { text: { left: box.left, right: box.right }, squiggles };
  }, text);
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

/** Rename Symbol (F2) at the cursor, to `newName`. */
async function rename(newName) {
  await page.keyboard.press('F2');
  const input = page.locator('.rename-box .rename-input');
  await input.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await input.fill(newName);
  await input.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

async function clearNotifications() {
  if ((await page.locator('.notifications-toasts .notification-toast').count()) > 0) {
    await runCommand('Notifications: Clear All Notifications');
  }
}

/**
 * What the Problems panel lists, one line per problem, as `problemLine` writes them: the
 * file, the severity, the code, `[Ln l, Col c]` and the message, sorted.
 */
async function shownProblems() {
  const rows = await page
    .locator('.markers-panel .monaco-list-row')
    .evaluateAll((els) => els.map((el) => ({ label: el.getAttribute('aria-label') ?? '', text: el.innerText })))
    .catch(() => []);
  const out = [];
  let file = '';
  for (const { label, text } of rows) {
    const resource = /^\d+ problems? in file (.+?) of folder /.exec(label);
    if (resource) {
      file = resource[1];
      continue;
    }
    const marker = /^(Error|Warning|Info|Problem): ([\s\S]*) at line (\d+) and character (\d+)\./.exec(label);
    if (!marker) continue; // related information, under its problem
    const code = /\b([EW]\d{3})\b/.exec(text)?.[1] ?? '?';
    const at = `[Ln ${marker[3]}, Col ${marker[4]}]`;
    out.push(`${file} ${marker[1].toLowerCase()} ${code} ${at} ${normalize(marker[2])}`);
  }
  return out.sort();
}

async function waitForProblems(what, expected) {
  let shown = [];
  await waitFor(`the Problems panel to list ${what}: ${JSON.stringify(expected)}`, async () => {
    shown = await shownProblems();
    return same(shown, expected);
  }, UI_TIMEOUT, () => `listed: ${JSON.stringify(shown)}`);
}

/** Waits for the active editor to show a line whose text is `text`. */
async function waitForLine(text) {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
  await waitFor(`the editor to show the line \`${text}\``, async () =>
    (await lines.allTextContents()).some((l) => l.replace(/\u00a0/g, ' ') === text));
}

/** Waits for the line numbers shown in the active editor to be `expected` (1-based). */
async function waitForLineNumbers(expected, what) {
  const numbers = page.locator(
    '.editor-group-container.active .monaco-editor .margin-view-overlays .line-numbers',
  );
  let shown = [];
  await waitFor(what, async () => {
    shown = (await numbers.allInnerTexts()).map(Number).sort((a, b) => a - b);
    return same(shown, expected);
  }, UI_TIMEOUT, () => `lines shown: ${shown.join(' ')}`);
}

/** The rows of the quick pick: name, symbol kind (by its icon) and description. */
async function quickPickRows(rows) {
  const found = await rows
    .evaluateAll((els) =>
      els.map((el) => ({
        name: el.querySelector('.label-name')?.innerText.trim() ?? '',
        icon: [...(el.querySelector('.codicon[class*="codicon-symbol-"]')?.classList ?? [])]
          .find((c) => c.startsWith('codicon-symbol-')),
        container: el.querySelector('.label-description')?.innerText.trim() ?? '',
      })),
    )
    .catch(() => []);
  return found.map((r) => ({ ...r, kind: r.icon?.slice('codicon-'.length) }));
}

/** `file:line:column` of each reference listed in the peek view (its files expanded). */
async function peekReferences(tree) {
  const labels = await tree
    .locator('.monaco-list-row')
    .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''))
    .catch(() => []);
  const out = [];
  // A file's row says "2 symbols in agreement.sla, full path …"; a reference's row
  // "<its line> in agreement.sla on line 14 at column 14".
  for (const label of labels) {
    const reference = / in (\S+) on line (\d+) at column (\d+)$/.exec(label);
    if (reference) out.push(`${reference[1]}:${reference[2]}:${reference[3]}`);
  }
  // A collapsed file hides its references: open it.
  const collapsed = tree.locator('.monaco-list-row[aria-expanded="false"]').first();
  if ((await collapsed.count()) > 0) await collapsed.click().catch(() => {});
  return out.sort();
}

async function textOf(locator) {
  try {
    return (await locator.innerText({ timeout: 1000 })).trim();
  } catch {
    return '';
  }
}

// --- The workspace, and what slac says of it.

function slaFiles() {
  return fs.readdirSync(ws).filter((f) => f.endsWith('.sla')).sort();
}

function readWs(name) {
  return fs.readFileSync(path.join(ws, name), 'utf8');
}

function uriOf(name) {
  return pathToFileURL(path.join(ws, name)).href;
}

function docOf(name) {
  return { uri: uriOf(name) };
}

/** The string offset of an LSP position (UTF-16, as JavaScript's strings count). */
function offsetOf(text, position) {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < position.line; i++) offset += lines[i].length + 1;
  return offset + position.character;
}

function insertAt(text, position, inserted) {
  const at = offsetOf(text, position);
  return text.slice(0, at) + inserted + text.slice(at);
}

/** The text of every file a WorkspaceEdit changes, once applied to the files on disk now. */
function applyWorkspaceEdit(edit) {
  const byUri = { ...(edit?.changes ?? {}) };
  for (const change of edit?.documentChanges ?? []) {
    byUri[change.textDocument.uri] = [...(byUri[change.textDocument.uri] ?? []), ...change.edits];
  }
  const out = {};
  for (const [uri, edits] of Object.entries(byUri)) {
    const name = path.relative(ws, fileURLToPath(uri));
    let text = readWs(name);
    const sorted = edits
      .map((e) => ({ from: offsetOf(text, e.range.start), to: offsetOf(text, e.range.end), text: e.newText }))
      .sort((a, b) => b.from - a.from);
    for (const e of sorted) text = text.slice(0, e.from) + e.text + text.slice(e.to);
    out[name] = text;
  }
  return out;
}

/** How a problem is written to compare what slac lsp publishes with the Problems panel. */
function problemLine(file, d) {
  const severity = { 1: 'error', 2: 'warning', 3: 'info' }[d.severity ?? 1] ?? 'hint';
  const at = `[Ln ${d.range.start.line + 1}, Col ${d.range.start.character + 1}]`;
  return `${file} ${severity} ${d.code} ${at} ${normalize(d.message)}`;
}

/** The semantic token of the server at `position`: its type and modifiers, by the legend. */
function semanticTokenAt(data, legend, position) {
  let line = 0;
  let start = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    const [deltaLine, deltaStart, length, type, modifiers] = data.slice(i, i + 5);
    if (deltaLine > 0) {
      line += deltaLine;
      start = deltaStart;
    } else {
      start += deltaStart;
    }
    if (line === position.line && start <= position.character && position.character < start + length) {
      return {
        start,
        length,
        type: legend.tokenTypes[type],
        modifiers: legend.tokenModifiers.filter((_, bit) => modifiers & (1 << bit)),
      };
    }
  }
  return undefined;
}

/** The icon VS Code shows for an LSP SymbolKind (1-based). */
function symbolIcon(kind) {
  const icons = [
    'file', 'module', 'namespace', 'package', 'class', 'method', 'property', 'field',
    'constructor', 'enum', 'interface', 'function', 'variable', 'constant', 'string', 'number',
    'boolean', 'array', 'object', 'key', 'null', 'enum-member', 'struct', 'event', 'operator',
    'type-parameter',
  ];
  return `symbol-${icons[kind - 1]}`;
}

/** Document symbols, flattened as VS Code lists them: each child with its parent's name. */
function flattenSymbols(symbols, container = '') {
  return (symbols ?? []).flatMap((s) => [
    { name: s.name, kind: symbolIcon(s.kind), container },
    ...flattenSymbols(s.children, s.name),
  ]);
}

function describeSymbol(s) {
  const kind = typeof s.kind === 'number' ? symbolIcon(s.kind) : s.kind;
  return `${s.name} (${kind}${s.container ? `, ${s.container}` : ''})`;
}

function describeLocation(location) {
  const file = path.basename(fileURLToPath(location.uri));
  return `${file}:${location.range.start.line + 1}:${location.range.start.character + 1}`;
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

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

/**
 * A minimal LSP client of `slac lsp` over stdio: the oracle of what VS Code should show. It
 * keeps the diagnostics the server publishes; `round` waits for the ones that follow a change.
 */
async function startLsp(binary, root) {
  const proc = spawn(binary, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  let buffer = Buffer.alloc(0);
  let nextId = 1;
  const pending = new Map();
  const published = new Map(); // uri -> { seq, diagnostics }
  let seq = 0;
  const versions = new Map();
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
      } else if (message.method === 'textDocument/publishDiagnostics') {
        published.set(message.params.uri, { seq: ++seq, diagnostics: message.params.diagnostics });
      } else if (message.id !== undefined && pending.has(message.id)) {
        pending.get(message.id)(message);
        pending.delete(message.id);
      }
    }
  });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const call = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(
        () => reject(new Error(`slac lsp did not answer ${method} in 10s\n${stderr}`)),
        10_000,
      );
      pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      send({ id, method, params });
    });
  const request = async (method, params) => {
    const m = await call(method, params);
    if (m.error) throw new Error(`slac lsp: ${method}: ${JSON.stringify(m.error)}`);
    return m.result;
  };
  const notify = async (method, params) => send({ method, params });
  const rootUri = pathToFileURL(root).href;
  const init = await request('initialize', {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(root) }],
    capabilities: {
      textDocument: {
        hover: { contentFormat: ['markdown', 'plaintext'] },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        rename: { prepareSupport: true },
        foldingRange: { lineFoldingOnly: true },
      },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
    },
  });
  const lsp = {
    capabilities: init.capabilities,
    request,
    notify,
    /** The error message of a request the server refuses, or undefined if it answers. */
    refusal: async (method, params) => (await call(method, params)).error?.message,
    /** Runs `action`, then waits for the diagnostics of every file it may have changed. */
    round: async (action) => {
      const from = seq;
      await action();
      const uris = new Set(slaFiles().map(uriOf));
      for (const [uri, p] of published) if (p.diagnostics.length) uris.add(uri);
      await waitFor('slac lsp to publish the diagnostics of every file', async () =>
        [...uris].every((uri) => (published.get(uri)?.seq ?? 0) > from), 10_000);
    },
    open: (name, text) => {
      versions.set(name, 1);
      return notify('textDocument/didOpen', {
        textDocument: { uri: uriOf(name), languageId: 'sla', version: 1, text },
      });
    },
    change: (name, text) => {
      const version = (versions.get(name) ?? 1) + 1;
      versions.set(name, version);
      return notify('textDocument/didChange', {
        textDocument: { uri: uriOf(name), version },
        contentChanges: [{ text }],
      });
    },
    /** Files created (1), changed (2) or deleted (3) on disk. */
    filesChanged: (changes) =>
      notify('workspace/didChangeWatchedFiles', {
        changes: changes.map((c) => ({ uri: uriOf(c.name), type: c.type })),
      }),
    diagnosticsOf: (name) => published.get(uriOf(name))?.diagnostics ?? [],
    /** Every problem published now, as `problemLine` writes them, sorted. */
    problems: () =>
      [...published]
        .flatMap(([uri, p]) => p.diagnostics.map((d) => problemLine(path.basename(fileURLToPath(uri)), d)))
        .sort(),
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
  await lsp.round(() => notify('initialized', {}));
  return lsp;
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
      const more = await detail();
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
    // The workbench's DOM, to see what a selector missed.
    const dom = path.join(tmp, 'failure.html');
    try {
      fs.writeFileSync(dom, await page.content({ timeout: 10_000 }));
      console.error(`e2e: DOM: ${dom}`);
    } catch (e) {
      console.error(`e2e: no DOM: ${e.message}`);
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
  if (oracle) {
    const o = oracle;
    oracle = undefined;
    await Promise.race([o.stop().catch(() => {}), sleep(5000)]);
  }
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
