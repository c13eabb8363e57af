import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalIp, isAllowlisted, parseEntry } from '../../../../shared/attack-protection/allowlist.ts';

describe('attack-protection allowlists (IPv4, IPv6, CIDR)', () => {
  const list = ['192.0.2.7', '10.0.0.0/8', '2001:db8::/32', '::1', '198.51.100.0/24'];

  test('single addresses match themselves only', () => {
    assert.equal(isAllowlisted('192.0.2.7', list), true);
    assert.equal(isAllowlisted('192.0.2.8', list), false);
    assert.equal(isAllowlisted('::1', list), true);
    assert.equal(isAllowlisted('::2', list), false);
  });

  test('IPv4 ranges include their edges and nothing beyond', () => {
    assert.equal(isAllowlisted('10.0.0.0', list), true);
    assert.equal(isAllowlisted('10.255.255.255', list), true);
    assert.equal(isAllowlisted('11.0.0.0', list), false);
    assert.equal(isAllowlisted('9.255.255.255', list), false);
    assert.equal(isAllowlisted('198.51.100.255', list), true);
    assert.equal(isAllowlisted('198.51.101.0', list), false);
  });

  test('IPv6 ranges match any spelling of an address inside them', () => {
    assert.equal(isAllowlisted('2001:db8::1', list), true);
    assert.equal(isAllowlisted('2001:DB8:0:0:0:0:0:1', list), true);
    assert.equal(isAllowlisted('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', list), true);
    assert.equal(isAllowlisted('2001:db9::1', list), false);
  });

  test('an IPv4-mapped IPv6 address (dual-stack sockets) matches the IPv4 ranges', () => {
    assert.equal(isAllowlisted('::ffff:10.1.2.3', list), true);
    assert.equal(isAllowlisted('::ffff:11.1.2.3', list), false);
  });

  test('an empty list, a non-address and a bad entry match nothing', () => {
    assert.equal(isAllowlisted('10.0.0.1', []), false);
    assert.equal(isAllowlisted('not-an-ip', list), false);
    assert.equal(isAllowlisted('', list), false);
    assert.equal(isAllowlisted('10.0.0.1', ['10.0.0.0/33', 'garbage', '10.0.0.0/8/8', '10.0.0.0/x']), false);
    assert.equal(isAllowlisted('10.0.0.1', ['garbage', '10.0.0.1']), true, 'a bad entry does not spoil the others');
  });

  test('parseEntry reads addresses and ranges and refuses out-of-range prefixes', () => {
    assert.deepEqual(parseEntry('10.0.0.0/8'), { address: '10.0.0.0', family: 'ipv4', prefix: 8 });
    assert.deepEqual(parseEntry(' 2001:db8::/32 '), { address: '2001:db8::', family: 'ipv6', prefix: 32 });
    assert.deepEqual(parseEntry('192.0.2.1'), { address: '192.0.2.1', family: 'ipv4' });
    assert.equal(parseEntry('10.0.0.0/33'), undefined);
    assert.equal(parseEntry('2001:db8::/129'), undefined);
    assert.equal(parseEntry('2001:db8::/128')?.prefix, 128);
    assert.equal(parseEntry('300.0.0.1'), undefined);
    assert.equal(parseEntry('10.0.0.0/'), undefined);
  });

  test('canonicalIp: one client, one counter key, whatever the spelling', () => {
    assert.equal(canonicalIp('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(canonicalIp('::FFFF:192.0.2.7'), '192.0.2.7');
    assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
    assert.equal(canonicalIp(' 192.0.2.7 '), '192.0.2.7');
    assert.equal(canonicalIp('not-an-ip'), 'not-an-ip');
  });
});
