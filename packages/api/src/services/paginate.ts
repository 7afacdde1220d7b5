/** A page request, as every list route takes it (`?limit=&offset=`). */
export interface PageQuery {
  limit: number;
  offset: number;
}

/** A page of rows and the total they were cut from; `toPage` turns it into the wire envelope. */
export interface RowPage<TRow> extends PageQuery {
  rows: TRow[];
  total: number;
}

/**
 * The one list query: the page's rows and the total, in parallel (two statements on
 * the same filter). Callers pass the filtered, ordered select and its `count()`.
 */
export async function paginate<TRow>(
  page: PageQuery,
  rows: (page: PageQuery) => PromiseLike<TRow[]>,
  total: () => PromiseLike<Array<{ n: number }>>,
): Promise<RowPage<TRow>> {
  const [items, [counted]] = await Promise.all([rows(page), total()]);
  return { rows: items, total: counted?.n ?? 0, limit: page.limit, offset: page.offset };
}
