export { createDataSource, runMigrations, type RegistryDataSourceOptions } from './data-source';
export * from './entities';
export { MIGRATIONS } from './migrations';
export { CertificateRepository, CertificateAlreadyRegistered } from './repositories/certificate.repository';
export type { NewCertificate, RegisteredCertificate } from './repositories/certificate.types';
