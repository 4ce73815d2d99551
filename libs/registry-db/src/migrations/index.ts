import type { MigrationInterface } from 'typeorm';
import { Initial1767225600000 } from './1767225600000-initial';
import { RegistryServices1767312000000 } from './1767312000000-registry-services';
import { AppRole1767400000000 } from './1767400000000-app-role';
import { RequestResults1767410000000 } from './1767410000000-request-results';
import { Notifier1767430000000 } from './1767430000000-notifier';
import { CertificateLock1767450000000 } from './1767450000000-certificate-lock';
import { SecondFactor1767450000001 } from './1767450000001-second-factor';
import { NoticeKinds1767460000000 } from './1767460000000-notice-kinds';
import { PasswordReminder1767470000000 } from './1767470000000-password-reminder';

/** Every migration, in order. Add new ones at the end. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Initial1767225600000,
  RegistryServices1767312000000,
  AppRole1767400000000,
  RequestResults1767410000000,
  Notifier1767430000000,
  CertificateLock1767450000000,
  SecondFactor1767450000001,
  NoticeKinds1767460000000,
  PasswordReminder1767470000000,
];
