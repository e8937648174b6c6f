// The slac extension: starts `slac lsp` (the language server, over stdio) for `.sla` files.
// Plain CommonJS, no build step: VS Code loads this file as it is.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** Creates and starts a client for the `slac` binary named by the `slac.path` setting. */
async function startClient(context) {
  const command = vscode.workspace.getConfiguration('slac').get('path') || 'slac';

  // An Executable without `transport` talks over the process's stdin and stdout and adds no
  // argument of its own (`transport: stdio` would append `--stdio`, which `slac lsp` does not take).
  const serverOptions = { command, args: ['lsp'] };

  const watchers = [
    vscode.workspace.createFileSystemWatcher('**/*.sla'),
    vscode.workspace.createFileSystemWatcher('**/slac.toml'),
  ];
  context.subscriptions.push(...watchers);

  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'sla' }],
    synchronize: { fileEvents: watchers },
    outputChannelName: 'slac',
  };

  // The id `slac` makes the client read its trace level from the `slac.trace.server` setting.
  client = new LanguageClient('slac', 'slac', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    const message = err instanceof Error ? err.message : String(err);
    const choice = await vscode.window.showErrorMessage(
      `slac: could not start the language server with \`${command} lsp\` (${message}). ` +
        'Install slac, or set `slac.path` to the slac binary.',
      'Open Settings',
    );
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'slac.path');
    }
  }
}

async function stopClient() {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('slac.restartServer', async () => {
      await stopClient();
      await startClient(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('slac.path')) {
        await stopClient();
        await startClient(context);
      }
    }),
  );
  await startClient(context);
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
