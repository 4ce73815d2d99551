import { readFileSync } from 'node:fs';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DomainError, CONFIG, type AppConfig } from '@jointcert/common';
import type { ServerCertificateView } from '@jointcert/contracts';
import { decodePem, parseCertificate } from '@jointcert/pki';
import { ApiRoute } from '../openapi/api-route.decorator';

/**
 * GET /v1/server-certificate: the site's key-management certificate
 * (KM_CERT_FILE, read once at boot), to which clients encrypt the VID random
 * value R (identity.encryptedRandom: CMS EnvelopedData or vidMsg). 404 when
 * the site has none (then clients send identity.randomNum).
 */
@ApiTags('sessions')
@Controller('v1/server-certificate')
export class ServerCertificateController {
  private readonly view: ServerCertificateView | undefined;

  constructor(@Inject(CONFIG) config: AppConfig) {
    if (config.KM_CERT_FILE === undefined) return;
    const bytes = readFileSync(config.KM_CERT_FILE);
    const der = bytes[0] === 0x30 ? bytes : decodePem(bytes.toString('latin1'), 'CERTIFICATE');
    const c = parseCertificate(der);
    this.view = { certificate: Buffer.from(c.der).toString('base64'), subject: c.subject.text, serialHex: c.serialHex, notAfter: new Date(c.notAfter).toISOString(), fingerprintSha256: c.fingerprintSha256 };
  }

  @Get()
  @ApiRoute({
    summary: 'The server key-management certificate to encrypt the VID random value to',
    description: 'Encrypt R (20 bytes) to this certificate as a CMS EnvelopedData, or as a vidMsg (RSAES-PKCS1-v1_5 of a SEED key, then SEED-CBC of R), and send it as identity.encryptedRandom.',
    ok: { status: 200, schema: 'ServerCertificateView' },
    errors: ['NOT_FOUND'],
  })
  get(): ServerCertificateView {
    if (!this.view) throw new DomainError('NOT_FOUND', 'this site has no key-management certificate: send identity.randomNum');
    return this.view;
  }
}
