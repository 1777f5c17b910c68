/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation SignOut($refreshToken: String!) {\n    signOut(input: { refreshToken: $refreshToken }) {\n      signedOut\n    }\n  }\n": typeof types.SignOutDocument,
    "\n  query Article($slug: String!, $before: String) {\n    article(slug: $slug) {\n      id\n      title\n      bodyHtml\n      publishedAt\n      readingMinutes\n      author {\n        id\n        displayName\n        handle\n      }\n      tags {\n        id\n        name\n      }\n      commentCount\n      comments(last: 20, before: $before) {\n        totalCount\n        edges {\n          cursor\n          node {\n            id\n            body\n            deleted\n            createdAt\n            author {\n              id\n              displayName\n              handle\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n": typeof types.ArticleDocument,
    "\n  mutation AddComment($articleId: ID!, $body: String!) {\n    addComment(input: { articleId: $articleId, body: $body }) {\n      comment {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          id\n          displayName\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": typeof types.AddCommentDocument,
    "\n  query Feed($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n          excerpt\n          publishedAt\n          readingMinutes\n          commentCount\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.FeedDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(input: { email: $email, password: $password }) {\n      session {\n        accessToken\n        refreshToken\n        user {\n          id\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": typeof types.SignInDocument,
};
const documents: Documents = {
    "\n  mutation SignOut($refreshToken: String!) {\n    signOut(input: { refreshToken: $refreshToken }) {\n      signedOut\n    }\n  }\n": types.SignOutDocument,
    "\n  query Article($slug: String!, $before: String) {\n    article(slug: $slug) {\n      id\n      title\n      bodyHtml\n      publishedAt\n      readingMinutes\n      author {\n        id\n        displayName\n        handle\n      }\n      tags {\n        id\n        name\n      }\n      commentCount\n      comments(last: 20, before: $before) {\n        totalCount\n        edges {\n          cursor\n          node {\n            id\n            body\n            deleted\n            createdAt\n            author {\n              id\n              displayName\n              handle\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n": types.ArticleDocument,
    "\n  mutation AddComment($articleId: ID!, $body: String!) {\n    addComment(input: { articleId: $articleId, body: $body }) {\n      comment {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          id\n          displayName\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": types.AddCommentDocument,
    "\n  query Feed($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n          excerpt\n          publishedAt\n          readingMinutes\n          commentCount\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.FeedDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(input: { email: $email, password: $password }) {\n      session {\n        accessToken\n        refreshToken\n        user {\n          id\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n": types.SignInDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut($refreshToken: String!) {\n    signOut(input: { refreshToken: $refreshToken }) {\n      signedOut\n    }\n  }\n"): (typeof documents)["\n  mutation SignOut($refreshToken: String!) {\n    signOut(input: { refreshToken: $refreshToken }) {\n      signedOut\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Article($slug: String!, $before: String) {\n    article(slug: $slug) {\n      id\n      title\n      bodyHtml\n      publishedAt\n      readingMinutes\n      author {\n        id\n        displayName\n        handle\n      }\n      tags {\n        id\n        name\n      }\n      commentCount\n      comments(last: 20, before: $before) {\n        totalCount\n        edges {\n          cursor\n          node {\n            id\n            body\n            deleted\n            createdAt\n            author {\n              id\n              displayName\n              handle\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Article($slug: String!, $before: String) {\n    article(slug: $slug) {\n      id\n      title\n      bodyHtml\n      publishedAt\n      readingMinutes\n      author {\n        id\n        displayName\n        handle\n      }\n      tags {\n        id\n        name\n      }\n      commentCount\n      comments(last: 20, before: $before) {\n        totalCount\n        edges {\n          cursor\n          node {\n            id\n            body\n            deleted\n            createdAt\n            author {\n              id\n              displayName\n              handle\n            }\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($articleId: ID!, $body: String!) {\n    addComment(input: { articleId: $articleId, body: $body }) {\n      comment {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          id\n          displayName\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddComment($articleId: ID!, $body: String!) {\n    addComment(input: { articleId: $articleId, body: $body }) {\n      comment {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          id\n          displayName\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Feed($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n          excerpt\n          publishedAt\n          readingMinutes\n          commentCount\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Feed($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          slug\n          title\n          excerpt\n          publishedAt\n          readingMinutes\n          commentCount\n          author {\n            id\n            displayName\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(input: { email: $email, password: $password }) {\n      session {\n        accessToken\n        refreshToken\n        user {\n          id\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(input: { email: $email, password: $password }) {\n      session {\n        accessToken\n        refreshToken\n        user {\n          id\n          handle\n        }\n      }\n      userErrors {\n        field\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;