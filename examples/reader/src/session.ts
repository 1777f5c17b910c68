// The signed-in session, kept in localStorage so that it survives a reload,
// and readable from React (useSession) and from outside it (the Apollo
// link that adds the Authorization header).
import { useSyncExternalStore } from 'react';

export type Session = {
  accessToken: string;
  refreshToken: string;
  handle: string;
};

const storageKey = 'folio-reader-session';
const listeners = new Set<() => void>();
let current = load();

function load(): Session | null {
  try {
    return JSON.parse(localStorage.getItem(storageKey) ?? 'null') as Session | null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  if (session) localStorage.setItem(storageKey, JSON.stringify(session));
  else localStorage.removeItem(storageKey);
  listeners.forEach((notify) => notify());
}

function subscribe(notify: () => void): () => void {
  listeners.add(notify);
  return () => listeners.delete(notify);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribe, getSession);
}
