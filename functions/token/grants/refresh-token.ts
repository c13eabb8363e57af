import type { Grant } from './grant.ts';

/** STUB (owned by the tokens helper). */
export const refreshToken: Grant = {
  allowsPublicClients: true,
  async handle() {
    throw new Error('refreshToken: not implemented yet');
  },
};
