import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { graphql } from './gql';
import { articlePath } from './route';

// The home feed: published articles, newest first. `after` is left out of
// the first request; "Load more" sends pageInfo.endCursor, and the cache's
// relayStylePagination policy appends the new page to the list.
const FeedQuery = graphql(`
  query Feed($first: Int!, $after: String) {
    articles(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          slug
          title
          excerpt
          publishedAt
          readingMinutes
          commentCount
          author {
            id
            displayName
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export function Feed() {
  const { data, loading, error, fetchMore } = useQuery(FeedQuery, { variables: { first: 10 } });
  const [loadingMore, setLoadingMore] = useState(false);

  if (loading && !data) return <p>Loading…</p>;
  if (error) return <p className="error">Could not load the feed: {error.message}</p>;
  if (!data) return null;

  const { edges, pageInfo } = data.articles;
  const loadMore = async () => {
    setLoadingMore(true);
    try {
      await fetchMore({ variables: { after: pageInfo.endCursor } });
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <section className="feed">
      {edges.map(({ node: article }) => (
        <article key={article.id} className="card">
          <h2>
            <a href={`#${articlePath(article.slug)}`}>{article.title}</a>
          </h2>
          <p className="meta">
            {article.author.displayName} · {formatDate(article.publishedAt)} · {article.readingMinutes} min read ·{' '}
            {article.commentCount} comments
          </p>
          <p>{article.excerpt}</p>
        </article>
      ))}
      {pageInfo.hasNextPage && (
        <button onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

export function formatDate(time: string | null | undefined): string {
  return time ? new Date(time).toLocaleDateString(undefined, { dateStyle: 'medium' }) : '';
}
