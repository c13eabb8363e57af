import type { Grant } from './grant.ts';

/** STUB (owner: helper E). */
export const mfaOob: Grant = {
  allowsPublicClients: true,
  async handle() {
    throw new Error('TODO(helper E): mfaOob');
  },
};
