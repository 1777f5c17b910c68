// Folio's playground: GraphiQL with the explorer, a headers editor for tokens
// and API keys, and the example operations a frontend starts from. Bundled by
// build.mjs into internal/playground/dist; nothing here is loaded from a CDN.
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
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

// Headers are per tab. The token placeholders are for a person to replace:
// run SignIn (or SignUp) and paste session.accessToken, or send an API key
// as {"X-API-Key": "…"} instead.
const anonymous = json({});
const signedIn = json({ Authorization: 'Bearer <accessToken from the SignIn tab>' });

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
    headers: signedIn,
  },
  // A subscription, over a WebSocket (graphql-transport-ws) to /query.
  { query: commentAdded, variables: json({ articleId: 'QXJ0aWNsZToxMDAw' }), headers: anonymous },
];

const endpoint = new URL(document.body.dataset.endpoint || '/query', window.location.href).toString();
const wsEndpoint = endpoint.replace(/^http/, 'ws');
const toolkitFetcher = createGraphiQLFetcher({ url: endpoint, subscriptionUrl: wsEndpoint });
// GraphiQL leaves operationName out when the editor holds one operation, and
// the toolkit then takes a named subscription for a query (and POSTs it):
// name the operation.
const fetcher = (params, opts) => {
  const ops = (opts?.documentAST?.definitions ?? []).filter((d) => d.kind === 'OperationDefinition');
  if (!params.operationName && ops.length === 1 && ops[0].name) params = { ...params, operationName: ops[0].name.value };
  return toolkitFetcher(params, opts);
};
const explorer = explorerPlugin({ showAttribution: false });

createRoot(document.getElementById('graphiql')).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={[explorer]}
    defaultTabs={defaultTabs}
    defaultHeaders={anonymous}
    isHeadersEditorEnabled
    shouldPersistHeaders={false}
    defaultEditorToolsVisibility="variables"
  />,
);
