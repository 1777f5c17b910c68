// Runs the example operations against a live Folio and prints what a page
// would show. FOLIO_URL (default http://localhost:8080) names the server.
//
//   FOLIO_URL=http://localhost:8080 npm run demo
import { FolioClient, FolioError, documentId } from './folio.js';
import { WebArticlePageDocument, WebHomeFeedDocument } from './gql/graphql.js';

const url = process.env.FOLIO_URL ?? 'http://localhost:8080';
const client = new FolioClient({ url, apiKey: process.env.FOLIO_API_KEY });

async function main(): Promise<void> {
  // The home feed, two pages of five: the second starts after the first's endCursor.
  const page1 = await client.execute(WebHomeFeedDocument, { first: 5 });
  const { endCursor, hasNextPage } = page1.articles.pageInfo;
  const page2 = await client.execute(WebHomeFeedDocument, { first: 5, after: endCursor });
  console.log(`home feed (${documentId(WebHomeFeedDocument)}):`);
  for (const { node } of [...page1.articles.edges, ...page2.articles.edges]) {
    console.log(`  ${node.publishedAt?.slice(0, 10)}  ${node.title} — @${node.author.handle}, ${node.commentCount} comments`);
  }
  if (!hasNextPage) console.log('  (that was everything)');

  // An article page for the first card.
  const first = page1.articles.edges[0]?.node;
  if (!first) throw new Error('the home feed is empty: seed the server (folio seed)');
  const { article } = await client.execute(WebArticlePageDocument, { slug: first.slug });
  if (!article) throw new Error(`article ${first.slug} vanished between two requests`);
  console.log(`article page (${documentId(WebArticlePageDocument)}):`);
  console.log(`  ${article.title} by ${article.author.displayName}; tags ${article.tags.map((t) => t.slug).join(', ')}`);
  console.log(`  ${article.comments.totalCount} top-level comments; first ${article.comments.nodes.length}:`);
  for (const c of article.comments.nodes.slice(0, 3)) {
    console.log(`    @${c.author?.handle ?? '(deleted)'}: ${(c.body ?? '').slice(0, 60)} (${c.replies.totalCount} replies)`);
  }

  // A malformed cursor is the caller's mistake: BAD_USER_INPUT names the argument.
  try {
    await client.execute(WebHomeFeedDocument, { first: 5, after: 'not-a-cursor' });
    throw new Error('a malformed cursor was accepted');
  } catch (e) {
    if (!(e instanceof FolioError) || e.code !== 'BAD_USER_INPUT') throw e;
    console.log(`a bad cursor: ${e.code} on ${e.field}: ${e.message}`);
  }
  console.log('demo: 4 operations ran');
}

main().catch((e: unknown) => {
  if (e instanceof FolioError) {
    console.error(`Folio said ${e.code}${e.requestId ? ` (request ${e.requestId})` : ''}: ${e.message}`);
  } else {
    console.error(e);
  }
  process.exit(1);
});
