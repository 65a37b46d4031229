// The CLI's file exchange over HTTP: the page reads only what is offered
// and writes only plain names into the one folder it was given.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FileExchange } from '../../tools/lab/file-exchange';

let dir: string;
let server: Server;
let base: string;
const exchange = new FileExchange();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-exchange-'));
  server = createServer((req, res) =>
    exchange.handle(req, res, () => {
      res.statusCode = 418;
      res.end();
    }),
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

test('an offered file is read back byte for byte; nothing else is', async () => {
  const path = join(dir, 'w eights.safetensors');
  const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
  await writeFile(path, bytes);
  const url = exchange.offer(path);
  const response = await fetch(base + url);
  expect(response.status).toBe(200);
  expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
  expect((await fetch(`${base}/__lab-files/in/9/x`)).status).toBe(404);
  expect((await fetch(`${base}/index.html`)).status).toBe(418);
});

test('writes land in the accepted folder under plain names only', async () => {
  const out = join(dir, 'out');
  await mkdir(out);
  const prefix = exchange.acceptInto(out);
  const put = (name: string, body: string) =>
    fetch(base + prefix + name, { method: 'PUT', body });
  expect((await put('model-card.json', '{"a":1}')).status).toBe(200);
  expect(await readFile(join(out, 'model-card.json'), 'utf8')).toBe('{"a":1}');
  expect((await put('..%2Fescaped.txt', 'x')).status).toBe(404);
  expect((await put('sub%2Fname', 'x')).status).toBe(404);
  expect(
    (await fetch(base + prefix + 'model-card.json', { method: 'GET' })).status,
  ).toBe(404);
});
