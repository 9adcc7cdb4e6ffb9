/** Reading a service's Prometheus metrics (its admin port), to watch the cluster under load. */

/** The sum of the samples of `name` whose labels include `labels`; 0 when there is none. */
export async function metric(
  adminPort: unknown,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(adminPort)}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** Accounts online in a session worker (`cqfleet_session_accounts{state="online"}`). */
export const accountsOnline = (adminPort: unknown) =>
  metric(adminPort, 'cqfleet_session_accounts', { state: 'online' });
