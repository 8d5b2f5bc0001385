import { useEffect, useState } from "react";

interface Catalog {
  data?: readonly { key: string }[];
  isFetching: boolean;
  refetch: () => unknown;
}

/**
 * A strategy saved since the catalog was read (the Strategies page's "Backtest it" and "Start a
 * paper bot" links): read the catalog again, once. `missing`: the key is not in the catalog;
 * `waiting`: its second read is still to come.
 */
export function useCatalogRefetch(catalog: Catalog, key: string | null | undefined): { missing: boolean; waiting: boolean } {
  const missing = Boolean(key && catalog.data && !catalog.data.some((s) => s.key === key));
  const [refetched, setRefetched] = useState<string | null>(null);
  const { refetch } = catalog;
  useEffect(() => {
    if (missing && key && refetched !== key) {
      setRefetched(key);
      void refetch();
    }
  }, [missing, refetched, key, refetch]);
  return { missing, waiting: missing && (refetched !== key || catalog.isFetching) };
}
