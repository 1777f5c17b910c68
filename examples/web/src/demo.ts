// Runs the example operations against a live Folio and prints what a page
// would show: the home feed, an article page, signing in and adding a
// comment, reacting, an API key and, given an editor's account, writing and
// publishing an article. FOLIO_URL (default http://localhost:8080) names the
// server; FOLIO_EMAIL and FOLIO_PASSWORD sign in to an existing account,
// otherwise the demo signs up a new one and signs in to it;
// FOLIO_EDITOR_EMAIL and FOLIO_EDITOR_PASSWORD (a development server has
// editor@demo.folio.example with folio-demo-password) add the writing.
//
//   FOLIO_URL=http://localhost:8080 npm run demo
import { FolioClient, FolioError, documentId } from './folio.js';
import {
  AddCommentDocument,
  AddReactionDocument,
  ArticlePageDocument,
  CreateApiKeyDocument,
  CreateArticleDocument,
  HomeFeedDocument,
  PublishArticleDocument,
  SignInDocument,
  SignUpDocument,
  type SignInMutation,
} from './gql/graphql.js';

/** What the demo keeps of a session: the one SignIn returns. */
type Session = NonNullable<NonNullable<SignInMutation['signIn']>['session']>;

const url = process.env.FOLIO_URL ?? 'http://localhost:8080';
// FOLIO_PERSISTED=1 sends hashes instead of documents, for a server in
// trusted-documents mode that has this example's manifest registered.
const persisted = process.env.FOLIO_PERSISTED === '1';
const client = new FolioClient({ url, apiKey: process.env.FOLIO_API_KEY, persisted });

async function main(): Promise<void> {
  // The home feed, two pages of five: the second starts after the first's endCursor.
  const page1 = await client.execute(HomeFeedDocument, { first: 5 });
  const { endCursor, hasNextPage } = page1.articles.pageInfo;
  const page2 = await client.execute(HomeFeedDocument, { first: 5, after: endCursor });
  console.log(`home feed (${persisted ? 'sent as' : 'hash'} ${documentId(HomeFeedDocument)}):`);
  for (const { node } of [...page1.articles.edges, ...page2.articles.edges]) {
    console.log(`  ${node.publishedAt?.slice(0, 10)}  ${node.title} — @${node.author.handle}, ${node.commentCount} comments`);
  }
  if (!hasNextPage) console.log('  (that was everything)');

  // An article page for the first card.
  const first = page1.articles.edges[0]?.node;
  if (!first) throw new Error('the home feed is empty: seed the server (folio seed)');
  const { article } = await client.execute(ArticlePageDocument, { slug: first.slug });
  if (!article) throw new Error(`article ${first.slug} vanished between two requests`);
  console.log(`article page (${persisted ? 'sent as' : 'hash'} ${documentId(ArticlePageDocument)}):`);
  console.log(`  ${article.title} by ${article.author.displayName}; tags ${article.tags.map((t) => t.slug).join(', ')}`);
  console.log(`  ${article.comments.totalCount} top-level comments; first ${article.comments.nodes.length}:`);
  for (const c of article.comments.nodes.slice(0, 3)) {
    console.log(`    @${c.author?.handle ?? '(deleted)'}: ${(c.body ?? '').slice(0, 60)} (${c.replies.totalCount} replies)`);
  }

  // A malformed cursor is the caller's mistake: BAD_USER_INPUT names the argument.
  try {
    await client.execute(HomeFeedDocument, { first: 5, after: 'not-a-cursor' });
    throw new Error('a malformed cursor was accepted');
  } catch (e) {
    if (!(e instanceof FolioError) || e.code !== 'BAD_USER_INPUT') throw e;
    console.log(`a bad cursor: ${e.code} on ${e.field}: ${e.message}`);
  }

  // Sign in (or sign up), then comment on the article as that person.
  const session = await signIn();
  console.log(`signed in as @${session.user.handle}; the access token expires at ${session.accessTokenExpiresAt}`);
  try {
    await client.execute(AddCommentDocument, { articleId: article.id, body: 'Anonymous?' });
    throw new Error('an anonymous comment was accepted');
  } catch (e) {
    if (!(e instanceof FolioError) || e.code !== 'UNAUTHENTICATED') throw e;
    console.log(`commenting without a token: ${e.code}`);
  }
  const me = client.withAccessToken(session.accessToken);
  const body = `Read it twice; the part on ${first.tags[0]?.name ?? 'this'} helped. (${new Date().toISOString()})`;
  const { addComment } = await me.execute(AddCommentDocument, { articleId: article.id, body });
  if (!addComment || addComment.userErrors.length > 0 || !addComment.comment) {
    throw new Error(`addComment refused: ${JSON.stringify(addComment?.userErrors)}`);
  }
  console.log(`added comment ${addComment.comment.id} as @${addComment.comment.author?.handle}`);

  // Input problems come back in userErrors, for the form to show.
  const empty = await me.execute(AddCommentDocument, { articleId: article.id, body: '' });
  const problem = empty.addComment?.userErrors[0];
  if (!problem) throw new Error('an empty comment was accepted');
  console.log(`an empty comment: ${problem.code} on ${problem.field}: ${problem.message}`);
  let ran = 9;

  // React to the article; the payload carries the article's new counts.
  const { addReaction } = await me.execute(AddReactionDocument, { articleId: article.id, kind: 'INSIGHTFUL' });
  if (!addReaction?.article) throw new Error(`addReaction refused: ${JSON.stringify(addReaction?.userErrors)}`);
  console.log(`reacted INSIGHTFUL: the article has ${addReaction.article.reactionCounts.total} reactions`);

  // An API key for a script: the secret is shown once; a client sends it as X-API-Key.
  const { createApiKey } = await me.execute(CreateApiKeyDocument, { name: 'demo script' });
  if (!createApiKey?.secret) throw new Error(`createApiKey refused: ${JSON.stringify(createApiKey?.userErrors)}`);
  const script = new FolioClient({ url, apiKey: createApiKey.secret, persisted });
  const byKey = await script.execute(AddReactionDocument, { articleId: article.id, kind: 'LIKE' });
  if (!byKey.addReaction?.article) throw new Error(`a reaction with the API key was refused: ${JSON.stringify(byKey.addReaction?.userErrors)}`);
  console.log(`API key ${createApiKey.apiKey?.prefix}…: reacted LIKE with it`);
  ran += 3;

  // Writing: an author's draft, published by an editor (an editor may do both).
  const editorEmail = process.env.FOLIO_EDITOR_EMAIL;
  const editorPassword = process.env.FOLIO_EDITOR_PASSWORD;
  if (editorEmail && editorPassword) {
    const { signIn: ed } = await client.execute(SignInDocument, { email: editorEmail, password: editorPassword });
    if (!ed?.session) throw new Error(`editor sign-in refused: ${JSON.stringify(ed?.userErrors)}`);
    const editor = client.withAccessToken(ed.session.accessToken);
    const { createArticle } = await editor.execute(CreateArticleDocument, {
      title: `Notes from the demo, ${new Date().toISOString()}`,
      body: 'Keyset pagination orders by a unique key and asks for the rows after the last one sent.\n\nThat is all.',
    });
    const draft = createArticle?.article;
    if (!draft) throw new Error(`createArticle refused: ${JSON.stringify(createArticle?.userErrors)}`);
    console.log(`wrote draft ${draft.slug} (${draft.status}); its excerpt, made from the body: ${draft.excerpt}`);
    const { publishArticle } = await editor.execute(PublishArticleDocument, { id: draft.id });
    if (!publishArticle?.article) throw new Error(`publishArticle refused: ${JSON.stringify(publishArticle?.userErrors)}`);
    console.log(`published ${publishArticle.article.slug} at ${publishArticle.article.publishedAt}`);
    ran += 3;
  }
  console.log(`demo: ${ran} operations ran`);
}

// signIn signs in with FOLIO_EMAIL and FOLIO_PASSWORD. Without them it shows
// signUp, whose answer is the same whether or not the address is taken and
// signs nobody in (the new account must open its mailed link, verifyEmail,
// before it may comment or react), then signs in as the development server's
// demo reader, reader@demo.folio.example with folio-demo-password.
async function signIn(): Promise<Session> {
  let email = process.env.FOLIO_EMAIL;
  let password = process.env.FOLIO_PASSWORD;
  if (!email || !password) {
    const id = Math.random().toString(36).slice(2, 10);
    const { signUp } = await client.execute(SignUpDocument, {
      email: `demo-${id}@example.com`,
      password: `demo-password-${id}`,
      handle: `demo_${id}`,
      displayName: 'Demo Reader',
    });
    if (!signUp?.email) throw new Error(`sign-up refused: ${JSON.stringify(signUp?.userErrors)}`);
    console.log(`signed up ${signUp.email}: a verification link is mailed there`);
    email = 'reader@demo.folio.example';
    password = 'folio-demo-password';
  }
  const { signIn } = await client.execute(SignInDocument, { email, password });
  if (!signIn?.session) throw new Error(`sign-in refused: ${JSON.stringify(signIn?.userErrors)}`);
  return signIn.session;
}

main().catch((e: unknown) => {
  if (e instanceof FolioError) {
    console.error(`Folio said ${e.code}${e.requestId ? ` (request ${e.requestId})` : ''}: ${e.message}`);
  } else {
    console.error(e);
  }
  process.exit(1);
});
