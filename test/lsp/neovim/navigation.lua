-- Drives the editor features from Neovim 0.7+: go to definition on a model name and a dependency, and completion in
-- a field name, as vim.lsp.buf.definition() and omnifunc completion ask for them. Writes what it got as JSON.
local server = assert(os.getenv('MG_SERVER_JS'), 'MG_SERVER_JS not set')
local root = assert(os.getenv('MG_ROOT'), 'MG_ROOT not set')
local out = assert(os.getenv('MG_OUT'), 'MG_OUT not set')

local result = { definitions = {}, dependency = vim.NIL, completions = {}, errors = {} }

local client_id = vim.lsp.start_client({
  name = 'migration-guard',
  cmd = { 'node', server, '--stdio' },
  root_dir = root,
  workspace_folders = { { uri = vim.uri_from_fname(root), name = 'fixture' } },
  on_error = function(code, err) table.insert(result.errors, tostring(code) .. ' ' .. tostring(err)) end,
})
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, client_id)
local uri = vim.uri_from_bufnr(bufnr)

-- 0-based line and character of the first `needle` in the buffer, plus `shift` characters.
local function position_of(needle, shift)
  for index, text in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    local column = text:find(needle, 1, true)
    if column then return { line = index - 1, character = column - 1 + shift } end
  end
  error(needle .. ' not found')
end

local function request(method, position)
  local responses = vim.lsp.buf_request_sync(bufnr, method, { textDocument = { uri = uri }, position = position }, 5000)
  for _, response in pairs(responses or {}) do
    if response.err then table.insert(result.errors, method .. ': ' .. vim.inspect(response.err)) end
    if response.result then return response.result end
  end
  return nil
end

-- The server indexes the workspace after starting: ask until the answer knows the whole history.
local model_at = position_of('model_name="purchase"', 14)
vim.wait(10000, function()
  local locations = request('textDocument/definition', model_at)
  if locations and #locations > 0 then
    for _, location in ipairs(locations) do table.insert(result.definitions, { uri = location.uri, line = location.range.start.line }) end
    return true
  end
  return false
end, 100)

local dependency = request('textDocument/definition', position_of('"0003_purchase"', 3))
if dependency and dependency[1] then result.dependency = dependency[1].uri end

local completion = request('textDocument/completion', position_of('name="code"', 7))
local items = completion and (completion.items or completion) or {}
for _, item in ipairs(items) do table.insert(result.completions, { label = item.label, detail = item.detail }) end

vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.lsp.stop_client(client_id)
vim.wait(2000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
vim.cmd('qa!')
