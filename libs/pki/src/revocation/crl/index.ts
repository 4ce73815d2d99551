export * from './types';
export * from './parse';
export * from './verify';
export * from './check';
export { generalNameKeys, ldapDnKey, dnStringKey } from './dp-names';
export * from './fetch';
export * from './ldap-fetcher';
