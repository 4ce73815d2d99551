import { randomBytes } from 'node:crypto';
import { Client } from 'ldapts';
import { createLdapFetcher } from '../revocation/crl/ldap-fetcher';
import { type LdapCrlResponder, ldapDnKey, startLdapCrlResponder } from './ldap-responder';

const DN = 'cn=crl1, ou=dp, o=jointcert dev, c=kr';
let crl = randomBytes(3000);
let responder: LdapCrlResponder;

beforeAll(async () => {
  responder = await startLdapCrlResponder({ lookup: (dn) => (dn === ldapDnKey(DN) ? crl : undefined) });
});
afterAll(() => responder.close());

const request = (dn: string, attributes = ['certificateRevocationList;binary', 'certificateRevocationList']) => ({
  url: `ldap://127.0.0.1:${responder.port}/${dn}`,
  host: '127.0.0.1',
  port: responder.port,
  secure: false,
  dn,
  attributes,
  timeoutMs: 2000,
  maxBytes: 1 << 20,
});

describe('LDAP CRL responder, driven by the verifier LDAP fetcher (ldapts)', () => {
  it('serves the CRL of a base-object search, whatever the DN spacing and case; a reissued CRL at once', async () => {
    const fetch = createLdapFetcher();
    expect(Buffer.from(await fetch(request('CN=crl1,OU=dp,O=jointcert dev,C=KR')))).toEqual(crl);
    crl = randomBytes(200);
    expect(Buffer.from(await fetch(request(DN, ['certificateRevocationList'])))).toEqual(crl);
  });

  it('an unknown entry is noSuchObject; a subtree search is unwilling', async () => {
    await expect(createLdapFetcher()(request('cn=other,c=kr'))).rejects.toThrow();
    const client = new Client({ url: `ldap://127.0.0.1:${responder.port}`, timeout: 2000 });
    try {
      await client.bind('', '');
      await expect(client.search(DN, { scope: 'sub', filter: '(objectClass=*)' })).rejects.toThrow();
    } finally {
      await client.unbind().catch(() => undefined);
    }
  });

  it('garbage on the socket closes it; the responder keeps serving', async () => {
    const { connect } = await import('node:net');
    await new Promise<void>((resolve) => {
      const s = connect(responder.port, '127.0.0.1', () => s.write(randomBytes(64)));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    expect(Buffer.from(await createLdapFetcher()(request(DN)))).toEqual(crl);
  });
});
