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
    "mutation AddComment($articleId: ID!, $parentId: ID, $body: String!) {\n  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {\n    comment {\n      id\n      body\n      createdAt\n      author {\n        handle\n        displayName\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.AddCommentDocument,
    "mutation AddReaction($articleId: ID!, $kind: ReactionKind!) {\n  addReaction(input: {articleId: $articleId, kind: $kind}) {\n    article {\n      id\n      reactionCounts {\n        like\n        love\n        insightful\n        celebrate\n        total\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.AddReactionDocument,
    "query ArticlePage($slug: String!) {\n  article(slug: $slug) {\n    id\n    title\n    body\n    publishedAt\n    author {\n      handle\n      displayName\n      bio\n      articles(first: 3) {\n        nodes {\n          slug\n          title\n        }\n      }\n    }\n    tags {\n      slug\n      name\n    }\n    comments(first: 20) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          handle\n          displayName\n        }\n        replies(first: 5) {\n          totalCount\n          nodes {\n            id\n            body\n            author {\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n}": typeof types.ArticlePageDocument,
    "subscription CommentAdded($articleId: ID!) {\n  commentAdded(articleId: $articleId) {\n    id\n    body\n    createdAt\n    author {\n      handle\n      displayName\n    }\n    article {\n      title\n      commentCount\n    }\n  }\n}": typeof types.CommentAddedDocument,
    "mutation CreateApiKey($name: String!) {\n  createApiKey(input: {name: $name}) {\n    secret\n    apiKey {\n      id\n      name\n      prefix\n      createdAt\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.CreateApiKeyDocument,
    "mutation CreateArticle($title: String!, $body: String!, $tagIds: [ID!]) {\n  createArticle(input: {title: $title, body: $body, tagIds: $tagIds}) {\n    article {\n      id\n      slug\n      status\n      excerpt\n      version\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.CreateArticleDocument,
    "query HomeFeed($first: Int = 20, $after: String) {\n  articles(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        slug\n        title\n        excerpt\n        publishedAt\n        readingMinutes\n        author {\n          handle\n          displayName\n          avatarUrl\n        }\n        category {\n          slug\n          name\n        }\n        tags {\n          slug\n          name\n        }\n        commentCount\n        reactionCounts {\n          like\n          love\n          insightful\n          celebrate\n          total\n        }\n      }\n    }\n  }\n}": typeof types.HomeFeedDocument,
    "mutation PublishArticle($id: ID!) {\n  publishArticle(input: {id: $id}) {\n    article {\n      id\n      slug\n      status\n      publishedAt\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.PublishArticleDocument,
    "query Search($query: String!, $first: Int = 10, $after: String) {\n  search(query: $query, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      rank\n      snippet\n      node {\n        id\n        slug\n        title\n        author {\n          handle\n        }\n      }\n    }\n  }\n}": typeof types.SearchDocument,
    "mutation SignIn($email: String!, $password: String!) {\n  signIn(input: {email: $email, password: $password}) {\n    session {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      refreshTokenExpiresAt\n      user {\n        id\n        handle\n        role\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.SignInDocument,
    "mutation SignUp($email: String!, $password: String!, $handle: String!, $displayName: String!) {\n  signUp(\n    input: {email: $email, password: $password, handle: $handle, displayName: $displayName}\n  ) {\n    email\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": typeof types.SignUpDocument,
};
const documents: Documents = {
    "mutation AddComment($articleId: ID!, $parentId: ID, $body: String!) {\n  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {\n    comment {\n      id\n      body\n      createdAt\n      author {\n        handle\n        displayName\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.AddCommentDocument,
    "mutation AddReaction($articleId: ID!, $kind: ReactionKind!) {\n  addReaction(input: {articleId: $articleId, kind: $kind}) {\n    article {\n      id\n      reactionCounts {\n        like\n        love\n        insightful\n        celebrate\n        total\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.AddReactionDocument,
    "query ArticlePage($slug: String!) {\n  article(slug: $slug) {\n    id\n    title\n    body\n    publishedAt\n    author {\n      handle\n      displayName\n      bio\n      articles(first: 3) {\n        nodes {\n          slug\n          title\n        }\n      }\n    }\n    tags {\n      slug\n      name\n    }\n    comments(first: 20) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          handle\n          displayName\n        }\n        replies(first: 5) {\n          totalCount\n          nodes {\n            id\n            body\n            author {\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n}": types.ArticlePageDocument,
    "subscription CommentAdded($articleId: ID!) {\n  commentAdded(articleId: $articleId) {\n    id\n    body\n    createdAt\n    author {\n      handle\n      displayName\n    }\n    article {\n      title\n      commentCount\n    }\n  }\n}": types.CommentAddedDocument,
    "mutation CreateApiKey($name: String!) {\n  createApiKey(input: {name: $name}) {\n    secret\n    apiKey {\n      id\n      name\n      prefix\n      createdAt\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.CreateApiKeyDocument,
    "mutation CreateArticle($title: String!, $body: String!, $tagIds: [ID!]) {\n  createArticle(input: {title: $title, body: $body, tagIds: $tagIds}) {\n    article {\n      id\n      slug\n      status\n      excerpt\n      version\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.CreateArticleDocument,
    "query HomeFeed($first: Int = 20, $after: String) {\n  articles(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        slug\n        title\n        excerpt\n        publishedAt\n        readingMinutes\n        author {\n          handle\n          displayName\n          avatarUrl\n        }\n        category {\n          slug\n          name\n        }\n        tags {\n          slug\n          name\n        }\n        commentCount\n        reactionCounts {\n          like\n          love\n          insightful\n          celebrate\n          total\n        }\n      }\n    }\n  }\n}": types.HomeFeedDocument,
    "mutation PublishArticle($id: ID!) {\n  publishArticle(input: {id: $id}) {\n    article {\n      id\n      slug\n      status\n      publishedAt\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.PublishArticleDocument,
    "query Search($query: String!, $first: Int = 10, $after: String) {\n  search(query: $query, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      rank\n      snippet\n      node {\n        id\n        slug\n        title\n        author {\n          handle\n        }\n      }\n    }\n  }\n}": types.SearchDocument,
    "mutation SignIn($email: String!, $password: String!) {\n  signIn(input: {email: $email, password: $password}) {\n    session {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      refreshTokenExpiresAt\n      user {\n        id\n        handle\n        role\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.SignInDocument,
    "mutation SignUp($email: String!, $password: String!, $handle: String!, $displayName: String!) {\n  signUp(\n    input: {email: $email, password: $password, handle: $handle, displayName: $displayName}\n  ) {\n    email\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}": types.SignUpDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AddComment($articleId: ID!, $parentId: ID, $body: String!) {\n  addComment(input: {articleId: $articleId, parentId: $parentId, body: $body}) {\n    comment {\n      id\n      body\n      createdAt\n      author {\n        handle\n        displayName\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').AddCommentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AddReaction($articleId: ID!, $kind: ReactionKind!) {\n  addReaction(input: {articleId: $articleId, kind: $kind}) {\n    article {\n      id\n      reactionCounts {\n        like\n        love\n        insightful\n        celebrate\n        total\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').AddReactionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ArticlePage($slug: String!) {\n  article(slug: $slug) {\n    id\n    title\n    body\n    publishedAt\n    author {\n      handle\n      displayName\n      bio\n      articles(first: 3) {\n        nodes {\n          slug\n          title\n        }\n      }\n    }\n    tags {\n      slug\n      name\n    }\n    comments(first: 20) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        id\n        body\n        deleted\n        createdAt\n        author {\n          handle\n          displayName\n        }\n        replies(first: 5) {\n          totalCount\n          nodes {\n            id\n            body\n            author {\n              handle\n            }\n          }\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql').ArticlePageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription CommentAdded($articleId: ID!) {\n  commentAdded(articleId: $articleId) {\n    id\n    body\n    createdAt\n    author {\n      handle\n      displayName\n    }\n    article {\n      title\n      commentCount\n    }\n  }\n}"): typeof import('./graphql').CommentAddedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateApiKey($name: String!) {\n  createApiKey(input: {name: $name}) {\n    secret\n    apiKey {\n      id\n      name\n      prefix\n      createdAt\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').CreateApiKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateArticle($title: String!, $body: String!, $tagIds: [ID!]) {\n  createArticle(input: {title: $title, body: $body, tagIds: $tagIds}) {\n    article {\n      id\n      slug\n      status\n      excerpt\n      version\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').CreateArticleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query HomeFeed($first: Int = 20, $after: String) {\n  articles(first: $first, after: $after) {\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        slug\n        title\n        excerpt\n        publishedAt\n        readingMinutes\n        author {\n          handle\n          displayName\n          avatarUrl\n        }\n        category {\n          slug\n          name\n        }\n        tags {\n          slug\n          name\n        }\n        commentCount\n        reactionCounts {\n          like\n          love\n          insightful\n          celebrate\n          total\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql').HomeFeedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PublishArticle($id: ID!) {\n  publishArticle(input: {id: $id}) {\n    article {\n      id\n      slug\n      status\n      publishedAt\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').PublishArticleDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Search($query: String!, $first: Int = 10, $after: String) {\n  search(query: $query, first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      rank\n      snippet\n      node {\n        id\n        slug\n        title\n        author {\n          handle\n        }\n      }\n    }\n  }\n}"): typeof import('./graphql').SearchDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignIn($email: String!, $password: String!) {\n  signIn(input: {email: $email, password: $password}) {\n    session {\n      accessToken\n      accessTokenExpiresAt\n      refreshToken\n      refreshTokenExpiresAt\n      user {\n        id\n        handle\n        role\n      }\n    }\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').SignInDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SignUp($email: String!, $password: String!, $handle: String!, $displayName: String!) {\n  signUp(\n    input: {email: $email, password: $password, handle: $handle, displayName: $displayName}\n  ) {\n    email\n    userErrors {\n      field\n      message\n      code\n    }\n  }\n}"): typeof import('./graphql').SignUpDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
