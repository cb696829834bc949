// --stdio writes each message in one piece: header and body in a single write, messages in the order sent, and a
// reader on the other end parses them back.
import { strict as assert } from 'node:assert';
import { PassThrough, Writable } from 'node:stream';
import { StreamMessageReader, type Message } from 'vscode-languageserver/node';
import { SingleWriteMessageWriter, stdioTransport } from '../../../server/src/lsp/stdioTransport';

describe('--stdio transport', () => {
  it('writes header and body of each message in one write, in order, readable by a stream reader', async () => {
    const writes: Buffer[] = [];
    const pipe = new PassThrough();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        writes.push(chunk);
        pipe.write(chunk);
        done();
      },
    });
    const writer = new SingleWriteMessageWriter(sink);
    const messages: Message[] = [
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics: [{ message: 'ünïcode ✓' }] } } as Message,
      { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: 'second' } } as Message,
    ];
    await Promise.all(messages.map((message) => writer.write(message)));
    assert.equal(writes.length, 2, 'one write per message');
    const first = writes[0]!.toString('utf8');
    const body = JSON.stringify(messages[0]);
    assert.equal(first, `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 'Content-Length counts bytes, not characters');

    const received: Message[] = [];
    const reader = new StreamMessageReader(pipe);
    await new Promise<void>((resolve) => {
      reader.listen((message) => {
        received.push(message);
        if (received.length === messages.length) resolve();
      });
    });
    assert.deepEqual(received, messages);
    reader.dispose();
  });

  it('is used only for --stdio; the other transports are left to createConnection', () => {
    assert.equal(stdioTransport(['node', 'server.js', '--node-ipc']), undefined);
    assert.equal(stdioTransport(['node', 'server.js', '--socket=5000']), undefined);
    const stdio = stdioTransport(['node', 'server.js', '--stdio']);
    assert.ok(stdio && stdio[1] instanceof SingleWriteMessageWriter);
    stdio[0].dispose();
  });
});
