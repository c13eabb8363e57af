import { renderSVG } from 'uqr';

/**
 * A QR code of `text` (the otpauth URI) as an SVG data URI, for the enrolment page's <img>:
 * no script, no network, and a data: image needs only `img-src data:` in the page's CSP.
 * Error correction M (15 %) with the standard 4-module quiet zone (ISO/IEC 18004 §6.3.8) reads
 * reliably from a screen with a phone camera.
 */
export const qrOptions = { ecc: 'M', border: 4 } as const;

export function qrSvgDataUri(text: string): string {
  const svg = renderSVG(text, qrOptions);
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
