import type { Grant } from './grant.ts';

/** STUB (owner: helper B). */
export const passwordlessOtp: Grant = {
  allowsPublicClients: true,
  async handle() {
    throw new Error('TODO(helper B): passwordlessOtp');
  },
};
