import { BlockList, isIP, SocketAddress } from 'node:net';

/**
 * Attack-protection allowlists (reference §16.5, §16.6): IPv4 and IPv6 addresses and CIDR
 * ranges whose traffic is never counted nor blocked. Built on node:net's BlockList, which also
 * matches an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack socket reports)
 * against IPv4 ranges. Entries that are not addresses or ranges match nothing.
 */
const compiled = new WeakMap<readonly string[], BlockList>();

export function isAllowlisted(ip: string, allowlist: readonly string[]): boolean {
  if (allowlist.length === 0) return false;
  const family = isIP(ip);
  if (family === 0) return false;
  let list = compiled.get(allowlist);
  if (!list) {
    list = compile(allowlist);
    // Tenant settings are cached objects, so the list is built once per configuration.
    compiled.set(allowlist, list);
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function compile(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (!parsed) continue;
    if (parsed.prefix === undefined) list.addAddress(parsed.address, parsed.family);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

/** An address (`192.0.2.7`, `2001:db8::1`) or a range (`192.0.2.0/24`, `2001:db8::/32`), or undefined. */
export function parseEntry(entry: string): { address: string; family: 'ipv4' | 'ipv6'; prefix?: number } | undefined {
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  if (rest.length > 0) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, family };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > (version === 4 ? 32 : 128)) return undefined;
  return { address, family, prefix };
}

/**
 * The form an IP is counted under: an IPv4-mapped IPv6 address as the IPv4 address it maps,
 * IPv6 in its canonical compressed lower-case text (RFC 5952), so one client cannot spread its
 * failures over several spellings of one address. Anything else is returned trimmed.
 */
export function canonicalIp(ip: string): string {
  const trimmed = ip.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  if (isIP(trimmed) !== 6) return trimmed;
  return new SocketAddress({ address: trimmed, family: 'ipv6' }).address;
}
