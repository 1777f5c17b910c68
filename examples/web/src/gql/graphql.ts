/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
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
    `, {"hash":"sha256:fec8dbb1c8bdea24e359925da439d253bb123f8e8ea0bc6a51b2db76aae9168e"}) as unknown as TypedDocumentString<WebArticlePageQuery, WebArticlePageQueryVariables>;
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
}`, {"hash":"sha256:17b0c9de60e248a4a3d11ca14b89d945959586e1e2bb1f93486b2597ea65cb21"}) as unknown as TypedDocumentString<WebHomeFeedQuery, WebHomeFeedQueryVariables>;