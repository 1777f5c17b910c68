/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Where an article is in its life. */
export type ArticleStatus =
  /** Withdrawn from public view; seen only by its author and editors. */
  | 'ARCHIVED'
  /** Being written; seen only by its author and editors. */
  | 'DRAFT'
  /** Public. */
  | 'PUBLISHED';

/** A reaction a reader can leave on an article. */
export type ReactionKind =
  /** Worth celebrating. */
  | 'CELEBRATE'
  /** Learned something. */
  | 'INSIGHTFUL'
  /** A plain like. */
  | 'LIKE'
  /** Love. */
  | 'LOVE';

/** What a person may do on the platform. */
export type Role =
  /** Also manages people's roles. */
  | 'ADMIN'
  /** Also writes articles and edits their own drafts. */
  | 'AUTHOR'
  /** Also publishes, archives and edits any article, and moderates comments. */
  | 'EDITOR'
  /** Reads, comments and reacts. */
  | 'READER';

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

export type AddCommentMutationVariables = Exact<{
  articleId: string;
  parentId?: string | null | undefined;
  body: string;
}>;


export type AddCommentMutation = { addComment: { comment: { id: string, body: string | null, createdAt: string, author: { handle: string, displayName: string } | null } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type AddReactionMutationVariables = Exact<{
  articleId: string;
  kind: ReactionKind;
}>;


export type AddReactionMutation = { addReaction: { article: { id: string, reactionCounts: { like: number, love: number, insightful: number, celebrate: number, total: number } } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type ArticlePageQueryVariables = Exact<{
  slug: string;
}>;


export type ArticlePageQuery = { article: { id: string, title: string, body: string, publishedAt: string | null, author: { handle: string, displayName: string, bio: string, articles: { nodes: Array<{ slug: string, title: string }> } }, tags: Array<{ slug: string, name: string }>, comments: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, body: string | null, deleted: boolean, createdAt: string, author: { handle: string, displayName: string } | null, replies: { totalCount: number, nodes: Array<{ id: string, body: string | null, author: { handle: string } | null }> } }> } } | null };

export type CommentAddedSubscriptionVariables = Exact<{
  articleId: string;
}>;


export type CommentAddedSubscription = { commentAdded: { id: string, body: string | null, createdAt: string, author: { handle: string, displayName: string } | null, article: { title: string, commentCount: number } } };

export type CreateApiKeyMutationVariables = Exact<{
  name: string;
}>;


export type CreateApiKeyMutation = { createApiKey: { secret: string | null, apiKey: { id: string, name: string, prefix: string, createdAt: string } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type CreateArticleMutationVariables = Exact<{
  title: string;
  body: string;
  tagIds?: Array<string> | string | null | undefined;
}>;


export type CreateArticleMutation = { createArticle: { article: { id: string, slug: string, status: ArticleStatus, excerpt: string, version: number } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type HomeFeedQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type HomeFeedQuery = { articles: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, slug: string, title: string, excerpt: string, publishedAt: string | null, readingMinutes: number, commentCount: number, author: { handle: string, displayName: string, avatarUrl: string | null }, category: { slug: string, name: string } | null, tags: Array<{ slug: string, name: string }>, reactionCounts: { like: number, love: number, insightful: number, celebrate: number, total: number } } }> } };

export type PublishArticleMutationVariables = Exact<{
  id: string;
}>;


export type PublishArticleMutation = { publishArticle: { article: { id: string, slug: string, status: ArticleStatus, publishedAt: string | null } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type SearchQueryVariables = Exact<{
  query: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SearchQuery = { search: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ rank: number, snippet: string, node: { id: string, slug: string, title: string, author: { handle: string } } }> } };

export type SignInMutationVariables = Exact<{
  email: string;
  password: string;
}>;


export type SignInMutation = { signIn: { session: { accessToken: string, accessTokenExpiresAt: string, refreshToken: string, refreshTokenExpiresAt: string, user: { id: string, handle: string, role: Role } } | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

export type SignUpMutationVariables = Exact<{
  email: string;
  password: string;
  handle: string;
  displayName: string;
}>;


export type SignUpMutation = { signUp: { email: string | null, userErrors: Array<{ field: string | null, message: string, code: UserErrorCode }> } | null };

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

export const AddCommentDocument = new TypedDocumentString(`
    mutation AddComment($articleId: ID!, $parentId: ID, $body: String!) {
  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {
    comment {
      id
      body
      createdAt
      author {
        handle
        displayName
      }
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"729e54ad0ed27c633229e83ce387330fe52c10283e84a8a9cb9ff8430d7650c2"}) as unknown as TypedDocumentString<AddCommentMutation, AddCommentMutationVariables>;
export const AddReactionDocument = new TypedDocumentString(`
    mutation AddReaction($articleId: ID!, $kind: ReactionKind!) {
  addReaction(input: {articleId: $articleId, kind: $kind}) {
    article {
      id
      reactionCounts {
        like
        love
        insightful
        celebrate
        total
      }
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"328a5c8fec970ca43229520822fb86c25ac7a9723190bd0ba94664cd27893e10"}) as unknown as TypedDocumentString<AddReactionMutation, AddReactionMutationVariables>;
export const ArticlePageDocument = new TypedDocumentString(`
    query ArticlePage($slug: String!) {
  article(slug: $slug) {
    id
    title
    body
    publishedAt
    author {
      handle
      displayName
      bio
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
    comments(first: 20) {
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
          displayName
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
    `, {"hash":"4f9cb4f37d14e54f5555e7a1a9d0957ac99fbc4802df9e53e89e678ba36bfa81"}) as unknown as TypedDocumentString<ArticlePageQuery, ArticlePageQueryVariables>;
export const CommentAddedDocument = new TypedDocumentString(`
    subscription CommentAdded($articleId: ID!) {
  commentAdded(articleId: $articleId) {
    id
    body
    createdAt
    author {
      handle
      displayName
    }
    article {
      title
      commentCount
    }
  }
}
    `, {"hash":"db242988a64f451f6ee5b2a87d57056538eab0dd87d5be0546f7d289f12ce4af"}) as unknown as TypedDocumentString<CommentAddedSubscription, CommentAddedSubscriptionVariables>;
export const CreateApiKeyDocument = new TypedDocumentString(`
    mutation CreateApiKey($name: String!) {
  createApiKey(input: {name: $name}) {
    secret
    apiKey {
      id
      name
      prefix
      createdAt
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"4b2b5c462c79bfc67fa0e873320cff38874ff3e4abf0d28964c5085378b60f3d"}) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const CreateArticleDocument = new TypedDocumentString(`
    mutation CreateArticle($title: String!, $body: String!, $tagIds: [ID!]) {
  createArticle(input: {title: $title, body: $body, tagIds: $tagIds}) {
    article {
      id
      slug
      status
      excerpt
      version
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"027e58ca9c819bb8cd9aff0d5c08a5153c517ffa1fdcba4fc532e2dd62b6d6a4"}) as unknown as TypedDocumentString<CreateArticleMutation, CreateArticleMutationVariables>;
export const HomeFeedDocument = new TypedDocumentString(`
    query HomeFeed($first: Int = 20, $after: String) {
  articles(first: $first, after: $after) {
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
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
          like
          love
          insightful
          celebrate
          total
        }
      }
    }
  }
}
    `, {"hash":"a2cfb806c283ec002448d70154456d586ea96860c13264dd8b1c8e4c2f968000"}) as unknown as TypedDocumentString<HomeFeedQuery, HomeFeedQueryVariables>;
export const PublishArticleDocument = new TypedDocumentString(`
    mutation PublishArticle($id: ID!) {
  publishArticle(input: {id: $id}) {
    article {
      id
      slug
      status
      publishedAt
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"a5188c052cd6a50e572176cebd8eab9267e8aaac50f5be9f3e24853f4a40247c"}) as unknown as TypedDocumentString<PublishArticleMutation, PublishArticleMutationVariables>;
export const SearchDocument = new TypedDocumentString(`
    query Search($query: String!, $first: Int = 10, $after: String) {
  search(query: $query, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      rank
      snippet
      node {
        id
        slug
        title
        author {
          handle
        }
      }
    }
  }
}
    `, {"hash":"e5b6db247f25940976aa73120bfa5e79920ba21fcaac218ad8977f786b602a04"}) as unknown as TypedDocumentString<SearchQuery, SearchQueryVariables>;
export const SignInDocument = new TypedDocumentString(`
    mutation SignIn($email: String!, $password: String!) {
  signIn(input: {email: $email, password: $password}) {
    session {
      accessToken
      accessTokenExpiresAt
      refreshToken
      refreshTokenExpiresAt
      user {
        id
        handle
        role
      }
    }
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"088ca9d5d21046535fd61d3b241f165c6e554ce56e2d8c9515520c334594788d"}) as unknown as TypedDocumentString<SignInMutation, SignInMutationVariables>;
export const SignUpDocument = new TypedDocumentString(`
    mutation SignUp($email: String!, $password: String!, $handle: String!, $displayName: String!) {
  signUp(
    input: {email: $email, password: $password, handle: $handle, displayName: $displayName}
  ) {
    email
    userErrors {
      field
      message
      code
    }
  }
}
    `, {"hash":"df25ae6f7321a327a40ebda4f43116c04e6146ece3424f7a4f9d58aed7883130"}) as unknown as TypedDocumentString<SignUpMutation, SignUpMutationVariables>;