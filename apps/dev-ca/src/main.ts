/**
 * The development CA (tests and `npm start` only): issues Korean-profile
 * certificates and NPKI folders, serves CRLs and answers OCSP. Built on the
 * libs/pki test-CA toolkit; the HTTP surface arrives with the services issue.
 */
import { loadConfig } from '@jointcert/common';

const config = loadConfig(process.env);
if (!config.DEV_CA_ENABLED) {
  console.error('dev-ca: set DEV_CA_ENABLED=true to run the development CA (never in production)');
  process.exit(1);
}
