import type { Grant } from './grant.ts';

/** STUB (owned by the authorize helper). */
export const authorizationCode: Grant = {
  allowsPublicClients: true,
  async handle() {
    throw new Error('authorizationCode: not implemented yet');
  },
};
