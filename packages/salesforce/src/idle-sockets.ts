import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/*
 * jsforce sends through node-fetch on Node's global agents (it hands node-fetch no agent of its
 * own). Their keep-alive sockets close after 5 s idle, but only when a timer gets to run: after
 * the event loop was busy for longer than the server's keep-alive (65 s on the emulator), the next
 * request went out on a socket the server had already closed and broke with EPIPE. So before each
 * request, free sockets idle for `maxIdleMs` or longer by the wall clock are destroyed, and the
 * agent opens a fresh connection instead.
 */

const freedAt = new WeakMap<Socket, number>();
const watched = new WeakSet<http.Agent>();

/** Remembers when each socket of `agent` went back to its free list. */
function watch(agent: http.Agent): void {
  if (watched.has(agent)) return;
  watched.add(agent);
  agent.on('free', (socket: Socket) => freedAt.set(socket, Date.now()));
}

/** The agents node-fetch uses when given none, read now (a host may replace them). */
const globalAgents = (): http.Agent[] => [http.globalAgent, https.globalAgent];

/** Starts watching the global agents; call once before the first request. */
export function watchIdleSockets(agents: readonly http.Agent[] = globalAgents()): void {
  for (const agent of agents) watch(agent);
}

/** Destroys the free sockets idle for `maxIdleMs` or longer; returns how many. */
export function retireIdleSockets(maxIdleMs: number, agents: readonly http.Agent[] = globalAgents()): number {
  const now = Date.now();
  let retired = 0;
  for (const agent of agents) {
    watch(agent);
    for (const list of Object.values(agent.freeSockets)) {
      if (list === undefined) continue;
      for (const socket of [...list]) {
        const since = freedAt.get(socket);
        if (since === undefined || now - since < maxIdleMs) continue;
        // Out of the free list now, not at its 'close' event: the next request must not pick it.
        list.splice(list.indexOf(socket), 1);
        socket.destroy();
        retired++;
      }
    }
  }
  return retired;
}
