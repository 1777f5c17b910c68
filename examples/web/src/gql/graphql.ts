/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The fields of a new account. */
export type SignUpInput = {
  /** The name shown with the user's writing (1 to 100 characters). */
  displayName: string;
  /** The address to sign in with (at most 254 characters). */
  email: string;
  /** The public handle: 2 to 32 letters, digits or underscores. */
  handle: string;
  /** At least 10 and at most 256 characters. */
  password: string;
};

/** The kinds of input problem. */
export type UserErrorCode =
  /** The object changed since `expectedVersion`: read it again, reapply the change, retry. */
  | 'CONFLICT'
  /** The value is malformed, too long, too short or otherwise not allowed. */
  | 'INVALID'
  /** The email or password is wrong. Which of the two is never said. */
  | 'INVALID_CREDENTIALS'
  /** A referenced object (a category, a tag, a parent comment) does not exist. */
  | 'NOT_FOUND'
  /** The value must be unique and is already in use (an email, a handle). */
  | 'TAKEN';

export type WebAddCommentMutationVariables = Exact<{
  articleId: string;
  parentId?: string | null | undefined;
  body: string;
}>;


export type WebAddCommentMutation = { addComment: { comment: { id: string, body: string | null, createdAt: string, author: { handle: string } | null } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type WebArticlePageQueryVariables = Exact<{
  slug: string;
  comments?: number | null | undefined;
}>;


export type WebArticlePageQuery = { article: { id: string, title: string, body: string, publishedAt: string | null, author: { handle: string, displayName: string, articles: { nodes: Array<{ slug: string, title: string }> } }, tags: Array<{ slug: string, name: string }>, comments: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, body: string | null, deleted: boolean, createdAt: string, author: { handle: string } | null, replies: { totalCount: number, nodes: Array<{ id: string, body: string | null, author: { handle: string } | null }> } }> } } | null };

export type ArticleCardFragment = { id: string, slug: string, title: string, excerpt: string, publishedAt: string | null, readingMinutes: number, commentCount: number, author: { handle: string, displayName: string, avatarUrl: string | null }, category: { slug: string, name: string } | null, tags: Array<{ slug: string, name: string }>, reactionCounts: { total: number } };

export type WebHomeFeedQueryVariables = Exact<{
  first: number;
  after?: string | null | undefined;
}>;


export type WebHomeFeedQuery = { articles: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, slug: string, title: string, excerpt: string, publishedAt: string | null, readingMinutes: number, commentCount: number, author: { handle: string, displayName: string, avatarUrl: string | null }, category: { slug: string, name: string } | null, tags: Array<{ slug: string, name: string }>, reactionCounts: { total: number } } }> } };

export type WebSignInMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type WebSignInMutation = { signIn: { session: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, handle: string, displayName: string } } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type WebSignUpMutationVariables = Exact<{
  input: SignUpInput;
}>;


export type WebSignUpMutation = { signUp: { session: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, handle: string, displayName: string } } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type WebSessionFragment = { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, user: { id: string, handle: string, displayName: string } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ArticleCardFragmentDoc = new TypedDocumentString(`
    fragment ArticleCard on Article {
  id
  slug
  title
  excerpt
  publishedAt
  readingMinutes
  author {
    handle
    displayName
    avatarUrl
  }
  category {
    slug
    name
  }
  tags {
    slug
    name
  }
  commentCount
  reactionCounts {
    total
  }
}
    `, {"fragmentName":"ArticleCard"}) as unknown as TypedDocumentString<ArticleCardFragment, unknown>;
export const WebSessionFragmentDoc = new TypedDocumentString(`
    fragment WebSession on Session {
  accessToken
  accessTokenExpiresAt
  refreshToken
  user {
    id
    handle
    displayName
  }
}
    `, {"fragmentName":"WebSession"}) as unknown as TypedDocumentString<WebSessionFragment, unknown>;
export const WebAddCommentDocument = new TypedDocumentString(`
    mutation WebAddComment($articleId: ID!, $parentId: ID, $body: String!) {
  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {
    comment {
      id
      body
      createdAt
      author {
        handle
      }
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"53ed1dd09e6a1c9580a05b0b6c8a27248c36f6441353f6847f5a4075e6f6b4a3"}) as unknown as TypedDocumentString<WebAddCommentMutation, WebAddCommentMutationVariables>;
export const WebArticlePageDocument = new TypedDocumentString(`
    query WebArticlePage($slug: String!, $comments: Int = 20) {
  article(slug: $slug) {
    id
    title
    body
    publishedAt
    author {
      handle
      displayName
      articles(first: 3) {
        nodes {
          slug
          title
        }
      }
    }
    tags {
      slug
      name
    }
    comments(first: $comments) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        body
        deleted
        createdAt
        author {
          handle
        }
        replies(first: 5) {
          totalCount
          nodes {
            id
            body
            author {
              handle
            }
          }
        }
      }
    }
  }
}
    `, {"hash":"fec8dbb1c8bdea24e359925da439d253bb123f8e8ea0bc6a51b2db76aae9168e"}) as unknown as TypedDocumentString<WebArticlePageQuery, WebArticlePageQueryVariables>;
export const WebHomeFeedDocument = new TypedDocumentString(`
    query WebHomeFeed($first: Int!, $after: String) {
  articles(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        ...ArticleCard
      }
    }
  }
}
    fragment ArticleCard on Article {
  id
  slug
  title
  excerpt
  publishedAt
  readingMinutes
  author {
    handle
    displayName
    avatarUrl
  }
  category {
    slug
    name
  }
  tags {
    slug
    name
  }
  commentCount
  reactionCounts {
    total
  }
}`, {"hash":"17b0c9de60e248a4a3d11ca14b89d945959586e1e2bb1f93486b2597ea65cb21"}) as unknown as TypedDocumentString<WebHomeFeedQuery, WebHomeFeedQueryVariables>;
export const WebSignInDocument = new TypedDocumentString(`
    mutation WebSignIn($email: String!, $password: String!) {
  signIn(input: {email: $email, password: $password}) {
    session {
      ...WebSession
    }
    userErrors {
      field
      message
      code
    }
  }
}
    fragment WebSession on Session {
  accessToken
  accessTokenExpiresAt
  refreshToken
  user {
    id
    handle
    displayName
  }
}`, {"hash":"d78c0e96ae587d54e6778e6e6123ce87611a4de52f6feb4be7020e706908bf2c"}) as unknown as TypedDocumentString<WebSignInMutation, WebSignInMutationVariables>;
export const WebSignUpDocument = new TypedDocumentString(`
    mutation WebSignUp($input: SignUpInput!) {
  signUp(input: $input) {
    session {
      ...WebSession
    }
    userErrors {
      field
      message
      code
    }
  }
}
    fragment WebSession on Session {
  accessToken
  accessTokenExpiresAt
  refreshToken
  user {
    id
    handle
    displayName
  }
}`, {"hash":"d2bc23a1e941106580c41cfa2f720d9a07a8ce0ae0d302438fe8f9e777672e72"}) as unknown as TypedDocumentString<WebSignUpMutation, WebSignUpMutationVariables>;