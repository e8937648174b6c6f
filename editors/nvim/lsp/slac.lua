-- The configuration of the slac language server, in the form Neovim 0.11 reads from `lsp/*.lua`
-- on the runtimepath: with this folder on the runtimepath, `vim.lsp.enable('slac')` is enough.
-- `require('slac').setup()` registers the same table on every Neovim from 0.7.
return {
  cmd = { 'slac', 'lsp' },
  filetypes = { 'sla' },
  -- The workspace is the folder of the nearest slac.toml; else the repository.
  root_markers = { 'slac.toml', '.git' },
}
