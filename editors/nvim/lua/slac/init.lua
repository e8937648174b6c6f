-- Starts the slac language server (`slac lsp`, on stdio) for the buffers of filetype `sla`, on
-- every Neovim from 0.7:
--   0.11 and later   vim.lsp.config() and vim.lsp.enable(), which start and stop it;
--   0.8 to 0.10      vim.lsp.start() from a FileType autocmd (one client per workspace);
--   0.7              vim.lsp.start_client() once per workspace, and vim.lsp.buf_attach_client().
--
--   require('slac').setup()                                  -- `slac` on PATH
--   require('slac').setup({ cmd = { '/path/to/slac', 'lsp' } })
--
-- Options: `cmd` (the command, a list), `root_markers` (the files that mark the workspace, the
-- first one found upward wins: slac.toml, then .git), and any other field of a client
-- configuration (`on_attach`, `capabilities`, `settings`, …), passed on as is.

local M = {}

--- The configuration that `lsp/slac.lua` gives Neovim 0.11; the same table for older versions.
local function defaults()
  return {
    cmd = { 'slac', 'lsp' },
    filetypes = { 'sla' },
    root_markers = { 'slac.toml', '.git' },
  }
end

--- The folder of the workspace of the file `path`: the folder of the nearest `markers[1]` above
--- it, else of the nearest `markers[2]`, and so on (as `root_markers` in Neovim 0.11); else the
--- file's own folder, which is where the server looks when it is given no root.
local function root_dir(path, markers)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs(markers) do
    local found
    if vim.fs and vim.fs.find then
      found = vim.fs.find(marker, { upward = true, path = dir })[1]
    else
      -- Neovim 0.7 has no vim.fs: findfile() and finddir() search upward with `;`.
      found = vim.fn.findfile(marker, dir .. ';')
      if found == '' then
        found = vim.fn.finddir(marker, dir .. ';')
      end
      if found == '' then
        found = nil
      end
    end
    if found then
      -- The folder that holds the marker (a file, or a folder such as .git).
      local marker_path = vim.fn.fnamemodify(found, ':p'):gsub('/+$', '')
      return vim.fn.fnamemodify(marker_path, ':h')
    end
  end
  return dir
end

-- Whether the buffer holds a file (not a help page, a terminal, a scratch buffer, …).
local function is_file(bufnr)
  return vim.bo[bufnr].buftype == '' and vim.api.nvim_buf_get_name(bufnr) ~= ''
end

--- Neovim 0.7: the client of each workspace, by root folder.
local clients_by_root = {}

local function attach_0_7(bufnr, config, markers)
  local root = root_dir(vim.api.nvim_buf_get_name(bufnr), markers)
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(vim.tbl_extend('force', config, { root_dir = root }))
    if not id then
      return -- start_client has said why
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

local function attach_0_8(bufnr, config, markers)
  local root = root_dir(vim.api.nvim_buf_get_name(bufnr), markers)
  -- Neovim 0.8 attaches vim.lsp.start() to the current buffer, whatever `bufnr` says.
  vim.api.nvim_buf_call(bufnr, function()
    vim.lsp.start(vim.tbl_extend('force', config, { root_dir = root }), { bufnr = bufnr })
  end)
end

--- Registers the slac language server for the buffers of filetype `sla`. Calling it again
--- replaces the previous registration.
function M.setup(opts)
  opts = opts or {}
  local config = vim.tbl_extend('force', defaults(), opts)
  config.name = 'slac'

  if vim.fn.has('nvim-0.11') == 1 then
    vim.lsp.config('slac', config)
    vim.lsp.enable('slac')
    return
  end

  -- Before 0.11, the client configuration has no `filetypes` or `root_markers`: they are
  -- handled here.
  local filetypes = config.filetypes
  local markers = config.root_markers
  config.filetypes = nil
  config.root_markers = nil
  local attach = vim.fn.has('nvim-0.8') == 1 and attach_0_8 or attach_0_7

  local group = vim.api.nvim_create_augroup('slac', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = filetypes,
    desc = 'Start or reuse the slac language server',
    callback = function(args)
      if is_file(args.buf) then
        attach(args.buf, config, markers)
      end
    end,
  })
  -- The buffers opened before setup() (a plugin manager that loads this plugin late).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if
      vim.api.nvim_buf_is_loaded(bufnr)
      and vim.tbl_contains(filetypes, vim.bo[bufnr].filetype)
      and is_file(bufnr)
    then
      attach(bufnr, config, markers)
    end
  end
end

M.root_dir = root_dir

return M
