/** STUB (owner: helper C). A QR code of `text` as an SVG data URI, for the enrolment page's <img>. */
export function qrSvgDataUri(_text: string): string {
  throw new Error('TODO(helper C): qrSvgDataUri');
}
