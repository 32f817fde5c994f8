/** Prometheus samples of one `/metrics` scrape, summed over their labels. */
export interface Scrape {
  get(name: string): number | undefined;
}

export async function scrape(httpUrl: string, timeoutMs = 5000): Promise<Scrape | undefined> {
  try {
    const response = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return undefined;
    const sums = new Map<string, number>();
    for (const line of (await response.text()).split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (name !== undefined && Number.isFinite(value))
        sums.set(name, (sums.get(name) ?? 0) + value);
    }
    return { get: (name) => sums.get(name) };
  } catch {
    return undefined;
  }
}

/** One GET, timed: does the endpoint still answer (at the admission cap, under load)? */
export async function probe(
  url: string,
  timeoutMs = 5000,
): Promise<{ status: number | string; ms: number }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return { status: response.status, ms: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { status: cause ?? (error as Error).name, ms: performance.now() - started };
  }
}
