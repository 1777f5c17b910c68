// GraphQL Code Generator: `npm run codegen` turns ../operations/*.graphql (the
// example operations, which the playground also shows as tabs) into typed
// documents in src/gql/ and the persisted-documents manifest
// src/gql/persisted-documents.json (hash -> document), checked against the
// schema the server is built from. CI fails when the committed output is stale.
import { createHash } from 'node:crypto';
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphqls',
  documents: ['../operations/*.graphql'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: {
          mode: 'embedHashInDocument',
          // The SHA-256 of the document as plain hex: the key Folio's
          // trusted-documents registry (`folio documents load`) and the
          // persisted-query protocol (extensions.persistedQuery.sha256Hash)
          // use. The preset's built-in 'sha256' would prefix it with "sha256:".
          hashAlgorithm: (document: string) => createHash('sha256').update(document).digest('hex'),
        },
      },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Time: 'string', ID: 'string' },
      },
    },
  },
};

export default config;
