// The segql extension: the language (grammar, brackets, comments) is declared in
// package.json; this starts `segql lsp` and connects VS Code to it.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

function command() {
  return vscode.workspace.getConfiguration('segql').get('path') || 'segql';
}

async function start() {
  const cmd = command();
  client = new LanguageClient(
    'segql',
    'segql',
    { command: cmd, args: ['lsp'], transport: TransportKind.stdio },
    {
      documentSelector: [
        { scheme: 'file', language: 'segql' },
        { scheme: 'untitled', language: 'segql' },
      ],
    },
  );
  try {
    await client.start();
  } catch (e) {
    client = undefined;
    vscode.window.showErrorMessage(
      `segql: could not start \`${cmd} lsp\` (${e && e.message ? e.message : e}). ` +
        'Install segql (cargo install --path crates/segql-cli) or set "segql.path".',
    );
  }
}

async function restart() {
  if (client) {
    const old = client;
    client = undefined;
    await old.stop();
  }
  await start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('segql.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('segql.path')) {
        restart();
      }
    }),
  );
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
