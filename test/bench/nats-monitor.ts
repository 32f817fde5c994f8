/** Traffic of the connections whose name starts with a prefix, from nats-server's /connz. */
export interface ConnectionTraffic {
  /** Messages and bytes the clients sent to the server (publishes, API requests, acks). */
  readonly inMsgs: number;
  readonly inBytes: number;
  /** Messages and bytes the server delivered to them (stream messages, API replies). */
  readonly outMsgs: number;
  readonly outBytes: number;
}

interface Connz {
  readonly connections?: readonly {
    name?: string;
    in_msgs: number;
    out_msgs: number;
    in_bytes: number;
    out_bytes: number;
  }[];
}

export async function connectionTraffic(
  monitorUrl: string,
  namePrefix: string,
): Promise<ConnectionTraffic | undefined> {
  try {
    const connz = (await (await fetch(`${monitorUrl}/connz?limit=4096`)).json()) as Connz;
    const mine = (connz.connections ?? []).filter((c) => c.name?.startsWith(namePrefix));
    if (mine.length === 0) return undefined;
    const sum = (key: 'in_msgs' | 'out_msgs' | 'in_bytes' | 'out_bytes') =>
      mine.reduce((total, c) => total + c[key], 0);
    return {
      inMsgs: sum('in_msgs'),
      inBytes: sum('in_bytes'),
      outMsgs: sum('out_msgs'),
      outBytes: sum('out_bytes'),
    };
  } catch {
    return undefined;
  }
}
