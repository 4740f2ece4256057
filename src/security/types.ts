/**
 * Accounts and sessions as the rest of the product sees them: the first administrator's setup,
 * the logged-in user with the permissions their roles give, and the account changes an
 * administrator makes.
 */
import type { Permission, Role } from './roles.js';

export interface SetupRequest {
  /** the one-time token printed by `serve` at first start */
  token: string;
  username: string;
  displayName: string;
  password: string;
}

export interface SessionUser {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  permissions: Permission[];
}

export interface UserSummary {
  id: number;
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
  lockedUntil: number | null;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface CreateUserRequest {
  username: string;
  displayName: string;
  password: string;
  roles: Role[];
}

export interface UpdateUserRequest {
  displayName?: string;
  roles?: Role[];
  password?: string;
  disabled?: boolean;
  /** clears a lockout after repeated failed logins */
  unlock?: boolean;
}
