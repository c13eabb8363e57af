import type { Grant } from './grant.ts';

/** STUB (owned by the attack-protection helper). */
export const password: Grant = {
  allowsPublicClients: true,
  async handle() {
    throw new Error('password: not implemented yet');
  },
};
