import type { Grant } from './grant.ts';

/** STUB (owned by the attack-protection helper). */
export const passwordRealm: Grant = {
  allowsPublicClients: true,
  async handle() {
    throw new Error('passwordRealm: not implemented yet');
  },
};
