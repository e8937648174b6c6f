-- Buffer settings for .sla files, as `slac fmt` writes them: line comments with `//`, and two
-- spaces of indentation.
if vim.b.did_ftplugin then
  return
end
vim.b.did_ftplugin = 1

vim.bo.commentstring = '// %s'
vim.bo.comments = ':///,://'
vim.bo.expandtab = true
vim.bo.shiftwidth = 2
vim.bo.softtabstop = 2
vim.bo.tabstop = 2
-- Reflow comments (c, q) without wrapping code; continue a comment on Enter and `o` (r, o).
vim.bo.formatoptions = 'croql'

vim.b.undo_ftplugin = 'setlocal commentstring< comments< expandtab< shiftwidth< softtabstop<'
  .. ' tabstop< formatoptions<'
