import { BlockList, isIP } from 'node:net';

/** What outgoing webhook requests may reach. */
export interface TargetPolicy {
  httpsOnly: boolean;
  allowLoopback: boolean;
}

/** Addresses no webhook may reach, whatever the configuration: private, link-local (cloud metadata), reserved. */
const FORBIDDEN = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, 169.254.169.254 (instance metadata) included
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast included
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['fd00:ec2::', 32], // AWS IPv6 metadata
] as const) {
  FORBIDDEN.addSubnet(net, prefix, 'ipv6');
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** IPv4 carried inside IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) is judged as the IPv4 address. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (match) return match[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return undefined;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** What kind of address forbids `address` ("a loopback address", …), or undefined when it may be reached. */
export function refusedAddress(address: string, policy: TargetPolicy): string | undefined {
  const v4 = isIP(address) === 6 ? embeddedIpv4(address.toLowerCase()) : address;
  const [ip, family] = v4 ? [v4, 'ipv4' as const] : [address, 'ipv6' as const];
  if (isIP(ip) === 0) return 'not an IP address';
  if (LOOPBACK.check(ip, family)) return policy.allowLoopback ? undefined : 'a loopback address';
  if (FORBIDDEN.check(ip, family)) return 'a private, link-local or reserved address';
  return undefined;
}

/**
 * Checks what can be checked without DNS: the scheme, no credentials, and a host that is not a
 * forbidden address literal. The address a name resolves to is checked again at every delivery.
 */
export function targetUrlProblem(raw: string, policy: TargetPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'url must be an absolute URL';
  }
  if (url.protocol !== 'https:' && (policy.httpsOnly || url.protocol !== 'http:')) {
    return policy.httpsOnly ? 'url must use https' : 'url must use https or http';
  }
  if (url.username || url.password) return 'url must not carry credentials';
  if (url.hash) return 'url must not have a fragment';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host)) {
    const refused = refusedAddress(host, policy);
    if (refused) return `url is not allowed: ${host} is ${refused}`;
  } else if (host === 'localhost' || host.endsWith('.localhost')) {
    if (!policy.allowLoopback) return 'url is not allowed: localhost is a loopback address';
  }
  return undefined;
}
