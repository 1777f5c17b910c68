// Subscribes to new comments on an article with the graphql-ws client
// (the graphql-transport-ws protocol) and prints each as it arrives; add a
// comment in the playground to see one. FOLIO_URL names the server,
// FOLIO_ARTICLE_ID the article (default: the newest), FOLIO_TOKEN an access
// token for a draft's comments (sent in connection_init, not a header).
//
//   FOLIO_URL=http://localhost:8080 npm run live
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { FolioClient } from './folio.js';
import { CommentAddedDocument, HomeFeedDocument, type CommentAddedSubscription } from './gql/graphql.js';

const url = process.env.FOLIO_URL ?? 'http://localhost:8080';

async function main(): Promise<void> {
  let articleId = process.env.FOLIO_ARTICLE_ID;
  if (!articleId) {
    const feed = await new FolioClient({ url }).execute(HomeFeedDocument, { first: 1 });
    articleId = feed.articles.edges[0]?.node.id;
    if (!articleId) throw new Error('the home feed is empty: seed the server (folio seed)');
  }
  const token = process.env.FOLIO_TOKEN;
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/query',
    webSocketImpl: WebSocket, // Node before 22 has no global WebSocket
    connectionParams: token ? { accessToken: token } : {},
    // Reconnect after a deploy (close 1001) or a network hiccup; not after
    // 4401/4403, which need new credentials.
    retryAttempts: 5,
    shouldRetry: (e) => !(e instanceof Object && 'code' in e && (e.code === 4401 || e.code === 4403)),
  });
  console.log(`listening for comments on ${articleId}; Ctrl-C to stop`);
  for await (const result of client.iterate<CommentAddedSubscription>({
    query: CommentAddedDocument.toString(), // ../operations/CommentAdded.graphql
    variables: { articleId },
  })) {
    if (result.errors?.length) {
      console.error('refused:', result.errors.map((e) => `${e.message} (${e.extensions?.code})`).join('; '));
      break;
    }
    const c = result.data?.commentAdded;
    if (c) console.log(`@${c.author?.handle ?? 'deleted'} on "${c.article.title}": ${c.body}`);
  }
  await client.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
