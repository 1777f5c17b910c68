// A hash router in a few lines, so the example needs no router library:
// #/ is the feed, #/articles/<slug> an article, #/sign-in?next=<path> the
// sign-in form.
import { useSyncExternalStore } from 'react';

function subscribe(notify: () => void): () => void {
  window.addEventListener('hashchange', notify);
  return () => window.removeEventListener('hashchange', notify);
}

/** The current path, such as "/articles/keyset-pagination". */
export function useRoute(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash.slice(1) || '/');
}

export function navigate(path: string): void {
  window.location.hash = path;
}

export const articlePath = (slug: string) => `/articles/${encodeURIComponent(slug)}`;
export const signInPath = (next: string) => `/sign-in?next=${encodeURIComponent(next)}`;
