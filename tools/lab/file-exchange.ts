// Files between the CLI and the page, over the app's own HTTP server: the
// page GETs the files the CLI offers and PUTs the ones it writes, as bytes,
// so a 100 MB weight file never crosses the automation channel as text.
// Only offered files can be read, and writes land in one folder only,
// under plain file names.
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const EXCHANGE_PATH = '/__lab-files/';

const PLAIN_NAME = /^[\w.-]+$/;

export class FileExchange {
  private readonly offered = new Map<string, string>();
  private outDir: string | null = null;

  /** Lets the page read `path`; returns the URL path it reads it at. */
  offer(path: string): string {
    const id = `in/${this.offered.size}/${encodeURIComponent(basename(path))}`;
    this.offered.set(id, path);
    return EXCHANGE_PATH + id;
  }

  /** Lets the page write files into `dir`; returns their URL prefix. */
  acceptInto(dir: string): string {
    this.outDir = dir;
    return `${EXCHANGE_PATH}out/`;
  }

  /** Connect middleware for the preview server. */
  handle = (
    req: IncomingMessage,
    res: ServerResponse,
    next: () => void,
  ): void => {
    const url = req.url ?? '';
    if (!url.startsWith(EXCHANGE_PATH)) return next();
    const id = url.slice(EXCHANGE_PATH.length).split('?')[0]!;
    void this.serve(req, res, id).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  };

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
  ): Promise<void> {
    const path = this.offered.get(id);
    if (req.method === 'GET' && path) {
      res.setHeader('content-type', 'application/octet-stream');
      await pipeline(createReadStream(path), res);
      return;
    }
    const name = decodeURIComponent(id.slice('out/'.length));
    const writable =
      req.method === 'PUT' && id.startsWith('out/') && PLAIN_NAME.test(name);
    if (!writable || this.outDir === null) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const target = join(this.outDir, name);
    await pipeline(req, createWriteStream(target));
    res.end();
  }
}
