import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import type { Api } from './harness.js';

/**
 * A real HTTP receiver on 127.0.0.1: records each delivery and answers with the next status of
 * `statuses` (then 204). Closed in `t.after`.
 */
export async function receiver(t: TestContext, statuses: number[] = []) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { port, url: `http://127.0.0.1:${port}/hook`, received };
}

/** Creates and deletes a person through the API: the delete appends a `person.deleted` event (O5). */
export async function personDeleted(api: Api, key: string, id: string): Promise<void> {
  const created = await api.call('POST', '/api/v1/people', { key, body: { id, lastName: 'Lovelace' } });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal((await api.call('DELETE', `/api/v1/people/${id}`, { key })).statusCode, 200);
}
