import { useCallback, useEffect, useRef, useState } from "react";
import { formatUrlQuery, parseUrlQuery, type UrlQuery } from "@/lib/url-state";

/**
 * The URL query as state. Updates replace the history entry (the cursor moves too often for one
 * entry per change); a copied link reproduces the view.
 */
export function useUrlQuery(): [UrlQuery, (patch: Partial<UrlQuery>) => void] {
  const [query, setQuery] = useState<UrlQuery>(() => parseUrlQuery(window.location.search));
  const queryRef = useRef(query);

  useEffect(() => {
    const onPopState = () => {
      queryRef.current = parseUrlQuery(window.location.search);
      setQuery(queryRef.current);
    };
    window.addEventListener("popstate", onPopState);
    return () => window.removeEventListener("popstate", onPopState);
  }, []);

  const update = useCallback((patch: Partial<UrlQuery>) => {
    const next = { ...queryRef.current, ...patch };
    queryRef.current = next;
    const search = formatUrlQuery(next);
    if (search !== window.location.search) {
      window.history.replaceState(window.history.state, "", `${window.location.pathname}${search}`);
    }
    setQuery(next);
  }, []);

  return [query, update];
}
