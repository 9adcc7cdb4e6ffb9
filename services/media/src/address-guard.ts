/**
 * Refuses downloads to loopback, private, link-local, carrier-grade NAT, multicast,
 * unspecified and cloud-metadata addresses, unless the host or address is allowed.
 *
 * The check runs inside the socket's DNS lookup, so the address that is checked is the address
 * that is connected to (no gap for DNS rebinding), and again for every redirect.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(net, prefix, 'ipv6');

export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
}

export class AddressGuard {
  private readonly hosts = new Set<string>();
  private readonly allowed = new BlockList();

  /** `allow`: host names, IP addresses or CIDRs (`10.0.0.0/8`). */
  constructor(allow: readonly string[]) {
    for (const entry of allow) {
      const [net, bits] = entry.split('/');
      const family = net ? isIP(net) : 0;
      if (family && bits)
        this.allowed.addSubnet(net!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
      else if (family) this.allowed.addAddress(net!, family === 4 ? 'ipv4' : 'ipv6');
      else this.hosts.add(entry.toLowerCase());
    }
  }

  /** True when `address` may be connected to for `host`. */
  permits(host: string, address: string): boolean {
    // IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    const addr = mapped ?? address;
    const fam: 'ipv4' | 'ipv6' = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (!BLOCKED.check(addr, fam)) return true;
    return this.hosts.has(host.toLowerCase()) || this.allowed.check(addr, fam);
  }

  /** A `lookup` for http.request that refuses forbidden addresses. */
  lookupFor(host: string) {
    return (
      hostname: string,
      options: object,
      callback: (
        err: NodeJS.ErrnoException | null,
        address: string | LookupAddress[],
        family?: number,
      ) => void,
    ): void => {
      dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
        if (err) return callback(err, []);
        const list = addresses as LookupAddress[];
        const bad = list.find(a => !this.permits(host, a.address));
        if (bad)
          return callback(
            new ForbiddenAddressError(`${host} resolves to a forbidden address (${bad.address})`),
            [],
          );
        if ((options as { all?: boolean }).all) return callback(null, list);
        const first = list[0];
        if (!first) return callback(new Error(`${host} has no address`), []);
        callback(null, first.address, first.family);
      });
    };
  }
}
