/** A refresh-token session row as the rest of the system sees it. */
export interface Session {
  id: string;
  accountId: string;
  familyId: string;
  certificateId: string;
  createdAt: Date;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewSession {
  /** Chosen by the caller, so the access token can name it before the insert. */
  id: string;
  accountId: string;
  familyId: string;
  /** Lower-case hex SHA-256 of the refresh token (the token itself is never stored). */
  refreshTokenHash: string;
  certificateId: string;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}
