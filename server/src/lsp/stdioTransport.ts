// The --stdio transport with one write per message. vscode-jsonrpc's stream writer writes the header, waits for its
// callback, then writes the body: two pipe writes, and so two wake-ups of the editor's reading end, for every
// message (in a CPU profile of `npm run bench` on a 2-core machine, about 0.3 ms of each keystroke went to these
// writes). Here the header and the body go out as one buffer, in the order the messages are sent.
import { AbstractMessageWriter, StreamMessageReader, type Message, type MessageReader, type MessageWriter } from 'vscode-languageserver/node';

export class SingleWriteMessageWriter extends AbstractMessageWriter implements MessageWriter {
  private errorCount = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {
    super();
    stream.on('error', (error: Error) => this.fireError(error));
    stream.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    const frame = Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    return new Promise((resolve, reject) => {
      this.stream.write(frame, (error?: Error | null) => {
        if (!error) return resolve();
        this.fireError(error, message, ++this.errorCount);
        reject(error);
      });
    });
  }

  end(): void {
    this.stream.end();
  }
}

/** The reader and writer for `--stdio`, or undefined for the other transports (createConnection picks them). */
export function stdioTransport(argv: readonly string[]): [MessageReader, MessageWriter] | undefined {
  if (!argv.includes('--stdio')) return undefined;
  return [new StreamMessageReader(process.stdin), new SingleWriteMessageWriter(process.stdout)];
}
