// Folio's playground: GraphiQL with the explorer, a headers editor for tokens
// and API keys, and the example operations a frontend starts from. Bundled by
// build.mjs into internal/playground/dist; nothing here is loaded from a CDN.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './playground.css';

import homeFeed from '../../../examples/operations/HomeFeed.graphql';
import articlePage from '../../../examples/operations/ArticlePage.graphql';
import search from '../../../examples/operations/Search.graphql';
import signUp from '../../../examples/operations/SignUp.graphql';
import signIn from '../../../examples/operations/SignIn.graphql';
import addComment from '../../../examples/operations/AddComment.graphql';
import commentAdded from '../../../examples/operations/CommentAdded.graphql';

const json = (v) => JSON.stringify(v, null, 2);

// Headers are per tab and kept across reloads. A session from SignIn,
// verifyEmail or refreshSession is remembered (localStorage) and sent from every
// tab whose headers name no credential of their own, until signOut or
// "forget" in the corner; headers with an Authorization or X-API-Key win.
const anonymous = json({});
const sessionKey = 'folio:playground:session';

function storedSession() {
  try {
    return JSON.parse(localStorage.getItem(sessionKey)) || null;
  } catch {
    return null;
  }
}

function storeSession(session) {
  if (session) localStorage.setItem(sessionKey, JSON.stringify(session));
  else localStorage.removeItem(sessionKey);
  window.dispatchEvent(new Event('folio-session'));
}

// remember keeps the session an answer carries, and forgets it on signOut.
function remember(result) {
  const data = result?.data;
  if (!data) return;
  for (const field of ['signIn', 'verifyEmail', 'refreshSession']) {
    const session = data[field]?.session;
    if (session?.accessToken) {
      storeSession({ accessToken: session.accessToken, handle: session.user?.handle ?? null });
      return;
    }
  }
  if (data.signOut?.signedOut) storeSession(null);
}

// The slugs and IDs below exist in the demo data a development server seeds.
const defaultTabs = [
  { query: homeFeed, variables: json({ first: 20 }), headers: anonymous },
  { query: articlePage, variables: json({ slug: 'getting-started-with-connection-pooling-in-jest-in-12-steps' }), headers: anonymous },
  { query: search, variables: json({ query: '"connection pooling" -mysql', first: 10 }), headers: anonymous },
  // A demo account (the development seed has one of each role, all with this
  // password: admin@, editor@, author@ and reader@demo.folio.example).
  { query: signIn, variables: json({ email: 'reader@demo.folio.example', password: 'folio-demo-password' }), headers: anonymous },
  {
    query: signUp,
    variables: json({ email: 'you@example.com', password: 'at least 10 characters', handle: 'you', displayName: 'You' }),
    headers: anonymous,
  },
  {
    query: addComment,
    variables: json({ articleId: 'QXJ0aWNsZToxMDAw', parentId: null, body: 'Thanks, this helped.' }),
    headers: anonymous,
  },
  // A subscription, over a WebSocket (graphql-transport-ws) to /query,
  // signed in as the other tabs are.
  { query: commentAdded, variables: json({ articleId: 'QXJ0aWNsZToxMDAw' }), headers: anonymous },
];

const endpoint = new URL(document.body.dataset.endpoint || '/query', window.location.href).toString();
const wsEndpoint = endpoint.replace(/^http/, 'ws');
const send = createGraphiQLFetcher({ url: endpoint });

// connectionParams is the connection_init payload carrying headers'
// credential, as the server reads it (a browser cannot set headers on a
// WebSocket).
function connectionParams(headers) {
  const params = {};
  for (const [k, v] of Object.entries(headers)) {
    if (/^authorization$/i.test(k)) params.Authorization = v;
    else if (/^x-api-key$/i.test(k)) params.apiKey = v;
  }
  return params;
}

// subscribe runs a subscription over a WebSocket (graphql-transport-ws) of
// its own, signed in with headers' credential, and closes it when GraphiQL
// stops listening. A close by the server (4401 for credentials that ended,
// 4403 for refused ones) shows as an error with its reason.
function subscribe(params, headers) {
  const client = createClient({ url: wsEndpoint, connectionParams: connectionParams(headers), lazy: true, retryAttempts: 0 });
  const events = client.iterate({
    query: params.query,
    variables: params.variables ?? undefined,
    operationName: params.operationName ?? undefined,
    extensions: params.extensions ?? undefined,
  });
  return (async function* () {
    try {
      yield* events;
    } catch (err) {
      const closed = typeof err?.code === 'number';
      const message = closed ? `connection closed ${err.code}: ${err.reason || 'no reason given'}` : String(err?.message ?? err);
      yield { errors: [{ message }] };
    } finally {
      await client.dispose();
    }
  })();
}

const fetcher = async (params, opts = {}) => {
  // GraphiQL leaves operationName out when the editor holds one operation, and
  // the toolkit then takes a named subscription for a query (and POSTs it):
  // name the operation.
  const ops = (opts?.documentAST?.definitions ?? []).filter((d) => d.kind === 'OperationDefinition');
  if (!params.operationName && ops.length === 1 && ops[0].name) params = { ...params, operationName: ops[0].name.value };
  const headers = { ...(opts.headers || {}) };
  const own = Object.keys(headers).some((k) => /^(authorization|x-api-key)$/i.test(k));
  const session = storedSession();
  if (!own && session?.accessToken) headers.Authorization = `Bearer ${session.accessToken}`;
  // A subscription is signed in as a query is: the same credential, in
  // connection_init.
  const op = ops.find((d) => !params.operationName || d.name?.value === params.operationName);
  if (op?.operation === 'subscription') return subscribe(params, headers);
  const result = await send(params, { ...opts, headers });
  // The toolkit answers with a stream (incremental delivery) or one value.
  if (result && typeof result === 'object' && Symbol.asyncIterator in result) {
    return (async function* () {
      for await (const part of result) {
        remember(part);
        yield part;
      }
    })();
  }
  remember(result);
  return result;
};
const explorer = explorerPlugin({ showAttribution: false });

// SessionBadge says whose token the tabs send, and forgets it on request.
function SessionBadge() {
  const [session, setSession] = useState(storedSession);
  useEffect(() => {
    const update = () => setSession(storedSession());
    window.addEventListener('folio-session', update);
    window.addEventListener('storage', update);
    return () => {
      window.removeEventListener('folio-session', update);
      window.removeEventListener('storage', update);
    };
  }, []);
  if (!session) return <div className="folio-session">anonymous: run the SignIn tab to sign every tab in</div>;
  return (
    <div className="folio-session">
      every tab sends the token of {session.handle ? `@${session.handle}` : 'the last sign-in'}{' '}
      <button type="button" onClick={() => storeSession(null)}>forget</button>
    </div>
  );
}

createRoot(document.getElementById('graphiql')).render(
  <>
    <GraphiQL
      fetcher={fetcher}
      plugins={[explorer]}
      defaultTabs={defaultTabs}
      defaultHeaders={anonymous}
      isHeadersEditorEnabled
      shouldPersistHeaders
      defaultEditorToolsVisibility="variables"
    />
    <SessionBadge />
  </>,
);
