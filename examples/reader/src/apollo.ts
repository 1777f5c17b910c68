// The Apollo Client the app shares: Folio's /query over HTTP, the session's
// access token in every request, and a cache that merges pages of Relay
// connections.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { relayStylePagination } from '@apollo/client/utilities';
import { getSession, setSession } from './session';

// Where Folio runs: set VITE_FOLIO_URL when building or starting the dev
// server. A page on http://localhost:<any port> may call a development
// server; in production list the app's origin in CORS_ALLOWED_ORIGINS.
export const folioURL: string = import.meta.env.VITE_FOLIO_URL ?? 'http://localhost:8080';

// Sends the session's access token, if any, as Folio expects it. The
// header is dropped, not just left unset, when there is no session: an
// operation retried after a refusal (below) still carries the old one.
const authLink = new SetContextLink(({ headers }) => {
  const { authorization: _, ...rest } = (headers ?? {}) as Record<string, string>;
  const token = getSession()?.accessToken;
  return { headers: token ? { ...rest, authorization: `Bearer ${token}` } : rest };
});

// Folio refuses every field of a request whose token has expired or whose
// session was signed out (UNAUTHENTICATED). Forget that session and send
// the operation again, signed out.
const expiredSessionLink = new ErrorLink(({ error, operation, forward }) => {
  const refused =
    CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
  if (refused && getSession()) {
    setSession(null);
    return forward(operation);
  }
});

export const client = new ApolloClient({
  link: ApolloLink.from([expiredSessionLink, authLink, new HttpLink({ uri: `${folioURL}/query` })]),
  cache: new InMemoryCache({
    typePolicies: {
      // Pages fetched with fetchMore join the list already in the cache:
      // `after` appends (the feed), `before` prepends (earlier comments).
      Query: { fields: { articles: relayStylePagination(['filter', 'orderBy']) } },
      Article: { fields: { comments: relayStylePagination() } },
    },
  }),
});
