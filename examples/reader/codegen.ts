// GraphQL Code Generator: `npm run codegen` reads the operations written
// next to the components that use them (graphql(`…`) in src/**/*.tsx),
// checks them against the schema the server is built from, and writes typed
// documents to src/gql/. Apollo Client's hooks infer their data and variables
// from those documents. CI fails when the committed output is stale.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphqls',
  documents: ['src/**/*.tsx'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Time: 'string', ID: 'string' },
      },
    },
  },
};

export default config;
