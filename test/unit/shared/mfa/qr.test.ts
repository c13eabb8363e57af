import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode } from 'uqr';
import { qrOptions, qrSvgDataUri } from '../../../../shared/mfa/qr.ts';
import { otpauthUri } from '../../../../shared/mfa/totp.ts';

const uri = otpauthUri({ issuer: 'acme', account: 'jane@example.com', secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
const svgOf = (dataUri: string) => {
  const prefix = 'data:image/svg+xml;base64,';
  assert.ok(dataUri.startsWith(prefix));
  return Buffer.from(dataUri.slice(prefix.length), 'base64').toString('utf8');
};

describe('QR code as an SVG data URI', () => {
  test('a base64 SVG data URI of an SVG document without script', () => {
    const svg = svgOf(qrSvgDataUri(uri));
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\s*$/);
    assert.equal(/<script|on[a-z]+=|href=/i.test(svg), false);
  });

  test('the drawing is the QR matrix of exactly this text (with a 4-module quiet zone)', () => {
    const qr = encode(uri, qrOptions);
    const svg = svgOf(qrSvgDataUri(uri));
    // uqr draws each dark module as a 10×10 square `M<x>,<y>h10v10h-10z`: read them back.
    const cell = 10;
    assert.match(svg, new RegExp(`viewBox="0 0 ${qr.size * cell} ${qr.size * cell}"`));
    const drawn = new Set([...svg.matchAll(/M(\d+),(\d+)h10v10h-10z/g)].map((m) => `${Number(m[1]) / cell},${Number(m[2]) / cell}`));
    const expected = new Set<string>();
    qr.data.forEach((row, y) => row.forEach((dark, x) => dark && expected.add(`${x},${y}`)));
    assert.ok(expected.size > 100);
    assert.deepEqual(drawn, expected);
    assert.ok(qr.size >= 21 + 8, 'version 1 at least, with the quiet zone');
    for (let i = 0; i < 4; i++) assert.ok(qr.data[i]!.every((dark) => !dark), 'quiet zone row is light');
    // Another text gives another drawing; the same text the same one.
    assert.equal(qrSvgDataUri(uri), qrSvgDataUri(uri));
    assert.notEqual(qrSvgDataUri(uri), qrSvgDataUri(uri.replace('JBSW', 'KBSW')));
  });
});
