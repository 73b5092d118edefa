import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A webhook receiver on loopback that answers with the statuses given, then 200. */
export class WebhookReceiver {
  readonly bodies: { path: string; body: unknown; headers: IncomingMessage['headers'] }[] = [];
  statuses: number[] = [];
  private server: Server;
  url = '';
  constructor() {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => {
        text += c;
      });
      req.on('end', () => {
        const status = this.statuses.shift() ?? 200;
        if (status === 200)
          this.bodies.push({ path: req.url ?? '', body: JSON.parse(text), headers: req.headers });
        res.writeHead(status, status === 429 ? { 'retry-after': '0' } : {}).end();
      });
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const a = this.server.address();
    this.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
