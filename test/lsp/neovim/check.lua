-- Drives the language server from Neovim 0.7+ (vim.lsp.start_client + buf_attach_client): waits for the
-- diagnostics of the current buffer, asks for a hover and the code actions, and writes what it got as JSON.
local server = assert(os.getenv('MG_SERVER_JS'), 'MG_SERVER_JS not set')
local root = assert(os.getenv('MG_ROOT'), 'MG_ROOT not set')
local out = assert(os.getenv('MG_OUT'), 'MG_OUT not set')

local result = { diagnostics = {}, hover = vim.NIL, actions = {}, errors = {} }

local client_id = vim.lsp.start_client({
  name = 'migration-guard',
  cmd = { 'node', server, '--stdio' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'fixture' } },
  settings = { migrationGuard = { database = 'postgresql' } },
  on_error = function(code, err) table.insert(result.errors, tostring(code) .. ' ' .. tostring(err)) end,
})
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, client_id)

vim.wait(10000, function() return #vim.diagnostic.get(bufnr) > 0 end, 20)
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(result.diagnostics, { code = d.code or lsp.code, lnum = d.lnum, severity = d.severity, source = d.source })
end

local uri = vim.uri_from_bufnr(bufnr)
local line = tonumber(os.getenv('MG_HOVER_LINE'))
local character = tonumber(os.getenv('MG_HOVER_CHARACTER'))
local hovers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = line, character = character } }, 5000)
for _, response in pairs(hovers or {}) do
  if response.result then result.hover = response.result.contents.value end
end

-- As vim.lsp.buf.code_action() does: the cursor as range, the line's diagnostics as context.
local range = { start = { line = line, character = 0 }, ['end'] = { line = line, character = 0 } }
local context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, line) }
local actions = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', { textDocument = { uri = uri }, range = range, context = context }, 5000)
for _, response in pairs(actions or {}) do
  for _, action in ipairs(response.result or {}) do table.insert(result.actions, action.title) end
end

vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
vim.cmd('qa!')
