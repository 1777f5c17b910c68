/* eslint-disable */
import * as types from './graphql';



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
    "mutation WebAddComment($articleId: ID!, $parentId: ID, $body: String!) {\n  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {\n    comment {\n      id\n      body\n      createdAt\n      author {\n        handle\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.WebAddCommentDocument,
    "query WebArticlePage($slug: String!, $comments: Int = 20) {\n  article(slug: $slug) {\n    id\n    title\n    body\n    publishedAt\n    author {\n      handle\n      displayName\n      articles(first: 3) {\n        nodes {\n          slug\n          title\n        }\n      }\n    }\n    tags {\n      slug\n      name\n    }\n    comments(first: $comments) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          handle\n        }\n        replies(first: 5) {\n          totalCount\n          nodes {\n            id\n            body\n            author {\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n}": typeof types.WebArticlePageDocument,
    "fragment ArticleCard on Article {\n  id\n  slug\n  title\n  excerpt\n  publishedAt\n  readingMinutes\n  author {\n    handle\n    displayName\n    avatarUrl\n  }\n  category {\n    slug\n    name\n  }\n  tags {\n    slug\n    name\n  }\n  commentCount\n  reactionCounts {\n    total\n  }\n}\n\nquery WebHomeFeed($first: Int!, $after: String) {\n  articles(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ArticleCard\n      }\n    }\n  }\n}": typeof types.ArticleCardFragmentDoc,
    "mutation WebSignIn($email: String!, $password: String!) {\n  signIn(input: {email: $email, password: $password}) {\n    session {\n      ...WebSession\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}\n\nmutation WebSignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    session {\n      ...WebSession\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}\n\nfragment WebSession on Session {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  user {\n    id\n    handle\n    displayName\n  }\n}": typeof types.WebSignInDocument,
};
const documents: Documents = {
    "mutation WebAddComment($articleId: ID!, $parentId: ID, $body: String!) {\n  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {\n    comment {\n      id\n      body\n      createdAt\n      author {\n        handle\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.WebAddCommentDocument,
    "query WebArticlePage($slug: String!, $comments: Int = 20) {\n  article(slug: $slug) {\n    id\n    title\n    body\n    publishedAt\n    author {\n      handle\n      displayName\n      articles(first: 3) {\n        nodes {\n          slug\n          title\n        }\n      }\n    }\n    tags {\n      slug\n      name\n    }\n    comments(first: $comments) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          handle\n        }\n        replies(first: 5) {\n          totalCount\n          nodes {\n            id\n            body\n            author {\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n}": types.WebArticlePageDocument,
    "fragment ArticleCard on Article {\n  id\n  slug\n  title\n  excerpt\n  publishedAt\n  readingMinutes\n  author {\n    handle\n    displayName\n    avatarUrl\n  }\n  category {\n    slug\n    name\n  }\n  tags {\n    slug\n    name\n  }\n  commentCount\n  reactionCounts {\n    total\n  }\n}\n\nquery WebHomeFeed($first: Int!, $after: String) {\n  articles(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ArticleCard\n      }\n    }\n  }\n}": types.ArticleCardFragmentDoc,
    "mutation WebSignIn($email: String!, $password: String!) {\n  signIn(input: {email: $email, password: $password}) {\n    session {\n      ...WebSession\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}\n\nmutation WebSignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    session {\n      ...WebSession\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}\n\nfragment WebSession on Session {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  user {\n    id\n    handle\n    displayName\n  }\n}": types.WebSignInDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation WebAddComment($articleId: ID!, $parentId: ID, $body: String!) {\n  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {\n    comment {\n      id\n      body\n      createdAt\n      author {\n        handle\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').WebAddCommentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WebArticlePage($slug: String!, $comments: Int = 20) {\n  article(slug: $slug) {\n    id\n    title\n    body\n    publishedAt\n    author {\n      handle\n      displayName\n      articles(first: 3) {\n        nodes {\n          slug\n          title\n        }\n      }\n    }\n    tags {\n      slug\n      name\n    }\n    comments(first: $comments) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          handle\n        }\n        replies(first: 5) {\n          totalCount\n          nodes {\n            id\n            body\n            author {\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql').WebArticlePageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ArticleCard on Article {\n  id\n  slug\n  title\n  excerpt\n  publishedAt\n  readingMinutes\n  author {\n    handle\n    displayName\n    avatarUrl\n  }\n  category {\n    slug\n    name\n  }\n  tags {\n    slug\n    name\n  }\n  commentCount\n  reactionCounts {\n    total\n  }\n}\n\nquery WebHomeFeed($first: Int!, $after: String) {\n  articles(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        ...ArticleCard\n      }\n    }\n  }\n}"): typeof import('./graphql').ArticleCardFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation WebSignIn($email: String!, $password: String!) {\n  signIn(input: {email: $email, password: $password}) {\n    session {\n      ...WebSession\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}\n\nmutation WebSignUp($input: SignUpInput!) {\n  signUp(input: $input) {\n    session {\n      ...WebSession\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}\n\nfragment WebSession on Session {\n  accessToken\n  accessTokenExpiresAt\n  refreshToken\n  user {\n    id\n    handle\n    displayName\n  }\n}"): typeof import('./graphql').WebSignInDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
