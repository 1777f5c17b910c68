import { useState } from 'react';
import { useQuery } from '@apollo/client/react';
import { graphql } from './gql';
import { CommentForm } from './CommentForm';
import { formatDate } from './Feed';

// An article and its latest comments, oldest of them first, so that a new
// comment belongs at the end, under the form. "Show earlier comments"
// pages backwards with `before`; relayStylePagination prepends the page.
const ArticleQuery = graphql(`
  query Article($slug: String!, $before: String) {
    article(slug: $slug) {
      id
      title
      bodyHtml
      publishedAt
      readingMinutes
      author {
        id
        displayName
        handle
      }
      tags {
        id
        name
      }
      commentCount
      comments(last: 20, before: $before) {
        totalCount
        edges {
          cursor
          node {
            id
            body
            deleted
            createdAt
            author {
              id
              displayName
              handle
            }
          }
        }
        pageInfo {
          hasPreviousPage
          startCursor
        }
      }
    }
  }
`);

export function ArticlePage({ slug }: { slug: string }) {
  const { data, loading, error, fetchMore } = useQuery(ArticleQuery, { variables: { slug } });
  const [loadingEarlier, setLoadingEarlier] = useState(false);

  if (loading && !data) return <p>Loading…</p>;
  if (error) return <p className="error">Could not load the article: {error.message}</p>;
  const article = data?.article;
  if (!article) return <p>There is no article at this address.</p>;

  const { edges, pageInfo, totalCount } = article.comments;
  const loadEarlier = async () => {
    setLoadingEarlier(true);
    try {
      await fetchMore({ variables: { before: pageInfo.startCursor } });
    } finally {
      setLoadingEarlier(false);
    }
  };
  return (
    <article className="article">
      <h1>{article.title}</h1>
      <p className="meta">
        {article.author.displayName} (@{article.author.handle}) · {formatDate(article.publishedAt)} ·{' '}
        {article.readingMinutes} min read
        {article.tags.length > 0 && ` · ${article.tags.map((t) => t.name).join(', ')}`}
      </p>
      {/* bodyHtml is rendered and sanitised by Folio: safe to insert. */}
      <div className="body" dangerouslySetInnerHTML={{ __html: article.bodyHtml }} />

      <section className="comments">
        <h2>{totalCount === 1 ? '1 comment' : `${totalCount} comments`}</h2>
        {pageInfo.hasPreviousPage && (
          <button className="link" onClick={loadEarlier} disabled={loadingEarlier}>
            {loadingEarlier ? 'Loading…' : 'Show earlier comments'}
          </button>
        )}
        <ol>
          {edges.map(({ node: comment }) => (
            <li key={comment.id} className="comment">
              {comment.deleted ? (
                <em>This comment was deleted.</em>
              ) : (
                <>
                  <p className="meta">
                    {comment.author?.displayName} · {formatDate(comment.createdAt)}
                  </p>
                  <p>{comment.body}</p>
                </>
              )}
            </li>
          ))}
        </ol>
        <CommentForm articleId={article.id} />
      </section>
    </article>
  );
}
