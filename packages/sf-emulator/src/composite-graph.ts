// `POST /composite/graph` (reference §1.13): several graphs, each up to 500 nodes with `@{ref}`
// references, each all-or-nothing on its own. A failing node rolls back its graph only (the other
// nodes answer PROCESSING_HALTED) and the graph reports isSuccessful:false; other graphs commit.
import { SalesforceError, type EmuRequest, type EmuResponse, type RouteRegistry } from './contracts.js';
import { runCompositeEnvelope, type InternalDispatch, type SubResponse } from './composite.js';
import { apiErrors, parseJsonObject } from './http/api-errors.js';

export const MAX_GRAPH_NODES = 500;
/** [recall] Salesforce allows up to 75 graphs in one request. */
export const MAX_GRAPHS = 75;

/** Node URLs a graph accepts: sObject rows, creates, and external-id rows. */
const ALLOWED_NODE = /^\/services\/data\/v\d+\.\d\/sobjects\/[^/?]+(\/[^/?]+(\/[^?]+)?)?\/?(\?.*)?$/;

function checkGraph(
  raw: unknown,
  index: number,
  seen: Set<string>,
): { graphId: string; compositeRequest: unknown[] } {
  const graph = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const graphId = graph['graphId'];
  const nodes = graph['compositeRequest'];
  if (typeof graphId !== 'string' || graphId === '')
    throw new SalesforceError(400, 'INVALID_INPUT', `Graph ${index + 1}: graphId is required`);
  if (seen.has(graphId))
    throw new SalesforceError(400, 'INVALID_INPUT', `Duplicate graphId provided in the request: ${graphId}`);
  seen.add(graphId);
  if (!Array.isArray(nodes) || nodes.length === 0)
    throw new SalesforceError(
      400,
      'INVALID_INPUT',
      `Graph ${graphId}: compositeRequest must be a non-empty array of nodes`,
    );
  if (nodes.length > MAX_GRAPH_NODES)
    throw new SalesforceError(
      400,
      'LIMIT_EXCEEDED',
      `Graph ${graphId} has ${nodes.length} nodes; a graph can contain at most ${MAX_GRAPH_NODES}.`,
    );
  for (const node of nodes) {
    const url =
      typeof node === 'object' && node !== null ? (node as Record<string, unknown>)['url'] : undefined;
    if (typeof url === 'string' && !ALLOWED_NODE.test(url)) {
      throw new SalesforceError(
        400,
        'INVALID_INPUT',
        `Graph ${graphId}: node url ${url} is not allowed; graph nodes may only use /services/data/vXX.X/sobjects/... resources`,
      );
    }
  }
  return { graphId, compositeRequest: nodes };
}

async function runGraphs(req: EmuRequest, dispatch: InternalDispatch): Promise<EmuResponse> {
  const body = parseJsonObject(req.body, 'GraphRequest');
  const graphs = body['graphs'];
  if (!Array.isArray(graphs))
    throw apiErrors.jsonParse(
      'Cannot deserialize instance of GraphRequest: "graphs" must be an array of graphs',
    );
  if (graphs.length > MAX_GRAPHS)
    throw new SalesforceError(
      400,
      'LIMIT_EXCEEDED',
      `A graph request can contain at most ${MAX_GRAPHS} graphs; this one has ${graphs.length}.`,
    );
  const seen = new Set<string>();
  // The whole request is validated before any graph runs: a malformed graph fails the request.
  const checked = graphs.map((g, i) => checkGraph(g, i, seen));
  const out: unknown[] = [];
  for (const graph of checked) {
    const answer = await runCompositeEnvelope(
      req,
      dispatch,
      { allOrNone: true, compositeRequest: graph.compositeRequest },
      MAX_GRAPH_NODES,
    );
    const compositeResponse = (answer.body as { compositeResponse: SubResponse[] }).compositeResponse;
    out.push({
      graphId: graph.graphId,
      graphResponse: { compositeResponse },
      isSuccessful: compositeResponse.every((r) => r.httpStatusCode < 400),
    });
  }
  return { status: 200, body: { graphs: out } };
}

export function registerCompositeGraphRoutes(routes: RouteRegistry, dispatch: InternalDispatch): void {
  routes.add('POST', /^\/composite\/graph\/?$/, (req) => runGraphs(req, dispatch));
}
