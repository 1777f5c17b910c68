import { useState, type FormEvent } from 'react';
import { useMutation } from '@apollo/client/react';
import { graphql } from './gql';
import { navigate } from './route';
import { setSession } from './session';

// Signing in trades an email and password for a session: a short-lived
// access token sent with every request, and a refresh token. A wrong
// password is a userError (INVALID_CREDENTIALS), not a GraphQL error.
const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    signIn(input: { email: $email, password: $password }) {
      session {
        accessToken
        refreshToken
        user {
          id
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

export function SignIn({ next }: { next: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState('');
  const [signIn, { loading }] = useMutation(SignInMutation);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem('');
    try {
      const { data } = await signIn({ variables: { email, password } });
      const session = data?.signIn?.session;
      if (!session) {
        setProblem(data?.signIn?.userErrors.map((e) => e.message).join(' ') || 'Signing in failed.');
        return;
      }
      setSession({ accessToken: session.accessToken, refreshToken: session.refreshToken, handle: session.user.handle });
      navigate(next);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form className="sign-in" onSubmit={submit}>
      <h1>Sign in</h1>
      <label>
        Email
        <input type="email" name="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
      </label>
      <label>
        Password
        <input type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {problem && <p className="error">{problem}</p>}
      <button type="submit" disabled={loading}>
        {loading ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="hint">A development server has demo accounts, e.g. reader@demo.folio.example with the password folio-demo-password.</p>
    </form>
  );
}
