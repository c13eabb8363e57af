import { badSignup } from './signup-error.ts';

/**
 * `user_metadata` given at signup, within Auth0's limits (reference §6.1): an object of at most
 * 10 properties, names of at most 100 characters, values strings of at most 500 characters.
 * Anything else is a 400 `invalid_signup` naming the limit, and nothing is created.
 */
export const limits = { maxProperties: 10, maxNameLength: 100, maxValueLength: 500 };

export function validateUserMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badSignup('invalid_signup', 'user_metadata must be an object');
  }
  const entries = Object.entries(value);
  if (entries.length > limits.maxProperties) {
    throw badSignup('invalid_signup', `user_metadata must have at most ${limits.maxProperties} properties`);
  }
  // A fresh object without a prototype: `__proto__` as a name is data, not a prototype change.
  const clean: Record<string, string> = Object.create(null);
  for (const [name, v] of entries) {
    if (name.length === 0 || name.length > limits.maxNameLength) {
      throw badSignup('invalid_signup', `user_metadata property names must have 1 to ${limits.maxNameLength} characters`);
    }
    if (typeof v !== 'string') throw badSignup('invalid_signup', 'user_metadata values must be strings');
    if (v.length > limits.maxValueLength) {
      throw badSignup('invalid_signup', `user_metadata values must have at most ${limits.maxValueLength} characters`);
    }
    clean[name] = v;
  }
  return { ...clean };
}
