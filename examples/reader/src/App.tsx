import { useMutation } from '@apollo/client/react';
import { graphql } from './gql';
import { ArticlePage } from './ArticlePage';
import { Feed } from './Feed';
import { SignIn } from './SignIn';
import { navigate, signInPath, useRoute } from './route';
import { setSession, useSession } from './session';

const SignOutMutation = graphql(`
  mutation SignOut($refreshToken: String!) {
    signOut(input: { refreshToken: $refreshToken }) {
      signedOut
    }
  }
`);

export function App() {
  const route = useRoute();
  const [path, query] = route.split('?');
  let page;
  if (path.startsWith('/articles/')) {
    page = <ArticlePage slug={decodeURIComponent(path.slice('/articles/'.length))} />;
  } else if (path === '/sign-in') {
    page = <SignIn next={new URLSearchParams(query).get('next') ?? '/'} />;
  } else {
    page = <Feed />;
  }
  return (
    <>
      <header>
        <a href="#/" className="brand">
          Folio Reader
        </a>
        <Account returnTo={path === '/sign-in' ? '/' : route} />
      </header>
      <main>{page}</main>
    </>
  );
}

function Account({ returnTo }: { returnTo: string }) {
  const session = useSession();
  const [signOut] = useMutation(SignOutMutation);
  if (!session) {
    return (
      <a href={`#${signInPath(returnTo)}`} className="account">
        Sign in
      </a>
    );
  }
  return (
    <span className="account">
      @{session.handle}{' '}
      <button
        className="link"
        onClick={async () => {
          // End the session on the server too: its tokens stop working at
          // once. It is forgotten here whatever the answer.
          await signOut({ variables: { refreshToken: session.refreshToken } }).catch(() => {});
          setSession(null);
          navigate('/');
        }}
      >
        Sign out
      </button>
    </span>
  );
}
