import { AccountEntity } from './account.entity';
import { AuditEventEntity } from './audit-event.entity';
import { CertificateEntity } from './certificate.entity';
import { NotificationEntity } from './notification.entity';
import { SecondFactorEntity } from './second-factor.entity';
import { SessionEntity } from './session.entity';

export { AccountEntity, AuditEventEntity, CertificateEntity, NotificationEntity, SessionEntity };
export { SecondFactorEntity };
export { CERTIFICATE_STATUSES, type CertificateStatus } from './certificate.entity';
export { NOTIFICATION_KINDS, NOTIFICATION_STATUSES, type NotificationKind, type NotificationStatus } from './notification.entity';

export const ENTITIES = [AccountEntity, CertificateEntity, SessionEntity, NotificationEntity, AuditEventEntity, SecondFactorEntity];
