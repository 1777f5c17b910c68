import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import type { Reference } from '@apollo/client';
import { graphql } from './gql';
import { signInPath, useRoute } from './route';
import { useSession } from './session';

// Comments on an article. Input that Folio refuses (an empty comment, say)
// comes back in userErrors, each naming its field; a GraphQL error means
// something else went wrong (no session, say).
const AddCommentMutation = graphql(`
  mutation AddComment($articleId: ID!, $body: String!) {
    addComment(input: { articleId: $articleId, body: $body }) {
      comment {
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
      userErrors {
        field
        message
      }
    }
  }
`);

type CommentsConnection = { totalCount: number; edges: { cursor: string; node: Reference }[] };

export function CommentForm({ articleId }: { articleId: string }) {
  const session = useSession();
  const route = useRoute();
  const [body, setBody] = useState('');
  const [problem, setProblem] = useState('');
  const [addComment, { loading }] = useMutation(AddCommentMutation, {
    // The new comment is the article's newest: append it to the comments
    // in the cache (the page shows the latest ones, oldest first) and count
    // it, instead of fetching the article again.
    update(cache, { data }) {
      const comment = data?.addComment?.comment;
      if (!comment) return;
      cache.modify({
        id: cache.identify({ __typename: 'Article', id: articleId }),
        fields: {
          comments(existing, { toReference }) {
            const list = existing as CommentsConnection;
            const node = toReference(comment)!;
            return {
              ...list,
              totalCount: list.totalCount + 1,
              edges: [...list.edges, { __typename: 'CommentEdge', cursor: '', node }],
            };
          },
          commentCount: (count) => (count as number) + 1,
        },
      });
    },
  });

  if (!session) {
    return (
      <p>
        <a href={`#${signInPath(route)}`}>Sign in</a> to comment.
      </p>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem('');
    try {
      const { data } = await addComment({ variables: { articleId, body } });
      const userErrors = data?.addComment?.userErrors ?? [];
      if (userErrors.length > 0) setProblem(userErrors.map((e) => e.message).join(' '));
      else setBody('');
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form className="comment-form" onSubmit={submit}>
      <label htmlFor="comment-body">Comment as @{session.handle}</label>
      <textarea id="comment-body" value={body} onChange={(e) => setBody(e.target.value)} rows={3} />
      {problem && <p className="error">{problem}</p>}
      <button type="submit" disabled={loading}>
        {loading ? 'Posting…' : 'Post comment'}
      </button>
    </form>
  );
}
